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
        respond(to: request, target: Target(request.path), requestID: requestID)
    }

    /// What a request path names, decoded once per request.
    enum Target {
        case jobs(JobsRoute)
        case malformed
        case other

        init(_ path: String) {
            // `OPTIONS *` and the like name no path at all.
            guard path.hasPrefix("/") else {
                self = .other
                return
            }
            guard let segments = decodePathSegments(path) else {
                self = .malformed
                return
            }
            self = JobsRoute(segments).map(Target.jobs) ?? .other
        }

        var route: JobsRoute? {
            if case .jobs(let route) = self { return route }
            return nil
        }
    }

    func respond(to request: HTTPRequest, target: Target, requestID: String) -> HTTPResponse {
        let route: JobsRoute
        switch target {
        case .other: return Self.notFound(requestID)
        case .malformed: return ErrorBodies.mock(.badRequest, message: "malformed percent-encoding in the request path")
        case .jobs(let jobsRoute): route = jobsRoute
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = ErrorBodies.mock(.methodNotAllowed, message: "method \(request.method) is not allowed here; use GET or HEAD")
            response.headers.add("Allow", "GET, HEAD")
            return response
        }
        guard !route.jobID.isEmpty else {
            return ErrorBodies.service(.badRequest, message: "No jobs found.", code: "Common.0011")
        }
        guard let (job, now) = store.read(id: route.jobID, project: route.projectID, clock: clock) else {
            return ErrorBodies.service(.badRequest, message: "query job fail.", code: "Common.0011")
        }
        return ErrorBodies.json(.ok, JobJSON.render(job, at: now))
    }

    static func notFound(_ requestID: String) -> HTTPResponse {
        ErrorBodies.gateway(.notFound, message: "The API does not exist or has not been published in the environment", code: "APIGW.0101", requestID: requestID)
    }
}

/// `/v1/{project_id}/jobs/{job_id}`, `/v1/{project_id}/jobs/` or `/v1/{project_id}/jobs`
/// (the last two with an empty job id); `/v2/...` the same (Huawei's Terraform provider polls
/// its EVS snapshot jobs there).
struct JobsRoute: Equatable {
    let projectID: String
    let jobID: String

    init?(_ segments: [String]) {
        guard segments.count == 3 || segments.count == 4, segments[0] == "v1" || segments[0] == "v2", !segments[1].isEmpty,
            segments[2] == "jobs"
        else {
            return nil
        }
        projectID = segments[1]
        jobID = segments.count == 4 ? segments[3] : ""
    }
}
