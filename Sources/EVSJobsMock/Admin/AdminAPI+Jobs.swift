import EVSJobs
import HTTP1

/// `/__admin/jobs`: jobs added, listed, advanced, finished and deleted at run time.
extension AdminAPI {
    func createJobs(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let document = try parse(call.request.body)
        var decoder = FixtureDecoder()
        let specs = decoder.decodeRequest(document)
        if let first = decoder.problems.first {
            let more = decoder.problemCount > 1 ? " (and \(decoder.problemCount - 1) more problems)" : ""
            throw APIError.mock(.badRequest, MockCode.invalidField, first.reason + more, path: first.path)
        }
        guard !specs.isEmpty else { throw APIError.mock(.badRequest, MockCode.invalidField, "no job given", path: .root) }
        let now = clock.now()
        let refs: [JobRef]
        switch engine.add(specs, t0: now) {
        case .success(let added): refs = added
        case .failure(let taken):
            throw APIError.mock(.conflict, MockCode.jobIDTaken, "job_id \"\(taken.id)\" is taken in that scope")
        }
        return jobsResponse(.created, refs.compactMap(store.job), now: now)
    }

    func listJobs(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let now = clock.now()
        return jobsResponse(.ok, store.all(project: try call.query.string("project_id")).map(\.job), now: now)
    }

    func showJob(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        try jobResponse(try findJob(call))
    }

    func deleteJob(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let ref = try findJob(call)
        guard ref.sub < 0 else {
            throw APIError.mock(.conflict, MockCode.subJob, "a sub-job goes with its batch; delete the parent")
        }
        store.remove(ref)
        return HTTPResponse(status: .noContent)
    }

    func advanceJob(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        try advance(try findJob(call))
    }

    func finishJob(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        try finish(try findJob(call), body: call.request.body)
    }

    /// The job `{job_id}` names, in the project `?project_id=` names if any.
    func findJob(_ call: AdminCall) throws(APIError) -> JobRef {
        try findJob(call.parameters["job_id"], project: try call.query.string("project_id"))
    }

    func findJob(_ id: String, project: String?) throws(APIError) -> JobRef {
        switch store.lookup(id: id, project: project) {
        case .found(let ref): return ref
        case .notFound:
            throw APIError.mock(.notFound, MockCode.noSuchJob, "no job \"\(id)\"" + (project.map { " visible in project \"\($0)\"" } ?? ""))
        case .ambiguous(let projects):
            throw APIError.mock(.conflict, MockCode.ambiguousJob, "job \"\(id)\" exists in projects \(projects.map { "\"\($0)\"" }.joined(separator: ", ")); name one with ?project_id=",
                             extra: [JSONMember("projects", .array(projects.map(JSONValue.string)))])
        }
    }

    func advance(_ ref: JobRef) throws(APIError) -> HTTPResponse {
        guard store.update(ref, clock: clock, { job, now in job.advance(at: now) }) == true else {
            throw APIError.mock(.conflict, MockCode.jobFinished, "the job is finished already")
        }
        engine.track([ref.parent])
        return try jobResponse(ref)
    }

    func finish(_ ref: JobRef, body: [UInt8]) throws(APIError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["status", "error_code", "fail_reason"])
        let outcome: Outcome
        switch try fields.string("status") {
        case "SUCCESS":
            for key in ["error_code", "fail_reason"] where document[key] != nil {
                throw APIError.mock(.badRequest, MockCode.invalidField, "only a FAIL has \(key)", path: JSONPath.root.appending(key))
            }
            outcome = .success
        case "FAIL":
            outcome = .failure(errorCode: try fields.string("error_code"), failReason: try fields.string("fail_reason"))
        default:
            throw APIError.mock(.badRequest, MockCode.invalidField, "must be \"SUCCESS\" or \"FAIL\"", path: JSONPath.root.appending("status"))
        }
        guard store.update(ref, clock: clock, { job, now in job.finish(outcome, at: now) }) == true else {
            throw APIError.mock(.conflict, MockCode.jobFinished, "the job is finished already")
        }
        return try jobResponse(ref)
    }

    func jobResponse(_ ref: JobRef) throws(APIError) -> HTTPResponse {
        let now = clock.now()
        guard let job = store.job(ref) else { throw APIError.mock(.notFound, MockCode.noSuchJob, "the job is gone") }
        var out: [UInt8] = []
        appendAdminJob(job, project: store.job(ref.parent)?.spec.projectID, now: now, to: &out)
        return HTTPResponse.json(.ok, out)
    }

    func jobsResponse(_ status: HTTPStatus, _ jobs: [Job], now: Int64) -> HTTPResponse {
        var out = Array("{\"jobs\":[".utf8)
        for (offset, job) in jobs.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            appendAdminJob(job, project: job.spec.projectID, now: now, to: &out)
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
