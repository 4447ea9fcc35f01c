@testable import HTTP1
import Testing

@Suite("Paths, queries and header fields")
struct PathAndHeaderTests {
    @Test(arguments: [
        ("/v1/p/jobs/", ["v1", "p", "jobs", ""]),
        ("/v1/p/jobs/j1", ["v1", "p", "jobs", "j1"]),
        ("/", [""]),
        ("//x", ["", "x"]),
        ("/jobs/j%201", ["jobs", "j 1"]),
        ("/a%2Fb/c", ["a/b", "c"]),
        ("/caf%C3%A9/%c3%a9", ["café", "é"]),
        ("/a+b", ["a+b"]),
        ("/%25zz", ["%zz"]),
    ] as [(String, [String])])
    func decodesPathSegments(path: String, segments: [String]) {
        #expect(decodePathSegments(path) == segments)
    }

    @Test(arguments: ["/%zz", "/a%4", "/a%", "/%4g", "/%FF", "/%C3", "v1/p/jobs", "", "*", "http://h/x"])
    func refusesPath(path: String) {
        #expect(decodePathSegments(path) == nil)
    }

    @Test(arguments: [
        ("/v1/p/jobs", "/v1/p/jobs", nil),
        ("/v1/p/jobs?", "/v1/p/jobs", ""),
        ("/a?b=1&c=2", "/a", "b=1&c=2"),
        ("/a?b?c", "/a", "b?c"),
        ("http://host/v1/p/jobs/j?x=1", "/v1/p/jobs/j", "x=1"),
        ("HTTPS://Host:8443/a", "/a", nil),
        ("http://host", "/", nil),
        ("http://host?x=1", "/", "x=1"),
        ("*", "*", nil),
    ] as [(String, String, String?)])
    func splitsTarget(target: String, path: String, query: String?) {
        let request = HTTPRequest(method: "GET", target: target)
        #expect(request.path == path)
        #expect(request.query == query)
    }

    @Test func tokensAreTrimmedLowercasedAndJoinedAcrossFields() {
        let headers = HTTPHeaders([("Connection", " Keep-Alive ,, Upgrade"), ("X", "y"), ("connection", "CLOSE")])
        #expect(headers.tokens("CONNECTION") == ["keep-alive", "upgrade", "close"])
        #expect(headers.tokens("Missing") == [])
    }

    @Test func headersCompareInOrderAndByExactName() {
        var headers = HTTPHeaders()
        headers.add("A", "1")
        headers.add("B", "2")
        #expect(headers == HTTPHeaders([("A", "1"), ("B", "2")]))
        #expect(headers != HTTPHeaders([("B", "2"), ("A", "1")]))
        #expect(headers != HTTPHeaders([("a", "1"), ("B", "2")]))
        #expect(headers.map(\.name) == ["A", "B"])
    }

    @Test func asciiCaseFolding() {
        #expect("Content-LENGTH".equalsIgnoringASCIICase("content-length"))
        #expect(!"Content-Length".equalsIgnoringASCIICase("Content-Lengths"))
        #expect(!"É".equalsIgnoringASCIICase("é"))
        #expect("X-ÀB".lowercasedASCII() == "x-Àb")
    }
}
