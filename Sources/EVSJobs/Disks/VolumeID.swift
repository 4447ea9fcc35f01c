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
        guard case .uuid(let high, let low) = storage else {
            if case .text(let text) = storage { return text }
            return ""
        }
        var out: [UInt8] = []
        out.reserveCapacity(36)
        var nibble = 0
        for half in [high, low] {
            var shift: UInt64 = 60
            while true {
                if [8, 12, 16, 20].contains(nibble) { out.append(UInt8(ascii: "-")) }
                out.append(Self.digits[Int((half >> shift) & 15)])
                nibble += 1
                if shift == 0 { break }
                shift -= 4
            }
        }
        return String(decoding: out, as: UTF8.self)
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
