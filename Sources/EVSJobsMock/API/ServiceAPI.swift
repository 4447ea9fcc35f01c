import EVSJobs
import HTTP1

/// The EVS API as the service answers it: its route table and handlers (jobs here, disks in
/// `ServiceAPI+Disks.swift`). Paths not in the table get the gateway's 404.
struct ServiceAPI: Sendable {
    let store: JobStore
    let clock: any JobClock
    let disks: Disks

    /// Throws `APIError` (untyped here: Swift 6.3.1 crashes lowering typed-throws closures
    /// kept in a generic table).
    typealias Handler = @Sendable (ServiceAPI, ServiceCall) throws -> HTTPResponse

    /// A row's handler and the name its requests are counted under in the metrics.
    struct Route: Sendable {
        let metric: Metrics.Route
        let handler: Handler
    }

    static let routes: Router<Route> = {
        var router = Router<Route>()
        func add(_ methods: [String], _ pattern: String, _ metric: Metrics.Route, _ handler: @escaping Handler) {
            router.add(methods, pattern, Route(metric: metric, handler: handler))
        }
        // `/v1/{project_id}/jobs/{job_id}`, and `/v1/{project_id}/jobs/` or `/v1/{project_id}/jobs`
        // with an empty job id; `/v2/...` the same (Huawei's Terraform provider polls its EVS
        // snapshot jobs there).
        for version in ["v1", "v2"] {
            add(["GET", "HEAD"], "/\(version)/{project_id}/jobs/{job_id}", .job) { api, call in try api.showJob(call.parameters) }
            add(["GET", "HEAD"], "/\(version)/{project_id}/jobs", .job) { api, call in try api.showJob(call.parameters) }
        }
        // The disks. A list's `detail` rows come before the rows that take `detail` as an id.
        for version in ["v2", "v2.1", "v3"] {
            add(["POST"], "/\(version)/{project_id}/cloudvolumes", .disk) { api, call in try api.createVolumes(call, version: version) }
        }
        for pattern in ["/v2/{project_id}/cloudvolumes/detail", "/v2/{project_id}/volumes/detail", "/v3/{project_id}/volumes/detail"] {
            add(["GET", "HEAD"], pattern, .disk) { api, call in try api.listVolumes(call) }
        }
        for version in ["v2", "v2.1"] {
            add(["POST"], "/\(version)/{project_id}/cloudvolumes/{volume_id}/action", .disk) { api, call in try api.volumeAction(call) }
        }
        add(["POST"], "/v2/{project_id}/volumes/{volume_id}/retype", .disk) { api, call in try api.retypeVolume(call) }
        add(["GET", "HEAD"], "/v2/{project_id}/cloudvolumes/{volume_id}", .disk) { api, call in try api.showVolume(call) }
        add(["DELETE"], "/v2/{project_id}/cloudvolumes/{volume_id}", .disk) { api, call in try api.deleteVolume(call) }
        add(["PUT"], "/v2/{project_id}/cloudvolumes/{volume_id}", .disk) { api, call in try api.updateVolume(call) }
        for pattern in ["/v2/{project_id}/os-vendor-volumes/{volume_id}", "/v3/{project_id}/os-vendor-volumes/{volume_id}",
                        "/v2/{project_id}/volumes/{volume_id}", "/v3/{project_id}/volumes/{volume_id}"] {
            add(["GET", "HEAD"], pattern, .disk) { api, call in try api.showVolume(call) }
        }
        add(["GET", "HEAD"], "/v3/{project_id}/os-vendor-volumes/{volume_id}/tags", .disk) { api, call in try api.volumeTags(call) }
        // The native (Cinder) API the EVS endpoint also serves, which openstacksdk, otcextensions
        // and gophertelekomcloud's block storage packages use: 202, the job not shown.
        for version in ["v2", "v3"] {
            add(["POST"], "/\(version)/{project_id}/volumes", .disk) { api, call in try api.cinderCreate(call) }
            add(["POST"], "/\(version)/{project_id}/volumes/{volume_id}/action", .disk) { api, call in try api.cinderAction(call) }
            add(["DELETE"], "/\(version)/{project_id}/volumes/{volume_id}", .disk) { api, call in try api.cinderDelete(call) }
            add(["PUT"], "/\(version)/{project_id}/volumes/{volume_id}", .disk) { api, call in try api.updateVolume(call) }
        }
        return router
    }()

    /// The answer for a request the table has been asked about.
    func respond(to request: HTTPRequest, match: Router<Route>.Match, requestID: String) -> HTTPResponse {
        do throws(APIError) {
            switch match {
            case .found(let route, let parameters):
                return try APIError.rethrow { try route.handler(self, ServiceCall(request: request, parameters: parameters)) }
            case .methodNotAllowed(let allowed, _):
                var error = APIError.mock(.methodNotAllowed, "method \(request.method) is not allowed here; use \(allowed.joined(separator: " or "))")
                error.allow = allowed.joined(separator: ", ")
                throw error
            case .notFound:
                throw APIError.gateway(.notFound, ServiceCode.noSuchAPI, "The API does not exist or has not been published in the environment")
            case .malformedPath:
                throw APIError.mock(.badRequest, "malformed percent-encoding in the request path")
            }
        } catch {
            return error.response(requestID: requestID)
        }
    }

    func showJob(_ parameters: Parameters) throws(APIError) -> HTTPResponse {
        let jobID = parameters.slice("job_id")
        guard !jobID.isEmpty else { throw .service(.badRequest, ServiceCode.jobQueryFailed, "No jobs found.") }
        guard let body = store.readJSON(id: jobID, project: parameters["project_id"], clock: clock) else {
            throw .service(.badRequest, ServiceCode.jobQueryFailed, "query job fail.")
        }
        return .json(.ok, body)
    }
}

/// One EVS API request as a handler sees it: the request and the route's captures.
struct ServiceCall: Sendable {
    let request: HTTPRequest
    let parameters: Parameters

    var projectID: String { parameters["project_id"] }
    var volumeID: String { parameters["volume_id"] }
}
