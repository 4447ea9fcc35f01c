/// A stored job: its description and the moment `t0` it entered the store.
public struct Job: Sendable, Equatable {
    public internal(set) var spec: JobSpec
    public let t0: Int64

    public init(spec: JobSpec, t0: Int64) {
        self.spec = spec
        self.t0 = t0
    }

    public var id: String { spec.id }

    public var subJobs: [Job] { spec.subJobs.map { Job(spec: $0, t0: t0) } }

    /// The state that belongs to `now`; a pure function of the timeline, so a late reader
    /// sees the present state at once and readers never see a job go backwards.
    public func state(at now: Int64) -> JobState {
        switch spec.timeline {
        case .scenario(let scenario):
            let runningAt = t0 + scenario.initMs
            let endAt = runningAt + scenario.runningMs
            if now < runningAt {
                return JobState(status: .initializing, beginMs: t0)
            }
            if now < endAt {
                return JobState(status: .running, beginMs: t0)
            }
            switch scenario.outcome {
            case .success:
                return JobState(status: .success, beginMs: t0, endMs: endAt)
            case .fail(let code, let reason):
                return JobState(status: .fail, beginMs: t0, endMs: endAt, errorCode: code, failReason: reason)
            }
        case .frozen(let frozen):
            let end = frozen.endGiven ? frozen.endMs : (frozen.status.isFinished ? t0 : nil)
            // A job given only an end_time began no later than it ended.
            return JobState(status: frozen.status, beginMs: frozen.beginMs ?? min(t0, end ?? t0), endMs: end, errorCode: frozen.errorCode, failReason: frozen.failReason)
        case .derived:
            return derivedState(at: now)
        case .polls(let scenario, let progress):
            if progress.reads < scenario.initPolls { return JobState(status: .initializing, beginMs: t0) }
            if progress.reads < scenario.initPolls + scenario.runningPolls { return JobState(status: .running, beginMs: t0) }
            let end = progress.finishedAt ?? t0
            switch scenario.outcome {
            case .success: return JobState(status: .success, beginMs: t0, endMs: end)
            case .fail(let code, let reason): return JobState(status: .fail, beginMs: t0, endMs: end, errorCode: code, failReason: reason)
            }
        }
    }

    /// INIT while every sub-job is INIT, RUNNING while any is unfinished, then SUCCESS if all
    /// succeeded, else FAIL with the first failed sub-job's error (array order).
    private func derivedState(at now: Int64) -> JobState {
        let states = subJobs.map { $0.state(at: now) }
        if states.allSatisfy({ $0.status == .initializing }) {
            return JobState(status: .initializing, beginMs: t0)
        }
        if states.contains(where: { !$0.status.isFinished }) {
            return JobState(status: .running, beginMs: t0)
        }
        let end = states.compactMap(\.endMs).max()
        if let failed = states.first(where: { $0.status == .fail }) {
            return JobState(status: .fail, beginMs: t0, endMs: end, errorCode: failed.errorCode, failReason: failed.failReason)
        }
        return JobState(status: .success, beginMs: t0, endMs: end)
    }

    /// The moments around `now` over which this job's answer (its state, and its sub-jobs'
    /// states) stays what it is at `now`: what a rendered answer may be kept for. Nil when it
    /// depends on more than the clock (a job, or a sub-job, whose reads are counted).
    public func steadySpan(at now: Int64) -> Range<Int64>? {
        var span = Int64.min..<Int64.max
        switch spec.timeline {
        case .scenario(let scenario):
            // The same moments as `state(at:)`.
            let runningAt = t0 + scenario.initMs
            let endAt = runningAt + scenario.runningMs
            span = now < runningAt ? Int64.min..<runningAt : now < endAt ? runningAt..<endAt : endAt..<Int64.max
        case .polls:
            return nil
        case .frozen, .derived:
            break  // a derived state changes only when a sub-job's does
        }
        // A frozen batch (or one an admin finished) still shows its sub-jobs moving.
        for sub in spec.subJobs {
            guard let subSpan = Job(spec: sub, t0: t0).steadySpan(at: now) else { return nil }
            span = max(span.lowerBound, subSpan.lowerBound)..<min(span.upperBound, subSpan.upperBound)
        }
        return span
    }

    /// The moments after `t0` at which this job's status may change, for the scenario engine,
    /// in order and each once. A batch parent changes at most twice: it leaves INIT at its
    /// sub-jobs' first transition and finishes at their last, so it is not re-derived (O(n)
    /// each) at every sub-job's transition in between.
    public var transitionTimes: [Int64] {
        switch spec.timeline {
        case .scenario(let scenario):
            let running = t0 + scenario.initMs, end = running + scenario.runningMs
            if running > t0, end > running { return [running, end] }
            return end > t0 ? [end] : []
        case .frozen, .polls:
            return []
        case .derived:
            var first = Int64.max, last = Int64.min
            for sub in spec.subJobs {
                for at in Job(spec: sub, t0: t0).transitionTimes {
                    first = min(first, at)
                    last = max(last, at)
                }
            }
            guard first <= last else { return [] }
            return first == last ? [first] : [first, last]
        }
    }
}
