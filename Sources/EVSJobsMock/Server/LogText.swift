import Bytes
import EVSJobs

/// How the text log format writes a message and a metadata value: the rules every line
/// (`LogLine.text`) and the access line (`AccessRecord`) share. Each writes through a cursor
/// with `bound(_:)` bytes of room.
public enum LogText {
    /// Room `putMessage` or `putValue` may take for `text`: a byte escaped as `\u00XX` takes
    /// six, and a value its two quotes.
    public static func bound(_ text: String) -> Int {
        6 * text.utf8.count + 2
    }

    /// A message as it is, but with control characters escaped as in JSON (one event, one
    /// line), quotes left off.
    public static func putMessage(_ text: String, to cursor: inout ByteCursor) {
        let plain = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for byte in bytes where byte < 0x20 { return false }
            return true
        }
        if plain ?? false { cursor.put(utf8: text) } else { putJSON(text, quoted: false, to: &cursor) }
    }

    /// A value as it is when `isPlain`, else as a JSON string.
    public static func putValue(_ text: String, to cursor: inout ByteCursor) {
        if isPlain(text) { cursor.put(utf8: text) } else { putJSON(text, quoted: true, to: &cursor) }
    }

    /// Written as it is, as a message or a value: not empty, and no space, control character,
    /// quote, `=` or backslash.
    public static func isPlain(_ text: String) -> Bool {
        let quoted = Self.quoted
        let plain = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.isEmpty else { return false }
            for byte in bytes where quoted[Int(byte)] { return false }
            return true
        }
        return plain ?? false  // bytes not contiguous (never for a native String): quoted, to be safe
    }

    /// The bytes `isPlain` refuses, by value.
    private static let quoted: [Bool] = (0...255).map { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C }

    private static func putJSON(_ text: String, quoted: Bool, to cursor: inout ByteCursor) {
        var json: [UInt8] = []
        JSONWriter.appendString(text, to: &json)
        json.withUnsafeBufferPointer { cursor.put(quoted ? $0 : UnsafeBufferPointer(rebasing: $0.dropFirst().dropLast())) }
    }
}
