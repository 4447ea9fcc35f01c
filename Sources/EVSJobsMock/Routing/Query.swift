import HTTP1

/// Query parameters, percent-decoded; a repeated name keeps its first value. A query that
/// cannot be decoded is refused whole: dropping the bad parameter would widen what a filter
/// (or a reset) applies to.
struct Query: Sendable {
    let values: [String: String]

    init(_ query: String?) throws(APIError) {
        var values: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = parts.count > 1 ? Self.decode(parts[1]) : "" else {
                throw APIError.mock(.badRequest, MockCode.badQuery, "malformed percent-encoding in the query: \(pair.prefix(64))")
            }
            if values[name] == nil { values[name] = value }
        }
        self.values = values
    }

    func string(_ name: String) throws(APIError) -> String? {
        guard let value = values[name] else { return nil }
        guard !value.isEmpty else { throw APIError.mock(.badRequest, MockCode.badQuery, "query parameter \(name) is empty") }
        return value
    }

    func positiveInteger(_ name: String) throws(APIError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), value >= 1 else {
            throw APIError.mock(.badRequest, MockCode.badQuery, "query parameter \(name) must be a whole number, 1 or more")
        }
        return value
    }

    /// `+` is a space in a query (HTML forms), then percent-escapes.
    private static func decode(_ text: Substring) -> String? {
        percentDecoded(Substring(String(text.map { $0 == "+" ? " " : $0 })))
    }
}
