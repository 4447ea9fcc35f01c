@testable import HTTP1
import Testing

@Suite("RequestDecoder: bodies")
struct BodyTests {
    @Test func contentLengthBody() throws {
        let requests = try decode(message("POST /v1/p/jobs HTTP/1.1", "Host: h", "Content-Length: 11", body: "hello world"))
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["hello world"])
    }

    @Test func contentLengthZero() throws {
        let requests = try decode(message("POST / HTTP/1.1", "Host: h", "Content-Length: 0"))
        #expect(requests.count == 1)
        #expect(requests.first?.body == [])
    }

    @Test func bodyWaitsForItsLastByte() throws {
        var decoder = RequestDecoder()
        decoder.append(bytes(message("PUT / HTTP/1.1", "Host: h", "Content-Length: 5", body: "hell")))
        #expect(try decoder.next() == nil)
        #expect(decoder.hasPartialRequest)
        decoder.append(bytes("o"))
        #expect(try decoder.next()?.body == bytes("hello"))
    }

    @Test(arguments: [["Content-Length: 5, 5"], ["Content-Length: 5", "Content-Length: 5"], ["content-length:  005 "]])
    func equalContentLengthsAreAccepted(lengths: [String]) throws {
        let requests = try decode(message(["POST / HTTP/1.1", "Host: h"] + lengths, body: "hello"))
        #expect(requests.map(\.body) == [bytes("hello")])
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let requests = try decode(message(
            "POST /v1/p/jobs/j1/logs HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
            body: "5;name=value\r\nhello\r\nA;a=1;b=\"x y\"\r\n, \r\nworld!\r\n0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"))
        let request = try #require(requests.first)
        #expect(requests.count == 1)
        #expect(String(decoding: request.body, as: UTF8.self) == "hello, \r\nworld!")
        #expect(request.headers.values("Transfer-Encoding") == ["chunked"])
    }

    @Test(arguments: ["chunked", "Chunked", " CHUNKED "])
    func chunkedIsMatchedWithoutCase(coding: String) throws {
        let requests = try decode(message("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: \(coding)", body: "2\r\nok\r\n0\r\n\r\n"))
        #expect(requests.map(\.body) == [bytes("ok")])
    }

    @Test func chunkedBodyWaitsForTheLastEmptyLine() throws {
        var decoder = RequestDecoder()
        decoder.append(bytes(message("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked", body: "2\r\nok\r\n0\r\nX-T: 1\r\n")))
        #expect(try decoder.next() == nil)
        #expect(decoder.hasPartialRequest)
        decoder.append(bytes("\r\n"))
        #expect(try decoder.next()?.body == bytes("ok"))
        #expect(!decoder.hasPartialRequest)
    }

    // A Content-Length body is opaque: whatever bytes it holds must not leak into the parsing
    // of what follows it.

    @Test(arguments: [
        ("pretty JSON with LF", "{\n  \"name\": \"j1\"\n}\n"),
        ("binary with NUL", "a\u{0}b"),
        ("CRLFCRLF", "\r\n\r\n"),
        ("ending in CR", "x\r"),
    ])
    func contentLengthBodyMayHoldAnyBytes(label: String, body: String) {
        let post = message("POST /v1/p/jobs HTTP/1.1", "Host: h", "Content-Length: \(body.utf8.count)", body: body)
        // Alone, the way a server drains: next() until nil.
        #expect(outcome([bytes(post)]).map { $0.map(\.body) } == .success([body]))
        // Followed by a pipelined request in the same append.
        let pipelined = post + message("GET /next HTTP/1.1", "Host: h")
        #expect(outcome([bytes(pipelined)]).map { $0.map(\.path) } == .success(["/v1/p/jobs", "/next"]))
    }

    @Test func emptyLineBetweenPipelinedRequestsAfterABody() throws {
        let pipelined = message("POST /1 HTTP/1.1", "Host: h", "Content-Length: 2", body: "ok")
            + "\r\n" + message("GET /2 HTTP/1.1", "Host: h")
        #expect(outcome([bytes(pipelined)]).map { $0.map(\.path) } == .success(["/1", "/2"]))
    }

    /// A server that serves one request at a time appends what arrives while it is busy and only
    /// then asks for the next request. After a body over the 64 KiB compaction threshold the
    /// decoder must not trap.
    @Test func appendAfterLargeBodyBeforeNextRequestIsTaken() async {
        await #expect(processExitsWith: .success) {
            let body = String(repeating: "x", count: 70_000)
            var decoder = RequestDecoder()
            decoder.append(bytes(message("POST / HTTP/1.1", "Host: h", "Content-Length: 70000", body: body) + "GET /next HT"))
            let first = try decoder.next()
            precondition(first?.body.count == 70_000)
            decoder.append(bytes("TP/1.1\r\nHost: h\r\n\r\n"))
            let second = try decoder.next()
            precondition(second?.path == "/next")
        }
    }
}
