/// The codes the real service and its API gateway answer with, as the mock uses them
/// (`reference/evs_04_0038-error-codes.rst` and API-NOTES.md).
enum ServiceCode {
    /// No job, or a job id that is empty: `query job fail.` / `No jobs found.`
    static let jobQueryFailed = "Common.0011"
    /// A token bound to another project.
    static let tokenOfAnotherProject = "Common.0018"
    /// An internal error of the service (a 5xx fault's default body).
    static let internalError = "EVS.2002"
    /// The gateway: no such API.
    static let noSuchAPI = "APIGW.0101"
    /// The gateway: authentication failed.
    static let authenticationFailed = "APIGW.0301"
    /// The gateway: throttled.
    static let throttled = "APIGW.0308"
}
