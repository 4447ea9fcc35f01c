import EVSJobs
import HTTP1

/// The EVS API as the service answers it: its route table and handlers. Paths not in the table
/// get the gateway's 404.
struct JobsAPI: Sendable {
    let store: JobStore
    let clock: any JobClock

    /// Throws `APIError` (untyped here: Swift 6.3.1 crashes lowering typed-throws closures
    /// kept in a generic table).
    typealias Handler = @Sendable (JobsAPI, Parameters) throws -> HTTPResponse

    /// `/v1/{project_id}/jobs/{job_id}`, and `/v1/{project_id}/jobs/` or `/v1/{project_id}/jobs`
    /// with an empty job id; `/v2/...` the same (Huawei's Terraform provider polls its EVS
    /// snapshot jobs there).
    static let routes: Router<Handler> = {
        var router = Router<Handler>()
        for version in ["v1", "v2"] {
            router.add(["GET", "HEAD"], "/\(version)/{project_id}/jobs/{job_id}") { api, parameters in try api.showJob(parameters) }
            router.add(["GET", "HEAD"], "/\(version)/{project_id}/jobs") { api, parameters in try api.showJob(parameters) }
        }
        return router
    }()

    /// The answer for a request the table has been asked about.
    func respond(to request: HTTPRequest, match: Router<Handler>.Match, requestID: String) -> HTTPResponse {
        do throws(APIError) {
            switch match {
            case .found(let handler, let parameters):
                return try APIError.rethrow { try handler(self, parameters) }
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
        let jobID = parameters["job_id"]
        guard !jobID.isEmpty else { throw .service(.badRequest, ServiceCode.jobQueryFailed, "No jobs found.") }
        guard let (job, now) = store.read(id: jobID, project: parameters["project_id"], clock: clock) else {
            throw .service(.badRequest, ServiceCode.jobQueryFailed, "query job fail.")
        }
        return .json(.ok, JobJSON.render(job, at: now))
    }
}
