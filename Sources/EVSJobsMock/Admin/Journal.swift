import EVSJobs
import HTTP1
import Synchronization

/// Every request to the EVS API, newest last, bounded: the oldest entries are dropped (and
/// counted) once `capacity` entries or `maxBytes` bytes are held.
public final class Journal: Sendable {
    public struct Entry: Sendable {
        public let id: Int
        public let time: Int64
        public let method: String
        public let path: String
        public let projectID: String?
        /// A slice of `path` (or of the id given): the entry copies no id.
        let jobIDSlice: Substring?
        public var jobID: String? { jobIDSlice.map(String.init) }
        public let status: Int
        public let durationMs: Double
        /// As received; secrets are masked when the entry is shown, not on the request path.
        public let headers: HTTPHeaders

        /// Bytes it holds, roughly: its text plus a fixed share for the rest. Worked out once.
        let cost: Int

        init(id: Int, time: Int64, method: String, path: String, projectID: String?, jobIDSlice: Substring?, status: Int,
             durationMs: Double, headers: HTTPHeaders) {
            (self.id, self.time, self.method, self.path, self.projectID, self.jobIDSlice) = (id, time, method, path, projectID, jobIDSlice)
            (self.status, self.durationMs, self.headers) = (status, durationMs, headers)
            var bytes = 256 + method.utf8.count + path.utf8.count + (projectID?.utf8.count ?? 0) + (jobIDSlice?.utf8.count ?? 0)
            for field in headers.fields { bytes += 32 + field.name.utf8.count + field.value.utf8.count }
            cost = bytes
        }
    }

    private struct State {
        /// Oldest first from `start`; slots before it are dropped entries not yet compacted.
        var entries: [Entry?] = []
        var start = 0
        var bytes = 0
        var nextID = 1
        var dropped = 0

        var held: ArraySlice<Entry?> { entries[start...] }

        mutating func dropOldest() {
            bytes -= entries[start]?.cost ?? 0
            entries[start] = nil
            start += 1
            dropped += 1
            if start >= 1024, start * 2 >= entries.count {
                entries.removeFirst(start)
                start = 0
            }
        }
    }

    public let capacity: Int
    /// Bytes the entries may hold in all: paths of 16 KiB cannot make a gigabyte journal.
    public let maxBytes: Int
    private let state = Mutex(State())

    /// Header values that are secrets; the journal keeps their names only.
    static let masked = ["authorization", "x-auth-token"]
    /// Header fields kept per entry: a head of thousands of tiny fields should not cost the
    /// journal a hundred times its size.
    static let maxHeaders = 64
    /// The default byte bound.
    public static let defaultMaxBytes = 32 * 1024 * 1024

    public init(capacity: Int, maxBytes: Int = Journal.defaultMaxBytes) {
        self.capacity = max(1, capacity)
        self.maxBytes = max(1, maxBytes)
    }

    func record(time: Int64, request: HTTPRequest, projectID: String?, jobID: Substring?, status: Int, durationMs: Double) {
        let headers = request.headers.count <= Self.maxHeaders ? request.headers : HTTPHeaders(request.headers.fields.prefix(Self.maxHeaders).map { ($0.name, $0.value) })
        state.withLock { state in
            let entry = Entry(id: state.nextID, time: time, method: request.method, path: request.path, projectID: projectID,
                              jobIDSlice: jobID, status: status, durationMs: durationMs, headers: headers)
            state.nextID += 1
            state.bytes += entry.cost
            state.entries.append(entry)
            while state.entries.count - state.start > capacity || (state.bytes > maxBytes && state.entries.count - state.start > 1) {
                state.dropOldest()
            }
        }
    }

    private static func matches(_ entry: Entry, projectID: String?, jobID: String?) -> Bool {
        (projectID == nil || entry.projectID == projectID) && (jobID == nil || entry.jobIDSlice == jobID?[...])
    }

    /// Entries oldest first, filtered; `dropped` counts entries lost to the bounds.
    public func entries(projectID: String? = nil, jobID: String? = nil) -> (entries: [Entry], dropped: Int) {
        state.withLock { state in
            (state.held.compactMap { $0.flatMap { Self.matches($0, projectID: projectID, jobID: jobID) ? $0 : nil } }, state.dropped)
        }
    }

    /// Entries that match.
    public func count(projectID: String? = nil, jobID: String? = nil) -> Int {
        state.withLock { state in
            state.held.reduce(0) { $0 + (($1.map { Self.matches($0, projectID: projectID, jobID: jobID) } ?? false) ? 1 : 0) }
        }
    }

    /// One page, newest last: the newest `limit` matching entries older than the entry `before`
    /// (all, without it), cut short once they cost `maxBytes`; `older` is the id to ask
    /// `before` next, nil when nothing older matches.
    func page(projectID: String?, jobID: String?, limit: Int, before: Int?, maxBytes: Int)
        -> (entries: [Entry], total: Int, dropped: Int, older: Int?)
    {
        state.withLock { state in
            var page: [Entry] = []
            var bytes = 0
            var total = 0
            var older: Int?
            for slot in state.held.reversed() {
                guard let entry = slot, Self.matches(entry, projectID: projectID, jobID: jobID) else { continue }
                total += 1
                guard before.map({ entry.id < $0 }) ?? true else { continue }
                if older == nil, page.count < limit, page.isEmpty || bytes + entry.cost <= maxBytes {
                    page.append(entry)
                    bytes += entry.cost
                } else if older == nil {
                    older = page.last?.id
                }
            }
            return (page.reversed(), total, state.dropped, older)
        }
    }

    /// Forgets every entry, or only those of one project.
    public func clear(projectID: String? = nil) {
        state.withLock { state in
            guard let projectID else {
                state = State(nextID: state.nextID)
                return
            }
            let kept = state.held.compactMap { $0.flatMap { $0.projectID == projectID ? nil : $0 } }
            state.entries = kept
            state.start = 0
            state.bytes = kept.reduce(0) { $0 + $1.cost }
        }
    }

    /// One member per header name (repeats joined with ", ", as RFC 9110 §5.3 allows).
    static func merged(_ headers: HTTPHeaders) -> [JSONMember] {
        var order: [String] = []
        var values: [String: String] = [:]
        for field in headers.fields {
            let header = (name: field.name, value: masked.contains(field.name.lowercasedASCII()) ? "***" : field.value)
            if let earlier = values[header.name] {
                values[header.name] = earlier + ", " + header.value
            } else {
                order.append(header.name)
                values[header.name] = header.value
            }
        }
        return order.map { JSONMember($0, .string(values[$0] ?? "")) }
    }

    func json(_ entry: Entry) -> JSONValue {
        .object([
            JSONMember("id", .integer(Int64(entry.id))),
            JSONMember("time", .string(APITime.format(entry.time))),
            JSONMember("method", .string(entry.method)),
            JSONMember("path", .string(entry.path)),
            JSONMember("project_id", entry.projectID.map(JSONValue.string) ?? .null),
            JSONMember("job_id", entry.jobID.map(JSONValue.string) ?? .null),
            JSONMember("status", .integer(Int64(entry.status))),
            JSONMember("duration_ms", .double((entry.durationMs * 1000).rounded() / 1000)),
            JSONMember("headers", .object(Self.merged(entry.headers))),
        ])
    }
}
