/// A job found in the store: a top-level job, or a sub-job fetched by its own id.
public struct JobRef: Sendable, Hashable {
    /// Position of the top-level job in the store.
    public let index: Int32
    /// Position in the parent's `sub_jobs`, or -1 for the top-level job itself.
    public let sub: Int32
    /// Which job held the slot: slots of removed jobs are reused, and a reference to the job
    /// that left must not reach the one that came after it.
    public let generation: UInt32

    public init(index: Int32, sub: Int32 = -1, generation: UInt32 = 0) {
        self.index = index
        self.sub = sub
        self.generation = generation
    }

    public var parent: JobRef { JobRef(index: index, generation: generation) }

    /// The sub-job at `offset` of this top-level job.
    public func subJob(_ offset: Int) -> JobRef { JobRef(index: index, sub: Int32(offset), generation: generation) }
}
