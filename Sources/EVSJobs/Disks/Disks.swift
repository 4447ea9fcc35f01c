import Synchronization

/// The disk APIs on plain values: each operation checks the disk's state, starts its job (its
/// timeline and outcome from the first matching plan, else the default timing and success) and
/// marks the disk, all under one lock; reads settle disks whose jobs have ended.
public final class Disks: Sendable {
    public let plans: Plans
    let jobs: JobStore
    let engine: ScenarioEngine
    let clock: any JobClock
    /// INIT and RUNNING of a job no plan matches.
    public let defaultTiming: Scenario
    private let store = Mutex(VolumeStore())

    /// Disks that may exist at once (fixture disks count), and jobs (sub-jobs count) the store may hold before
    /// the disk APIs refuse to start more: with `Volume.maxMetadataBytes` and the 255-byte texts,
    /// what a peer can make the mock hold (about 1 GB at worst, see the README's Limits).
    public static let maxVolumes = 200_000
    public static let maxJobs = 1_000_000

    public init(jobs: JobStore, engine: ScenarioEngine, clock: any JobClock, plans: Plans = Plans(), defaultTiming: Scenario = Scenario(initMs: 1000, runningMs: 2000)) {
        self.jobs = jobs
        self.engine = engine
        self.clock = clock
        self.plans = plans
        self.defaultTiming = defaultTiming
    }

    /// What a create asks for, checked by the caller against the API's rules.
    public struct CreateRequest: Sendable, Equatable {
        public var name: String
        public var description: String?
        public var size: Int64
        public var volumeType: String
        public var availabilityZone: String
        public var count: Int
        public var bootable: Bool
        public var multiattach: Bool
        public var metadata: [JSONMember]
        public var tags: [JSONMember]

        public init(name: String = "", description: String? = nil, size: Int64, volumeType: String, availabilityZone: String,
                    count: Int = 1, bootable: Bool = false, multiattach: Bool = false, metadata: [JSONMember] = [], tags: [JSONMember] = []) {
            self.name = name
            self.description = description
            self.size = size
            self.volumeType = volumeType
            self.availabilityZone = availabilityZone
            self.count = count
            self.bootable = bootable
            self.multiattach = multiattach
            self.metadata = metadata
            self.tags = tags
        }
    }

    /// A started operation: its job, and the disks a create made (in sub-job order).
    public struct Started: Sendable, Equatable {
        public let jobID: String
        public let volumeIDs: [String]
    }

    // MARK: Operations

    /// One `createVolume` job, or for `count` > 1 a `batchCreateVolume` whose sub-jobs create
    /// one disk each, named `name-0001`, `name-0002`, ...
    public func create(project: String, _ request: CreateRequest) throws(DiskRefusal) -> Started {
        try store.withLock { store throws(DiskRefusal) in
            guard store.count + request.count <= Self.maxVolumes else { throw .volumeQuota }
            guard jobs.count + request.count + 1 <= Self.maxJobs else { throw .jobsFull }
            let now = clock.now()
            let batch = request.count > 1
            let names = batch ? (1...request.count).map { request.name + "-" + Self.suffix($0) } : [request.name]
            var volumeIDs: [String] = []
            for _ in names {
                var id = generateVolumeID()
                while store.contains(id, project: project) { id = generateVolumeID() }
                volumeIDs.append(id)
            }
            func entities(_ offset: Int) -> Entities {
                Entities(name: names[offset], size: request.size, volumeID: volumeIDs[offset], volumeType: request.volumeType)
            }
            let spec: JobSpec
            if batch {
                let batchPlan = plans.take(project: project, type: .batchCreateVolume, name: request.name, volumeID: nil)
                let subJobs = names.indices.map { offset in
                    let timeline: Timeline
                    if let batchPlan {
                        let fails = batchPlan.failSubJobs.isEmpty || batchPlan.failSubJobs.contains(offset)
                        timeline = batchPlan.timeline(fails ? batchPlan.outcome : .success, defaultTiming: defaultTiming)
                    } else {
                        timeline = self.timeline(project: project, type: .createVolume, name: names[offset], volumeID: volumeIDs[offset])
                    }
                    return JobSpec(id: generateJobID(), projectID: project, type: .createVolume, entities: entities(offset), timeline: timeline)
                }
                spec = JobSpec(id: generateJobID(), projectID: project, type: .batchCreateVolume, timeline: .derived, subJobs: subJobs)
            } else {
                spec = JobSpec(id: generateJobID(), projectID: project, type: .createVolume, entities: entities(0),
                               timeline: timeline(project: project, type: .createVolume, name: request.name, volumeID: volumeIDs[0]))
            }
            let ref = try start(spec, now: now)
            for (offset, id) in volumeIDs.enumerated() {
                var volume = Volume(id: id, projectID: project, name: names[offset], description: request.description, size: request.size,
                                    volumeType: request.volumeType, availabilityZone: request.availabilityZone, status: "creating",
                                    bootable: request.bootable, multiattach: request.multiattach, metadata: request.metadata,
                                    tags: request.tags, createdAt: now)
                volume.pending = PendingOperation(job: batch ? ref.subJob(offset) : ref, change: .create, before: "creating")
                store.add(volume)
            }
            return Started(jobID: spec.id, volumeIDs: volumeIDs)
        }
    }

    /// An `extendVolume` job to `newSize` GB, on an `available` disk or an `in-use` one that is
    /// not shared.
    public func extend(project: String, volumeID: String, newSize: Int64) throws(DiskRefusal) -> String {
        try operate(project: project, volumeID: volumeID, type: .extendVolume) { volume throws(DiskRefusal) in
            switch volume.status {
            case "available": break
            case "in-use": if volume.multiattach { throw .extendSharedInUse }
            default: throw .extendInStatus(volume.status)
            }
            guard newSize > volume.size else { throw .notLarger(current: volume.size, requested: newSize) }
            let maximum = volume.bootable ? Volume.imageSizes.upperBound : Volume.dataSizes.upperBound
            guard newSize <= maximum else { throw .tooLarge(maximum: maximum) }
            return (.extend(to: newSize), Entities(name: volume.name, size: newSize, volumeID: volume.id))
        }
    }

    /// A `retypeVolume` job to `newType`, on an `available` or `in-use` disk.
    public func retype(project: String, volumeID: String, newType: String) throws(DiskRefusal) -> String {
        try operate(project: project, volumeID: volumeID, type: .retypeVolume) { volume throws(DiskRefusal) in
            guard volume.status == "available" || volume.status == "in-use" else { throw .retypeInStatus(volume.status) }
            guard newType != volume.volumeType else { throw .sameType(newType) }
            return (.retype(to: newType), Entities(name: volume.name, volumeID: volume.id, volumeType: newType))
        }
    }

    /// A `deleteVolume` job, on a disk in one of the statuses the service deletes from.
    public func delete(project: String, volumeID: String) throws(DiskRefusal) -> String {
        try operate(project: project, volumeID: volumeID, type: .deleteVolume) { volume throws(DiskRefusal) in
            guard Self.deletable.contains(volume.status) else { throw .deleteInStatus(volume.status) }
            return (.delete, Entities(name: volume.name, volumeID: volume.id))
        }
    }

    /// Renames a disk or changes its description, in any status; no job.
    public func update(project: String, volumeID: String, name: String?, description: String?) throws(DiskRefusal) -> Volume {
        try store.withLock { store throws(DiskRefusal) in
            let now = clock.now()
            guard var volume = store.volume(volumeID, project: project, jobs: jobs, now: now) else { throw .noSuchVolume(id: volumeID) }
            if let name { volume.name = name }
            if let description { volume.description = description }
            volume.updatedAt = max(volume.updatedAt, now)
            store.put(volume)
            return volume
        }
    }

    /// The statuses error code EVS.1046 names.
    public static let deletable: Set<String> = ["available", "error", "error_extending", "error_restoring", "error_rollbacking"]

    // MARK: Reads

    /// A disk as it is now.
    public func volume(project: String, id: String) -> Volume? {
        store.withLock { store in
            let now = clock.now()
            return store.volume(id, project: project, jobs: jobs, now: now)
        }
    }

    public struct Filter: Sendable, Equatable {
        public var name: String?
        public var status: String?
        public var availabilityZone: String?

        public init(name: String? = nil, status: String? = nil, availabilityZone: String? = nil) {
            self.name = name
            self.status = status
            self.availabilityZone = availabilityZone
        }

        func admits(_ volume: Volume) -> Bool {
            (name == nil || name == volume.name) && (status == nil || status == volume.status)
                && (availabilityZone == nil || availabilityZone == volume.availabilityZone)
        }
    }

    public struct Page: Sendable, Equatable {
        /// Disks the filter admits, whatever the page.
        public let count: Int
        public let volumes: [Volume]
        /// Whether disks follow the page.
        public let more: Bool
    }

    /// The disks a filter admits, newest first: skip `offset`, or start after the disk
    /// `marker` names; at most `limit`.
    public func list(project: String, filter: Filter, limit: Int, offset: Int, marker: String?) throws(DiskRefusal) -> Page {
        try store.withLock { store throws(DiskRefusal) in
            let now = clock.now()
            var count = 0, skipped = 0, more = false
            var seenMarker = marker == nil
            let markerKey = marker.map(VolumeID.init)  // compared packed: no id is formatted per disk
            var page: [Volume] = []
            store.all(project: project, jobs: jobs, now: now) { volume in
                if !seenMarker, volume.key == markerKey {
                    seenMarker = true
                    if filter.admits(volume) { count += 1 }
                    return
                }
                guard filter.admits(volume) else { return }
                count += 1
                guard seenMarker else { return }
                if skipped < offset {
                    skipped += 1
                } else if page.count < limit {
                    page.append(volume)
                } else {
                    more = true
                }
            }
            if let marker, !seenMarker { throw .badMarker(marker) }
            return Page(count: count, volumes: page, more: more)
        }
    }

    public var count: Int { store.withLock { $0.count } }

    /// Puts back `volumes` (a fixture set's) in place of all disks, or of one project's; a
    /// disk without `created_at` is created now.
    public func replace(project: String?, with volumes: [Volume]) {
        store.withLock { $0.replace(project: project, with: volumes, now: clock.now()) }
    }

    // MARK: Jobs

    /// Checks the disk with `check`, which returns the change and the job's entities; starts
    /// the job and marks the disk.
    private func operate(project: String, volumeID: String, type: JobType,
                         _ check: (Volume) throws(DiskRefusal) -> (PendingOperation.Change, Entities)) throws(DiskRefusal) -> String {
        try store.withLock { store throws(DiskRefusal) in
            let now = clock.now()
            guard var volume = store.volume(volumeID, project: project, jobs: jobs, now: now) else { throw .noSuchVolume(id: volumeID) }
            let (change, entities) = try check(volume)
            guard jobs.count < Self.maxJobs else { throw .jobsFull }
            let spec = JobSpec(id: generateJobID(), projectID: project, type: type, entities: entities,
                               timeline: timeline(project: project, type: type, name: volume.name, volumeID: volume.id))
            let ref = try start(spec, now: now)
            volume.pending = PendingOperation(job: ref, change: change, before: volume.status)
            volume.status = volume.pending?.status ?? volume.status
            volume.updatedAt = max(volume.updatedAt, now)
            store.put(volume)
            return spec.id
        }
    }

    private func timeline(project: String, type: JobType, name: String, volumeID: String?) -> Timeline {
        guard let plan = plans.take(project: project, type: type, name: name, volumeID: volumeID) else {
            return .scenario(defaultTiming)
        }
        return plan.timeline(plan.outcome, defaultTiming: defaultTiming)
    }

    /// Stores the job and queues its transitions; a job id already taken (one in 2^128) is drawn again.
    private func start(_ spec: JobSpec, now: Int64) throws(DiskRefusal) -> JobRef {
        var spec = spec
        for _ in 0..<3 {
            if case .success(let refs) = engine.add([spec], t0: now), let ref = refs.first { return ref }
            spec.id = generateJobID()
        }
        throw .jobsFull
    }

    static func suffix(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
