@testable import HTTP1
import Testing

@Suite("RequestDecoder: limits")
struct LimitTests {
    static let small = DecoderLimits(maxHeadBytes: 64, maxBodyBytes: 10)

    /// A head of exactly `size` bytes, CRLFCRLF included.
    static func head(size: Int) -> String {
        let fixed = message("GET / HTTP/1.1", "Host: h", "X-Pad: ")
        return message("GET / HTTP/1.1", "Host: h", "X-Pad: " + String(repeating: "a", count: size - fixed.utf8.count))
    }

    static let rejections = [
        Rejection("head never ends", String(head(size: 200).dropLast(4)), .headerFieldsTooLarge, limits: small),
        Rejection("head ends one byte too late", head(size: 65), .headerFieldsTooLarge, limits: small),
        Rejection("head ends far too late", head(size: 500), .headerFieldsTooLarge, limits: small),
        Rejection("Content-Length over the limit, no body yet",
            message("POST / HTTP/1.1", "Host: h", "Content-Length: 11"), .contentTooLarge, limits: small),
        Rejection("Content-Length of 30 digits",
            message("POST / HTTP/1.1", "Host: h", "Content-Length: " + String(repeating: "9", count: 30)), .contentTooLarge),
        Rejection("chunks over the limit, refused before the data",
            message("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked", body: "8\r\n12345678\r\n3\r\n"),
            .contentTooLarge, limits: small),
        Rejection("one chunk over the limit",
            message("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked", body: "B\r\n"), .contentTooLarge, limits: small),
        Rejection("chunk size of 40 hex digits",
            message("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked", body: String(repeating: "f", count: 40) + "\r\n"),
            .contentTooLarge),
        Rejection("chunk-size line over 1024 bytes",
            message("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
                body: "5;x=" + String(repeating: "a", count: 2000) + "\r\nhello\r\n0\r\n\r\n")),
        Rejection("trailer section over the head limit",
            message("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked",
                body: "0\r\n" + (1...10).map { "X-T\($0): " + String(repeating: "t", count: 20) + "\r\n" }.joined() + "\r\n"),
            .headerFieldsTooLarge, limits: small),
    ]

    @Test(arguments: rejections) func refused(_ rejection: Rejection) { rejection.check() }

    @Test func headAtTheLimitIsAccepted() {
        let wire = bytes(Self.head(size: 64))
        #expect(wire.count == 64)
        for chunks in [[wire], oneByteAtATime(wire)] {
            #expect(outcome(chunks, limits: Self.small).map(\.count) == .success(1))
        }
    }

    @Test func headUnderTheLimitWaits() throws {
        var decoder = RequestDecoder(limits: Self.small)
        decoder.append(bytes(Self.head(size: 200)).prefix(64))
        #expect(try decoder.next() == nil)
        decoder.append([UInt8(ascii: "a")])
        #expect(throws: HTTPDecodeError(.headerFieldsTooLarge, "request line and headers larger than 64 bytes")) {
            try decoder.next()
        }
    }

    @Test func leadingEmptyLinesDoNotCountTowardsTheHead() {
        let wire = bytes("\r\n\r\n" + Self.head(size: 64))
        #expect(outcome([wire], limits: Self.small).map(\.count) == .success(1))
    }

    @Test func bodyAtTheLimitIsAccepted() {
        let fixed = message("POST / HTTP/1.1", "Host: h", "Content-Length: 10", body: "0123456789")
        let chunked = message("POST / HTTP/1.1", "Host: h", "Transfer-Encoding: chunked", body: "3\r\n012\r\n7\r\n3456789\r\n0\r\n\r\n")
        for wire in [fixed, chunked] {
            #expect(outcome([bytes(wire)], limits: Self.small).map { $0.map(\.body) } == .success(["0123456789"]))
        }
    }
}
