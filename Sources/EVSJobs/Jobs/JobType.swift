/// The API's `job_type` values, `retypeVolume` included (Huawei's SDKs list it).
public enum JobType: String, Sendable, CaseIterable {
    case createVolume, batchCreateVolume, deleteVolume, extendVolume, bulkDeleteVolume, deleteSingleVolume, retypeVolume

    /// Batch jobs carry sub-jobs and derive their state from them.
    public var isBatch: Bool { self == .batchCreateVolume || self == .bulkDeleteVolume }

    /// The type a sub-job of this batch has when its fixture does not say.
    public var defaultSubJobType: JobType { self == .bulkDeleteVolume ? .deleteSingleVolume : .createVolume }
}
