import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile clients over raw sockets: malformed, abusive, slow, half-closed and vanishing peers.
/// Every case of the table runs against its own server; whatever the hostile client did, a
/// normal poll on a new connection must still be answered correctly afterwards.
@Suite struct HostileClientTests {

    // MARK: - The table

    /// How the bytes of a case go onto the wire.
    enum Delivery: Sendable {
        /// One `send`.
        case whole
        /// One `send` per byte.
        case bytewise
        /// One `send` per piece of these sizes; the rest, if any, in one more.
        case pieces([Int])
        /// `burst` bytes at once, then one byte every `everyMs` until the server answers or
        /// closes (the wait is a `poll` on the socket, so an answer stops the trickle at once).
        case paced(everyMs: Int, burst: Int = 0)
    }

    /// What the server must do: answer these requests normally (statuses in order, without
    /// `Connection: close`), then end as `then` says.
    struct Expectation: Sendable {
        let answers: [Int]
        let then: Ending

        static func answers(_ statuses: [Int], then: Ending) -> Expectation { Expectation(answers: statuses, then: then) }

        enum Ending: Sendable {
            /// The same connection still answers a normal poll.
            case keepAlive
            /// The server closes without another byte.
            case close
            /// An error answer with this status, `Connection: close` and a `MOCK.0<status>`
            /// error body, then the server closes.
            case error(Int)
        }

        /// Refused: an error answer with this status, then the server closes.
        static func status(_ status: Int) -> Expectation { .answers([], then: .error(status)) }

        /// The server closes without answering.
        static let close = Expectation.answers([], then: .close)

        /// Abusive but legal: answered normally, the connection stays usable.
        static func ok(_ status: Int, times: Int = 1) -> Expectation {
            .answers(Array(repeating: status, count: times), then: .keepAlive)
        }

        /// Answered normally, then closed (HTTP/1.0, `Connection: close`, half-close).
        static func okThenClose(_ status: Int) -> Expectation { .answers([status], then: .close) }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let expect: Expectation
        let delivery: Delivery
        /// Half-close (`shutdown(SHUT_WR)`) once everything is sent.
        let halfClose: Bool
        /// The server's timeouts; a case that shortens one is timed against it.
        let requestTimeoutMs: Int
        let idleTimeoutMs: Int

        init(
            _ name: String, _ bytes: [UInt8], _ expect: Expectation, delivery: Delivery = .whole, halfClose: Bool = false,
            requestTimeoutMs: Int = 10_000, idleTimeoutMs: Int = 60_000
        ) {
            self.name = name
            self.bytes = bytes
            self.expect = expect
            self.delivery = delivery
            self.halfClose = halfClose
            self.requestTimeoutMs = requestTimeoutMs
            self.idleTimeoutMs = idleTimeoutMs
        }

        init(_ name: String, _ text: String, _ expect: Expectation, delivery: Delivery = .whole, halfClose: Bool = false) {
            self.init(name, Array(text.utf8), expect, delivery: delivery, halfClose: halfClose)
        }

        /// The shortest server timeout when the case shortens one, nil otherwise.
        var timeoutMs: Int? {
            requestTimeoutMs < 10_000 || idleTimeoutMs < 60_000 ? min(requestTimeoutMs, idleTimeoutMs) : nil
        }

        var testDescription: String { name }
    }

    static let table: [Case] = requestLine + lineEnds + headers + sizes + contentLength + transferEncoding + chunks
        + framing + nonHTTP + halfClosed + timed

    static let requestLine: [Case] = [
        Case("request line is only a method", "GET\r\n\r\n", .status(400)),
        Case("HTTP/0.9 request line without version", "GET /\r\n\r\n", .status(400)),
        Case("space before the method", " GET \(jobPath) HTTP/1.1\r\nHost: x\r\n\r\n", .status(400)),
        Case("space after the version", "GET \(jobPath) HTTP/1.1 \r\nHost: x\r\n\r\n", .status(400)),
        Case("tabs as separators", "GET\t\(jobPath)\tHTTP/1.1\r\nHost: x\r\n\r\n", .status(400)),
        Case("separator character in method", "GE(T \(jobPath) HTTP/1.1\r\nHost: x\r\n\r\n", .status(400)),
        Case("lowercase protocol name", "GET \(jobPath) http/1.1\r\nHost: x\r\n\r\n", .status(400)),
        Case("two-digit minor version", "GET \(jobPath) HTTP/1.10\r\nHost: x\r\n\r\n", .status(400)),
        Case("version without minor", "GET \(jobPath) HTTP/1\r\nHost: x\r\n\r\n", .status(400)),
        Case("HTTP/0.9 version", "GET \(jobPath) HTTP/0.9\r\nHost: x\r\n\r\n", .status(505)),
        Case("HTTP/3.0 version", "GET \(jobPath) HTTP/3.0\r\nHost: x\r\n\r\n", .status(505)),
        Case("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .status(505)),
        Case("HTTP/1.2 is answered as 1.1", "GET \(jobPath) HTTP/1.2\r\nHost: x\r\n\r\n", .ok(200)),
        Case("lowercase method is another token", request(method: "get"), .ok(405)),
        Case("8 KiB method token", request(method: String(repeating: "M", count: 8 * 1024)), .ok(405)),
        Case("asterisk target with GET", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", .status(400)),
        Case("OPTIONS * is not a jobs path", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", .ok(404)),
        Case("absolute-form target", request(target: "http://localhost:8080" + jobPath), .ok(200)),
        Case("absolute-form, upper-case https scheme, query", request(target: "HTTPS://EXAMPLE.COM:443\(jobPath)?x=1"), .ok(200)),
        Case("absolute-form without a path", request(target: "http://localhost"), .ok(404)),
        Case("authority-form CONNECT", "CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n", .status(400)),
        Case("absolute-form with ftp scheme", request(target: "ftp://localhost" + jobPath), .status(400)),
        Case("raw UTF-8 in the target", request(target: "/v1/p/jobs/caf\u{e9}"), .status(400)),
        Case("NUL in the target", ascii("GET /v1/p/jobs/") + [0] + ascii(" HTTP/1.1\r\nHost: x\r\n\r\n"), .status(400)),
        Case("malformed percent-escape in the path", request(target: "/v1/p/jobs/%zz"), .ok(400)),
        Case("percent-escape of invalid UTF-8", request(target: "/v1/p/jobs/%ff%fe"), .ok(400)),
        Case("a response instead of a request", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", .status(400)),
        Case("empty lines before the request line", "\r\n\r\n\r\n" + request(), .ok(200)),
    ]

    static let lineEnds: [Case] = [
        Case("bare LF before the request line", "\n" + request(), .status(400)),
        Case("bare LF ends one header", "GET \(jobPath) HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", .status(400)),
        Case("bare LF ends the head", "GET \(jobPath) HTTP/1.1\r\nHost: x\r\n\n", .status(400)),
        Case("bare CR line ends", "GET \(jobPath) HTTP/1.1\rHost: x\r\r", .status(400)),
        Case("bare CR inside a header value", "GET \(jobPath) HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", .status(400)),
    ]

    static let headers: [Case] = [
        Case("header without colon", request(headers: "X-No-Colon\r\n"), .status(400)),
        Case("obs-fold with a tab", request(headers: "X-A: a\r\n\tb\r\n"), .status(400)),
        Case("white space before the first header", "GET \(jobPath) HTTP/1.1\r\n Host: x\r\n\r\n", .status(400)),
        Case("white space before the colon", "GET \(jobPath) HTTP/1.1\r\nHost : x\r\n\r\n", .status(400)),
        Case("header name with a space", request(headers: "X Y: z\r\n"), .status(400)),
        Case("empty header name", request(headers: ": z\r\n"), .status(400)),
        Case("non-ASCII header name", request(headers: "X-Caf\u{e9}: z\r\n"), .status(400)),
        Case("NUL in a header value", request(headers: ascii("X-A: a") + [0] + ascii("b\r\n")), .status(400)),
        Case("DEL in a header value", request(headers: ascii("X-A: a") + [0x7F] + ascii("b\r\n")), .status(400)),
        Case("DEL in a header name", request(headers: ascii("X-A") + [0x7F] + ascii(": b\r\n")), .status(400)),
        Case("obs-text in values is allowed", request(headers: ascii("X-Latin-1: caf") + [0xE9] + ascii("\r\nX-High: ") + Array(0x80...0xFF) + ascii("\r\n")), .ok(200)),
        Case("empty value, tab in value, padded Host", "GET \(jobPath) HTTP/1.1\r\nX-Empty:\r\nX-Tab: a\tb\r\nHost: \t x \t\r\n\r\n", .ok(200)),
        Case("two Host headers", request(headers: "Host: y\r\n"), .status(400)),
        Case("empty Host is allowed", "GET \(jobPath) HTTP/1.1\r\nHost:\r\n\r\n", .ok(200)),
        Case("HTTP/1.0 without Host", "GET \(jobPath) HTTP/1.0\r\n\r\n", .okThenClose(200)),
        Case("close among many Connection tokens", request(headers: "Connection: keep-alive, upgrade, te, CLOSE, x\r\n"), .okThenClose(200)),
        Case("Upgrade to h2c is ignored", request(headers: "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"), .ok(200)),
    ]

    static let sizes: [Case] = [
        Case("1200 small headers under 16 KiB", request(headers: manyHeaders(1200)), .ok(200)),
        Case("2000 small headers over 16 KiB", request(headers: manyHeaders(2000)), .status(431)),
        Case("head of exactly 16 KiB", paddedHead(total: 16 * 1024), .ok(200)),
        Case("head of 16 KiB and one byte", paddedHead(total: 16 * 1024 + 1), .status(431)),
        Case("request line over 16 KiB", request(target: "/v1/p/jobs/" + String(repeating: "a", count: 17 * 1024)), .status(431)),
        Case("body of exactly 1 MiB", request(headers: "Content-Length: 1048576\r\n", body: filler(1 << 20)), .ok(200)),
        Case("body of 1 MiB and one byte", request(headers: "Content-Length: 1048577\r\n", body: filler((1 << 20) + 1)), .status(413)),
        Case("chunked body of exactly 1 MiB", chunked(Array(repeating: "10000", count: 16).map { ($0, filler(0x10000)) }), .ok(200)),
        Case("chunks over 1 MiB in total", chunked(Array(repeating: "10000", count: 17).map { ($0, filler(0x10000)) }), .status(413)),
        Case("100 pipelined requests in one write", Array(repeating: request(), count: 100).joined(), .ok(200, times: 100)),
        Case("requests pipelined behind Connection: close", request(headers: "Connection: close\r\n") + request() + request(), .okThenClose(200)),
        Case("malformed request pipelined behind good ones", request() + request() + "GET /x HTTP/1.1\r\nHost x\r\n\r\n" + request(), .answers([200, 200], then: .error(400))),
        Case("good request pipelined behind a malformed one", "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n" + request(), .status(400)),
    ]

    static let contentLength: [Case] = [
        Case("Content-Length +5", request(headers: "Content-Length: +5\r\n", body: "hello"), .status(400)),
        Case("Content-Length 0x10", request(headers: "Content-Length: 0x10\r\n", body: "hello"), .status(400)),
        Case("Content-Length 1e3", request(headers: "Content-Length: 1e3\r\n", body: "hello"), .status(400)),
        Case("Content-Length 5abc", request(headers: "Content-Length: 5abc\r\n", body: "hello"), .status(400)),
        Case("Content-Length empty", request(headers: "Content-Length:\r\n"), .status(400)),
        Case("Content-Length with OWS", request(headers: "Content-Length: \t 5 \t\r\n", body: "hello"), .ok(200)),
        Case("Content-Length of 20 digits overflows", request(headers: "Content-Length: 99999999999999999999\r\n", body: "hello"), .status(413)),
        Case("Content-Length of 20 digits with leading zeros", request(headers: "Content-Length: 00000000000000000005\r\n", body: "hello"), .ok(200)),
        Case("two Content-Length headers that differ", request(headers: "Content-Length: 5\r\nContent-Length: 6\r\n", body: "hello!"), .status(400)),
        Case("two equal Content-Length headers", request(headers: "Content-Length: 5\r\nContent-Length: 5\r\n", body: "hello"), .ok(200)),
        Case("Content-Length list that differs", request(headers: "Content-Length: 5, 6\r\n", body: "hello!"), .status(400)),
        Case("Content-Length list of equal values", request(headers: "Content-Length: 5,5\r\n", body: "hello"), .ok(200)),
        Case("Content-Length with an empty list element", request(headers: "Content-Length: 5,\r\n", body: "hello"), .status(400)),
        Case("Transfer-Encoding before Content-Length", request(headers: "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", body: "0\r\n\r\n"), .status(400)),
        Case("bytes beyond Content-Length are the next request", request(headers: "Content-Length: 5\r\n", body: "hello" + request(target: "/smuggled")), .answers([200, 404], then: .keepAlive)),
        Case("Expect: 100-continue with the body at once", request(headers: "Expect: 100-continue\r\nContent-Length: 5\r\n", body: "hello"), .ok(200)),
    ]

    static let transferEncoding: [Case] = [
        Case("Transfer-Encoding chunked, chunked", request(headers: "Transfer-Encoding: chunked, chunked\r\n", body: "0\r\n\r\n"), .status(501)),
        Case("Transfer-Encoding gzip, chunked", request(headers: "Transfer-Encoding: gzip, chunked\r\n", body: "0\r\n\r\n"), .status(501)),
        Case("Transfer-Encoding identity", request(headers: "Transfer-Encoding: identity\r\n", body: "hello"), .status(400)),
        Case("Transfer-Encoding gzip alone", request(headers: "Transfer-Encoding: gzip\r\n", body: "hello"), .status(400)),
        Case("chunked then gzip in two headers", request(headers: "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", body: "0\r\n\r\n"), .status(400)),
        Case("Transfer-Encoding empty", request(headers: "Transfer-Encoding:\r\n", body: "0\r\n\r\n"), .status(400)),
        Case("chunked in an HTTP/1.0 request", "GET \(jobPath) HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .status(400)),
        Case("Transfer-Encoding in mixed case", request(headers: "Transfer-Encoding:  ChUnKeD \r\n", body: "5\r\nhello\r\n0\r\n\r\n"), .ok(200)),
    ]

    static let chunks: [Case] = [
        Case("chunk size -1", chunked([("-1", "")]), .status(400)),
        Case("chunk size of 17 hex digits", chunked([("fffffffffffffffff", "")]), .status(413)),
        Case("chunk size 0x10", chunked([("0x10", filler(16))]), .status(400)),
        Case("chunk size with leading space", chunked([(" 5", "hello")]), .status(400)),
        Case("chunk size with trailing space and no extension", chunked([("5 ", "hello")]), .status(400)),
        Case("chunk size empty", chunked([("", "hello")]), .status(400)),
        Case("chunk extensions are ignored", request(headers: "Transfer-Encoding: chunked\r\n", body: "5 ;name=value;flag\r\nhello\r\n0;last=\"yes\"\r\n\r\n"), .ok(200)),
        Case("control character in a chunk extension", request(headers: "Transfer-Encoding: chunked\r\n", body: "5;a=\u{1}\r\nhello\r\n0\r\n\r\n"), .status(400)),
        Case("chunk size line over 1 KiB", request(headers: "Transfer-Encoding: chunked\r\n", body: "5;" + String(repeating: "x", count: 2000) + "\r\nhello\r\n0\r\n\r\n"), .status(400)),
        Case("missing CRLF after chunk data", request(headers: "Transfer-Encoding: chunked\r\n", body: "5\r\nhello0\r\n\r\n"), .status(400)),
        Case("chunk data longer than its size", request(headers: "Transfer-Encoding: chunked\r\n", body: "3\r\nhello\r\n0\r\n\r\n"), .status(400)),
        Case("bare LF after chunk data", request(headers: "Transfer-Encoding: chunked\r\n", body: "5\r\nhello\n0\r\n\r\n"), .status(400)),
        Case("bare LF after chunk size", request(headers: "Transfer-Encoding: chunked\r\n", body: "5\nhello\r\n0\r\n\r\n"), .status(400)),
        Case("legal trailer", request(headers: "Transfer-Encoding: chunked\r\n", body: "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n"), .ok(200)),
        Case("malformed trailer", request(headers: "Transfer-Encoding: chunked\r\n", body: "0\r\nnot a field\r\n\r\n"), .status(400)),
        Case("trailers over 16 KiB", request(headers: "Transfer-Encoding: chunked\r\n", body: "0\r\n" + manyHeaders(2000) + "\r\n"), .status(431)),
        Case("25-digit zero chunk size", request(headers: "Transfer-Encoding: chunked\r\n", body: String(repeating: "0", count: 25) + "\r\n\r\n"), .ok(200)),
    ]

    static let framing: [Case] = [
        Case("Content-Length body one byte per write", request(headers: "Content-Length: 5\r\n", body: "hello"), .ok(200), delivery: .bytewise),
        Case("chunked body one byte per write", request(headers: "Transfer-Encoding: chunked\r\n", body: "5;x=y\r\nhello\r\n1\r\n!\r\n0\r\nX-T: 1\r\n\r\n"), .ok(200), delivery: .bytewise),
        Case("bare LF one byte per write", "GET \(jobPath) HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", .status(400), delivery: .bytewise),
        Case("header over 16 KiB, its first 200 bytes one per write", request(headers: "X-Big: " + String(repeating: "b", count: 17 * 1024) + "\r\n"), .status(431), delivery: .pieces(Array(repeating: 1, count: 200) + [16 * 1024])),
        Case("split between every CR and LF", request(headers: "Content-Length: 2\r\n", body: "hi"), .ok(200), delivery: .pieces(splitsAtCR(request(headers: "Content-Length: 2\r\n", body: "hi")))),
        Case("empty lines before the request one byte per write", "\r\n\r\n" + request(), .ok(200), delivery: .bytewise),
    ]

    static let nonHTTP: [Case] = [
        Case("1 KiB of random bytes", garbage(count: 1024, seed: 0x5EED), .status(400)),
        Case("random bytes after a method and slash", ascii("GET /") + garbage(count: 512, seed: 42), .status(400)),
        Case("SSH banner and key exchange", ascii("SSH-2.0-OpenSSH_9.0\r\n") + sshKexInit, .status(400)),
        Case("TLS 1.2 ClientHello", tlsClientHello(tls13: false), .status(400)),
        Case("TLS 1.3 ClientHello", tlsClientHello(tls13: true), .status(400)),
        Case("TLS ClientHello one byte per write", tlsClientHello(tls13: true), .status(400), delivery: .bytewise),
        Case("NUL bytes", [UInt8](repeating: 0, count: 64), .status(400)),
        Case("DEL bytes", [UInt8](repeating: 0x7F, count: 64), .status(400)),
        Case("NUL inside a method", ascii("GE") + [0] + ascii("T \(jobPath) HTTP/1.1\r\nHost: x\r\n\r\n"), .status(400)),
    ]

    static let halfClosed: [Case] = [
        Case("half-close after a chunked request", request(headers: "Transfer-Encoding: chunked\r\n", body: "5\r\nhello\r\n0\r\n\r\n"), .okThenClose(200), halfClose: true),
        Case("half-close after a Connection: close request", request(headers: "Connection: close\r\n"), .okThenClose(200), halfClose: true),
        Case("half-close mid request line", "GET /v1/p/jo", .close, halfClose: true),
        Case("half-close mid head", "GET \(jobPath) HTTP/1.1\r\nHost: x\r\n", .close, halfClose: true),
        Case("half-close mid Content-Length body", request(headers: "Content-Length: 10\r\n", body: "hel"), .close, halfClose: true),
        Case("half-close before the last chunk's CRLF", request(headers: "Transfer-Encoding: chunked\r\n", body: "5\r\nhello\r\n0\r\n"), .close, halfClose: true),
        Case("half-close right after connecting", [], .close, halfClose: true),
    ]

    static let timed: [Case] = [
        Case("slowloris head, a byte every 50 ms", ascii(request()), .status(408), delivery: .paced(everyMs: 50), requestTimeoutMs: 300),
        Case("slowloris body, a byte every 50 ms", ascii(request(headers: "Content-Length: 100\r\n", body: filler(100))), .status(408),
             delivery: .paced(everyMs: 50, burst: request(headers: "Content-Length: 100\r\n").utf8.count), requestTimeoutMs: 300),
        Case("slowloris chunked, a byte every 50 ms", ascii(request(headers: "Transfer-Encoding: chunked\r\n", body: String(repeating: "1\r\nx\r\n", count: 20))), .status(408),
             delivery: .paced(everyMs: 50, burst: request(headers: "Transfer-Encoding: chunked\r\n").utf8.count), requestTimeoutMs: 300),
        // Empty lines before a request line are ignored (RFC 9112 §2.2), but a peer that sends
        // nothing else must not hold its connection open beyond the timeouts either.
        Case("slowloris of empty lines, CRLF every 50 ms", ascii(String(repeating: "\r\n", count: 40)), .status(408),
             delivery: .paced(everyMs: 50), requestTimeoutMs: 300, idleTimeoutMs: 300),
        Case("SSH banner alone, then waiting for the server's", ascii("SSH-2.0-OpenSSH_9.0\r\n"), .status(408), requestTimeoutMs: 300),
        Case("connects and sends nothing", [], .close, idleTimeoutMs: 300),
    ]

    @Test(arguments: table)
    func hostileRequest(_ hostile: Case) async throws {
        try await withServer(requestTimeoutMs: hostile.requestTimeoutMs, idleTimeoutMs: hostile.idleTimeoutMs) { _, port in
            try await Self.play(hostile, port: port)
            // Connected and asked in one worker call: the case's idle timeout may be short.
            Self.expectNormalPoll(try await blocking { try RawClient(port: port).exchange(request()) })
        }
    }

    @Test func tableHasAtLeastFiftyCases() {
        #expect(Self.table.count >= 50)
    }

    // MARK: - Peers that reset or vanish

    @Test func resetsMidRequestCostOnlyTheirOwnConnection() async throws {
        let partials: [(String, String)] = [
            ("mid request line", "GET /v1/p/jo"),
            ("mid header", "GET \(jobPath) HTTP/1.1\r\nHost: x\r\nX-Half: abc"),
            ("mid chunk size line", request(headers: "Transfer-Encoding: chunked\r\n", body: "1000")),
            ("mid chunk data", request(headers: "Transfer-Encoding: chunked\r\n", body: "1000\r\n" + filler(100))),
            ("mid trailers", request(headers: "Transfer-Encoding: chunked\r\n", body: "0\r\nX-Trailer: 1\r\n")),
        ]
        try await withServer { server, port in
            let steady = try await RawClient.connect(port: port)
            try await Self.expectNormalPoll(on: steady)
            for (name, bytes) in partials {
                let rude = try await RawClient.connect(port: port)
                try await rude.send(bytes)
                #expect(try await waitUntil { server.http.partialRequestCount == 1 }, "\(name): the server has the partial request")
                rude.reset()
                #expect(try await waitUntil { server.http.connectionCount == 1 }, "\(name): only the steady connection is left")
                try await Self.expectNormalPoll(on: steady)
            }
            try await Self.expectNormalPoll(on: await RawClient.connect(port: port))
        }
    }

    /// The server has answers queued for a peer that never reads them and then resets.
    @Test func resetWithUnreadAnswersQueued() async throws {
        try await withServer { server, port in
            let rude = try await RawClient.connect(port: port)
            try await rude.send(Array(repeating: request(), count: 2000).joined())
            rude.reset()
            #expect(try await waitUntil { server.http.connectionCount == 0 })
            try await Self.expectNormalPoll(on: await RawClient.connect(port: port))
        }
    }

    @Test func clientThatConnectsSendsNothingAndResets() async throws {
        try await withServer { server, port in
            let silent = try await RawClient.connect(port: port)
            #expect(try await waitUntil { server.http.connectionCount == 1 })
            silent.reset()
            #expect(try await waitUntil { server.http.connectionCount == 0 })
            try await Self.expectNormalPoll(on: await RawClient.connect(port: port))
        }
    }

    @Test func twoHundredConnectionsResetAtOnce() async throws {
        try await withServer { server, port in
            let clients = try await blocking { try (0..<200).map { _ in try RawClient(port: port) } }
            #expect(try await waitUntil { server.http.connectionCount == 200 })
            for client in clients { client.reset() }
            #expect(try await waitUntil { server.http.connectionCount == 0 })
            try await Self.expectNormalPoll(on: await RawClient.connect(port: port))
        }
    }

    // MARK: - Playing a case

    /// What a case's connection saw, read on a Dispatch worker.
    struct Played: Sendable {
        enum Ending: Sendable {
            case poll(RawResponse)
            case closed(Bool)
            case error(RawResponse, closedAfter: Bool)
        }
        var answers: [RawResponse] = []
        var ending: Ending = .closed(false)
        var elapsed: Duration = .zero
    }

    /// Sends the case's bytes as it says and checks what comes back. The socket work runs in one
    /// `blocking` call, so no wait for the test pool falls between connecting, sending and the
    /// server's timeouts; the checks run here, on what it saw.
    static func play(_ hostile: Case, port: UInt16) async throws {
        let played = try await blocking { () throws -> Played in
            var played = Played()
            let client = try RawClient(port: port, timeout: hostile.timeoutMs == nil ? 5 : 3)
            let started = ContinuousClock.now
            try deliver(hostile.bytes, hostile.delivery, to: client)
            if hostile.halfClose { client.shutdownWrite() }
            for _ in hostile.expect.answers {
                played.answers.append(try client.response())
            }
            switch hostile.expect.then {
            case .keepAlive:
                played.ending = .poll(try client.exchange(request()))
            case .close:
                played.ending = .closed(client.closedByPeer())
            case .error:
                let response = try client.response()
                played.ending = .error(response, closedAfter: client.closedByPeer())
            }
            played.elapsed = ContinuousClock.now - started
            return played
        }
        let ending = hostile.expect.then
        #expect(played.answers.count == hostile.expect.answers.count)
        for (index, (status, response)) in zip(hostile.expect.answers, played.answers).enumerated() {
            #expect(response.status == status, "answer \(index): \(response.statusLine) \(response.text)")
            if case .keepAlive = ending {
                #expect(response.header("Connection") == nil, "answer \(index) keeps the connection")
            }
        }
        switch (ending, played.ending) {
        case (.keepAlive, .poll(let response)):
            expectNormalPoll(response)
        case (.close, .closed(let closed)):
            #expect(closed, "the server closes without another answer")
        case (.error(let status), .error(let response, let closedAfter)):
            #expect(response.status == status, "\(response.statusLine) \(response.text)")
            #expect(response.header("Connection") == "close")
            let error = (try? response.json() as? [String: Any])?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "MOCK.0\(status)", "\(response.text)")
            #expect(closedAfter, "the server closes after its error answer, answering nothing more")
        default:
            Issue.record("played \(played.ending) for the ending \(ending)")
        }
        if let timeoutMs = hostile.timeoutMs {
            let elapsed = played.elapsed
            #expect(elapsed >= .milliseconds(timeoutMs - 20), "not before the \(timeoutMs) ms timeout: \(elapsed)")
            #expect(elapsed < .milliseconds(timeoutMs + 1500), "soon after the \(timeoutMs) ms timeout: \(elapsed)")
        }
    }

    /// Blocking: run it on a Dispatch worker.
    static func deliver(_ bytes: [UInt8], _ delivery: Delivery, to client: RawClient) throws {
        switch delivery {
        case .whole:
            try client.send(bytes)
        case .bytewise:
            for byte in bytes { try client.send([byte]) }
        case .pieces(let sizes):
            var offset = 0
            for size in sizes where offset < bytes.count {
                try client.send(Array(bytes[offset..<min(offset + size, bytes.count)]))
                offset += size
            }
            if offset < bytes.count { try client.send(Array(bytes[offset...])) }
        case .paced(let everyMs, let burst):
            try client.send(Array(bytes.prefix(burst)))
            for byte in bytes.dropFirst(burst) {
                if hasInput(client, waitingMs: everyMs) { return }  // the server answered: stop
                try client.send([byte])
            }
        }
    }

    /// Waits up to `waitingMs` for the server to send something or close.
    static func hasInput(_ client: RawClient, waitingMs: Int) -> Bool {
        var entry = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, Int32(waitingMs)) > 0
    }

    /// `GET` of the frozen RUNNING job: 200 with that job.
    static func expectNormalPoll(on client: RawClient) async throws {
        expectNormalPoll(try await client.exchange(request()))
    }

    /// The answer to a normal poll: 200 with the frozen RUNNING job.
    static func expectNormalPoll(_ response: RawResponse) {
        #expect(response.status == 200, "normal poll: \(response.statusLine) \(response.text)")
        #expect(response.text.contains("\"status\":\"RUNNING\""), "normal poll: \(response.text)")
        #expect(response.text.contains("\"job_id\":\"\(jobID)\""), "normal poll: \(response.text)")
    }
}
// MARK: - Building hostile bytes

private let jobID = "4010a32d535527910153552b492c0002"
private let jobPath = "/v1/p/jobs/" + jobID

private func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A request line, `Host: x`, the extra header lines (each ending CRLF), the blank line, the body.
private func request(method: String = "GET", target: String = jobPath, headers: String = "", body: String = "") -> String {
    "\(method) \(target) HTTP/1.1\r\nHost: x\r\n\(headers)\r\n\(body)"
}

private func request(headers: [UInt8]) -> [UInt8] {
    ascii("GET \(jobPath) HTTP/1.1\r\nHost: x\r\n") + headers + ascii("\r\n")
}

/// A chunked request with these chunk-size lines and data, then the last chunk.
private func chunked(_ chunks: [(size: String, data: String)]) -> String {
    let body = chunks.map { (chunk: (size: String, data: String)) -> String in "\(chunk.size)\r\n\(chunk.data)\r\n" }.joined()
    return request(headers: "Transfer-Encoding: chunked\r\n", body: body + "0\r\n\r\n")
}

private func filler(_ count: Int) -> String { String(repeating: "z", count: count) }

/// `count` header lines of 10 bytes each (`X0001: v` and CRLF).
private func manyHeaders(_ count: Int) -> String {
    (0..<count).map { (index: Int) -> String in
        let digits = String(String(index + 10000).suffix(4))
        return "X\(digits): v\r\n"
    }.joined()
}

/// A request whose head, its final CRLF CRLF included, is exactly `total` bytes.
private func paddedHead(total: Int) -> String {
    let prefix = "GET \(jobPath) HTTP/1.1\r\nHost: x\r\nX-Pad: "
    return prefix + String(repeating: "p", count: total - prefix.utf8.count - 4) + "\r\n\r\n"
}

/// Piece sizes that split `text` right after every CR.
private func splitsAtCR(_ text: String) -> [Int] {
    var sizes: [Int] = []
    var last = 0
    for (index, byte) in text.utf8.enumerated() where byte == 13 {
        sizes.append(index + 1 - last)
        last = index + 1
    }
    return sizes
}

/// Deterministic noise (SplitMix64).
private func garbage(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
}

/// The start of an SSH binary packet: length, padding length, SSH_MSG_KEXINIT, cookie, a name-list.
private let sshKexInit: [UInt8] = {
    let names = ascii("curve25519-sha256,ecdh-sha2-nistp256")
    let nameList: [UInt8] = [0, 0, 0, UInt8(names.count)] + names
    let payload: [UInt8] = [20] + [UInt8](repeating: 0xC5, count: 16) + nameList
    let padding = [UInt8](repeating: 0, count: 8)
    let length = payload.count + padding.count + 1
    return [0, 0, UInt8(length >> 8), UInt8(length & 0xFF), UInt8(padding.count)] + payload + padding
}()

/// A TLS ClientHello record for `localhost`, as a browser would open a TLS connection on this
/// plain port; with `tls13`, the TLS 1.3 extensions (supported_versions, groups, key_share).
private func tlsClientHello(tls13: Bool) -> [UInt8] {
    func u16(_ n: Int) -> [UInt8] { [UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }
    let host = ascii("localhost")
    let serverName: [UInt8] = [0] + u16(host.count) + host
    var extensions: [UInt8] = [0, 0] + u16(serverName.count + 2) + u16(serverName.count) + serverName
    if tls13 {
        extensions += [0x00, 0x2B, 0x00, 0x03, 0x02, 0x03, 0x04]
        extensions += [0x00, 0x0A, 0x00, 0x04, 0x00, 0x02, 0x00, 0x1D]
        let share: [UInt8] = [0x00, 0x1D] + u16(32) + [UInt8](repeating: 0x42, count: 32)
        extensions += [0x00, 0x33] + u16(share.count + 2) + u16(share.count) + share
    }
    let suites: [UInt8] = tls13 ? [0x13, 0x01, 0x13, 0x02] : [0xC0, 0x2F, 0x00, 0x9C]
    let sessionID = [UInt8](repeating: 0x11, count: tls13 ? 32 : 0)
    var hello: [UInt8] = [0x03, 0x03] + [UInt8](repeating: 0xA5, count: 32)
    hello += [UInt8(sessionID.count)] + sessionID
    hello += u16(suites.count) + suites + [0x01, 0x00] + u16(extensions.count) + extensions
    let handshake: [UInt8] = [0x01, 0] + u16(hello.count) + hello
    return [0x16, 0x03, 0x01] + u16(handshake.count) + handshake
}
