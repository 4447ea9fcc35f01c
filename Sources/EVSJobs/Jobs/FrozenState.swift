/// A state fixed by a fixture; absent times are filled from the moment the job was stored.
public struct FrozenState: Sendable, Equatable {
    public var status: JobStatus
    public var beginMs: Int64?
    /// nil renders `""`; for a finished job with no `end_time` given, the store time is used.
    public var endMs: Int64?
    public var endGiven: Bool
    public var errorCode: String?
    public var failReason: String?

    public init(status: JobStatus, beginMs: Int64? = nil, endMs: Int64? = nil, endGiven: Bool = false, errorCode: String? = nil, failReason: String? = nil) {
        self.status = status
        self.beginMs = beginMs
        self.endMs = endMs
        self.endGiven = endGiven
        self.errorCode = errorCode
        self.failReason = failReason
    }
}
