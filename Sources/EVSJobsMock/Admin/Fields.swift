import EVSJobs
import HTTP1

/// The members of a request body's object, read with their types checked.
struct Fields {
    let value: JSONValue
    let path: JSONPath

    init(_ value: JSONValue, allowed: [String], at path: JSONPath = .root) throws(APIError) {
        guard case .object(let members) = value else {
            throw APIError.mock(.badRequest, MockCode.invalidField, "must be an object, got \(value.kindName)", path: path)
        }
        if let unknown = members.first(where: { !allowed.contains($0.key) }) {
            throw APIError.mock(.badRequest, MockCode.invalidField, "unknown key (expected one of: \(allowed.joined(separator: ", ")))", path: path.appending(unknown.key))
        }
        self.value = value
        self.path = path
    }

    func string(_ key: String) throws(APIError) -> String? {
        switch value[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw APIError.mock(.badRequest, MockCode.invalidField, "must be a string, got \(other.kindName)", path: path.appending(key))
        }
    }

    func integer(_ key: String) throws(APIError) -> Int64? {
        switch value[key] {
        case nil, .null?: return nil
        case .integer(let number)?: return number
        case let other?: throw APIError.mock(.badRequest, MockCode.invalidField, "must be a whole number, got \(other.kindName)", path: path.appending(key))
        }
    }

    func number(_ key: String) throws(APIError) -> Double? {
        switch value[key] {
        case nil, .null?: return nil
        case .integer(let number)?: return Double(number)
        case .double(let number)?: return number
        case let other?: throw APIError.mock(.badRequest, MockCode.invalidField, "must be a number, got \(other.kindName)", path: path.appending(key))
        }
    }
}
