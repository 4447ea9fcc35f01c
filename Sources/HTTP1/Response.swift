/// A response to encode. `Content-Length` is written by the encoder, never stored here.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Writes responses as HTTP/1.1 bytes.
public enum ResponseEncoder {
    /// Appends `response` to `buffer`. With `headOnly` (a HEAD request) the headers, including
    /// `Content-Length`, are those of the full response and the body is left out (RFC 9110 §9.3.2).
    public static func encode(_ response: HTTPResponse, headOnly: Bool = false, into buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + 320 + response.body.count)
        appendLiteral("HTTP/1.1 ", to: &buffer)
        appendDecimal(response.status.code, to: &buffer)
        buffer.append(32)
        appendUTF8(response.status.reason, to: &buffer)
        appendLiteral("\r\n", to: &buffer)
        for field in response.headers.fields {
            appendUTF8(field.name, to: &buffer)
            appendLiteral(": ", to: &buffer)
            appendUTF8(field.value, to: &buffer)
            appendLiteral("\r\n", to: &buffer)
        }
        // RFC 9110 §8.6: no Content-Length on 1xx and 204 responses.
        if response.status.code >= 200 && response.status.code != 204 {
            appendLiteral("Content-Length: ", to: &buffer)
            appendDecimal(response.body.count, to: &buffer)
            appendLiteral("\r\n", to: &buffer)
        }
        appendLiteral("\r\n", to: &buffer)
        if !headOnly {
            buffer.append(contentsOf: response.body)
        }
    }

    /// A string's bytes in one copy (not byte by byte through its UTF-8 view).
    @inline(__always)
    static func appendUTF8(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    @inline(__always)
    static func appendLiteral(_ text: StaticString, to buffer: inout [UInt8]) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// A non-negative number in decimal digits, without a String in between.
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        guard value >= 10 else {
            buffer.append(UInt8(48 + max(0, value)))
            return
        }
        appendDecimal(value / 10, to: &buffer)
        buffer.append(UInt8(48 + value % 10))
    }

    public static func encode(_ response: HTTPResponse, headOnly: Bool = false) -> [UInt8] {
        var buffer: [UInt8] = []
        encode(response, headOnly: headOnly, into: &buffer)
        return buffer
    }
}
