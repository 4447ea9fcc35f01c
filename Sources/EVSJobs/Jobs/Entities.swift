/// The `entities` fields of a non-batch job; absent ones are not rendered.
public struct Entities: Sendable, Equatable {
    public var name: String?
    public var size: Int64?
    /// Kept packed (see `VolumeID`).
    public var volumeID: String? {
        get { packedVolumeID?.description }
        set { packedVolumeID = newValue.map(VolumeID.init) }
    }
    public private(set) var packedVolumeID: VolumeID?
    public var volumeType: String?

    public init(name: String? = nil, size: Int64? = nil, volumeID: String? = nil, volumeType: String? = nil) {
        self.name = name
        self.size = size
        self.volumeID = volumeID
        self.volumeType = volumeType
    }
}
