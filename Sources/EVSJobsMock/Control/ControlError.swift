import EVSJobs

/// Why `MockControl` refused an operation; a refused operation changes nothing. Domain terms
/// only: the admin API gives each case its status and code in one place
/// (`APIError.init(_:)`), the testing library its documented error.
public enum ControlError: Error, Sendable {
    /// A jobs document that is not JSON.
    case notJSON(JSONSyntaxError)
    /// A jobs document with problems (`count` counts them all).
    case invalidJobs(FixtureError)
    /// A valid jobs document that names no job.
    case noJobGiven
    /// A job id already in use in its scope.
    case idTaken(JobStore.Taken)
    /// No job `id` visible in `project` (in any project when nil).
    case noSuchJob(id: String, project: String?)
    /// Job `id` exists in several projects and none was named.
    case ambiguousJob(id: String, projects: [String])
    /// The job was removed while it was being read.
    case jobGone
    case jobFinished
    /// A sub-job goes with its batch.
    case subJob
    /// A value out of its range; `field` is the request member that gave it.
    case invalidValue(field: String, reason: String)
    case tooManyFaults
    case noSuchFault(id: String)
    /// A plan body with problems (the first is reported).
    case invalidPlan(FixtureError)
    case tooManyPlans
    case noSuchPlan(id: String)
    /// Reloaded fixtures with problems; the old set stays in force.
    case fixturesInvalid(FixtureError)
}
