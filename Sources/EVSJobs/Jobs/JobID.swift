#if canImport(Bytes)  // the fuzz scripts compile it into the same module
import Bytes
#endif

/// A job id. Ids of 32 lowercase hex digits, the form the service uses, are kept in sixteen
/// bytes inside the value; any other id is kept as text. A store of a million jobs then holds
/// no id on the heap, and looking one up hashes two integers.
public struct JobID: Hashable, Sendable, CustomStringConvertible {
    private enum Storage: Hashable, Sendable {
        case hex(UInt64, UInt64)
        case text(String)
    }

    private let storage: Storage

    public init(_ text: String) {
        storage = Self.packed(text[...]).map { .hex($0.0, $0.1) } ?? .text(text)
    }

    /// From a slice (a path's segment): a packed id needs no String at all.
    public init(_ text: Substring) {
        storage = Self.packed(text).map { .hex($0.0, $0.1) } ?? .text(String(text))
    }

    public var description: String {
        switch storage {
        case .text(let text): return text
        case .hex:
            var out: [UInt8] = []
            append(to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Appends the id as a JSON string. Ids from fixtures and admin requests are unreserved
    /// characters, but `JobSpec(id:)` takes any text, so text ids are escaped.
    public func appendJSON(to out: inout [UInt8]) {
        guard case .hex = storage else { return JSONWriter.appendString(description, to: &out) }
        out.append(UInt8(ascii: "\""))
        append(to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the id's characters as they are.
    func append(to out: inout [UInt8]) {
        switch storage {
        case .text(let text):
            out.append(contentsOf: text.utf8)
        case .hex(let high, let low):
            ByteCursor.append(to: &out, bound: 32) { id in
                id.putHex(high, digits: 16)
                id.putHex(low, digits: 16)
            }
        }
    }

    private static func packed(_ text: Substring) -> (UInt64, UInt64)? {
        guard text.utf8.count == 32 else { return nil }
        let halves = text.utf8.withContiguousStorageIfAvailable { bytes -> (UInt64, UInt64)? in
            // Uppercase stays text, so it renders back as it was written.
            guard let high = lowercaseHex(bytes, 0..<16), let low = lowercaseHex(bytes, 16..<32) else { return nil }
            return (high, low)
        }
        return halves ?? nil
    }
}

/// The lowercase hexadecimal number `bytes[range]` spells (16 digits at most); nil for any other
/// byte. Packs job and disk ids.
func lowercaseHex(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt64? {
    var value: UInt64 = 0
    for offset in range {
        let byte = bytes[offset]
        let digit = byte &- 48 < 10 ? byte &- 48 : byte &- 97 < 6 ? byte &- 87 : 255
        guard digit != 255 else { return nil }
        value = value << 4 | UInt64(digit)
    }
    return value
}
