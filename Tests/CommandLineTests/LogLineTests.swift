import Foundation
import Logging
import Testing

@testable import evs_jobs_mock

/// The two log formats, rendered from values: no process, no file descriptor.
@Suite struct LogLineTests {
    /// 2026-12-01T22:13:17.123Z
    static let time: Int64 = 1_796_163_197_123

    static let access: Logger.Metadata = [
        "status": .stringConvertible(200), "duration_ms": .stringConvertible(0.412), "path": "/v1/p/jobs/x",
        "request_id": "4f3a", "method": "GET",
    ]

    @Test func textPutsTheMessageFirstAndTheMetadataAfterItSorted() {
        let line = LogLine.text(timeMs: Self.time, level: .info, label: "evs-jobs-mock", message: "GET /v1/p/jobs/x 200 0.412ms",
                                metadata: Self.access)
        #expect(String(decoding: line, as: UTF8.self) == """
            2026-12-01T22:13:17.123Z info [evs-jobs-mock] GET /v1/p/jobs/x 200 0.412ms \
            duration_ms=0.412 method=GET path=/v1/p/jobs/x request_id=4f3a status=200

            """)
    }

    @Test func textQuotesValuesThatWouldSplitAndKeepsOneLine() {
        let line = LogLine.text(timeMs: 0, level: .warning, label: "l", message: "two\nlines",
                                metadata: ["admin": "on, token", "empty": "", "eq": "a=b", "plain": "x"])
        #expect(String(decoding: line, as: UTF8.self) == """
            1970-01-01T00:00:00.000Z warning [l] two\\nlines admin="on, token" empty="" eq="a=b" plain=x

            """)
    }

    @Test func jsonKeepsNumbersAndBooleansAsSuch() throws {
        var metadata = Self.access
        metadata["gzip"] = .stringConvertible(true)
        metadata["port"] = .stringConvertible(UInt16(8080))
        metadata["time_scale"] = .stringConvertible(10.0)
        metadata["huge"] = .stringConvertible(UInt64.max)
        metadata["nan"] = .stringConvertible(Double.nan)
        metadata["list"] = .array(["a", .stringConvertible(1)])
        let line = LogLine.json(timeMs: Self.time, level: .info, label: "evs-jobs-mock", message: "m", metadata: metadata)
        #expect(line.last == 10 && line.dropLast().allSatisfy { $0 != 10 })
        #expect(String(decoding: line, as: UTF8.self) == """
            {"time":"2026-12-01T22:13:17.123Z","level":"info","message":"m","label":"evs-jobs-mock",\
            "duration_ms":0.412,"gzip":true,"huge":"18446744073709551615","list":["a",1],"method":"GET","nan":"nan",\
            "path":"/v1/p/jobs/x","port":8080,"request_id":"4f3a","status":200,"time_scale":10.0}

            """)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["status"] as? Int == 200 && object["duration_ms"] as? Double == 0.412)
    }
}
