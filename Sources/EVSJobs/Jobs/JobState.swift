/// What the API shows of a job at one moment.
public struct JobState: Sendable, Equatable {
    public var status: JobStatus
    public var beginMs: Int64
    public var endMs: Int64?
    public var errorCode: String?
    public var failReason: String?
}
