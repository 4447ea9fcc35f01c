extension JobStatus {
    /// Position in `allCases`: where the status is counted.
    var rank: Int {
        switch self {
        case .initializing: 0
        case .running: 1
        case .success: 2
        case .fail: 3
        }
    }

    /// Order in a job's life: INIT, RUNNING, then either end.
    var phase: Int { min(rank, 2) }
}
