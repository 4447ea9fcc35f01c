/// A parsed JSON document that keeps object members in their order, so that validation can
/// name each member by its path and duplicates can be refused.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits 64 bits.
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The member named `key`, if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A short name of the value's kind, for messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

public struct JSONMember: Sendable, Equatable {
    public let key: String
    public let value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A location inside a document, written the way users read it: `jobs[3].scenario.running_ms`.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public private(set) var components: [Component] = []

    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public init() {}

    public static let root = JSONPath()

    public func appending(_ key: String) -> JSONPath {
        var copy = self
        copy.components.append(.key(key))
        return copy
    }

    public func appending(_ index: Int) -> JSONPath {
        var copy = self
        copy.components.append(.index(index))
        return copy
    }

    /// Steps in and out in place, as a parser walks a document: no copy per value.
    mutating func push(_ component: Component) {
        components.append(component)
    }

    mutating func pop() {
        components.removeLast()
    }

    public var description: String {
        if components.isEmpty { return "$" }
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                let plain = !key.isEmpty && key.utf8.allSatisfy { $0 == 95 || ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) }
                if plain {
                    text += text.isEmpty ? key : "." + key
                } else {
                    var quoted: [UInt8] = []
                    JSONWriter.appendString(key, to: &quoted)
                    text += "[" + String(decoding: quoted, as: UTF8.self) + "]"
                }
            }
        }
        return text
    }
}
