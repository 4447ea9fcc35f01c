// The JOB form: a job as fixtures and admin requests write it, with a scenario or a frozen status.

extension FixtureDecoder {
    mutating func job(_ value: JSONValue, at path: JSONPath, project fileProject: String?, parent: JobType?) -> JobSpec? {
        guard case .object(let members) = value else {
            problem(path, "a job must be an object, got \(value.kindName)")
            return nil
        }
        let before = problemCount
        checkKeys(members, allowed: Self.jobKeys, at: path)
        if parent != nil {
            for key in ["project_id", "sub_jobs"] where value[key] != nil {
                problem(path.appending(key), "not allowed on a sub-job (sub-jobs belong to their parent's project and cannot nest)")
            }
        }
        let project = value["project_id"] != nil ? projectID(value["project_id"], at: path.appending("project_id")) : fileProject
        let type = jobType(value["job_type"], at: path.appending("job_type"), parent: parent)
        // A missing id is made only for a job that is otherwise valid.
        let id = value["job_id"] == nil ? nil : jobID(value["job_id"], of: path, project: project)
        var entities = Entities()
        if let raw = value["entities"] {
            entities = self.entities(raw, at: path.appending("entities"))
        }
        var subJobs: [JobSpec] = []
        if let raw = value["sub_jobs"], parent == nil {
            if let type, !type.isBatch {
                problem(path.appending("sub_jobs"), "only batchCreateVolume and bulkDeleteVolume jobs have sub_jobs, this is \(type.rawValue)")
            } else if case .array(let elements) = raw, elements.count > Self.maxSubJobs {
                problem(path.appending("sub_jobs"), tooManySubJobs(elements.count))
            } else if case .array(let elements) = raw {
                subJobs = elements.enumerated().compactMap { offset, element in
                    job(element, at: path.appending("sub_jobs").appending(offset), project: project, parent: type ?? .batchCreateVolume)
                }
            } else {
                problem(path.appending("sub_jobs"), "must be an array of jobs, got \(raw.kindName)")
            }
        }
        let timeline = self.timeline(value, at: path, type: type, hasSubJobs: value["sub_jobs"] != nil)
        if case .derived = timeline, value["entities"] != nil {
            problem(path.appending("entities"), "a batch job with sub_jobs shows only its sub_jobs; put entities on the sub-jobs")
        }
        guard problemCount == before, let type, let timeline, let id = id ?? jobID(nil, of: path, project: project) else { return nil }
        return JobSpec(jobID: id, projectID: project, type: type, entities: entities, timeline: timeline, subJobs: subJobs)
    }

    private mutating func timeline(_ value: JSONValue, at path: JSONPath, type: JobType?, hasSubJobs: Bool) -> Timeline? {
        if let status = value["status"] {
            if value["scenario"] != nil {
                problem(path.appending("scenario"), "a job has either a scenario or a frozen status, not both")
            }
            return frozen(value, status: status, at: path, captured: false)
        }
        for key in Self.frozenKeys where value[key] != nil {
            problem(path.appending(key), "only allowed with a frozen \"status\" (a timed job's times come from its scenario)")
        }
        if let type, type.isBatch {
            if value["scenario"] != nil {
                problem(path.appending("scenario"), "a batch job's state follows its sub_jobs; give the sub-jobs scenarios instead")
            }
            if !hasSubJobs || value["sub_jobs"] == .array([]) {
                problem(path.appending("sub_jobs"), "a batch job needs at least one sub-job (or a frozen \"status\")")
            }
            return .derived
        }
        guard let raw = value["scenario"] else { return .scenario(Scenario()) }
        return scenario(raw, at: path.appending("scenario"))
    }

    /// A timed scenario, or one counted in reads; never both.
    mutating func scenario(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> Timeline? {
        guard case .object(let members) = value else {
            problem(path(), "must be an object, got \(value.kindName)")
            return nil
        }
        checkKeys(members, allowed: Self.scenarioKeys, at: path())
        var outcome = Outcome.success
        if let raw = value["outcome"], raw != .string("SUCCESS") {
            if raw == .string("FAIL") {
                let code = value["error_code"].flatMap { string($0, at: path().appending("error_code")) }
                let reason = value["fail_reason"].flatMap { string($0, at: path().appending("fail_reason")) }
                outcome = .failure(errorCode: code, failReason: reason)
            } else {
                problem(path().appending("outcome"), "must be \"SUCCESS\" or \"FAIL\", got \(describe(raw))")
            }
        }
        if outcome == .success {
            for key in ["error_code", "fail_reason"] where value[key] != nil {
                problem(path().appending(key), "only allowed with \"outcome\": \"FAIL\"")
            }
        }
        let timed = ["init_ms", "running_ms"].filter { value[$0] != nil }
        let counted = ["init_polls", "running_polls"].filter { value[$0] != nil }
        if !counted.isEmpty {
            for key in timed {
                problem(path().appending(key), "a scenario is either timed (init_ms, running_ms) or counted in reads (init_polls, running_polls), not both")
            }
            var polls = PollScenario(outcome: outcome)
            if let raw = value["init_polls"] { polls.initPolls = Int(count(raw, at: path().appending("init_polls")) ?? 0) }
            if let raw = value["running_polls"] { polls.runningPolls = Int(count(raw, at: path().appending("running_polls")) ?? 0) }
            return .polls(polls, PollProgress())
        }
        var scenario = Scenario(outcome: outcome)
        if let raw = value["init_ms"] { scenario.initMs = duration(raw, at: path().appending("init_ms")) ?? 0 }
        if let raw = value["running_ms"] { scenario.runningMs = duration(raw, at: path().appending("running_ms")) ?? 0 }
        return .scenario(scenario)
    }

    private mutating func count(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> Int64? {
        guard case .integer(let reads) = value, reads >= 0, reads <= Self.maxPolls else {
            problem(path(), "must be a whole number of reads from 0 to \(Self.maxPolls), got \(describe(value))")
            return nil
        }
        return reads
    }

    private mutating func duration(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> Int64? {
        guard case .integer(let ms) = value, ms >= 0, ms <= Self.maxDurationMs else {
            problem(path(), "must be a whole number of milliseconds from 0 to \(Self.maxDurationMs), got \(describe(value))")
            return nil
        }
        return ms
    }
}
