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

    public static let defaultFailure = Outcome.fail(errorCode: "EVS.2024", failReason: "volume is error!")
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
    public let spec: JobSpec
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
            return JobState(status: frozen.status, beginMs: frozen.beginMs ?? t0, endMs: end, errorCode: frozen.errorCode, failReason: frozen.failReason)
        case .derived:
            return derivedState(at: now)
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
    /// in order and each once.
    public var transitionTimes: [Int64] {
        switch spec.timeline {
        case .scenario(let scenario):
            let running = t0 + scenario.initMs, end = running + scenario.runningMs
            if running > t0, end > running { return [running, end] }
            return end > t0 ? [end] : []
        case .frozen:
            return []
        case .derived:
            return Array(Set(subJobs.flatMap(\.transitionTimes))).sorted()
        }
    }
}
