/// A scenario counted in reads instead of time: INIT for the first `initPolls` reads, RUNNING
/// for the next `runningPolls`, then the outcome.
public struct PollScenario: Sendable, Equatable {
    public var initPolls: Int
    public var runningPolls: Int
    public var outcome: Outcome

    public init(initPolls: Int = 0, runningPolls: Int = 1, outcome: Outcome = .success) {
        self.initPolls = initPolls
        self.runningPolls = runningPolls
        self.outcome = outcome
    }
}

/// How far a poll-counted job has come: reads so far, and when the last counted one finished it.
public struct PollProgress: Sendable, Equatable {
    public var reads = 0
    public var finishedAt: Int64?

    public init(reads: Int = 0, finishedAt: Int64? = nil) {
        self.reads = reads
        self.finishedAt = finishedAt
    }
}
