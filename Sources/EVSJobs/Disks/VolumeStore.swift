/// The disks of every project, in the order they were added, and how a finished job settles
/// the disk it acts on. A value: `Disks` keeps it under its lock.
public struct VolumeStore: Sendable {
    /// One project's disks (nil: the fixture disks seen under every project id), in the order
    /// added: removed disks leave a hole until compaction. An index into the slots keeps the
    /// hash table small (a table of whole disks, at its load factor, cost 500 B a disk).
    private struct Shelf: Sendable {
        var slots: [Volume?] = []
        var index: [VolumeID: Int] = [:]

        subscript(id: VolumeID) -> Volume? {
            get { index[id].flatMap { slots[$0] } }
            set {
                guard let slot = index[id] else { return }
                slots[slot] = newValue
                if newValue == nil { index[id] = nil }
            }
        }

        mutating func compactIfSparse() {
            guard slots.count > 64, slots.count > 2 * index.count else { return }
            slots.removeAll { $0 == nil }
            index = [:]
            index.reserveCapacity(slots.count)
            for (slot, volume) in slots.enumerated() { if let volume { index[volume.key] = slot } }
        }
    }

    private var shelves: [String?: Shelf] = [:]
    public private(set) var count = 0

    public init() {}

    /// Adds a disk; its id must be new to its project (a repeated id replaces the disk).
    mutating func add(_ volume: Volume) {
        let key = volume.projectID
        if shelves[key]?.index[volume.key] != nil {
            shelves[key]?[volume.key] = volume
            return
        }
        shelves[key, default: Shelf()].index[volume.key] = shelves[key, default: Shelf()].slots.count
        shelves[key, default: Shelf()].slots.append(volume)
        count += 1
    }

    /// Room for `count` more disks of one project, so a fixture set is stored without regrowth.
    mutating func reserve(_ count: Int, project: String?) {
        shelves[project, default: Shelf()].slots.reserveCapacity(count)
        shelves[project, default: Shelf()].index.reserveCapacity(count)
    }

    /// Whether a project sees a disk with this id.
    func contains(_ id: String, project: String) -> Bool {
        let id = VolumeID(id)
        return shelves[project]?[id] != nil || shelves[nil]?[id] != nil
    }

    /// The disk `project` sees under `id`, settled at `now`.
    mutating func volume(_ id: String, project: String, jobs: JobStore, now: Int64) -> Volume? {
        let id = VolumeID(id)
        for key in [project, nil] as [String?] where shelves[key]?[id] != nil {
            return settle(id, in: key, jobs: jobs, now: now)
        }
        return nil
    }

    /// Stores a changed disk in its place.
    mutating func put(_ volume: Volume) {
        shelves[volume.projectID]?[volume.key] = volume
    }

    /// The disks `project` sees, newest first (fixture disks seen everywhere after its own),
    /// each settled at `now`.
    mutating func all(project: String, jobs: JobStore, now: Int64, _ visit: (Volume) -> Void) {
        for key in [project, nil] as [String?] {
            // By index, holding no copy of the slots: settling writes to them, and a copy held
            // here would make the first write copy them all.
            var slot = (shelves[key]?.slots.count ?? 0) - 1
            while slot >= 0 {
                defer { slot -= 1 }
                guard let volume = shelves[key]?.slots[slot] else { continue }
                if volume.pending == nil {
                    visit(volume)
                } else if let settled = settle(volume.key, in: key, jobs: jobs, now: now) {
                    visit(settled)
                }
            }
            shelves[key]?.compactIfSparse()
        }
    }

    /// Replaces every disk, or those of one project, with `volumes` (a fixture set's); a disk
    /// without `created_at` is created `now`.
    mutating func replace(project: String?, with volumes: [Volume], now: Int64) {
        if let project {
            count -= shelves[project]?.index.count ?? 0
            shelves[project] = nil
        } else {
            shelves = [:]
            count = 0
        }
        var sizes: [String?: Int] = [:]
        for volume in volumes where project == nil || volume.projectID == project { sizes[volume.projectID, default: 0] += 1 }
        for (key, size) in sizes { reserve(size, project: key) }
        for var volume in volumes where project == nil || volume.projectID == project {
            if volume.createdAt == FixtureDecoder.createdWhenStored {
                volume.createdAt = now
                volume.updatedAt = now
            }
            add(volume)
        }
    }

    /// The disk with its finished operation applied: a failure leaves the operation's error
    /// status (a failed type change keeps the old type and status), a finished delete removes
    /// the disk (nil). A job that is gone (deleted, reset) counts as a success.
    private mutating func settle(_ id: VolumeID, in key: String?, jobs: JobStore, now: Int64) -> Volume? {
        guard var volume = shelves[key]?[id] else { return nil }
        guard let pending = volume.pending else { return volume }
        let succeeded: Bool
        var end = now
        if let state = jobs.job(pending.job)?.state(at: now) {
            guard state.status.isFinished else { return volume }
            succeeded = state.status == .success
            end = state.endMs ?? now
        } else {
            succeeded = true
        }
        volume.pending = nil
        volume.updatedAt = max(volume.updatedAt, end)
        switch (pending.change, succeeded) {
        case (.create, true): volume.status = "available"
        case (.create, false): volume.status = "error"
        case (.extend(let size), true):
            volume.size = size
            volume.status = pending.before
        case (.extend, false): volume.status = "error_extending"
        case (.retype(let type), true):
            volume.volumeType = type
            volume.status = pending.before
        case (.retype, false): volume.status = pending.before
        case (.delete, true):
            shelves[key]?[id] = nil
            count -= 1
            return nil
        case (.delete, false): volume.status = "error_deleting"
        }
        shelves[key]?[id] = volume
        return volume
    }
}
