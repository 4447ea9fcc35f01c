/// A disk as the store keeps it. While an operation's job runs, `status` is that operation's
/// (`creating`, `extending`, ...) and `pending` names the job; when the job ends the store
/// settles the disk (see `VolumeStore`).
public struct Volume: Sendable, Equatable {
    public var id: String { key.description }
    /// The id, packed.
    public var key: VolumeID
    /// nil: a fixture disk seen under every project id.
    public var projectID: String?
    public var name: String
    public var description: String?
    public var size: Int64
    /// One of `types`, kept as its position.
    public var volumeType: String {
        get { Self.types[Int(typeIndex)] }
        set { typeIndex = Self.position(of: newValue, in: Self.types) }
    }
    public var availabilityZone: String
    /// One of `statuses`, kept as its position.
    public var status: String {
        get { Self.statuses[Int(statusIndex)] }
        set { statusIndex = Self.position(of: newValue, in: Self.statuses) }
    }
    private var typeIndex: UInt8 = 0
    private var statusIndex: UInt8 = 0
    /// Created from an image: the service calls such disks bootable.
    public var bootable: Bool
    public var multiattach: Bool
    /// String values only, as the service keeps them.
    public var metadata: [JSONMember]
    public var tags: [JSONMember]
    public var createdAt: Int64
    public var updatedAt: Int64
    public var pending: PendingOperation?

    public init(id: String, projectID: String?, name: String, description: String? = nil, size: Int64, volumeType: String,
                availabilityZone: String, status: String = "available", bootable: Bool = false, multiattach: Bool = false,
                metadata: [JSONMember] = [], tags: [JSONMember] = [], createdAt: Int64, updatedAt: Int64? = nil) {
        self.key = VolumeID(id)
        self.projectID = projectID
        self.name = name
        self.description = description
        self.size = size
        self.availabilityZone = availabilityZone
        self.bootable = bootable
        self.multiattach = multiattach
        self.metadata = metadata
        self.tags = tags
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.volumeType = volumeType
        self.status = status
    }

    /// The statuses of the service's disk status page, plus `retyping` (the Cinder status a
    /// type change shows).
    public static let statuses: [String] = [
        "creating", "available", "in-use", "error", "attaching", "detaching", "restoring-backup", "backing-up",
        "error_restoring", "uploading", "downloading", "extending", "error_extending", "deleting", "error_deleting",
        "rollbacking", "error_rollbacking", "awaiting-transfer", "retyping",
    ]

    /// The types the mock accepts: the API pages' five, and the GPSSD2 and ESSD2 the Huawei
    /// Cloud SDKs list.
    public static let types: [String] = ["SATA", "SAS", "SSD", "GPSSD", "ESSD", "GPSSD2", "ESSD2"]

    /// Where `text` is in `list`; callers only set values from the lists (the API checks
    /// types; statuses come from the code), and anything else reads back as the first entry.
    private static func position(of text: String, in list: [String]) -> UInt8 {
        UInt8(list.firstIndex(of: text) ?? 0)
    }

    /// Sizes in GB: a data disk, and a disk created from an image (a system disk).
    public static let dataSizes: ClosedRange<Int64> = 10...32768
    public static let imageSizes: ClosedRange<Int64> = 1...1024
    /// The most bytes a name or description may hold.
    public static let maxTextBytes = 255
    /// The most a disk's metadata may take as JSON: disks are kept, so what each holds is bounded.
    public static let maxMetadataBytes = 2048
    /// Disks one create may ask for.
    public static let counts: ClosedRange<Int64> = 1...100
}

/// An operation whose job has not yet settled the disk. A reference: most disks have none, and
/// a disk should not carry its room inline.
public final class PendingOperation: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case create
        case extend(to: Int64)
        case retype(to: String)
        case delete
    }

    public let job: JobRef
    public let change: Change
    /// The status before the operation, which a finished extend or a failed type change restores.
    public let before: String

    init(job: JobRef, change: Change, before: String) {
        self.job = job
        self.change = change
        self.before = before
    }

    public static func == (a: PendingOperation, b: PendingOperation) -> Bool {
        a.job == b.job && a.change == b.change && a.before == b.before
    }

    /// What the disk shows while the job runs.
    var status: String {
        switch change {
        case .create: "creating"
        case .extend: "extending"
        case .retype: "retyping"
        case .delete: "deleting"
        }
    }
}
