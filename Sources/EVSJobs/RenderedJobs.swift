/// Jobs' rendered JSON, kept while nothing can change it: a poll of a job whose state holds is
/// answered with the bytes the previous poll made. Bounded: a fixed number of entries, each
/// placed by its job's slot (a newer job in the same place replaces an older one), and bodies
/// up to `maxBody` bytes only.
///
/// An entry is used only for the same job (slot, sub-job and generation), at a store revision no
/// change has passed since (the store counts every change, admin, reset and reload alike), and
/// at a moment inside the span over which its job's state holds, so a clock moved either way
/// misses too.
struct RenderedJobs {
    struct Entry {
        let ref: JobRef
        let revision: UInt64
        let span: Range<Int64>
        let body: [UInt8]
    }

    static let capacity = 1024
    static let maxBody = 4096
    /// Empty until the first body is kept.
    private var entries: [Entry?] = []

    private static func place(_ ref: JobRef) -> Int {
        Int(truncatingIfNeeded: UInt32(bitPattern: ref.index) &* 31 &+ UInt32(bitPattern: ref.sub)) & (capacity - 1)
    }

    func body(_ ref: JobRef, revision: UInt64, at now: Int64) -> [UInt8]? {
        guard !entries.isEmpty, let entry = entries[Self.place(ref)], entry.ref == ref, entry.revision == revision,
              entry.span.contains(now) else { return nil }
        return entry.body
    }

    mutating func keep(_ entry: Entry) {
        guard entry.body.count <= Self.maxBody else { return }
        if entries.isEmpty { entries = Array(repeating: nil, count: Self.capacity) }
        entries[Self.place(entry.ref)] = entry
    }

    /// Entries held now (for tests of the bound).
    var count: Int { entries.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}
