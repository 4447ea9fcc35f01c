import Bytes
import EVSJobs

/// One access-log line's fields. Logged as the one metadata value `access`, so that a request
/// builds no dictionary of five strings: the command's log handler writes the fields straight
/// into its buffer (`writeText`, `appendJSONFields`), and any other handler prints `description`.
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
        ByteCursor.append(to: &out, bound: messageBound) { writeMessage(to: &$0, plain: false) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes `writeText` takes at most.
    public var textBound: Int {
        messageBound + LogText.bound(method) + LogText.bound(path) + requestID.utf8.count + 96
    }

    private var messageBound: Int {
        LogText.bound(method) + LogText.bound(path) + 48
    }

    /// The text format's message, then the fields sorted by key as `LogLine.text` writes
    /// metadata (`LogText`): `GET /v1/p/jobs/x 200 0.412ms duration_ms=0.412 method=GET ...`.
    public func writeText(to cursor: inout ByteCursor) {
        // Nearly always, method and path need neither escapes nor quotes: checked once here.
        let plain = LogText.isPlain(method) && LogText.isPlain(path)
        writeMessage(to: &cursor, plain: plain)
        cursor.put(" duration_ms=")
        writeDuration(to: &cursor)
        cursor.put(" method=")
        if plain { cursor.put(utf8: method) } else { LogText.putValue(method, to: &cursor) }
        cursor.put(" path=")
        if plain { cursor.put(utf8: path) } else { LogText.putValue(path, to: &cursor) }
        cursor.put(" request_id=")
        cursor.put(utf8: requestID)  // 32 hex digits: nothing to quote
        cursor.put(" status=")
        cursor.putDecimal(UInt64(clamping: status))
    }

    /// `plain`: method and path are known to need no escapes.
    private func writeMessage(to cursor: inout ByteCursor, plain: Bool) {
        if plain { cursor.put(utf8: method) } else { LogText.putMessage(method, to: &cursor) }
        cursor.put(UInt8(ascii: " "))
        if plain { cursor.put(utf8: path) } else { LogText.putMessage(path, to: &cursor) }
        cursor.put(UInt8(ascii: " "))
        cursor.putDecimal(UInt64(clamping: status))
        cursor.put(UInt8(ascii: " "))
        writeDuration(to: &cursor)
        cursor.put("ms")
    }

    /// Milliseconds with three decimals: `0.412`.
    private func writeDuration(to cursor: inout ByteCursor) {
        cursor.putDecimal(micros / 1000)
        cursor.put(UInt8(ascii: "."))
        cursor.putDigits(Int(micros % 1000), width: 3)
    }

    /// The JSON format's members after `label`, sorted by key, numbers as numbers.
    public func appendJSONFields(to out: inout [UInt8]) {
        JSONWriter.appendLiteral(#","duration_ms":"#, to: &out)
        ByteCursor.append(to: &out, bound: 32) { writeDuration(to: &$0) }
        JSONWriter.appendLiteral(#","method":"#, to: &out)
        JSONWriter.appendString(method, to: &out)
        JSONWriter.appendLiteral(#","path":"#, to: &out)
        JSONWriter.appendString(path, to: &out)
        JSONWriter.appendLiteral(#","request_id":"#, to: &out)
        JSONWriter.appendString(requestID, to: &out)
        JSONWriter.appendLiteral(#","status":"#, to: &out)
        JSONWriter.appendInteger(Int64(status), to: &out)
    }

    /// The message as the JSON format writes it (a JSON string).
    public func appendJSONMessage(to out: inout [UInt8]) {
        JSONWriter.appendString(description, to: &out)
    }
}
