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
    /// The problems, the first `FixtureDecoder.maxProblems` of a decoding at most.
    public let problems: [FixtureProblem]
    /// Problems found beyond those listed.
    public let omitted: Int

    public init(_ problems: [FixtureProblem], omitted: Int = 0) {
        self.problems = problems
        self.omitted = max(0, omitted)
    }

    /// Every problem found, listed or not.
    public var count: Int { problems.count + omitted }

    /// One line per problem listed, then how many more there are.
    public var lines: [String] {
        problems.map(\.description) + (omitted > 0 ? ["... and \(omitted) more problems"] : [])
    }

    public var description: String { lines.joined(separator: "\n") }
}
