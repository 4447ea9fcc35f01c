import EVSJobs
import HTTP1

/// The one place a `ControlError` gets its status, code and message in the admin API.
extension APIError {
    init(_ error: ControlError) {
        switch error {
        case .notJSON(let error):
            self = .mock(.badRequest, MockCode.notJSON, "the body is not JSON: \(error)", path: error.path)
        case .invalidJobs(let error), .invalidPlan(let error):
            let first = error.problems.first
            let more = error.count > 1 ? " (and \(error.count - 1) more problems)" : ""
            self = .mock(.badRequest, MockCode.invalidField, (first?.reason ?? "") + more, path: first?.path)
        case .noJobGiven:
            self = .mock(.badRequest, MockCode.invalidField, "no job given", path: .root)
        case .idTaken(let taken):
            self = .mock(.conflict, MockCode.jobIDTaken, "job_id \"\(taken.id)\" is taken in that scope")
        case .noSuchJob(let id, let project):
            self = .mock(.notFound, MockCode.noSuchJob, "no job \"\(id)\"" + (project.map { " visible in project \"\($0)\"" } ?? ""))
        case .ambiguousJob(let id, let projects):
            self = .mock(.conflict, MockCode.ambiguousJob,
                         "job \"\(id)\" exists in projects \(projects.map { "\"\($0)\"" }.joined(separator: ", ")); name one with ?project_id=",
                         extra: [JSONMember("projects", .array(projects.map(JSONValue.string)))])
        case .jobGone:
            self = .mock(.notFound, MockCode.noSuchJob, "the job is gone")
        case .jobFinished:
            self = .mock(.conflict, MockCode.jobFinished, "the job is finished already")
        case .subJob:
            self = .mock(.conflict, MockCode.subJob, "a sub-job goes with its batch; delete the parent")
        case .invalidValue(let field, let reason):
            self = .mock(.badRequest, MockCode.invalidField, reason, path: JSONPath.root.appending(field))
        case .tooManyFaults:
            self = .mock(.conflict, MockCode.tooManyFaults, "at most \(Faults.maxRules) faults at once; delete some first")
        case .noSuchFault(let id):
            self = .mock(.notFound, MockCode.noSuchFault, "no fault \"\(id)\"")
        case .tooManyPlans:
            self = .mock(.conflict, MockCode.tooManyPlans, "at most \(Plans.maxRules) plans at once; delete some first")
        case .noSuchPlan(let id):
            self = .mock(.notFound, MockCode.noSuchPlan, "no plan \"\(id)\"")
        case .fixturesInvalid(let error):
            self = .mock(.badRequest, MockCode.fixturesInvalid, "the fixtures have \(error.count) problems; the old set stays in force",
                         extra: [JSONMember("problems", .array(error.lines.map(JSONValue.string)))])
        }
    }

    /// What `body` returns, its `ControlError` mapped.
    static func control<T>(_ body: () throws(ControlError) -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch {
            throw APIError(error)
        }
    }
}
