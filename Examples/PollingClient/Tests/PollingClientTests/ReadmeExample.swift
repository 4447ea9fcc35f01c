import EVSJobsMockTesting
import Foundation     // URL
import PollingClient  // the client under test: yours goes here
import Testing

@Test func waitsForTheDisk() async throws {
    let mock = try EVSMock.start()                     // built-in fixtures, manual clock
    try mock.addJobs(#"""
        {"project_id": "example", "jobs": [{"job_id": "disk-1", "job_type": "createVolume",
         "scenario": {"init_ms": 1000, "running_ms": 2000}}]}
        """#)
    let baseURL = try #require(URL(string: mock.baseURL))  // a String: "http://127.0.0.1:<port>"
    let client = JobPoller(baseURL: baseURL, projectID: "example")
    let job = try await client.waitForCompletion(jobID: "disk-1", sleep: { mock.advanceClock(by: 1000) })
    #expect(job.status == .success)
    #expect(mock.requests(projectID: "example", jobID: "disk-1").count == 4)
    await mock.stop()                                      // frees the port (also on release)
}
