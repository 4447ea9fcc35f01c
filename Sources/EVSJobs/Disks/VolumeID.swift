/// A disk id. A UUID in lowercase (8-4-4-4-12 hex digits), the form the service uses, is kept as
/// two integers inside the value; any other id as text. Fixture ids parsed as heap strings
/// would each pin a page of the freed parse tree: 100,000 disks cost 800 B more each that way.
public struct VolumeID: Hashable, Sendable, CustomStringConvertible {
    private enum Storage: Hashable, Sendable {
        case uuid(UInt64, UInt64)
        case text(String)
    }

    private let storage: Storage
    private static let digits = Array("0123456789abcdef".utf8)
    private static let dashes: Set<Int> = [8, 13, 18, 23]

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
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)  // 38 bytes: quotes and 36
        withUnsafeMutableBytes(of: &text) { raw in
            var at = 37
            raw[0] = UInt8(ascii: "\"")
            raw[37] = UInt8(ascii: "\"")
            for (half, count) in [(low, 16), (high, 16)] {
                var rest = half
                for _ in 0..<count {
                    at -= 1
                    if at == 24 || at == 19 || at == 14 || at == 9 {
                        raw[at] = UInt8(ascii: "-")
                        at -= 1
                    }
                    raw[at] = Self.digits[Int(rest & 15)]
                    rest >>= 4
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<38]))
        }
    }

    private static func packed(_ text: String) -> (UInt64, UInt64)? {
        guard text.utf8.count == 36 else { return nil }
        var halves: (UInt64, UInt64) = (0, 0)
        var nibble = 0
        for (offset, byte) in text.utf8.enumerated() {
            if dashes.contains(offset) {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - 87)
            default: return nil  // uppercase stays text, so it renders back as written
            }
            if nibble < 16 { halves.0 = halves.0 << 4 | digit } else { halves.1 = halves.1 << 4 | digit }
            nibble += 1
        }
        return halves
    }
}
