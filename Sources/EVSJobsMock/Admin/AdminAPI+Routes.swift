import HTTP1

/// The admin API's route table. The methods of a path's rows, in order, are its `Allow`.
extension AdminAPI {
    /// Throws `APIError` (untyped here: Swift 6.3.1 crashes lowering typed-throws closures
    /// kept in a generic table).
    typealias Handler = @Sendable (AdminAPI, AdminCall) throws -> HTTPResponse

    static let routes: Router<Handler> = {
        var router = Router<Handler>()
        func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) { router.add([method], "/__admin" + pattern, handler) }

        add("GET", "/jobs") { api, call in try api.listJobs(call) }
        add("POST", "/jobs") { api, call in try api.createJobs(call) }
        add("GET", "/jobs/{job_id}") { api, call in try api.showJob(call) }
        add("DELETE", "/jobs/{job_id}") { api, call in try api.deleteJob(call) }
        add("POST", "/jobs/{job_id}/advance") { api, call in try api.advanceJob(call) }
        add("POST", "/jobs/{job_id}/finish") { api, call in try api.finishJob(call) }

        add("GET", "/clock") { api, _ in api.clockResponse() }
        add("POST", "/clock") { api, call in try api.setClock(call.request.body) }
        add("POST", "/clock/advance") { api, call in try api.advanceClock(call.request.body) }
        add("POST", "/reset") { api, call in api.reset(project: try call.query.string("project_id")) }
        add("POST", "/reload") { api, _ in try api.reload() }

        add("GET", "/requests") { api, call in try api.requests(call.query) }
        add("DELETE", "/requests") { api, _ in
            api.control.clearRequests()
            return HTTPResponse(status: .noContent)
        }
        add("GET", "/requests/count") { api, call in try api.requestCount(call.query) }
        add("GET", "/faults") { api, _ in api.listFaults() }
        add("POST", "/faults") { api, call in try api.addFault(call.request.body) }
        add("DELETE", "/faults") { api, _ in
            api.control.clearFaults()
            return HTTPResponse(status: .noContent)
        }
        add("DELETE", "/faults/{fault_id}") { api, call in try api.removeFault(id: call.parameters["fault_id"]) }

        add("GET", "/plans") { api, call in try api.listPlans(call) }
        add("POST", "/plans") { api, call in try api.addPlan(call) }
        add("DELETE", "/plans") { api, call in try api.clearPlans(call) }
        add("DELETE", "/plans/{plan_id}") { api, call in try api.removePlan(call) }

        router.add(["GET", "HEAD"], "/__admin/health") { api, _ in api.health() }
        add("GET", "/metrics") { api, _ in api.metricsText() }
        add("GET", "/openapi.json") { _, _ in .json(.ok, OpenAPIDocument.bytes) }
        return router
    }()
}
