// Changes to a stored job: reads of poll-counted jobs, and the admin API's advance and finish.

extension Job {
    /// Whether reading this job (or one of its sub-jobs) moves it on.
    public var countsReads: Bool {
        if case .polls = spec.timeline { return true }
        return spec.subJobs.contains { if case .polls = $0.timeline { true } else { false } }
    }

    /// Counts one read at `now`: the reader sees the state before the count.
    public mutating func countRead(at now: Int64) {
        spec.countRead(at: now)
        for index in spec.subJobs.indices { spec.subJobs[index].countRead(at: now) }
    }

    /// Moves the job to its next state now: INIT to RUNNING, RUNNING to its outcome. A batch
    /// parent moves every sub-job that is in its own state. False when it is already finished.
    public mutating func advance(at now: Int64) -> Bool {
        let status = state(at: now).status
        guard !status.isFinished else { return false }
        switch spec.timeline {
        case .scenario(var scenario):
            if status == .initializing {
                scenario.initMs = now - t0
            } else {
                scenario.runningMs = max(0, now - t0 - scenario.initMs)
            }
            spec.timeline = .scenario(scenario)
        case .polls(let scenario, var progress):
            if status == .initializing {
                progress.reads = scenario.initPolls
                if scenario.runningPolls == 0 { progress.finishedAt = now }
            } else {
                progress.reads = scenario.initPolls + scenario.runningPolls
                progress.finishedAt = now
            }
            spec.timeline = .polls(scenario, progress)
        case .frozen(var frozen):
            frozen.status = status == .initializing ? .running : .success
            if frozen.status == .success {
                frozen.endMs = now
                frozen.endGiven = true
            }
            frozen.beginMs = frozen.beginMs ?? t0
            spec.timeline = .frozen(frozen)
        case .derived:
            // INIT: every sub-job starts running. RUNNING: every sub-job ends, by its own outcome.
            for index in spec.subJobs.indices {
                var sub = Job(spec: spec.subJobs[index], t0: t0)
                while sub.state(at: now).status == .initializing || (status == .running && !sub.state(at: now).status.isFinished) {
                    guard sub.advance(at: now) else { break }
                    if status == .initializing { break }
                }
                spec.subJobs[index] = sub.spec
            }
        }
        return true
    }

    /// Ends the job now with `outcome`; a batch parent ends every unfinished sub-job so.
    /// False when it is already finished, as `advance`.
    @discardableResult
    public mutating func finish(_ outcome: Outcome, at now: Int64) -> Bool {
        let current = state(at: now)
        guard !current.status.isFinished else { return false }
        if case .derived = spec.timeline {
            for index in spec.subJobs.indices {
                var sub = Job(spec: spec.subJobs[index], t0: t0)
                sub.finish(outcome, at: now)
                spec.subJobs[index] = sub.spec
            }
            return true
        }
        let begin = current.beginMs
        switch outcome {
        case .success:
            spec.timeline = .frozen(FrozenState(status: .success, beginMs: begin, endMs: now, endGiven: true))
        case .fail(let code, let reason):
            spec.timeline = .frozen(FrozenState(status: .fail, beginMs: begin, endMs: now, endGiven: true, errorCode: code, failReason: reason))
        }
        return true
    }
}

extension JobSpec {
    fileprivate mutating func countRead(at now: Int64) {
        guard case .polls(let scenario, var progress) = timeline else { return }
        let threshold = scenario.initPolls + scenario.runningPolls
        guard progress.reads < threshold else { return }
        progress.reads += 1
        if progress.reads == threshold { progress.finishedAt = now }
        timeline = .polls(scenario, progress)
    }
}
