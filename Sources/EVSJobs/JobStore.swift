import Synchronization

/// The jobs being served. Reads take the lock only to find a job (and, for poll-counted jobs,
/// to count the read); states are computed outside the lock from timelines and the clock.
/// Removed jobs give their slot back; per-status counts of top-level jobs are kept as jobs
/// change, so reading them costs nothing whatever the store holds.
public final class JobStore: Sendable {
    private struct Key: Hashable {
        let project: String?
        let id: JobID

        /// The id alone: ids seldom repeat across projects, and a poll hashes its key twice
        /// (its project's, then the one visible to all); equality still compares both.
        func hash(into hasher: inout Hasher) {
            hasher.combine(id)
        }
    }

    private struct Slot {
        var job: Job?
        var generation: UInt32
        /// The status this job is counted under in `Storage.counts`.
        var counted: JobStatus
    }

    private struct Storage {
        var slots: [Slot] = []
        /// Slots whose job was removed, to be used again.
        var free: [Int32] = []
        var index: [Key: JobRef] = [:]
        var live = 0
        /// Never reset, so that no reference outlives a reset either.
        var nextGeneration: UInt32 = 0
        /// Top-level jobs by counted status, in `JobStatus.allCases` order.
        var counts = [0, 0, 0, 0]
        /// Counts changes to stored jobs (not reads counted, not inserts), never reset: a
        /// rendered body is kept only while it stays the same.
        var revision: UInt64 = 0
        var rendered = RenderedJobs()
    }

    private let storage = Mutex(Storage())

    public init() {}

    /// Stores `specs` with `t0`. Ids must be unique in their scope (see `conflict`).
    @discardableResult
    public func insert(_ specs: [JobSpec], t0: Int64) -> [JobRef] {
        storage.withLock { Self.add(specs, t0: t0, to: &$0) }
    }

    private static func add(_ specs: [JobSpec], t0: Int64, to storage: inout Storage) -> [JobRef] {
        let reused = min(storage.free.count, specs.count)
        storage.slots.reserveCapacity(storage.slots.count + specs.count - reused)
        storage.index.reserveCapacity(storage.index.count + specs.count + specs.reduce(0) { $0 + $1.subJobs.count })
        storage.live += specs.count
        return specs.map { spec in
            let job = Job(spec: spec, t0: t0)
            let status = job.state(at: t0).status
            storage.counts[status.rank] += 1
            let generation = storage.nextGeneration
            storage.nextGeneration &+= 1
            let slot = Slot(job: job, generation: generation, counted: status)
            let ref: JobRef
            if let free = storage.free.popLast() {
                ref = JobRef(index: free, generation: generation)
                storage.slots[Int(free)] = slot
            } else {
                ref = JobRef(index: Int32(storage.slots.count), generation: generation)
                storage.slots.append(slot)
            }
            storage.index[Key(project: spec.projectID, id: spec.jobID)] = ref
            for offset in spec.subJobs.indices {
                storage.index[Key(project: spec.projectID, id: spec.subJobs[offset].jobID)] = ref.subJob(offset)
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

    /// The job `id` as a poll from `project` sees it, and the moment it is seen: one stored for
    /// that project, else one visible to all. A poll-counted job counts the read. The clock is
    /// read under the lock, so that reads are counted in the order of their moments.
    public func read(id: String, project: String, clock: any JobClock) -> (job: Job, now: Int64)? {
        let id = JobID(id)
        return storage.withLock { storage in
            let now = clock.now()
            guard let ref = Self.ref(id, project: project, in: storage), let job = Self.seen(ref, at: now, in: &storage) else { return nil }
            return (job, now)
        }
    }

    /// The job at `ref` as a read at `now` sees it, the read counted.
    private static func seen(_ ref: JobRef, at now: Int64, in storage: inout Storage) -> Job? {
        guard let seen = job(ref, in: storage) else { return nil }
        if seen.countsReads {
            var counted = seen
            counted.countRead(at: now)
            replace(ref, with: counted, in: &storage)
            recount(ref, at: now, in: &storage)
        }
        return seen
    }

    /// Where the job `id` a poll from `project` sees is: that project's, else one visible to all.
    private static func ref(_ id: JobID, project: String, in storage: Storage) -> JobRef? {
        storage.index[Key(project: project, id: id)] ?? storage.index[Key(project: nil, id: id)]
    }

    /// `read`, rendered (`JobJSON`): the answer to a poll. A job whose answer holds over a span
    /// of time is rendered once for that span and its bytes reused (`RenderedJobs`); one whose
    /// reads are counted has no span, so it is rendered for every read.
    public func readJSON(id: Substring, project: String, clock: any JobClock) -> [UInt8]? {
        let id = JobID(id)
        enum Found {
            case kept([UInt8])
            case job(Job, at: Int64, JobRef, revision: UInt64)
        }
        let found = storage.withLock { storage -> Found? in
            let now = clock.now()
            guard let ref = Self.ref(id, project: project, in: storage) else { return nil }
            if let body = storage.rendered.body(ref, revision: storage.revision, at: now) { return .kept(body) }
            return Self.seen(ref, at: now, in: &storage).map { .job($0, at: now, ref, revision: storage.revision) }
        }
        switch found {
        case nil: return nil
        case .kept(let body)?: return body
        case .job(let job, let now, let ref, let revision)?:
            let body = JobJSON.render(job, at: now)
            if let span = job.steadySpan(at: now) {
                storage.withLock { storage in
                    guard storage.revision == revision else { return }
                    storage.rendered.keep(.init(ref: ref, revision: revision, span: span, body: body))
                }
            }
            return body
        }
    }

    /// Rendered bodies kept now (for tests of the bound).
    public var renderedCount: Int {
        storage.withLock { $0.rendered.count }
    }

    /// `read` without counting: for the admin API and tests.
    public func find(id: String, project: String) -> Job? {
        guard case .found(let ref) = lookup(id: id, project: project) else { return nil }
        return job(ref)
    }

    public enum Lookup: Sendable, Equatable {
        case found(JobRef)
        case notFound
        /// No project was named and the id is taken in several: these, sorted.
        case ambiguous(projects: [String])
    }

    /// Where the job `id` is: in `project` (or visible to all) when given; else the job visible
    /// to all, or the one project-scoped job with that id (several: ambiguous).
    public func lookup(id: String, project: String?) -> Lookup {
        let id = JobID(id)
        return storage.withLock { storage in
            if let project {
                return (storage.index[Key(project: project, id: id)] ?? storage.index[Key(project: nil, id: id)]).map(Lookup.found) ?? .notFound
            }
            if let global = storage.index[Key(project: nil, id: id)] { return .found(global) }
            let matches = storage.index.filter { $0.key.id == id }
            if matches.count > 1 { return .ambiguous(projects: matches.keys.compactMap(\.project).sorted()) }
            return matches.first.map { .found($0.value) } ?? .notFound
        }
    }

    public func job(_ ref: JobRef) -> Job? {
        storage.withLock { Self.job(ref, in: $0) }
    }

    /// Changes a stored job under the lock, at `clock`'s reading taken under that lock too (so
    /// that no change is made at a moment older than one already made); returns what `change`
    /// returns, nil if the job is gone.
    public func update<Result>(_ ref: JobRef, clock: any JobClock, _ change: (inout Job, Int64) -> Result) -> Result? {
        storage.withLock { storage in
            guard var job = Self.job(ref, in: storage) else { return nil }
            let now = clock.now()
            let result = change(&job, now)
            storage.revision &+= 1
            Self.replace(ref, with: job, in: &storage)
            Self.recount(ref, at: now, in: &storage)
            return result
        }
    }

    /// Moves the counts of the top-level job of `ref` to its status at `now`: called when one
    /// of its transitions falls due. Counts only move forward, as states do.
    public func recount(_ ref: JobRef, at now: Int64) {
        storage.withLock { Self.recount(ref, at: now, in: &$0) }
    }

    private static func recount(_ ref: JobRef, at now: Int64, in storage: inout Storage) {
        let slot = Int(ref.index)
        guard slot >= 0, slot < storage.slots.count, storage.slots[slot].generation == ref.generation,
            let job = storage.slots[slot].job
        else { return }
        let before = storage.slots[slot].counted
        let after = job.state(at: now).status
        guard after.phase > before.phase else { return }
        storage.counts[before.rank] -= 1
        storage.counts[after.rank] += 1
        storage.slots[slot].counted = after
    }

    /// Top-level jobs by status, as last counted.
    public var countsByStatus: [JobStatus: Int] {
        storage.withLock { storage in
            Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, storage.counts[$0.rank]) })
        }
    }

    /// Removes a top-level job (a sub-job goes with its parent). False if it was not there.
    @discardableResult
    public func remove(_ ref: JobRef) -> Bool {
        storage.withLock { storage in
            let slot = Int(ref.parent.index)
            guard slot >= 0, slot < storage.slots.count, storage.slots[slot].generation == ref.generation,
                let job = storage.slots[slot].job
            else { return false }
            Self.remove(slot: slot, job: job, from: &storage)
            storage.revision &+= 1
            return true
        }
    }

    private static func remove(slot: Int, job: Job, from storage: inout Storage) {
        storage.slots[slot].job = nil
        storage.counts[storage.slots[slot].counted.rank] -= 1
        storage.free.append(Int32(slot))
        storage.live -= 1
        storage.index[Key(project: job.spec.projectID, id: job.spec.jobID)] = nil
        for sub in job.spec.subJobs { storage.index[Key(project: job.spec.projectID, id: sub.jobID)] = nil }
    }

    /// Whether each reference still names a stored job (not one removed, nor its slot's next).
    public func areLive(_ refs: [JobRef]) -> [Bool] {
        storage.withLock { storage in refs.map { Self.job($0, in: storage) != nil } }
    }

    /// Under one lock, so that no reader sees the gap: removes the top-level jobs `matches`
    /// selects (all of them when nil, starting the storage afresh) and stores `specs`.
    @discardableResult
    public func replace(where matches: ((Job) -> Bool)?, with specs: [JobSpec], t0: Int64) -> [JobRef] {
        storage.withLock { storage in
            storage.revision &+= 1
            if let matches {
                for slot in storage.slots.indices {
                    guard let job = storage.slots[slot].job, matches(job) else { continue }
                    Self.remove(slot: slot, job: job, from: &storage)
                }
            } else {
                storage = Storage(nextGeneration: storage.nextGeneration, revision: storage.revision)
            }
            return Self.add(specs, t0: t0, to: &storage)
        }
    }

    /// Top-level jobs, in the order of their slots; with `project`, only that project's.
    public func all(project: String? = nil) -> [(ref: JobRef, job: Job)] {
        storage.withLock { storage in
            storage.slots.indices.compactMap { slot in
                guard let job = storage.slots[slot].job, project == nil || job.spec.projectID == project else { return nil }
                return (JobRef(index: Int32(slot), generation: storage.slots[slot].generation), job)
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

    /// Slots allocated, live or free: what a store of removed jobs still holds.
    public var slotCount: Int {
        storage.withLock { $0.slots.count }
    }

    private static func job(_ ref: JobRef, in storage: Storage) -> Job? {
        guard ref.index >= 0, Int(ref.index) < storage.slots.count else { return nil }
        let slot = storage.slots[Int(ref.index)]
        guard slot.generation == ref.generation, let parent = slot.job else { return nil }
        guard ref.sub >= 0 else { return parent }
        guard Int(ref.sub) < parent.spec.subJobs.count else { return nil }
        return Job(spec: parent.spec.subJobs[Int(ref.sub)], t0: parent.t0)
    }

    private static func replace(_ ref: JobRef, with job: Job, in storage: inout Storage) {
        let slot = Int(ref.index)
        guard slot >= 0, slot < storage.slots.count, storage.slots[slot].generation == ref.generation else { return }
        if ref.sub < 0 {
            storage.slots[slot].job = job
        } else {
            storage.slots[slot].job?.spec.subJobs[Int(ref.sub)] = job.spec
        }
    }
}
