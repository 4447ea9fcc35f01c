/// The four states of the API's `status` field.
public enum JobStatus: String, Sendable, CaseIterable {
    case initializing = "INIT"
    case running = "RUNNING"
    case success = "SUCCESS"
    case fail = "FAIL"

    public var isFinished: Bool { self == .success || self == .fail }
}

/// The API's `job_type` values, `retypeVolume` included (Huawei's SDKs list it).
public enum JobType: String, Sendable, CaseIterable {
    case createVolume, batchCreateVolume, deleteVolume, extendVolume, bulkDeleteVolume, deleteSingleVolume, retypeVolume

    /// Batch jobs carry sub-jobs and derive their state from them.
    public var isBatch: Bool { self == .batchCreateVolume || self == .bulkDeleteVolume }

    /// The type a sub-job of this batch has when its fixture does not say.
    public var defaultSubJobType: JobType { self == .bulkDeleteVolume ? .deleteSingleVolume : .createVolume }
}

/// The `entities` fields of a non-batch job; absent ones are not rendered.
public struct Entities: Sendable, Equatable {
    public var name: String?
    public var size: Int64?
    public var volumeID: String?
    public var volumeType: String?

    public init(name: String? = nil, size: Int64? = nil, volumeID: String? = nil, volumeType: String? = nil) {
        self.name = name
        self.size = size
        self.volumeID = volumeID
        self.volumeType = volumeType
    }
}

/// How a timed job ends.
public enum Outcome: Sendable, Equatable {
    case success
    /// Boxed: most jobs succeed, and a million stored jobs should not each carry two Strings.
    indirect case fail(errorCode: String, failReason: String)

    /// What a FAIL reports when its fixture or admin request names no error of its own.
    public static let defaultErrorCode = "EVS.2024"
    public static let defaultFailReason = "volume is error!"
    public static let defaultFailure = Outcome.failure(errorCode: nil, failReason: nil)

    /// A FAIL, with the defaults for what is not given.
    public static func failure(errorCode: String?, failReason: String?) -> Outcome {
        .fail(errorCode: errorCode ?? defaultErrorCode, failReason: failReason ?? defaultFailReason)
    }
}

/// A timed scenario: INIT for `initMs`, RUNNING for `runningMs`, then the outcome.
public struct Scenario: Sendable, Equatable {
    public var initMs: Int64
    public var runningMs: Int64
    public var outcome: Outcome

    public init(initMs: Int64 = 0, runningMs: Int64 = 1000, outcome: Outcome = .success) {
        self.initMs = initMs
        self.runningMs = runningMs
        self.outcome = outcome
    }
}

/// A scenario counted in reads instead of time: INIT for the first `initPolls` reads, RUNNING
/// for the next `runningPolls`, then the outcome.
public struct PollScenario: Sendable, Equatable {
    public var initPolls: Int
    public var runningPolls: Int
    public var outcome: Outcome

    public init(initPolls: Int = 0, runningPolls: Int = 1, outcome: Outcome = .success) {
        self.initPolls = initPolls
        self.runningPolls = runningPolls
        self.outcome = outcome
    }
}

/// How far a poll-counted job has come: reads so far, and when the last counted one finished it.
public struct PollProgress: Sendable, Equatable {
    public var reads = 0
    public var finishedAt: Int64?

    public init(reads: Int = 0, finishedAt: Int64? = nil) {
        self.reads = reads
        self.finishedAt = finishedAt
    }
}

/// A state fixed by a fixture; absent times are filled from the moment the job was stored.
public struct FrozenState: Sendable, Equatable {
    public var status: JobStatus
    public var beginMs: Int64?
    /// nil renders `""`; for a finished job with no `end_time` given, the store time is used.
    public var endMs: Int64?
    public var endGiven: Bool
    public var errorCode: String?
    public var failReason: String?

    public init(status: JobStatus, beginMs: Int64? = nil, endMs: Int64? = nil, endGiven: Bool = false, errorCode: String? = nil, failReason: String? = nil) {
        self.status = status
        self.beginMs = beginMs
        self.endMs = endMs
        self.endGiven = endGiven
        self.errorCode = errorCode
        self.failReason = failReason
    }
}

/// Where a job's state comes from.
public enum Timeline: Sendable, Equatable {
    case scenario(Scenario)
    /// Boxed: frozen states are rare and larger than a scenario.
    indirect case frozen(FrozenState)
    /// A batch parent: its state follows its sub-jobs.
    case derived
    /// Counted in reads; boxed, like frozen states, to keep timed jobs small.
    indirect case polls(PollScenario, PollProgress)
}

/// A job as a fixture or an admin request describes it, before it is stored.
public struct JobSpec: Sendable, Equatable {
    public var jobID: JobID
    /// nil: visible under every project id.
    public var projectID: String?
    public var type: JobType
    public var entities: Entities
    public var timeline: Timeline
    public var subJobs: [JobSpec]

    public var id: String {
        get { jobID.description }
        set { jobID = JobID(newValue) }
    }

    public init(id: String, projectID: String? = nil, type: JobType, entities: Entities = Entities(), timeline: Timeline = .scenario(Scenario()), subJobs: [JobSpec] = []) {
        self.init(jobID: JobID(id), projectID: projectID, type: type, entities: entities, timeline: timeline, subJobs: subJobs)
    }

    public init(jobID: JobID, projectID: String? = nil, type: JobType, entities: Entities = Entities(), timeline: Timeline = .scenario(Scenario()), subJobs: [JobSpec] = []) {
        self.jobID = jobID
        self.projectID = projectID
        self.type = type
        self.entities = entities
        self.timeline = timeline
        self.subJobs = subJobs
    }
}

/// What the API shows of a job at one moment.
public struct JobState: Sendable, Equatable {
    public var status: JobStatus
    public var beginMs: Int64
    public var endMs: Int64?
    public var errorCode: String?
    public var failReason: String?
}

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

// MARK: - Changes: reads of poll-counted jobs, and the admin API's advance and finish

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
