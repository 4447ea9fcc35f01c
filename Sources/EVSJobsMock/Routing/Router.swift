import HTTP1

#if canImport(Glibc)
import Glibc
#endif

/// A route table: rows of method(s) and a path pattern such as `/v1/{project_id}/jobs/{job_id}`,
/// each with a handler. Matching is on percent-decoded segments; 404 and 405 (with the methods
/// the table has for that path) come from the table itself.
struct Router<Handler: Sendable>: Sendable {
    /// One segment of a pattern: fixed text, or a `{name}` that captures the segment.
    enum Segment: Sendable, Equatable {
        case literal([UInt8])
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

        /// The captures of the path's route, when the path is in the table.
        var parameters: Parameters? {
            switch self {
            case .found(_, let parameters), .methodNotAllowed(_, let parameters): return parameters
            case .notFound, .malformedPath: return nil
            }
        }
    }

    private(set) var routes: [Route] = []
    /// Segments of the longest pattern: a path with more fits no row.
    private var longest = 0

    /// Adds a row. `pattern` starts with `/`; `{name}` captures one segment, at most
    /// `Parameters.capacity` per pattern.
    mutating func add(_ methods: [String], _ pattern: String, _ handler: Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { text -> Segment in
            text.hasPrefix("{") && text.hasSuffix("}") ? .parameter(String(text.dropFirst().dropLast())) : .literal(Array(text.utf8))
        }
        precondition(segments.count(where: { if case .parameter = $0 { true } else { false } }) <= Parameters.capacity,
                     "a route captures at most \(Parameters.capacity) segments")
        routes.append(Route(methods: methods, pattern: segments, handler: handler))
        longest = max(longest, segments.count)
    }

    /// Matches on the path's segments, percent-decoded. A path without escapes (nearly all) is
    /// matched in place: its captures are slices of it, and nothing is allocated.
    func match(method: String, path: String) -> Match {
        // `OPTIONS *` and the like name no path at all.
        guard path.utf8.first == UInt8(ascii: "/") else { return .notFound }
        var path = path
        let (plain, fit) = path.withUTF8 { bytes -> (Bool, Fit?) in
            guard !bytes.contains(UInt8(ascii: "%")) else { return (false, nil) }
            return (true, find(method: method, in: bytes))
        }
        if plain {
            guard let fit else { return .notFound }
            let utf8 = path.utf8
            return answer(fit) { Substring(utf8[utf8.index(utf8.startIndex, offsetBy: $0.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: $0.upperBound)]) }
        }
        // Escapes: the decoded segments, each kept whole (a decoded `/` splits nothing).
        guard let segments = decodePathSegments(path) else { return .malformedPath }
        guard segments.count <= min(longest, SegmentEnds.capacity) else { return .notFound }
        var decoded: [UInt8] = [], ends = SegmentEnds()
        for segment in segments {
            decoded.append(contentsOf: segment.utf8)
            ends.append(decoded.count)
        }
        guard let found = decoded.withUnsafeBufferPointer({ find(method: method, in: $0, ends: ends, slashes: false) }) else { return .notFound }
        return answer(found) { Substring(decoding: decoded[$0], as: UTF8.self) }
    }

    /// Which row fits, and where each segment ends in the bytes matched.
    private struct Fit {
        /// The first row with the method and the path, else the first with the path.
        var row: Int
        /// Empty when the row has the method; else every method of the rows with the path.
        var allowed: [String]
        var ends: SegmentEnds
        /// Whether each segment follows a `/` in the bytes (a path as sent) or not (decoded).
        var slashes: Bool
    }

    /// A plain path: `/` then segments separated by `/`.
    private func find(method: String, in bytes: UnsafeBufferPointer<UInt8>) -> Fit? {
        var ends = SegmentEnds()
        for index in 1...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
            guard ends.count < min(longest, SegmentEnds.capacity) else { return nil }
            ends.append(index)
        }
        return find(method: method, in: bytes, ends: ends, slashes: true)
    }

    private func find(method: String, in bytes: UnsafeBufferPointer<UInt8>, ends: SegmentEnds, slashes: Bool) -> Fit? {
        var pathFit: Int?
        var allowed: [String] = []
        for (row, route) in routes.enumerated() where Self.fits(route.pattern, bytes, ends, slashes: slashes) {
            if route.methods.contains(method) { return Fit(row: row, allowed: [], ends: ends, slashes: slashes) }
            pathFit = pathFit ?? row
            allowed += route.methods.filter { !allowed.contains($0) }
        }
        return pathFit.map { Fit(row: $0, allowed: allowed, ends: ends, slashes: slashes) }
    }

    /// Whether the segments fit the pattern. A parameter takes a non-empty segment, but as the
    /// last one it also takes the empty segment a trailing slash leaves (`/jobs/` names the
    /// empty job id, as the service reads it).
    private static func fits(_ pattern: [Segment], _ bytes: UnsafeBufferPointer<UInt8>, _ ends: SegmentEnds, slashes: Bool) -> Bool {
        guard pattern.count == ends.count else { return false }
        for (index, part) in pattern.enumerated() {
            let range = ends.range(index, slashes: slashes)
            switch part {
            case .literal(let text):
                guard text.count == range.count, text.withUnsafeBufferPointer({ literal in
                    guard let literal = literal.baseAddress, let path = bytes.baseAddress else { return range.isEmpty }
                    return memcmp(literal, path + range.lowerBound, range.count) == 0
                }) else { return false }
            case .parameter:
                guard !range.isEmpty || index == ends.count - 1 else { return false }
            }
        }
        return true
    }

    /// The match for a fit, its captures cut by `capture` from the byte ranges.
    private func answer(_ fit: Fit, capture: (Range<Int>) -> Substring) -> Match {
        let route = routes[fit.row]
        var parameters = Parameters()
        for (index, part) in route.pattern.enumerated() {
            if case .parameter(let name) = part { parameters.append(name, capture(fit.ends.range(index, slashes: fit.slashes))) }
        }
        return fit.allowed.isEmpty ? .found(route.handler, parameters) : .methodNotAllowed(allowed: fit.allowed, parameters)
    }
}

/// The segments a route's `{name}`s captured, percent-decoded: slices of the path when it had
/// no escapes. Kept inline (a route captures `capacity` at most), so a match allocates nothing.
struct Parameters: Sendable, Equatable {
    static let capacity = 2
    private var first: (name: String, value: Substring)?
    private var second: (name: String, value: Substring)?

    init() {}

    init(values: [String: String]) {
        for (name, value) in values.sorted(by: { $0.key < $1.key }) { append(name, Substring(value)) }
    }

    fileprivate mutating func append(_ name: String, _ value: Substring) {
        if first == nil { first = (name, value) } else { second = (name, value) }
    }

    /// The capture, or "" for a name the route does not have.
    subscript(_ name: String) -> String { String(slice(name)) }

    /// The capture as a slice of the path (no copy), or "".
    func slice(_ name: String) -> Substring {
        if let first, first.name == name { return first.value }
        if let second, second.name == name { return second.value }
        return ""
    }

    static func == (a: Parameters, b: Parameters) -> Bool {
        a.dictionary == b.dictionary
    }

    private var dictionary: [String: String] {
        var values: [String: String] = [:]
        for pair in [second, first].compactMap({ $0 }) { values[pair.name] = String(pair.value) }
        return values
    }
}

/// Where a path's segments end, kept inline: a path longer than every pattern fits no row.
private struct SegmentEnds {
    static let capacity = 8
    var count = 0
    var storage: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)

    subscript(index: Int) -> Int {
        withUnsafeBytes(of: storage) { $0.load(fromByteOffset: index * MemoryLayout<Int>.stride, as: Int.self) }
    }

    mutating func append(_ end: Int) {
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: end, toByteOffset: count * MemoryLayout<Int>.stride, as: Int.self) }
        count += 1
    }

    /// Segment `index`'s bytes: after the previous end (and its `/`, when `slashes`).
    func range(_ index: Int, slashes: Bool) -> Range<Int> {
        let start = index == 0 ? (slashes ? 1 : 0) : self[index - 1] + (slashes ? 1 : 0)
        return start..<self[index]
    }
}
