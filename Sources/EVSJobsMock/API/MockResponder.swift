import CSystemShims
import Dispatch
import EVSJobs
import HTTP1

/// Sends `/__admin` requests to the admin API (when it is on) and all others to the job API,
/// applying faults to the latter and recording them in the journal and (with the admin API,
/// which serves them) the metrics.
struct MockResponder: HTTPResponder {
    let jobs: ServiceAPI
    let admin: AdminAPI?
    let journal: Journal
    let faults: Faults
    let metrics: Metrics?
    let clock: any JobClock
    let gateway: Gateway

    func reply(to request: HTTPRequest, requestID: String) -> Reply {
        if let admin, AdminAPI.owns(request.path) {
            // Off the event loops: a large body or a reload must hold up no poll.
            return .deferred {
                let started = Monotonic.now()
                let response = admin.respond(to: request)
                admin.metrics.record(route: .admin, status: response.status.code, seconds: Self.seconds(since: started))
                // A large body's parse tree is gone: give its memory back, as after start-up.
                if request.body.count >= 64 * 1024 { csystem_release_free_memory() }
                return response
            }
        }
        let started = Monotonic.now()
        let match = ServiceAPI.routes.match(method: request.method, path: request.path)
        // Taken out once: each look into the (generic) match copies its payload.
        let (metric, parameters): (Metrics.Route?, Parameters?)
        switch match {
        case .found(let route, let captures): (metric, parameters) = (route.metric, captures)
        case .methodNotAllowed(_, let captures): (metric, parameters) = (nil, captures)
        case .notFound, .malformedPath: (metric, parameters) = (nil, nil)
        }
        let projectID = parameters?["project_id"]
        let jobID = parameters.map { $0.slice("job_id") }.flatMap { $0.isEmpty ? nil : $0 }
        let reply: Reply
        let status: Int
        var extraMs = 0.0
        if let refusal = gateway.check(request, projectID: projectID) {
            let response = refusal.response(requestID: requestID)
            (reply, status) = (.response(response), response.status.code)
        } else {
            (reply, status, extraMs) = answer(request, match: match, projectID: projectID, jobID: jobID, requestID: requestID)
        }
        let seconds = Self.seconds(since: started) + extraMs / 1000
        journal.record(time: clock.now(), request: request, projectID: projectID, jobID: jobID, status: status, durationMs: seconds * 1000)
        metrics?.record(route: metric ?? (parameters == nil ? .other : .job), status: status, seconds: seconds)
        return reply
    }

    /// The job API's answer, unless a fault replaces or spoils it; and any delay it adds (ms).
    private func answer(_ request: HTTPRequest, match: Router<ServiceAPI.Route>.Match, projectID: String?, jobID: Substring?,
                        requestID: String) -> (Reply, Int, Double) {
        let reply: Reply
        let status: Int
        var extraMs = 0.0
        switch faults.fire(method: request.method, path: request.path, projectID: projectID, jobID: jobID) {
        case nil:
            let response = jobs.respond(to: request, match: match, requestID: requestID)
            (reply, status) = (.response(response), response.status.code)
        case .status(let code, let body)?:
            let response = Self.faultResponse(code, body: body, requestID: requestID)
            (reply, status) = (.response(response), code)
        case .delay(let milliseconds)?:
            let response = jobs.respond(to: request, match: match, requestID: requestID)
            (reply, status) = (.delayed(response, milliseconds: milliseconds), response.status.code)
            extraMs = Double(milliseconds)
        case .reset?:
            (reply, status) = (.reset, 0)
        case .close?:
            (reply, status) = (.close, 0)
        case .malformed?:
            var response = jobs.respond(to: request, match: match, requestID: requestID)
            response.body = Array(response.body.prefix(max(1, response.body.count / 2)))
            (reply, status) = (.response(response), response.status.code)
        }
        return (reply, status, extraMs)
    }

    func respond(to error: HTTPDecodeError, requestID: String) -> HTTPResponse {
        APIError.mock(error.status, error.reason).response(requestID: requestID)
    }

    /// A fault's answer: its own body, or the service's shape for that status.
    static func faultResponse(_ code: Int, body: JSONValue?, requestID: String) -> HTTPResponse {
        let status = HTTPStatus(code: code)
        if let body { return .json(status, body) }
        let error: APIError
        if code == 429 {
            error = .gateway(status, ServiceCode.throttled, "The throttling threshold has been reached: policy user over ratelimit,limit:1,time:1 second")
        } else if code >= 500 {
            error = .service(status, ServiceCode.internalError, "internal error!")
        } else {
            error = .mock(status, "fault injected by the admin API")
        }
        return error.response(requestID: requestID)
    }

    static func seconds(since started: UInt64) -> Double {
        Double(Monotonic.nanos(since: started)) / 1e9
    }
}
