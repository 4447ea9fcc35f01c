import EVSJobs
import HTTP1
import Synchronization

/// Every request to the EVS API, newest last, bounded: the oldest entries are dropped (and
/// counted) once `capacity` is reached.
public final class Journal: Sendable {
    public struct Entry: Sendable {
        public let id: Int
        public let time: Int64
        public let method: String
        public let path: String
        public let projectID: String?
        public let jobID: String?
        public let status: Int
        public let durationMs: Double
        /// As received; secrets are masked when the entry is shown, not on the request path.
        public let headers: HTTPHeaders
    }

    private struct State {
        var entries: [Entry] = []
        /// Index of the oldest entry once the ring is full.
        var head = 0
        var nextID = 1
        var dropped = 0

        /// The entries oldest first.
        var ordered: [Entry] { Array(entries[head...] + entries[..<head]) }
    }

    public let capacity: Int
    private let state = Mutex(State())

    /// Header values that are secrets; the journal keeps their names only.
    static let masked = ["authorization", "x-auth-token"]
    /// Header fields kept per entry: a head of thousands of tiny fields should not cost the
    /// journal a hundred times its size.
    static let maxHeaders = 64

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func record(time: Int64, request: HTTPRequest, projectID: String?, jobID: String?, status: Int, durationMs: Double) {
        state.withLock { state in
            let entry = Entry(id: state.nextID, time: time, method: request.method, path: request.path, projectID: projectID,
                              jobID: jobID, status: status, durationMs: durationMs,
                              headers: request.headers.count <= Self.maxHeaders ? request.headers : HTTPHeaders(request.headers.fields.prefix(Self.maxHeaders).map { ($0.name, $0.value) }))
            state.nextID += 1
            if state.entries.count < capacity {
                state.entries.append(entry)
            } else {
                state.entries[state.head] = entry
                state.head = (state.head + 1) % capacity
                state.dropped += 1
            }
        }
    }

    /// Entries oldest first, filtered; `dropped` counts entries lost to the bound.
    public func entries(projectID: String? = nil, jobID: String? = nil) -> (entries: [Entry], dropped: Int) {
        state.withLock { state in
            let matching = state.ordered.filter { entry in
                (projectID == nil || entry.projectID == projectID) && (jobID == nil || entry.jobID == jobID)
            }
            return (matching, state.dropped)
        }
    }

    /// Forgets every entry, or only those of one project.
    public func clear(projectID: String? = nil) {
        state.withLock { state in
            guard let projectID else {
                state = State(nextID: state.nextID)
                return
            }
            state.entries = state.ordered.filter { $0.projectID != projectID }
            state.head = 0
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
