#if canImport(Bytes)  // the fuzz scripts compile it into the same module
import Bytes
#endif

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
        // The head is written in one pass into room of its exact bound (on the stack when small),
        // then appended at once.
        var bound = 80 + response.status.reason.utf8.count
        for field in response.headers.fields { bound += field.name.utf8.count + field.value.utf8.count + 4 }
        buffer.reserveCapacity(buffer.count + bound + (headOnly ? 0 : response.body.count))
        ByteCursor.append(to: &buffer, bound: bound) { head in
            head.put("HTTP/1.1 ")
            head.putDecimal(UInt64(clamping: response.status.code))
            head.put(32)
            head.put(utf8: response.status.reason)
            head.put("\r\n")
            for field in response.headers.fields {
                head.put(utf8: field.name)
                head.put(": ")
                head.put(utf8: field.value)
                head.put("\r\n")
            }
            // RFC 9110 §8.6: no Content-Length on 1xx and 204 responses.
            if response.status.code >= 200 && response.status.code != 204 {
                head.put("Content-Length: ")
                head.putDecimal(UInt64(response.body.count))
                head.put("\r\n")
            }
            head.put("\r\n")
        }
        if !headOnly {
            buffer.append(contentsOf: response.body)
        }
    }

    public static func encode(_ response: HTTPResponse, headOnly: Bool = false) -> [UInt8] {
        var buffer: [UInt8] = []
        encode(response, headOnly: headOnly, into: &buffer)
        return buffer
    }
}
