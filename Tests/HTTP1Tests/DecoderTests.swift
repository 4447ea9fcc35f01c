@testable import HTTP1
import Testing

@Suite("RequestDecoder: well-formed requests")
struct DecoderTests {
    @Test func simpleGet() throws {
        let requests = try decode(message(
            "GET /v1/p/jobs?limit=2&state=done HTTP/1.1", "Host: mock.local", "Accept: */*", "X-Trace: \t a  b \t"))
        #expect(requests.count == 1)
        let request = try #require(requests.first)
        #expect(request.method == "GET")
        #expect(request.target == "/v1/p/jobs?limit=2&state=done")
        #expect(request.path == "/v1/p/jobs")
        #expect(request.query == "limit=2&state=done")
        #expect(request.version == .http1_1)
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
        // In arrival order, values trimmed of surrounding OWS but not of inner spaces.
        #expect(request.headers.fields.map(\.name) == ["Host", "Accept", "X-Trace"])
        #expect(request.headers.fields.map(\.value) == ["mock.local", "*/*", "a  b"])
    }

    @Test(arguments: ["host", "HOST", "Host", "hOsT"])
    func headerLookupIgnoresCase(name: String) throws {
        let request = try #require(try decode(message("GET / HTTP/1.1", "hoSt: mock.local")).first)
        #expect(request.headers[name] == "mock.local")
        #expect(request.headers.values(name) == ["mock.local"])
    }

    @Test func repeatedHeadersKeepTheirOrder() throws {
        let request = try #require(try decode(message("GET / HTTP/1.1", "Host: h", "Accept: a", "X-B: b", "accept: c")).first)
        #expect(request.headers["Accept"] == "a")
        #expect(request.headers.values("ACCEPT") == ["a", "c"])
        #expect(request.headers["Missing"] == nil)
        #expect(request.headers.count == 4)
    }

    @Test func absoluteFormTargetKeepsOnlyPathAndQuery() throws {
        let request = try #require(try decode(message("GET http://host/v1/p/jobs/j?x=1 HTTP/1.1", "Host: host")).first)
        #expect(request.target == "http://host/v1/p/jobs/j?x=1")
        #expect(request.path == "/v1/p/jobs/j")
        #expect(request.query == "x=1")
    }

    @Test func asteriskFormForOptions() throws {
        let request = try #require(try decode(message("OPTIONS * HTTP/1.1", "Host: h")).first)
        #expect(request.method == "OPTIONS")
        #expect(request.target == "*")
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        let requests = try decode("\r\n\r\n" + message("GET /a HTTP/1.1", "Host: h"))
        #expect(requests.map(\.path) == ["/a"])
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let pipeline = message("GET /1 HTTP/1.1", "Host: h")
            + message("POST /2 HTTP/1.1", "Host: h", "Content-Length: 3", body: "abc")
            + message("DELETE /3 HTTP/1.1", "Host: h")
        var decoder = RequestDecoder()
        decoder.append(bytes(pipeline))
        let first = try #require(try decoder.next())
        let second = try #require(try decoder.next())
        let third = try #require(try decoder.next())
        #expect([first.method, second.method, third.method] == ["GET", "POST", "DELETE"])
        #expect([first.path, second.path, third.path] == ["/1", "/2", "/3"])
        #expect(second.body == bytes("abc"))
        #expect(try decoder.next() == nil)
        #expect(!decoder.hasPartialRequest)

        decoder.append(bytes("GET /4 HTTP/1.1\r\nHo"))
        #expect(try decoder.next() == nil)
        #expect(decoder.hasPartialRequest)
        decoder.append(bytes("st: h\r\n\r\n"))
        #expect(try decoder.next()?.path == "/4")
        #expect(!decoder.hasPartialRequest)
    }

    @Test func emptyDecoderHasNothing() throws {
        var decoder = RequestDecoder()
        #expect(try decoder.next() == nil)
        #expect(!decoder.hasPartialRequest)
    }

    // MARK: Versions

    @Test func http10NeedsNoHost() throws {
        let request = try #require(try decode(message("GET / HTTP/1.0")).first)
        #expect(request.version == .http1_0)
    }

    @Test func laterMinorVersionIsTreatedAsHTTP11() throws {
        let request = try #require(try decode(message("GET / HTTP/1.2", "Host: h")).first)
        #expect(request.version == .http1_1)
        #expect(request.keepAlive)
    }

    @Test func laterMinorVersionStillNeedsHost() {
        #expect(decodeError([bytes(message("GET / HTTP/1.2"))])?.status == .badRequest)
    }

    // MARK: Keep-alive (RFC 9112 §9.3)

    @Test(arguments: [
        ("HTTP/1.1", [], true),
        ("HTTP/1.1", ["keep-alive"], true),
        ("HTTP/1.1", ["Upgrade"], true),
        ("HTTP/1.1", ["close"], false),
        ("HTTP/1.1", ["ClOsE"], false),
        ("HTTP/1.1", ["keep-alive, Close"], false),
        ("HTTP/1.1", ["keep-alive", "close"], false),
        ("HTTP/1.0", [], false),
        ("HTTP/1.0", ["Upgrade"], false),
        ("HTTP/1.0", ["keep-alive"], true),
        ("HTTP/1.0", ["Keep-Alive"], true),
        ("HTTP/1.0", ["keep-alive, close"], false),
    ] as [(String, [String], Bool)])
    func keepAlive(version: String, connection: [String], expected: Bool) throws {
        let lines = ["GET / \(version)", "Host: h"] + connection.map { "Connection: \($0)" }
        let request = try #require(try decode(message(lines)).first)
        #expect(request.keepAlive == expected)
    }
}
