import Foundation
import Glibc
import Bytes
import Testing

@testable import EVSJobsMock

/// Issue 14: log lines go through a bounded buffer written by a background queue.
@Suite struct LogWriterTests {
    /// A pipe whose read end is non-blocking, and what it holds now.
    struct Pipe2 {
        let read: Int32, write: Int32

        init() throws {
            var fds: [Int32] = [0, 0]
            try #require(pipe(&fds) == 0)
            (read, write) = (fds[0], fds[1])
            _ = fcntl(read, F_SETFL, O_NONBLOCK)
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }

        func drain() -> String {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = Glibc.read(read, &chunk, chunk.count)
                guard count > 0 else { break }
                bytes += chunk.prefix(count)
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        func close() {
            Glibc.close(read)
            Glibc.close(write)
        }
    }

    @Test func linesWaitForTheWriterAndAllArriveOnFlush() throws {
        let pipe = try Pipe2()
        defer { pipe.close() }
        let writer = LogWriter(fileDescriptor: pipe.write, capacity: 4096, delayMs: 600_000)
        for number in 0..<10 { writer.append { $0.append(contentsOf: "line \(number)\n".utf8) } }
        writer.flush()
        #expect(pipe.drain() == (0..<10).map { "line \($0)\n" }.joined())
        writer.flush()
        #expect(pipe.drain() == "")
        #expect(writer.dropped == 0)
    }

    @Test func aFullBufferDropsWholeLinesCountsThemAndSaysSo() throws {
        let pipe = try Pipe2()
        defer { pipe.close() }
        let writer = LogWriter(fileDescriptor: pipe.write, capacity: 100, delayMs: 600_000)
        let line = String(repeating: "x", count: 39) + "\n"  // 40 bytes: two fit, the rest do not
        for _ in 0..<5 { writer.append { $0.append(contentsOf: line.utf8) } }
        #expect(writer.dropped == 3)
        writer.flush()
        let text = pipe.drain()
        #expect(text == "log: 3 lines were dropped while standard error was slow\n" + line + line)
        writer.append { $0.append(contentsOf: "after\n".utf8) }
        writer.flush()
        #expect(pipe.drain() == "after\n")
        #expect(writer.dropped == 3)
    }

    /// Without a flush, the background queue writes within the delay: waited for by reading the
    /// pipe (blocking, on a Dispatch worker), not by sleeping.
    @Test func theBackgroundQueueWritesWithoutAFlush() async throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { fds.forEach { Glibc.close($0) } }
        let writer = LogWriter(fileDescriptor: fds[1], capacity: 4096, delayMs: 1)
        writer.append { $0.append(contentsOf: "soon\n".utf8) }
        let read = fds[0]
        let text = try await blocking { () -> String in
            var chunk = [UInt8](repeating: 0, count: 64)
            let count = Glibc.read(read, &chunk, chunk.count)
            return String(decoding: chunk.prefix(max(0, count)), as: UTF8.self)
        }
        #expect(text == "soon\n")
    }

    @Test func anAccessRecordRendersEveryField() {
        let record = AccessRecord(method: "GET", path: "/v1/p/jobs/a b", status: 200, micros: 1412, requestID: "4f3a")
        #expect(record.description == "GET /v1/p/jobs/a b 200 1.412ms")
        var text: [UInt8] = []
        ByteCursor.append(to: &text, bound: record.textBound) { record.writeText(to: &$0) }
        #expect(String(decoding: text, as: UTF8.self) == "GET /v1/p/jobs/a b 200 1.412ms" + #" duration_ms=1.412 method=GET path="/v1/p/jobs/a b" request_id=4f3a status=200"#)
        var json: [UInt8] = []
        record.appendJSONFields(to: &json)
        #expect(String(decoding: json, as: UTF8.self) == #","duration_ms":1.412,"method":"GET","path":"/v1/p/jobs/a b","request_id":"4f3a","status":200"#)
    }
}
