import EVSJobs
import HTTP1

/// `/__admin/plans`: add, list and remove plans.
extension AdminAPI {
    func addPlan(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let plan = try APIError.control { () throws(ControlError) in try control.addPlan(call.request.body) }
        return .json(.created, .object([JSONMember("plan", Self.render(plan))]))
    }

    func listPlans(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        let plans = control.plans(project: try call.query.string("project_id"))
        return .json(.ok, .object([JSONMember("plans", .array(plans.map(Self.render)))]))
    }

    func removePlan(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        try APIError.control { () throws(ControlError) in try control.removePlan(id: call.parameters["plan_id"]) }
        return HTTPResponse(status: .noContent)
    }

    func clearPlans(_ call: AdminCall) throws(APIError) -> HTTPResponse {
        control.clearPlans(project: try call.query.string("project_id"))
        return HTTPResponse(status: .noContent)
    }

    /// A plan in the form it was given, with its id and use.
    static func render(_ plan: Plan) -> JSONValue {
        var members = [JSONMember("id", .string(plan.id))]
        if let value = plan.projectID { members.append(JSONMember("project_id", .string(value))) }
        if let value = plan.jobType { members.append(JSONMember("job_type", .string(value.rawValue))) }
        if let value = plan.name { members.append(JSONMember("name", .string(value))) }
        if let value = plan.volumeID { members.append(JSONMember("volume_id", .string(value))) }
        var scenario: [JSONMember] = []
        switch plan.timing {
        case .scenario(let timed)?:
            scenario = [JSONMember("init_ms", .integer(timed.initMs)), JSONMember("running_ms", .integer(timed.runningMs))]
        case .polls(let polls, _)?:
            scenario = [JSONMember("init_polls", .integer(Int64(polls.initPolls))), JSONMember("running_polls", .integer(Int64(polls.runningPolls)))]
        default: break
        }
        switch plan.outcome {
        case .success: scenario.append(JSONMember("outcome", .string("SUCCESS")))
        case .fail(let code, let reason):
            scenario += [JSONMember("outcome", .string("FAIL")), JSONMember("error_code", .string(code)), JSONMember("fail_reason", .string(reason))]
        }
        members.append(JSONMember("scenario", .object(scenario)))
        if !plan.failSubJobs.isEmpty { members.append(JSONMember("fail_sub_jobs", .array(plan.failSubJobs.map { .integer(Int64($0)) }))) }
        if let remaining = plan.remaining { members.append(JSONMember("times_left", .integer(Int64(remaining)))) }
        members.append(JSONMember("used", .integer(Int64(plan.used))))
        return .object(members)
    }
}
