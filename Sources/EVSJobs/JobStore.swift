import Synchronization

/// A job found in the store: a top-level job, or a sub-job fetched by its own id.
public struct JobRef: Sendable, Hashable {
    /// Position of the top-level job in the store.
    public let index: Int32
    /// Position in the parent's `sub_jobs`, or -1 for the top-level job itself.
    public let sub: Int32
}

/// The jobs being served. Reads take the lock only to find a job; its state is computed
/// outside the lock from the job's timeline and the clock.
public final class JobStore: Sendable {
    private struct Key: Hashable {
        let project: String?
        let id: JobID
    }

    private struct Storage {
        var jobs: [Job] = []
        var index: [Key: JobRef] = [:]
    }

    private let storage = Mutex(Storage())

    public init() {}

    /// Stores `specs` with `t0`. Ids must already be unique in their scope (the fixture
    /// loader checks); a repeated id replaces the earlier entry.
    public func insert(_ specs: [JobSpec], t0: Int64) -> [JobRef] {
        storage.withLock { storage in
            storage.jobs.reserveCapacity(storage.jobs.count + specs.count)
            storage.index.reserveCapacity(storage.index.count + specs.count + specs.reduce(0) { $0 + $1.subJobs.count })
            return specs.map { spec in
                let ref = JobRef(index: Int32(storage.jobs.count), sub: -1)
                storage.jobs.append(Job(spec: spec, t0: t0))
                storage.index[Key(project: spec.projectID, id: spec.jobID)] = ref
                for (offset, sub) in spec.subJobs.enumerated() {
                    storage.index[Key(project: spec.projectID, id: sub.jobID)] = JobRef(index: ref.index, sub: Int32(offset))
                }
                return ref
            }
        }
    }

    /// The job `id` as seen from `project`: one stored for that project, else one visible to all.
    public func find(id: String, project: String) -> Job? {
        let id = JobID(id)
        return storage.withLock { storage in
            guard let ref = storage.index[Key(project: project, id: id)] ?? storage.index[Key(project: nil, id: id)] else {
                return nil
            }
            return Self.job(ref, in: storage)
        }
    }

    public func job(_ ref: JobRef) -> Job? {
        storage.withLock { Self.job(ref, in: $0) }
    }

    public var count: Int {
        storage.withLock { $0.index.count }
    }

    private static func job(_ ref: JobRef, in storage: Storage) -> Job? {
        guard ref.index >= 0, Int(ref.index) < storage.jobs.count else { return nil }
        let parent = storage.jobs[Int(ref.index)]
        guard ref.sub >= 0 else { return parent }
        guard Int(ref.sub) < parent.spec.subJobs.count else { return nil }
        return Job(spec: parent.spec.subJobs[Int(ref.sub)], t0: parent.t0)
    }
}
