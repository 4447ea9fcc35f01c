import EVSJobs
import HTTP1

/// `/__admin/jobs`: jobs added, listed, advanced, finished and deleted at run time.
extension AdminAPI {
    func createJobs(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        jobsResponse(.created, try APIError.control { () throws(ControlError) in try control.addJobs(call.request.body) })
    }

    func listJobs(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        jobsResponse(.ok, control.jobs(project: try call.query.string("project_id")))
    }

    func showJob(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let ref = try findJob(call)
        return jobResponse(try APIError.control { () throws(ControlError) in try control.job(ref) })
    }

    func deleteJob(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let ref = try findJob(call)
        try APIError.control { () throws(ControlError) in try control.deleteJob(ref) }
        return HTTPResponse(status: .noContent)
    }

    func advanceJob(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let ref = try findJob(call)
        return jobResponse(try APIError.control { () throws(ControlError) in try control.advanceJob(ref) })
    }

    func finishJob(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let ref = try findJob(call)
        let outcome = try outcome(call.request.body)
        return jobResponse(try APIError.control { () throws(ControlError) in try control.finishJob(ref, outcome) })
    }

    /// The job `{job_id}` names, in the project `?project_id=` names if any.
    func findJob(_ call: AdminCall) throws(APIError) -> JobRef {
        let id = call.parameters["job_id"]
        let project = try call.query.string("project_id")
        return try APIError.control { () throws(ControlError) in try control.findJob(id, project: project) }
    }

    /// A finish request's body: `{"status": "SUCCESS"}`, or `"FAIL"` with an optional
    /// `error_code` and `fail_reason`.
    func outcome(_ body: [UInt8]) throws(APIError) -> Outcome {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["status", "error_code", "fail_reason"])
        switch try fields.string("status") {
        case "SUCCESS":
            for key in ["error_code", "fail_reason"] where document[key] != nil {
                throw APIError.mock(.badRequest, MockCode.invalidField, "only a FAIL has \(key)", path: JSONPath.root.appending(key))
            }
            return .success
        case "FAIL":
            return .failure(errorCode: try fields.string("error_code"), failReason: try fields.string("fail_reason"))
        default:
            throw APIError.mock(.badRequest, MockCode.invalidField, "must be \"SUCCESS\" or \"FAIL\"", path: JSONPath.root.appending("status"))
        }
    }

    func jobResponse(_ read: MockControl.JobAt) -> HTTPResponse {
        var out: [UInt8] = []
        appendAdminJob(read.job, project: read.projectID, now: read.now, to: &out)
        return HTTPResponse.json(.ok, out)
    }

    func jobsResponse(_ status: HTTPStatus, _ read: MockControl.JobsAt) -> HTTPResponse {
        var out = Array("{\"jobs\":[".utf8)
        for (offset, job) in read.jobs.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            appendAdminJob(job, project: job.spec.projectID, now: read.now, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return HTTPResponse.json(status, out)
    }

    /// The job as the API renders it now, plus its `project_id`.
    func appendAdminJob(_ job: Job, project: String?, now: Int64, to out: inout [UInt8]) {
        JobJSON.append(job, at: now, to: &out) { out in
            JSONWriter.appendKey("project_id", to: &out)
            JSONWriter.appendOptional(project, to: &out)
        }
    }
}
