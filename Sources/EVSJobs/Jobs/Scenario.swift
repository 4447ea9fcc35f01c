/// A timed scenario: INIT for `initMs`, RUNNING for `runningMs`, then the outcome.
public struct Scenario: Sendable, Equatable {
    public var initMs: Int64
    public var runningMs: Int64
    public var outcome: Outcome

    public init(initMs: Int64 = 0, runningMs: Int64 = 1000, outcome: Outcome = .success) {
        self.initMs = initMs
        self.runningMs = runningMs
        self.outcome = outcome
    }
}
