@testable import HTTP1
import Testing

private func get(_ lines: String...) -> String { message(["GET / HTTP/1.1"] + lines) }
private func post(_ lines: String..., body: String) -> String { message(["POST / HTTP/1.1", "Host: h"] + lines, body: body) }
private func chunked(_ body: String) -> String { post("Transfer-Encoding: chunked", body: body) }

@Suite("RequestDecoder: refused requests")
struct MalformedRequestTests {
    static let badRequestLines = [
        Rejection("missing version", "GET /\r\nHost: h\r\n\r\n"),
        Rejection("missing target", "GET HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("method only", "GET\r\nHost: h\r\n\r\n"),
        Rejection("double space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("trailing space", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n"),
        Rejection("leading space", " GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("lowercase http", "GET / http/1.1\r\nHost: h\r\n\r\n"),
        Rejection("HTTP/1", "GET / HTTP/1\r\nHost: h\r\n\r\n"),
        Rejection("HTTP/1.x", "GET / HTTP/1.x\r\nHost: h\r\n\r\n"),
        Rejection("HTTP/11", "GET / HTTP/11\r\nHost: h\r\n\r\n"),
        Rejection("tabs instead of spaces", "GET\t/\tHTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("non-token method", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("non-ASCII target", "GET /caf\u{E9} HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("asterisk for GET", "GET * HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("relative target", "GET v1/p/jobs HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("other scheme", "GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("TLS handshake", "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{FC}\u{03}\u{03}"),
        Rejection("leading bare LF", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"),
    ]

    static let badHeads = [
        Rejection("bare LF line ends", "GET / HTTP/1.1\nHost: h\n\n"),
        Rejection("bare LF ending one header", "GET / HTTP/1.1\r\nHost: h\nX-A: 1\r\n\r\n"),
        Rejection("bare LF ending the head", "GET / HTTP/1.1\r\nHost: h\r\n\n"),
        Rejection("bare CR", "GET / HTTP/1.1\rHost: h\r\n\r\n"),
        Rejection("bare CR in a value", get("Host: h", "X-A: a\rb")),
        Rejection("NUL in request line", "GET /\u{0} HTTP/1.1\r\nHost: h\r\n\r\n"),
        Rejection("NUL in a value", get("Host: h", "X-A: a\u{0}b")),
        Rejection("header without colon", get("Host: h", "X-A 1")),
        Rejection("space before colon", get("Host : h")),
        Rejection("tab before colon", get("Host: h", "X-A\t: 1")),
        Rejection("empty field name", get("Host: h", ": 1")),
        Rejection("non-token field name", get("Host: h", "X(A): 1")),
        Rejection("obs-fold with space", get("Host: h", "X-A: a", " b")),
        Rejection("obs-fold with tab", get("Host: h", "X-A: a", "\tb")),
        Rejection("control char in a value", get("Host: h", "X-A: a\u{01}b")),
        Rejection("DEL in a value", get("Host: h", "X-A: a\u{7F}")),
        Rejection("HTTP/1.1 without Host", get("Accept: */*")),
        Rejection("two Host headers", get("Host: a", "Host: a")),
        Rejection("two Host headers, HTTP/1.0", message("GET / HTTP/1.0", "Host: a", "host: b")),
    ]

    static let badFraming = [
        Rejection("Content-Length non-numeric", post("Content-Length: abc", body: "")),
        Rejection("Content-Length negative", post("Content-Length: -1", body: "")),
        Rejection("Content-Length with sign", post("Content-Length: +5", body: "hello")),
        Rejection("Content-Length hex", post("Content-Length: 0x5", body: "hello")),
        Rejection("Content-Length empty", post("Content-Length: ", body: "")),
        Rejection("Content-Length list with empty member", post("Content-Length: 5,", body: "hello")),
        Rejection("Content-Length conflicting list", post("Content-Length: 5, 6", body: "hello!")),
        Rejection("Content-Length conflicting headers", post("Content-Length: 5", "Content-Length: 6", body: "hello!")),
        Rejection("Content-Length and Transfer-Encoding", post("Content-Length: 5", "Transfer-Encoding: chunked", body: "0\r\n\r\n")),
        Rejection("Transfer-Encoding and Content-Length", post("Transfer-Encoding: chunked", "Content-Length: 5", body: "0\r\n\r\n")),
        Rejection("chunked, gzip", post("Transfer-Encoding: chunked, gzip", body: "0\r\n\r\n")),
        Rejection("gzip alone", post("Transfer-Encoding: gzip", body: "")),
        Rejection("Transfer-Encoding empty", post("Transfer-Encoding: ", body: "")),
        Rejection("Transfer-Encoding in HTTP/1.0", message("POST / HTTP/1.0", "Transfer-Encoding: chunked", body: "0\r\n\r\n")),
        Rejection("chunk size not hex", chunked("zz\r\nhello\r\n0\r\n\r\n")),
        Rejection("chunk size empty", chunked("\r\nhello\r\n0\r\n\r\n")),
        Rejection("chunk size only an extension", chunked(";a=b\r\nhello\r\n0\r\n\r\n")),
        Rejection("chunk size with sign", chunked("+5\r\nhello\r\n0\r\n\r\n")),
        Rejection("chunk size bare LF", chunked("5\nhello\r\n0\r\n\r\n")),
        Rejection("chunk data longer than its size", chunked("5\r\nhelloXY\r\n0\r\n\r\n")),
        Rejection("chunk data without CRLF", chunked("5\r\nhello0\r\n\r\n")),
        Rejection("chunk data followed by two stray bytes", chunked("5\r\nhelloXY0\r\n\r\n")),
        Rejection("malformed trailer", chunked("0\r\nno colon here\r\n\r\n")),
        Rejection("folded trailer", chunked("0\r\nX-A: 1\r\n 2\r\n\r\n")),
    ]

    static let unsupported = [
        Rejection("gzip, chunked", post("Transfer-Encoding: gzip, chunked", body: "0\r\n\r\n"), .notImplemented),
        Rejection("gzip then chunked headers", post("Transfer-Encoding: gzip", "Transfer-Encoding: chunked", body: "0\r\n\r\n"), .notImplemented),
        Rejection("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", .versionNotSupported),
        Rejection("HTTP/0.9", "GET / HTTP/0.9\r\nHost: h\r\n\r\n", .versionNotSupported),
        Rejection("HTTP/3.1", "GET / HTTP/3.1\r\nHost: h\r\n\r\n", .versionNotSupported),
    ]

    @Test(arguments: badRequestLines) func refusesRequestLine(_ rejection: Rejection) { rejection.check() }
    @Test(arguments: badHeads) func refusesHead(_ rejection: Rejection) { rejection.check() }
    @Test(arguments: badFraming) func refusesFraming(_ rejection: Rejection) { rejection.check() }
    @Test(arguments: unsupported) func refusesUnsupported(_ rejection: Rejection) { rejection.check() }

    /// The head scan skips plain bytes with one comparison and judges a CR by the byte after
    /// it, on the next pass when the CR came last: the reason is the same at every split.
    @Test(arguments: [
        ("GET / HTTP/1.1\rX-A: 1\r\n\r\n", "bare CR in request head"),
        ("GET / HTTP/1.1\r\u{0}\r\n\r\n", "NUL byte in request head"),
        ("GET / HTTP/1.1\r\r\n\r\n", "bare CR in request head"),
        ("GET / HTTP/1.1\r\nHost: h\nX: 1\r\n\r\n", "bare LF in request head"),
        ("GET /\u{0} HTTP/1.1\r\n\r\n", "NUL byte in request head"),
    ])
    func theHeadScanNamesTheFirstBadByteWhateverTheSplit(_ text: String, _ reason: String) {
        let data = bytes(text)
        for chunks in twoPieceSplits(data) + [oneByteAtATime(data)] {
            #expect(decodeError(chunks)?.reason == reason, "split \(chunks.map(\.count))")
        }
    }

    @Test func refusedBeforeTheHeadIsComplete() throws {
        var decoder = RequestDecoder()
        decoder.append([0x16, 0x03, 0x01])
        #expect(throws: HTTPDecodeError.self) { try decoder.next() }
    }

    @Test(arguments: [
        "\u{16}\u{03}\u{01}",
        message("GET / HTTP/2.0", "Host: h"),
        message("POST / HTTP/1.1", "Host: h", "Content-Length: 99999999"),
    ])
    func decoderStaysFailed(bad: String) throws {
        var decoder = RequestDecoder()
        decoder.append(bytes(bad))
        let first = #expect(throws: HTTPDecodeError.self) { try decoder.next() }
        decoder.append(bytes(message("GET / HTTP/1.1", "Host: h")))
        let second = #expect(throws: HTTPDecodeError.self) { try decoder.next() }
        let third = #expect(throws: HTTPDecodeError.self) { try decoder.next() }
        #expect(first != nil)
        #expect(second == first)
        #expect(third == first)
    }
}
