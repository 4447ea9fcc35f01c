/// The four states of the API's `status` field.
public enum JobStatus: String, Sendable, CaseIterable {
    case initializing = "INIT"
    case running = "RUNNING"
    case success = "SUCCESS"
    case fail = "FAIL"

    public var isFinished: Bool { self == .success || self == .fail }
}
