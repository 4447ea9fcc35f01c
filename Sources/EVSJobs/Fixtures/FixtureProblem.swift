/// One reason a fixture cannot be loaded: the file, where in it, and why.
public struct FixtureProblem: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// nil when the problem is with the file as a whole (missing, unreadable).
    public let path: JSONPath?
    public let reason: String

    public init(file: String, path: JSONPath?, reason: String) {
        self.file = file
        self.path = path
        self.reason = reason
    }

    public var description: String {
        if let path { return "\(file): \(path): \(reason)" }
        return "\(file): \(reason)"
    }
}

/// Every problem found in a set of fixtures; nothing of the set is served.
public struct FixtureError: Error, Sendable, CustomStringConvertible {
    public let problems: [FixtureProblem]

    public init(_ problems: [FixtureProblem]) {
        self.problems = problems
    }

    /// One line per problem.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
