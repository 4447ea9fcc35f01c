import EVSJobs
import HTTP1

/// `/__admin/requests`, `/__admin/faults`, `/__admin/health` and `/__admin/metrics`.
extension AdminAPI {
    func requests(_ query: Query) throws(APIError) -> HTTPResponse {
        let page = control.requests(projectID: try query.string("project_id"), jobID: try query.string("job_id"),
                                    limit: try query.positiveInteger("limit"), before: try query.positiveInteger("before"))
        return .json(.ok, .object([
            JSONMember("requests", .array(page.entries.map(control.journal.json))), JSONMember("total", .integer(Int64(page.total))),
            JSONMember("dropped", .integer(Int64(page.dropped))), JSONMember("before", page.older.map { .integer(Int64($0)) } ?? .null),
        ]))
    }

    func addFault(_ body: [UInt8]) throws(APIError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["match", "action", "times", "probability", "seed"])
        var match = Faults.Match()
        if let raw = document["match"] {
            let m = try Fields(raw, allowed: ["project_id", "job_id", "method", "path_prefix"], at: JSONPath.root.appending("match"))
            match = Faults.Match(projectID: try m.string("project_id"), jobID: try m.string("job_id"), method: try m.string("method"),
                                 pathPrefix: try m.string("path_prefix"))
        }
        guard let rawAction = document["action"] else {
            throw APIError.mock(.badRequest, MockCode.invalidField, "missing", path: JSONPath.root.appending("action"))
        }
        let action = try faultAction(rawAction)
        let times = try fields.integer("times")
        if let times, times < 1 { throw APIError.mock(.badRequest, MockCode.invalidField, "must be 1 or more", path: JSONPath.root.appending("times")) }
        let probability = try fields.number("probability")
        if let probability, !(0...1).contains(probability) {
            throw APIError.mock(.badRequest, MockCode.invalidField, "must be from 0 to 1", path: JSONPath.root.appending("probability"))
        }
        let seed = try fields.integer("seed").map { UInt64(bitPattern: $0) }
        let id = try APIError.control { () throws(ControlError) in
            try control.addBoundedFault(match: match, action: action, times: times.map(Int.init), probability: probability, seed: seed)
        }
        return .json(.created, .object([JSONMember("id", .string(id))]))
    }

    func faultAction(_ raw: JSONValue) throws(APIError) -> Faults.Action {
        let path = JSONPath.root.appending("action")
        let fields = try Fields(raw, allowed: ["status", "body", "delay_ms", "reset", "close", "malformed"], at: path)
        guard case .object(let members) = raw, members.filter({ $0.key != "body" }).count == 1 else {
            throw APIError.mock(.badRequest, MockCode.invalidField, "give exactly one of status, delay_ms, reset, close, malformed", path: path)
        }
        if raw["body"] != nil, raw["status"] == nil {
            throw APIError.mock(.badRequest, MockCode.invalidField, "only a status action has a body", path: path.appending("body"))
        }
        if let status = try fields.integer("status") {
            guard (400...599).contains(status) else {
                throw APIError.mock(.badRequest, MockCode.invalidField, "must be from 400 to 599", path: path.appending("status"))
            }
            if let body = raw["body"], case .object = body {
                // Kept as a parsed tree, about twenty times its text: bounded by its text.
                guard JSONWriter.encode(body).count <= Faults.maxBodyBytes else {
                    throw APIError.mock(.badRequest, MockCode.invalidField, "at most \(Faults.maxBodyBytes) bytes as JSON", path: path.appending("body"))
                }
                return .status(Int(status), body: body)
            } else if raw["body"] != nil {
                throw APIError.mock(.badRequest, MockCode.invalidField, "must be an object", path: path.appending("body"))
            }
            return .status(Int(status), body: nil)
        }
        if let delay = try fields.integer("delay_ms") {
            guard delay >= 0, delay <= 600_000 else {
                throw APIError.mock(.badRequest, MockCode.invalidField, "must be from 0 to 600000", path: path.appending("delay_ms"))
            }
            return .delay(milliseconds: Int(delay))
        }
        for (key, action) in [("reset", Faults.Action.reset), ("close", .close), ("malformed", .malformed)] where raw[key] != nil {
            guard raw[key] == .bool(true) else { throw APIError.mock(.badRequest, MockCode.invalidField, "must be true", path: path.appending(key)) }
            return action
        }
        throw APIError.mock(.badRequest, MockCode.invalidField, "give one of status, delay_ms, reset, close, malformed", path: path)
    }

    func listFaults() -> HTTPResponse {
        let rules = control.faultRules.map { rule -> JSONValue in
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
        return .json(.ok, .object([JSONMember("faults", .array(rules))]))
    }

    func requestCount(_ query: Query) throws(APIError) -> HTTPResponse {
        let count = control.requestCount(projectID: try query.string("project_id"), jobID: try query.string("job_id"))
        return .json(.ok, .object([JSONMember("count", .integer(Int64(count)))]))
    }

    func removeFault(id: String) throws(APIError) -> HTTPResponse {
        try APIError.control { () throws(ControlError) in try control.removeFault(id: id) }
        return HTTPResponse(status: .noContent)
    }

    func health() -> HTTPResponse {
        let health = control.health
        return .json(.ok, .object([
            JSONMember("status", .string("UP")), JSONMember("jobs", .integer(Int64(health.jobs))),
            JSONMember("uptime_ms", .integer(Int64(health.uptimeMs))),
        ]))
    }

    func metricsText() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        return HTTPResponse(status: .ok, headers: headers, body: Array(control.metricsText().utf8))
    }
}
