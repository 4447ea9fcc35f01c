import EVSJobs
import HTTP1

/// `GET /v1/{project_id}/jobs/{job_id}` as the EVS service answers it, and the gateway's 404
/// for every other path.
public struct JobsAPI: Sendable {
    let store: JobStore
    let clock: any JobClock

    public init(store: JobStore, clock: any JobClock) {
        self.store = store
        self.clock = clock
    }

    public func respond(to request: HTTPRequest, requestID: String) -> HTTPResponse {
        // `OPTIONS *` and the like name no path at all.
        guard request.path.hasPrefix("/") else { return Self.notFound(requestID) }
        guard let segments = decodePathSegments(request.path) else {
            return ErrorBodies.mock(.badRequest, message: "malformed percent-encoding in the request path")
        }
        guard let route = JobsRoute(segments) else { return Self.notFound(requestID) }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = ErrorBodies.mock(.methodNotAllowed, message: "method \(request.method) is not allowed here; use GET or HEAD")
            response.headers.add("Allow", "GET, HEAD")
            return response
        }
        guard !route.jobID.isEmpty else {
            return ErrorBodies.service(.badRequest, message: "No jobs found.", code: "Common.0011")
        }
        let now = clock.now()
        guard let job = store.read(id: route.jobID, project: route.projectID, at: now) else {
            return ErrorBodies.service(.badRequest, message: "query job fail.", code: "Common.0011")
        }
        return ErrorBodies.json(.ok, JobJSON.render(job, at: now))
    }

    static func notFound(_ requestID: String) -> HTTPResponse {
        ErrorBodies.gateway(.notFound, message: "The API does not exist or has not been published in the environment", code: "APIGW.0101", requestID: requestID)
    }
}

/// `/v1/{project_id}/jobs/{job_id}`, `/v1/{project_id}/jobs/` or `/v1/{project_id}/jobs`
/// (the last two with an empty job id).
struct JobsRoute: Equatable {
    let projectID: String
    let jobID: String

    init?(_ segments: [String]) {
        guard segments.count == 3 || segments.count == 4, segments[0] == "v1", !segments[1].isEmpty, segments[2] == "jobs" else {
            return nil
        }
        projectID = segments[1]
        jobID = segments.count == 4 ? segments[3] : ""
    }

    init?(path: String) {
        guard let segments = decodePathSegments(path) else { return nil }
        self.init(segments)
    }
}
