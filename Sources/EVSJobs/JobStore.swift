import Synchronization

/// A job found in the store: a top-level job, or a sub-job fetched by its own id.
public struct JobRef: Sendable, Hashable {
    /// Position of the top-level job in the store.
    public let index: Int32
    /// Position in the parent's `sub_jobs`, or -1 for the top-level job itself.
    public let sub: Int32

    public init(index: Int32, sub: Int32 = -1) {
        self.index = index
        self.sub = sub
    }

    public var parent: JobRef { JobRef(index: index) }
}

/// The jobs being served. Reads take the lock only to find a job (and, for poll-counted jobs,
/// to count the read); states are computed outside the lock from timelines and the clock.
public final class JobStore: Sendable {
    private struct Key: Hashable {
        let project: String?
        let id: JobID
    }

    private struct Storage {
        /// Removed jobs leave a nil, so that references to the others stay valid.
        var jobs: [Job?] = []
        var index: [Key: JobRef] = [:]
        var live = 0
    }

    private let storage = Mutex(Storage())

    public init() {}

    /// Stores `specs` with `t0`. Ids must be unique in their scope (see `conflict`).
    @discardableResult
    public func insert(_ specs: [JobSpec], t0: Int64) -> [JobRef] {
        storage.withLock { Self.add(specs, t0: t0, to: &$0) }
    }

    private static func add(_ specs: [JobSpec], t0: Int64, to storage: inout Storage) -> [JobRef] {
        storage.jobs.reserveCapacity(storage.jobs.count + specs.count)
        storage.index.reserveCapacity(storage.index.count + specs.count + specs.reduce(0) { $0 + $1.subJobs.count })
        storage.live += specs.count
        return specs.map { spec in
            let ref = JobRef(index: Int32(storage.jobs.count))
            storage.jobs.append(Job(spec: spec, t0: t0))
            storage.index[Key(project: spec.projectID, id: spec.jobID)] = ref
            for (offset, sub) in spec.subJobs.enumerated() {
                storage.index[Key(project: spec.projectID, id: sub.jobID)] = JobRef(index: ref.index, sub: Int32(offset))
            }
            return ref
        }
    }

    /// An id that is taken already in its scope.
    public struct Taken: Error, Equatable {
        public let id: String
    }

    /// Stores `specs` unless one of their ids (or their sub-jobs') is taken already in its
    /// scope: the same project, or any project for a job visible everywhere. Checked and
    /// stored under one lock, so two racing requests for one id cannot both succeed.
    public func insertIfFree(_ specs: [JobSpec], t0: Int64) -> Result<[JobRef], Taken> {
        let outcome: Result<[JobRef], Taken> = storage.withLock { storage in
            // Only a job visible everywhere is checked against every project: the projects are
            // gathered (a walk over the index) for the first such job, not for every insert.
            var projects: Set<String>?
            for spec in specs {
                for id in [spec.jobID] + spec.subJobs.map(\.jobID) {
                    if storage.index[Key(project: nil, id: id)] != nil { return .failure(Taken(id: id.description)) }
                    if let project = spec.projectID {
                        if storage.index[Key(project: project, id: id)] != nil { return .failure(Taken(id: id.description)) }
                        continue
                    }
                    let known = projects ?? Set(storage.index.keys.compactMap(\.project))
                    projects = known
                    if known.contains(where: { storage.index[Key(project: $0, id: id)] != nil }) {
                        return .failure(Taken(id: id.description))
                    }
                }
            }
            return .success(Self.add(specs, t0: t0, to: &storage))
        }
        return outcome
    }

    /// The job `id` as a poll from `project` sees it: one stored for that project, else one
    /// visible to all. A poll-counted job counts the read.
    public func read(id: String, project: String, at now: Int64) -> Job? {
        let id = JobID(id)
        return storage.withLock { storage in
            guard let ref = storage.index[Key(project: project, id: id)] ?? storage.index[Key(project: nil, id: id)],
                let seen = Self.job(ref, in: storage)
            else { return nil }
            if seen.countsReads {
                var counted = seen
                counted.countRead(at: now)
                Self.replace(ref, with: counted, in: &storage)
            }
            return seen
        }
    }

    /// `read` without counting: for the admin API and tests.
    public func find(id: String, project: String) -> Job? {
        lookup(id: id, project: project).flatMap { job($0) }
    }

    /// Where the job `id` is: in `project` (or visible to all) when given, else anywhere,
    /// preferring a job visible to all.
    public func lookup(id: String, project: String?) -> JobRef? {
        let id = JobID(id)
        return storage.withLock { storage in
            if let project { return storage.index[Key(project: project, id: id)] ?? storage.index[Key(project: nil, id: id)] }
            return storage.index[Key(project: nil, id: id)] ?? storage.index.first { $0.key.id == id }?.value
        }
    }

    public func job(_ ref: JobRef) -> Job? {
        storage.withLock { Self.job(ref, in: $0) }
    }

    /// Changes a stored job under the lock; returns what `change` returns, nil if it is gone.
    public func update<Result>(_ ref: JobRef, _ change: (inout Job) -> Result) -> Result? {
        storage.withLock { storage in
            guard var job = Self.job(ref, in: storage) else { return nil }
            let result = change(&job)
            Self.replace(ref, with: job, in: &storage)
            return result
        }
    }

    /// Removes a top-level job (a sub-job goes with its parent). False if it was not there.
    @discardableResult
    public func remove(_ ref: JobRef) -> Bool {
        storage.withLock { storage in
            let slot = Int(ref.parent.index)
            guard slot >= 0, slot < storage.jobs.count, let job = storage.jobs[slot] else { return false }
            Self.remove(slot: slot, job: job, from: &storage)
            return true
        }
    }

    private static func remove(slot: Int, job: Job, from storage: inout Storage) {
        storage.jobs[slot] = nil
        storage.live -= 1
        storage.index[Key(project: job.spec.projectID, id: job.spec.jobID)] = nil
        for sub in job.spec.subJobs { storage.index[Key(project: job.spec.projectID, id: sub.jobID)] = nil }
    }

    /// Under one lock, so that no reader sees the gap: removes the top-level jobs `matches`
    /// selects (all of them when nil, starting the storage afresh) and stores `specs`.
    @discardableResult
    public func replace(where matches: ((Job) -> Bool)?, with specs: [JobSpec], t0: Int64) -> [JobRef] {
        storage.withLock { storage in
            if let matches {
                for slot in storage.jobs.indices {
                    guard let job = storage.jobs[slot], matches(job) else { continue }
                    Self.remove(slot: slot, job: job, from: &storage)
                }
            } else {
                storage = Storage()
            }
            return Self.add(specs, t0: t0, to: &storage)
        }
    }

    /// Top-level jobs, in the order they were stored; with `project`, only that project's.
    public func all(project: String? = nil) -> [(ref: JobRef, job: Job)] {
        storage.withLock { storage in
            storage.jobs.indices.compactMap { slot in
                guard let job = storage.jobs[slot], project == nil || job.spec.projectID == project else { return nil }
                return (JobRef(index: Int32(slot)), job)
            }
        }
    }

    /// Ids served, sub-jobs included.
    public var count: Int {
        storage.withLock { $0.index.count }
    }

    /// Top-level jobs stored.
    public var jobCount: Int {
        storage.withLock { $0.live }
    }

    private static func job(_ ref: JobRef, in storage: Storage) -> Job? {
        guard ref.index >= 0, Int(ref.index) < storage.jobs.count, let parent = storage.jobs[Int(ref.index)] else { return nil }
        guard ref.sub >= 0 else { return parent }
        guard Int(ref.sub) < parent.spec.subJobs.count else { return nil }
        return Job(spec: parent.spec.subJobs[Int(ref.sub)], t0: parent.t0)
    }

    private static func replace(_ ref: JobRef, with job: Job, in storage: inout Storage) {
        guard Int(ref.index) < storage.jobs.count else { return }
        let slot = Int(ref.index)
        if ref.sub < 0 {
            storage.jobs[slot] = job
        } else {
            storage.jobs[slot]?.spec.subJobs[Int(ref.sub)] = job.spec
        }
    }
}
