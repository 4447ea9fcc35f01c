/// Where a job's state comes from.
public enum Timeline: Sendable, Equatable {
    case scenario(Scenario)
    /// Boxed: frozen states are rare and larger than a scenario.
    indirect case frozen(FrozenState)
    /// A batch parent: its state follows its sub-jobs.
    case derived
    /// Counted in reads; boxed, like frozen states, to keep timed jobs small.
    indirect case polls(PollScenario, PollProgress)
}
