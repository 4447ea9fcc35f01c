import Dispatch
import EVSJobs
import HTTP1

/// The control plane under `/__admin`: jobs at run time, the clock, reset and reload, the request
/// journal, faults, health, metrics and the OpenAPI document. A rejected request changes nothing.
struct AdminAPI: Sendable {
    let store: JobStore
    let engine: ScenarioEngine
    let clock: MockClock
    let journal: Journal
    let faults: Faults
    let metrics: Metrics
    let fixtures: FixtureSet
    let token: String?
    let startedNs: UInt64

    func respond(to request: HTTPRequest) -> HTTPResponse {
        if let token, !Self.bears(token, request.headers["Authorization"]) {
            return AdminError(.unauthorized, "MOCK.0401", "this admin API needs Authorization: Bearer <admin token>").response
        }
        guard let segments = decodePathSegments(request.path) else {
            return AdminError(.badRequest, "MOCK.1005", "malformed percent-encoding in the request path").response
        }
        do {
            return try route(request, Array(segments.dropFirst()), query: try Query(request.query))
        } catch {
            return error.response
        }
    }

    /// `Authorization: Bearer <token>`, the scheme in any case (RFC 9110 §11.1), the token
    /// compared in constant time.
    static func bears(_ token: String, _ authorization: String?) -> Bool {
        guard let authorization, let space = authorization.firstIndex(of: " ") else { return false }
        let scheme = authorization[..<space].lowercasedASCII()
        let credentials = authorization[space...].trimmingOWS()
        return Digest.sameSecret(String(credentials), token) && scheme == "bearer"
    }

    private func route(_ request: HTTPRequest, _ path: [String], query: Query) throws(AdminError) -> HTTPResponse {
        let method = request.method
        switch path {
        case ["jobs"]:
            switch method {
            case "POST": return try createJobs(request.body)
            case "GET": return listJobs(project: try query.string("project_id"))
            default: throw .methodNotAllowed("GET, POST")
            }
        case let p where p.count == 2 && p[0] == "jobs":
            let ref = try findJob(p[1], project: try query.string("project_id"))
            switch method {
            case "GET": return jobResponse(ref)
            case "DELETE":
                guard ref.sub < 0 else {
                    throw AdminError(.conflict, "MOCK.1008", "a sub-job goes with its batch; delete the parent")
                }
                store.remove(ref)
                return HTTPResponse(status: .noContent)
            default: throw .methodNotAllowed("GET, DELETE")
            }
        case let p where p.count == 3 && p[0] == "jobs" && (p[2] == "advance" || p[2] == "finish"):
            guard method == "POST" else { throw .methodNotAllowed("POST") }
            let ref = try findJob(p[1], project: try query.string("project_id"))
            return p[2] == "advance" ? try advance(ref) : try finish(ref, body: request.body)
        case ["clock"]:
            switch method {
            case "GET": return clockResponse()
            case "POST": return try setClock(request.body)
            default: throw .methodNotAllowed("GET, POST")
            }
        case ["clock", "advance"]:
            guard method == "POST" else { throw .methodNotAllowed("POST") }
            return try advanceClock(request.body)
        case ["reset"]:
            guard method == "POST" else { throw .methodNotAllowed("POST") }
            return reset(project: try query.string("project_id"))
        case ["reload"]:
            guard method == "POST" else { throw .methodNotAllowed("POST") }
            return try reload()
        case ["requests"]:
            switch method {
            case "GET": return try requests(query)
            case "DELETE":
                journal.clear()
                return HTTPResponse(status: .noContent)
            default: throw .methodNotAllowed("GET, DELETE")
            }
        case ["requests", "count"]:
            guard method == "GET" else { throw .methodNotAllowed("GET") }
            let count = journal.count(projectID: try query.string("project_id"), jobID: try query.string("job_id"))
            return json(.ok, .object([JSONMember("count", .integer(Int64(count)))]))
        case ["faults"]:
            switch method {
            case "POST": return try addFault(request.body)
            case "GET": return listFaults()
            case "DELETE":
                faults.clear()
                return HTTPResponse(status: .noContent)
            default: throw .methodNotAllowed("GET, POST, DELETE")
            }
        case let p where p.count == 2 && p[0] == "faults":
            guard method == "DELETE" else { throw .methodNotAllowed("DELETE") }
            guard faults.remove(id: p[1]) else { throw AdminError(.notFound, "MOCK.1004", "no fault \"\(p[1])\"") }
            return HTTPResponse(status: .noContent)
        case ["health"]:
            guard method == "GET" || method == "HEAD" else { throw .methodNotAllowed("GET, HEAD") }
            let uptime = Monotonic.nanos(since: startedNs) / 1_000_000
            return json(.ok, .object([
                JSONMember("status", .string("UP")), JSONMember("jobs", .integer(Int64(store.jobCount))),
                JSONMember("uptime_ms", .integer(Int64(uptime))),
            ]))
        case ["metrics"]:
            guard method == "GET" else { throw .methodNotAllowed("GET") }
            engine.catchUp()
            let byStatus = store.countsByStatus
            var headers = HTTPHeaders()
            headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            return HTTPResponse(status: .ok, headers: headers, body: Array(metrics.text(jobsByStatus: byStatus).utf8))
        case ["openapi.json"]:
            guard method == "GET" else { throw .methodNotAllowed("GET") }
            return ErrorBodies.json(.ok, OpenAPIDocument.bytes)
        default:
            throw AdminError(.notFound, "MOCK.0404", "no admin route \(request.path)")
        }
    }

    // MARK: - Jobs

    private func createJobs(_ body: [UInt8]) throws(AdminError) -> HTTPResponse {
        let document = try parse(body)
        var decoder = FixtureDecoder()
        let specs = decoder.decodeRequest(document)
        if let first = decoder.problems.first {
            let more = decoder.problemCount > 1 ? " (and \(decoder.problemCount - 1) more problems)" : ""
            throw AdminError(.badRequest, "MOCK.1001", first.reason + more, path: first.path)
        }
        guard !specs.isEmpty else { throw AdminError(.badRequest, "MOCK.1001", "no job given", path: .root) }
        let now = clock.now()
        let refs: [JobRef]
        switch engine.add(specs, t0: now) {
        case .success(let added): refs = added
        case .failure(let taken):
            throw AdminError(.conflict, "MOCK.1002", "job_id \"\(taken.id)\" is taken in that scope")
        }
        return jobsResponse(.created, refs.compactMap(store.job), now: now)
    }

    private func listJobs(project: String?) -> HTTPResponse {
        let now = clock.now()
        return jobsResponse(.ok, store.all(project: project).map(\.job), now: now)
    }

    private func findJob(_ id: String, project: String?) throws(AdminError) -> JobRef {
        switch store.lookup(id: id, project: project) {
        case .found(let ref): return ref
        case .notFound:
            throw AdminError(.notFound, "MOCK.1003", "no job \"\(id)\"" + (project.map { " visible in project \"\($0)\"" } ?? ""))
        case .ambiguous(let projects):
            throw AdminError(.conflict, "MOCK.1009", "job \"\(id)\" exists in projects \(projects.map { "\"\($0)\"" }.joined(separator: ", ")); name one with ?project_id=",
                             extra: [JSONMember("projects", .array(projects.map(JSONValue.string)))])
        }
    }

    private func advance(_ ref: JobRef) throws(AdminError) -> HTTPResponse {
        guard store.update(ref, clock: clock, { job, now in job.advance(at: now) }) == true else {
            throw AdminError(.conflict, "MOCK.1007", "the job is finished already")
        }
        engine.track([ref.parent])
        return jobResponse(ref)
    }

    private func finish(_ ref: JobRef, body: [UInt8]) throws(AdminError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["status", "error_code", "fail_reason"])
        let outcome: Outcome
        switch try fields.string("status") {
        case "SUCCESS":
            for key in ["error_code", "fail_reason"] where document[key] != nil {
                throw AdminError(.badRequest, "MOCK.1001", "only a FAIL has \(key)", path: JSONPath.root.appending(key))
            }
            outcome = .success
        case "FAIL":
            outcome = .failure(errorCode: try fields.string("error_code"), failReason: try fields.string("fail_reason"))
        default:
            throw AdminError(.badRequest, "MOCK.1001", "must be \"SUCCESS\" or \"FAIL\"", path: JSONPath.root.appending("status"))
        }
        guard store.update(ref, clock: clock, { job, now in job.finish(outcome, at: now) }) == true else { throw AdminError(.conflict, "MOCK.1007", "the job is finished already") }
        return jobResponse(ref)
    }

    private func jobResponse(_ ref: JobRef) -> HTTPResponse {
        let now = clock.now()
        guard let job = store.job(ref) else { return AdminError(.notFound, "MOCK.1003", "the job is gone").response }
        var out: [UInt8] = []
        appendAdminJob(job, project: store.job(ref.parent)?.spec.projectID, now: now, to: &out)
        return ErrorBodies.json(.ok, out)
    }

    private func jobsResponse(_ status: HTTPStatus, _ jobs: [Job], now: Int64) -> HTTPResponse {
        var out = Array("{\"jobs\":[".utf8)
        for (offset, job) in jobs.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            appendAdminJob(job, project: job.spec.projectID, now: now, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return ErrorBodies.json(status, out)
    }

    /// The job as the API renders it now, plus its `project_id`.
    private func appendAdminJob(_ job: Job, project: String?, now: Int64, to out: inout [UInt8]) {
        JobJSON.append(job, at: now, to: &out)
        out.removeLast()  // the closing brace
        out.append(contentsOf: ",\"project_id\":".utf8)
        JSONWriter.appendOptional(project, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    // MARK: - Clock, reset, reload

    private func clockResponse() -> HTTPResponse {
        json(.ok, .object([
            JSONMember("mode", .string(clock.mode.rawValue)), JSONMember("now", .string(APITime.format(clock.now()))),
            JSONMember("scale", .double(clock.scale)),
        ]))
    }

    private func setClock(_ body: [UInt8]) throws(AdminError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["mode", "scale"])
        var mode: MockClock.Mode?
        if let text = try fields.string("mode") {
            guard let parsed = MockClock.Mode(rawValue: text) else {
                throw AdminError(.badRequest, "MOCK.1001", "must be \"real\" or \"manual\"", path: JSONPath.root.appending("mode"))
            }
            mode = parsed
        }
        let scale = try fields.number("scale")
        if let scale, !MockClock.scales.contains(scale) {
            throw AdminError(.badRequest, "MOCK.1001", "must be from \(MockClock.scales.lowerBound) to \(Int(MockClock.scales.upperBound))",
                             path: JSONPath.root.appending("scale"))
        }
        clock.set(mode: mode, scale: scale)
        return clockResponse()
    }

    private func advanceClock(_ body: [UInt8]) throws(AdminError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["ms"])
        let room = MockClock.latest - clock.now()
        guard let ms = try fields.integer("ms"), ms >= 0, ms <= room else {
            throw AdminError(.badRequest, "MOCK.1001", "must be a whole number of milliseconds from 0 to \(room) (the year 9999 is the end of time here)",
                             path: JSONPath.root.appending("ms"))
        }
        clock.advance(by: ms)
        return clockResponse()
    }

    private func reset(project: String?) -> HTTPResponse {
        let specs = fixtures.current.filter { project == nil || $0.projectID == project }
        if project == nil { engine.forgetAll() }
        let matches: ((Job) -> Bool)? = project.map { project in { $0.spec.projectID == project } }
        engine.track(store.replace(where: matches, with: specs, t0: clock.now()))
        journal.clear(projectID: project)
        faults.clear(projectID: project)
        return json(.ok, .object([JSONMember("jobs", .integer(Int64(store.jobCount)))]))
    }

    private func reload() throws(AdminError) -> HTTPResponse {
        let specs: [JobSpec]
        do {
            specs = try fixtures.reload()
        } catch {
            throw AdminError(.badRequest, "MOCK.1006", "the fixtures have \(error.count) problems; the old set stays in force",
                             extra: [JSONMember("problems", .array(error.lines.map(JSONValue.string)))])
        }
        engine.forgetAll()
        engine.track(store.replace(where: nil, with: specs, t0: clock.now()))
        return json(.ok, .object([JSONMember("jobs", .integer(Int64(store.jobCount)))]))
    }

    // MARK: - Journal and faults

    /// Entries in one answer at most, and the bytes they may hold: a full journal is read in
    /// pages (`before`), never built into one answer of hundreds of megabytes.
    static let maxPageEntries = 1000
    static let maxPageBytes = 4 * 1024 * 1024

    private func requests(_ query: Query) throws(AdminError) -> HTTPResponse {
        let limit = min(try query.positiveInteger("limit") ?? Self.maxPageEntries, Self.maxPageEntries)
        let page = journal.page(projectID: try query.string("project_id"), jobID: try query.string("job_id"), limit: limit,
                                before: try query.positiveInteger("before"), maxBytes: Self.maxPageBytes)
        return json(.ok, .object([
            JSONMember("requests", .array(page.entries.map(journal.json))), JSONMember("total", .integer(Int64(page.total))),
            JSONMember("dropped", .integer(Int64(page.dropped))), JSONMember("before", page.older.map { .integer(Int64($0)) } ?? .null),
        ]))
    }

    private func addFault(_ body: [UInt8]) throws(AdminError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["match", "action", "times", "probability", "seed"])
        var match = Faults.Match()
        if let raw = document["match"] {
            let m = try Fields(raw, allowed: ["project_id", "job_id", "method", "path_prefix"], at: JSONPath.root.appending("match"))
            match = Faults.Match(projectID: try m.string("project_id"), jobID: try m.string("job_id"), method: try m.string("method"),
                                 pathPrefix: try m.string("path_prefix"))
        }
        guard let rawAction = document["action"] else {
            throw AdminError(.badRequest, "MOCK.1001", "missing", path: JSONPath.root.appending("action"))
        }
        let action = try faultAction(rawAction)
        let times = try fields.integer("times")
        if let times, times < 1 { throw AdminError(.badRequest, "MOCK.1001", "must be 1 or more", path: JSONPath.root.appending("times")) }
        let probability = try fields.number("probability")
        if let probability, !(0...1).contains(probability) {
            throw AdminError(.badRequest, "MOCK.1001", "must be from 0 to 1", path: JSONPath.root.appending("probability"))
        }
        let seed = try fields.integer("seed").map { UInt64(bitPattern: $0) }
        guard faults.rules.count < Faults.maxRules else {
            throw AdminError(.conflict, "MOCK.1010", "at most \(Faults.maxRules) faults at once; delete some first")
        }
        let id = faults.add(match: match, action: action, times: times.map(Int.init), probability: probability, seed: seed)
        return json(.created, .object([JSONMember("id", .string(id))]))
    }

    private func faultAction(_ raw: JSONValue) throws(AdminError) -> Faults.Action {
        let path = JSONPath.root.appending("action")
        let fields = try Fields(raw, allowed: ["status", "body", "delay_ms", "reset", "close", "malformed"], at: path)
        guard case .object(let members) = raw, members.filter({ $0.key != "body" }).count == 1 else {
            throw AdminError(.badRequest, "MOCK.1001", "give exactly one of status, delay_ms, reset, close, malformed", path: path)
        }
        if raw["body"] != nil, raw["status"] == nil {
            throw AdminError(.badRequest, "MOCK.1001", "only a status action has a body", path: path.appending("body"))
        }
        if let status = try fields.integer("status") {
            guard (400...599).contains(status) else {
                throw AdminError(.badRequest, "MOCK.1001", "must be from 400 to 599", path: path.appending("status"))
            }
            if let body = raw["body"], case .object = body {
                // Kept as a parsed tree, about twenty times its text: bounded by its text.
                guard JSONWriter.encode(body).count <= Faults.maxBodyBytes else {
                    throw AdminError(.badRequest, "MOCK.1001", "at most \(Faults.maxBodyBytes) bytes as JSON", path: path.appending("body"))
                }
                return .status(Int(status), body: body)
            } else if raw["body"] != nil {
                throw AdminError(.badRequest, "MOCK.1001", "must be an object", path: path.appending("body"))
            }
            return .status(Int(status), body: nil)
        }
        if let delay = try fields.integer("delay_ms") {
            guard delay >= 0, delay <= 600_000 else {
                throw AdminError(.badRequest, "MOCK.1001", "must be from 0 to 600000", path: path.appending("delay_ms"))
            }
            return .delay(milliseconds: Int(delay))
        }
        for (key, action) in [("reset", Faults.Action.reset), ("close", .close), ("malformed", .malformed)] where raw[key] != nil {
            guard raw[key] == .bool(true) else { throw AdminError(.badRequest, "MOCK.1001", "must be true", path: path.appending(key)) }
            return action
        }
        throw AdminError(.badRequest, "MOCK.1001", "give one of status, delay_ms, reset, close, malformed", path: path)
    }

    private func listFaults() -> HTTPResponse {
        let rules = faults.rules.map { rule -> JSONValue in
            var match: [JSONMember] = []
            if let value = rule.match.projectID { match.append(JSONMember("project_id", .string(value))) }
            if let value = rule.match.jobID { match.append(JSONMember("job_id", .string(value))) }
            if let value = rule.match.method { match.append(JSONMember("method", .string(value))) }
            if let value = rule.match.pathPrefix { match.append(JSONMember("path_prefix", .string(value))) }
            let action: JSONValue
            switch rule.action {
            case .status(let code, let body):
                action = .object([JSONMember("status", .integer(Int64(code)))] + (body.map { [JSONMember("body", $0)] } ?? []))
            case .delay(let ms): action = .object([JSONMember("delay_ms", .integer(Int64(ms)))])
            case .reset: action = .object([JSONMember("reset", .bool(true))])
            case .close: action = .object([JSONMember("close", .bool(true))])
            case .malformed: action = .object([JSONMember("malformed", .bool(true))])
            }
            var members = [JSONMember("id", .string(rule.id)), JSONMember("match", .object(match)), JSONMember("action", action)]
            if let remaining = rule.remaining { members.append(JSONMember("times_left", .integer(Int64(remaining)))) }
            if let probability = rule.probability { members.append(JSONMember("probability", .double(probability))) }
            if let seed = rule.seed { members.append(JSONMember("seed", .integer(Int64(bitPattern: seed)))) }
            members.append(JSONMember("fired", .integer(Int64(rule.fired))))
            return .object(members)
        }
        return json(.ok, .object([JSONMember("faults", .array(rules))]))
    }

    // MARK: - Helpers

    private func parse(_ body: [UInt8]) throws(AdminError) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw AdminError(.badRequest, "MOCK.1000", "the body is not JSON: \(error)", path: error.path)
        }
    }

    private func json(_ status: HTTPStatus, _ value: JSONValue) -> HTTPResponse {
        ErrorBodies.json(status, JSONWriter.encode(value))
    }
}

/// An admin request refused: `{"error": {"message", "code", "path"?}}` with a 4xx status.
struct AdminError: Error {
    let status: HTTPStatus
    let code: String
    let message: String
    let path: JSONPath?
    var extra: [JSONMember] = []

    init(_ status: HTTPStatus, _ code: String, _ message: String, path: JSONPath? = nil, extra: [JSONMember] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.extra = extra
    }

    static func methodNotAllowed(_ allowed: String) -> AdminError {
        AdminError(.methodNotAllowed, "MOCK.0405", "use \(allowed) here", extra: [JSONMember("allow", .string(allowed))])
    }

    var response: HTTPResponse {
        var error = [JSONMember("message", .string(message)), JSONMember("code", .string(code))]
        if let path { error.append(JSONMember("path", .string(path.description))) }
        var response = ErrorBodies.json(status, JSONWriter.encode(.object([JSONMember("error", .object(error + extra))])))
        if status == .methodNotAllowed, case .string(let allowed)? = extra.first?.value { response.headers.add("Allow", allowed) }
        return response
    }
}

/// The members of a request body's object, read with their types checked.
struct Fields {
    let value: JSONValue
    let path: JSONPath

    init(_ value: JSONValue, allowed: [String], at path: JSONPath = .root) throws(AdminError) {
        guard case .object(let members) = value else {
            throw AdminError(.badRequest, "MOCK.1001", "must be an object, got \(value.kindName)", path: path)
        }
        if let unknown = members.first(where: { !allowed.contains($0.key) }) {
            throw AdminError(.badRequest, "MOCK.1001", "unknown key (expected one of: \(allowed.joined(separator: ", ")))", path: path.appending(unknown.key))
        }
        self.value = value
        self.path = path
    }

    func string(_ key: String) throws(AdminError) -> String? {
        switch value[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw AdminError(.badRequest, "MOCK.1001", "must be a string, got \(other.kindName)", path: path.appending(key))
        }
    }

    func integer(_ key: String) throws(AdminError) -> Int64? {
        switch value[key] {
        case nil, .null?: return nil
        case .integer(let number)?: return number
        case let other?: throw AdminError(.badRequest, "MOCK.1001", "must be a whole number, got \(other.kindName)", path: path.appending(key))
        }
    }

    func number(_ key: String) throws(AdminError) -> Double? {
        switch value[key] {
        case nil, .null?: return nil
        case .integer(let number)?: return Double(number)
        case .double(let number)?: return number
        case let other?: throw AdminError(.badRequest, "MOCK.1001", "must be a number, got \(other.kindName)", path: path.appending(key))
        }
    }
}

/// Query parameters, percent-decoded; a repeated name keeps its first value. A query that
/// cannot be decoded is refused whole: dropping the bad parameter would widen what a filter
/// (or a reset) applies to.
struct Query {
    let values: [String: String]

    init(_ query: String?) throws(AdminError) {
        var values: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = parts.count > 1 ? Self.decode(parts[1]) : "" else {
                throw AdminError(.badRequest, "MOCK.1005", "malformed percent-encoding in the query: \(pair.prefix(64))")
            }
            if values[name] == nil { values[name] = value }
        }
        self.values = values
    }

    func string(_ name: String) throws(AdminError) -> String? {
        guard let value = values[name] else { return nil }
        guard !value.isEmpty else { throw AdminError(.badRequest, "MOCK.1005", "query parameter \(name) is empty") }
        return value
    }

    func positiveInteger(_ name: String) throws(AdminError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), value >= 1 else {
            throw AdminError(.badRequest, "MOCK.1005", "query parameter \(name) must be a whole number, 1 or more")
        }
        return value
    }

    /// `+` is a space in a query (HTML forms), then percent-escapes.
    private static func decode(_ text: Substring) -> String? {
        percentDecoded(Substring(String(text.map { $0 == "+" ? " " : $0 })))
    }
}
