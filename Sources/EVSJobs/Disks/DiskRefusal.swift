/// Why a disk operation was refused; nothing changed. The API layer gives each its EVS code.
public enum DiskRefusal: Error, Equatable, Sendable {
    case noSuchVolume(id: String)
    /// The disk's status does not allow the operation.
    case extendInStatus(String)
    case extendSharedInUse
    case deleteInStatus(String)
    case retypeInStatus(String)
    /// An expansion to a size not above the current one.
    case notLarger(current: Int64, requested: Int64)
    /// An expansion past the largest size of its kind of disk.
    case tooLarge(maximum: Int64)
    case sameType(String)
    /// `Disks.maxVolumes` disks exist already.
    case volumeQuota
    /// `Disks.maxJobs` jobs are stored already.
    case jobsFull
    /// A list's marker names no disk of the project.
    case badMarker(String)
}
