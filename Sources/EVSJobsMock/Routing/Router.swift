import HTTP1

/// A route table: rows of method(s) and a path pattern such as `/v1/{project_id}/jobs/{job_id}`,
/// each with a handler. Matching is on percent-decoded segments; 404 and 405 (with the methods
/// the table has for that path) come from the table itself.
struct Router<Handler: Sendable>: Sendable {
    /// One segment of a pattern: fixed text, or a `{name}` that captures the segment.
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    struct Route: Sendable {
        let methods: [String]
        let pattern: [Segment]
        let handler: Handler
    }

    /// What the table says of a request.
    enum Match {
        case found(Handler, Parameters)
        /// The path is in the table, the method is not: `allowed` in table order.
        case methodNotAllowed(allowed: [String], Parameters)
        case notFound
        /// The path has a malformed percent-escape (or decodes to something not UTF-8).
        case malformedPath

        /// The row that matched method and path.
        var handler: Handler? {
            if case .found(let handler, _) = self { return handler }
            return nil
        }

        /// The captures of the path's route, when the path is in the table.
        var parameters: Parameters? {
            switch self {
            case .found(_, let parameters), .methodNotAllowed(_, let parameters): return parameters
            case .notFound, .malformedPath: return nil
            }
        }
    }

    private(set) var routes: [Route] = []

    /// Adds a row. `pattern` starts with `/`; `{name}` captures one segment.
    mutating func add(_ methods: [String], _ pattern: String, _ handler: Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { text -> Segment in
            text.hasPrefix("{") && text.hasSuffix("}") ? .parameter(String(text.dropFirst().dropLast())) : .literal(String(text))
        }
        routes.append(Route(methods: methods, pattern: segments, handler: handler))
    }

    func match(method: String, path: String) -> Match {
        // `OPTIONS *` and the like name no path at all.
        guard path.hasPrefix("/") else { return .notFound }
        guard let segments = decodePathSegments(path) else { return .malformedPath }
        return match(method: method, segments: segments)
    }

    func match(method: String, segments: [String]) -> Match {
        var allowed: [String] = []
        var pathParameters: Parameters?
        for route in routes {
            guard let parameters = Self.captures(route.pattern, segments) else { continue }
            if route.methods.contains(method) { return .found(route.handler, parameters) }
            pathParameters = pathParameters ?? parameters
            allowed += route.methods.filter { !allowed.contains($0) }
        }
        guard let pathParameters else { return .notFound }
        return .methodNotAllowed(allowed: allowed, pathParameters)
    }

    /// The pattern's captures from `segments`, or nil if they do not fit it. A parameter takes a
    /// non-empty segment, but as the last one it also takes the empty segment a trailing slash
    /// leaves (`/jobs/` names the empty job id, as the service reads it).
    private static func captures(_ pattern: [Segment], _ segments: [String]) -> Parameters? {
        guard pattern.count == segments.count else { return nil }
        // Pairs, not a dictionary: a route has two captures at most, and this runs per request.
        var pairs: [(name: String, value: String)] = []
        for (index, (part, segment)) in zip(pattern, segments).enumerated() {
            switch part {
            case .literal(let text):
                guard text == segment else { return nil }
            case .parameter(let name):
                guard !segment.isEmpty || index == segments.count - 1 else { return nil }
                pairs.append((name, segment))
            }
        }
        return Parameters(pairs: pairs)
    }
}

/// The segments a route's `{name}`s captured, percent-decoded.
struct Parameters: Sendable, Equatable {
    private let pairs: [(name: String, value: String)]

    init(pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    init(values: [String: String]) {
        pairs = values.map { (name: $0.key, value: $0.value) }
    }

    /// The capture, or "" for a name the route does not have.
    subscript(_ name: String) -> String { pairs.first { $0.name == name }?.value ?? "" }

    static func == (a: Parameters, b: Parameters) -> Bool {
        a.dictionary == b.dictionary
    }

    private var dictionary: [String: String] {
        Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}
