import Bytes
import EVSJobs

/// One access-log line's fields. Logged as the one metadata value `access`, so that a request
/// builds no dictionary of five strings: the command's log handler writes the fields straight
/// into its buffer (`appendText`, `appendJSON`), and any other handler prints `description`.
public final class AccessRecord: CustomStringConvertible, Sendable {
    public let method: String
    public let path: String
    public let status: Int
    public let micros: UInt64
    public let requestID: String

    public init(method: String, path: String, status: Int, micros: UInt64, requestID: String) {
        self.method = method
        self.path = path
        self.status = status
        self.micros = micros
        self.requestID = requestID
    }

    /// The metadata key the record is logged under.
    public static let key = "access"

    /// `GET /v1/p/jobs/x 200 0.412ms`, the line's message.
    public var description: String {
        var out: [UInt8] = []
        appendMessage(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func appendMessage(to out: inout [UInt8]) {
        appendEscaped(method, to: &out)
        out.append(UInt8(ascii: " "))
        appendEscaped(path, to: &out)
        out.append(UInt8(ascii: " "))
        appendInteger(status, to: &out)
        out.append(UInt8(ascii: " "))
        appendDuration(to: &out)
        JSONWriter.appendLiteral("ms", to: &out)
    }

    /// The text format's tail after the message: the fields sorted by key, as `LogLine.text`
    /// writes metadata (a value with a space, quote, `=`, backslash or control character, or an
    /// empty one, as a JSON string).
    public func appendTextFields(to out: inout [UInt8]) {
        JSONWriter.appendLiteral(" duration_ms=", to: &out)
        appendDuration(to: &out)
        JSONWriter.appendLiteral(" method=", to: &out)
        appendTextValue(method, to: &out)
        JSONWriter.appendLiteral(" path=", to: &out)
        appendTextValue(path, to: &out)
        JSONWriter.appendLiteral(" request_id=", to: &out)
        JSONWriter.appendUTF8(requestID, to: &out)  // 32 hex digits: nothing to quote
        JSONWriter.appendLiteral(" status=", to: &out)
        appendInteger(status, to: &out)
    }

    /// Bytes `writeText` puts at most; nil when the method or path has a byte that the text
    /// format escapes or quotes (then `appendMessage` and `appendTextFields` write the line).
    public var plainTextBound: Int? {
        guard Self.isPlain(method), Self.isPlain(path) else { return nil }
        return 2 * (method.utf8.count + path.utf8.count) + requestID.utf8.count + 128
    }

    /// `appendMessage` and `appendTextFields` in one pass through a cursor, for a record whose
    /// `plainTextBound` is not nil (with that much room).
    public func writeText(to cursor: inout ByteCursor) {
        cursor.put(utf8: method)
        cursor.put(UInt8(ascii: " "))
        cursor.put(utf8: path)
        cursor.put(UInt8(ascii: " "))
        cursor.putDecimal(UInt64(clamping: status))
        cursor.put(UInt8(ascii: " "))
        writeDuration(to: &cursor)
        cursor.put("ms duration_ms=")
        writeDuration(to: &cursor)
        cursor.put(" method=")
        cursor.put(utf8: method)
        cursor.put(" path=")
        cursor.put(utf8: path)
        cursor.put(" request_id=")
        cursor.put(utf8: requestID)
        cursor.put(" status=")
        cursor.putDecimal(UInt64(clamping: status))
    }

    private func writeDuration(to cursor: inout ByteCursor) {
        cursor.putDecimal(micros / 1000)
        cursor.put(UInt8(ascii: "."))
        cursor.putDigits(Int(micros % 1000), width: 3)
    }

    /// The bytes `isPlain` refuses, by value.
    private static let quoted: [Bool] = (0...255).map { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C }

    /// Written as it is in both the message and a text field: not empty, no space, control
    /// character, quote, `=` or backslash.
    private static func isPlain(_ text: String) -> Bool {
        let quoted = Self.quoted
        let plain = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.isEmpty else { return false }
            for byte in bytes where quoted[Int(byte)] { return false }
            return true
        }
        return plain ?? false  // bytes not contiguous (never for a native String): the careful path
    }

    /// The JSON format's members after `label`, sorted by key, numbers as numbers.
    public func appendJSONFields(to out: inout [UInt8]) {
        JSONWriter.appendLiteral(#","duration_ms":"#, to: &out)
        appendDuration(to: &out)
        JSONWriter.appendLiteral(#","method":"#, to: &out)
        JSONWriter.appendString(method, to: &out)
        JSONWriter.appendLiteral(#","path":"#, to: &out)
        JSONWriter.appendString(path, to: &out)
        JSONWriter.appendLiteral(#","request_id":"#, to: &out)
        JSONWriter.appendString(requestID, to: &out)
        JSONWriter.appendLiteral(#","status":"#, to: &out)
        appendInteger(status, to: &out)
    }

    /// The message as the JSON format writes it (a JSON string).
    public func appendJSONMessage(to out: inout [UInt8]) {
        var message: [UInt8] = []
        appendMessage(to: &message)
        JSONWriter.appendString(String(decoding: message, as: UTF8.self), to: &out)
    }

    /// Milliseconds with three decimals: `0.412`.
    private func appendDuration(to out: inout [UInt8]) {
        appendInteger(Int(micros / 1000), to: &out)
        out.append(UInt8(ascii: "."))
        APITime.appendDigits(Int(micros % 1000), 3, &out)
    }

    private func appendInteger(_ value: Int, to out: inout [UInt8]) {
        JSONWriter.appendInteger(Int64(value), to: &out)
    }

    /// As the message writes a field: control characters escaped, quotes left off.
    private func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 }) else { return out.append(contentsOf: bytes) }
            var quoted: [UInt8] = []
            JSONWriter.appendString(bytes, to: &quoted)
            out.append(contentsOf: quoted.dropFirst().dropLast())
        }
    }

    private func appendTextValue(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            if bytes.isEmpty || bytes.contains(where: { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C }) {
                JSONWriter.appendString(bytes, to: &out)
            } else {
                out.append(contentsOf: bytes)
            }
        }
    }
}
