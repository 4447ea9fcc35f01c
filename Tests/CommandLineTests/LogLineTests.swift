import Foundation
import Logging
import EVSJobsMock
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

    /// An access line written in one pass (plain fields) or piece by piece (fields to quote or
    /// escape, or too long for the one-pass room) reads as `text` writes the same fields.
    @Test(arguments: [
        ("GET", "/v1/p/jobs/x", 200, UInt64(412)), ("HEAD", "/v2/p/jobs/", 400, 0), ("-", "(bad request line)", 400, 7),
        ("GET", "/v1/p/jobs?x=1", 200, 1_000_000), ("GET", "/v1/p/jobs/a\"b\\c", 404, 5), ("GET", "/" + String(repeating: "a", count: 600), 404, 1),
        ("DELETE", "/v2/p/cloudvolumes/a", 0, 99_999_999),
    ])
    func anAccessLineReadsAsTextWouldWriteIt(_ method: String, _ path: String, _ status: Int, _ micros: UInt64) {
        let record = AccessRecord(method: method, path: path, status: status, micros: micros, requestID: "0123456789abcdef0123456789abcdef")
        var line: [UInt8] = []
        LogLine.access(record, timeMs: Self.time, level: .info, label: "evs-jobs-mock", format: .text, to: &line)
        let duration = "\(micros / 1000).\(String(String(micros % 1000 + 1000).dropFirst()))"
        let expected = LogLine.text(timeMs: Self.time, level: .info, label: "evs-jobs-mock", message: record.description, metadata: [
            "duration_ms": .string(duration), "method": .string(method), "path": .string(path),
            "request_id": "0123456789abcdef0123456789abcdef", "status": .stringConvertible(status),
        ])
        #expect(String(decoding: line, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(record.description == "\(method) \(path) \(status) \(duration)ms")
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
