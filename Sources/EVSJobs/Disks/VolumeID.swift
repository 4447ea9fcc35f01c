#if canImport(Bytes)  // the fuzz scripts compile it into the same module
import Bytes
#endif

/// A disk id. A UUID in lowercase (8-4-4-4-12 hex digits), the form the service uses, is kept as
/// two integers inside the value; any other id as text. Fixture ids parsed as heap strings
/// would each pin a page of the freed parse tree: 100,000 disks cost 800 B more each that way.
public struct VolumeID: Hashable, Sendable, CustomStringConvertible {
    private enum Storage: Hashable, Sendable {
        case uuid(UInt64, UInt64)
        case text(String)
    }

    private let storage: Storage

    public init(_ text: String) {
        storage = Self.packed(text).map { .uuid($0.0, $0.1) } ?? .text(text)
    }

    public var description: String {
        guard case .uuid = storage else {
            if case .text(let text) = storage { return text }
            return ""
        }
        var out: [UInt8] = []
        out.reserveCapacity(38)
        appendJSON(to: &out)
        return String(decoding: out[1..<37], as: UTF8.self)
    }

    /// Appends the id as a JSON string, written in place: no String is made.
    public func appendJSON(to out: inout [UInt8]) {
        guard case .uuid(let high, let low) = storage else {
            if case .text(let text) = storage { JSONWriter.appendString(text, to: &out) }
            return
        }
        ByteCursor.append(to: &out, bound: 38) { id in  // quotes and 36
            id.put(UInt8(ascii: "\""))
            id.putHex(high >> 32, digits: 8)
            id.put(UInt8(ascii: "-"))
            id.putHex(high >> 16, digits: 4)
            id.put(UInt8(ascii: "-"))
            id.putHex(high, digits: 4)
            id.put(UInt8(ascii: "-"))
            id.putHex(low >> 48, digits: 4)
            id.put(UInt8(ascii: "-"))
            id.putHex(low, digits: 12)
            id.put(UInt8(ascii: "\""))
        }
    }

    /// 8-4-4-4-12 lowercase hex digits, the first 16 in one integer and the last 16 in the other;
    /// uppercase stays text, so it renders back as written.
    private static func packed(_ text: String) -> (UInt64, UInt64)? {
        guard text.utf8.count == 36 else { return nil }
        let halves = text.utf8.withContiguousStorageIfAvailable { bytes -> (UInt64, UInt64)? in
            let dash = UInt8(ascii: "-")
            guard bytes[8] == dash, bytes[13] == dash, bytes[18] == dash, bytes[23] == dash,
                  let a = lowercaseHex(bytes, 0..<8), let b = lowercaseHex(bytes, 9..<13), let c = lowercaseHex(bytes, 14..<18),
                  let d = lowercaseHex(bytes, 19..<23), let e = lowercaseHex(bytes, 24..<36) else { return nil }
            return (a << 32 | b << 16 | c, d << 48 | e)
        }
        return halves ?? nil
    }
}
