/// Header fields in the order they were received or added. Names compare case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    /// A struct, not a tuple: an array of tuples is destroyed through the runtime's generic
    /// tuple witnesses, element by element, on every request.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public private(set) var fields: [Field] = []

    public init() {}

    /// Empty, with room for `capacity` fields: a response gains five or six on its way out.
    public init(capacity: Int) {
        fields.reserveCapacity(capacity)
    }

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// The first value of the field `name`, if present.
    public subscript(name: String) -> String? {
        for field in fields where field.name.equalsIgnoringASCIICase(name) {
            return field.value
        }
        return nil
    }

    /// Every value of the field `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    /// The comma-separated tokens of every `name` field, lowercased (e.g. `Connection: close, TE`).
    public func tokens(_ name: String) -> [String] {
        guard self[name] != nil else { return [] }  // the common case, without building arrays
        return values(name).flatMap { $0.split(separator: ",") }.map {
            $0.trimmingOWS().lowercasedASCII()
        }.filter { !$0.isEmpty }
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }
}

extension String {
    /// The same for two Strings, on their bytes in place (header lookups run per request).
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var a = self, b = other
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for index in 0..<x.count where asciiLower(x[index]) != asciiLower(y[index]) { return false }
                return true
            }
        }
    }
}

extension StringProtocol {
    /// ASCII-only case-insensitive comparison: header names are ASCII tokens.
    public func equalsIgnoringASCIICase<Other: StringProtocol>(_ other: Other) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { asciiLower($0) == asciiLower($1) }
    }

    public func lowercasedASCII() -> String {
        String(decoding: utf8.map(asciiLower), as: UTF8.self)
    }

    /// Drops leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
    public func trimmingOWS() -> Substring {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
}
