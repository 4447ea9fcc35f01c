#if canImport(Bytes)  // the fuzz scripts compile it into the same module
import Bytes
#endif

/// Appends JSON text to a byte buffer; the fixed-order job rendering is built from these.
public enum JSONWriter {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string, quotes included (RFC 8259 §7).
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendString($0, to: &out) }
    }

    /// Appends UTF-8 bytes as a JSON string, quotes included; scanned as one buffer, not byte by
    /// byte through a String view.
    public static func appendString(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        guard bytes.contains(where: { $0 < 0x20 || $0 == 34 || $0 == 92 }) else {
            out.append(contentsOf: bytes)  // the common case: nothing to escape
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a string's UTF-8 bytes as they are, in one copy.
    @inline(__always)
    public static func appendUTF8(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    /// Appends fixed text, in one copy.
    @inline(__always)
    public static func appendLiteral(_ text: StaticString, to out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// Appends a whole number in decimal, without making a String.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        ByteCursor.append(to: &out, bound: 21) { digits in  // a sign and 20 digits at most
            if value < 0 { digits.put(UInt8(ascii: "-")) }
            digits.putDecimal(value.magnitude)
        }
    }

    /// A string value, or `null`.
    public static func appendOptional(_ text: String?, to out: inout [UInt8]) {
        if let text { appendString(text, to: &out) } else { appendLiteral("null", to: &out) }
    }

    /// Appends `"key":` for a key that needs no escaping.
    @inline(__always)
    public static func appendKey(_ key: StaticString, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// Appends any value (for admin and test output; jobs have their own fixed-order writer).
    public static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number): out.append(contentsOf: "\(number)".utf8)
        case .string(let text): appendString(text, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (offset, member) in members.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                appendString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }
}
