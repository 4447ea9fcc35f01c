// Frozen states, and responses captured from the real API and served as they are.

extension FixtureDecoder {
    mutating func frozen(_ value: JSONValue, status raw: JSONValue, at path: JSONPath, captured: Bool) -> Timeline? {
        let status: JobStatus?
        if case .string(let text) = raw, let parsed = JobStatus(rawValue: text) {
            status = parsed
        } else {
            problem(path.appending("status"), "must be one of INIT, RUNNING, SUCCESS, FAIL, got \(describe(raw))")
            status = nil
        }
        var state = FrozenState(status: status ?? .initializing)
        if let raw = value["begin_time"] {
            state.beginMs = time(raw, at: path.appending("begin_time"), allowEmpty: false)
        }
        if let raw = value["end_time"] {
            state.endGiven = true
            state.endMs = time(raw, at: path.appending("end_time"), allowEmpty: true)
            if state.endMs != nil, let status, !status.isFinished, !captured {
                problem(path.appending("end_time"), "a job in \(status.rawValue) has no end_time (use \"\" or leave it out)")
            }
        }
        if let begin = state.beginMs, let end = state.endMs, end < begin {
            problem(path.appending("end_time"), "is before begin_time (\(APITime.format(end)) < \(APITime.format(begin)))")
        }
        for key in ["error_code", "fail_reason"] {
            guard let raw = value[key] else { continue }
            let text: String?
            if raw == .null { text = nil } else { text = string(raw, at: path.appending(key)) }
            if key == "error_code" { state.errorCode = text } else { state.failReason = text }
            if text != nil, let status, status != .fail, !captured {
                problem(path.appending(key), "only a FAIL job has \(key)")
            }
        }
        if status == .fail, !captured {
            state.errorCode = state.errorCode ?? Outcome.defaultErrorCode
            state.failReason = state.failReason ?? Outcome.defaultFailReason
        }
        return status == nil ? nil : .frozen(state)
    }

    /// A response captured from the real API, served as it is.
    mutating func captured(_ value: JSONValue, at path: JSONPath, parent: JobType?) -> JobSpec? {
        guard case .object(let members) = value else {
            problem(path, "a captured job must be an object, got \(value.kindName)")
            return nil
        }
        let before = problemCount
        checkKeys(members, allowed: Self.capturedKeys, at: path)
        if value["job_id"] == nil { problem(path.appending("job_id"), "missing (a captured response has its job_id)") }
        let type = jobType(value["job_type"], at: path.appending("job_type"), parent: parent)
        let id = jobID(value["job_id"], of: path, project: nil)
        var entities = Entities()
        var subJobs: [JobSpec] = []
        if let raw = value["entities"] {
            let entitiesPath = path.appending("entities")
            if case .object(let members) = raw, let subs = raw["sub_jobs"] {
                if parent != nil || !(type?.isBatch ?? true) {
                    problem(entitiesPath.appending("sub_jobs"), "only a batch job's entities hold sub_jobs")
                } else if case .array(let elements) = subs, elements.count > Self.maxSubJobs {
                    problem(entitiesPath.appending("sub_jobs"), tooManySubJobs(elements.count))
                } else if case .array(let elements) = subs {
                    subJobs = elements.enumerated().compactMap { offset, element in
                        captured(element, at: entitiesPath.appending("sub_jobs").appending(offset), parent: type ?? .batchCreateVolume)
                    }
                } else {
                    problem(entitiesPath.appending("sub_jobs"), "must be an array, got \(subs.kindName)")
                }
                checkKeys(members, allowed: ["sub_jobs"], at: entitiesPath, note: "a batch job's entities hold only sub_jobs")
            } else {
                entities = self.entities(raw, at: entitiesPath)
            }
        }
        let timeline = value["status"].flatMap { frozen(value, status: $0, at: path, captured: true) }
        if value["status"] == nil { problem(path.appending("status"), "missing") }
        guard problemCount == before, let type, let timeline, let id else { return nil }
        return JobSpec(jobID: id, projectID: nil, type: type, entities: entities, timeline: timeline, subJobs: subJobs)
    }

    private mutating func time(_ value: JSONValue, at path: @autoclosure () -> JSONPath, allowEmpty: Bool) -> Int64? {
        if allowEmpty, value == .string("") { return nil }
        guard case .string(let text) = value, let ms = APITime.parse(text) else {
            problem(path(), "must be a UTC time like \"2016-03-08T07:40:13.219Z\"\(allowEmpty ? " or \"\"" : ""), got \(describe(value))")
            return nil
        }
        return ms
    }
}
