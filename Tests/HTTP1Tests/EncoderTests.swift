@testable import HTTP1
import Testing

@Suite("ResponseEncoder")
struct EncoderTests {
    static let json = HTTPResponse(
        status: .ok,
        headers: HTTPHeaders([("Content-Type", "application/json"), ("X-Request-Id", "r1"), ("content-type", "second")]),
        body: bytes(#"{"id":"j1"}"#))

    static let jsonHead = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: r1\r\ncontent-type: second\r\nContent-Length: 11\r\n\r\n"

    func text(_ response: HTTPResponse, headOnly: Bool = false) -> String {
        String(decoding: ResponseEncoder.encode(response, headOnly: headOnly), as: UTF8.self)
    }

    @Test func statusLineHeadersInOrderThenContentLengthAndBody() {
        #expect(text(Self.json) == Self.jsonHead + #"{"id":"j1"}"#)
    }

    @Test func headOnlyKeepsTheFullContentLengthButNoBody() {
        #expect(text(Self.json, headOnly: true) == Self.jsonHead)
    }

    @Test func statusByCodeTakesTheKnownPhraseElseAGenericOne() {
        #expect(HTTPStatus(code: 409) == .conflict)
        #expect(HTTPStatus(code: 504) == .gatewayTimeout)
        #expect(HTTPStatus(code: 418) == HTTPStatus(418, "Client Error"))
        #expect(HTTPStatus(code: 599) == HTTPStatus(599, "Server Error"))
    }

    @Test func emptyBodyHasContentLengthZero() {
        #expect(text(HTTPResponse(status: .notFound)) == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    }

    @Test(arguments: [HTTPStatus.noContent, HTTPStatus(100, "Continue"), HTTPStatus(101, "Switching Protocols")])
    func noContentLengthFor1xxAnd204(status: HTTPStatus) {
        #expect(text(HTTPResponse(status: status)) == "HTTP/1.1 \(status.code) \(status.reason)\r\n\r\n")
    }

    @Test func customStatus() {
        #expect(text(HTTPResponse(status: HTTPStatus(418, "I'm a teapot"), body: [1, 2])).hasPrefix("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 2\r\n"))
    }

    @Test func binaryBodyIsCopiedVerbatim() {
        let body: [UInt8] = [0, 13, 10, 255]
        #expect(ResponseEncoder.encode(HTTPResponse(status: .ok, body: body)).suffix(8) == bytes("\r\n\r\n") + body)
    }

    @Test func encodeIntoAppendsToWhatIsThere() {
        var buffer = bytes("previous")
        ResponseEncoder.encode(HTTPResponse(status: .noContent), into: &buffer)
        ResponseEncoder.encode(HTTPResponse(status: .ok, body: bytes("x")), headOnly: true, into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self)
            == "previousHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n")
    }
}
