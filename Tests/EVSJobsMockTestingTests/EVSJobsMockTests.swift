import EVSJobsMockTesting
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The helper library, and the example the README shows: a small client that polls a job until
/// it finishes, tested with a manual clock and no sleeping.
@Suite struct EVSJobsMockTestingTests {
    /// The client under test: polls `GET /v1/{project}/jobs/{id}` and calls `tick` between polls
    /// (a real client would sleep; the test moves the mock clock instead).
    static func pollUntilFinished(baseURL: String, project: String, job: String, tick: () -> Void) async throws -> [String] {
        var seen: [String] = []
        for _ in 0..<20 {
            let status = try await fetchStatus(baseURL + "/v1/\(project)/jobs/\(job)")
            seen.append(status)
            if status == "SUCCESS" || status == "FAIL" { return seen }
            tick()
        }
        return seen
    }

    /// One GET, returning the job's `status`; throws when nothing answers.
    static func fetchStatus(_ url: String) async throws -> String {
        let (body, _) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        return object?["status"] as? String ?? "(no status)"
    }

    @Test func exampleClientPollsUntilSuccessWithoutSleeping() async throws {
        let mock = try EVSMock.start()
        try mock.addJobs(#"{"project_id": "example", "jobs": [{"job_id": "disk-1", "job_type": "createVolume", "scenario": {"init_ms": 1000, "running_ms": 2000}}]}"#)
        let seen = try await Self.pollUntilFinished(baseURL: mock.baseURL, project: "example", job: "disk-1") { mock.advanceClock(by: 1000) }
        #expect(seen == ["INIT", "RUNNING", "RUNNING", "SUCCESS"])
        #expect(mock.requests(projectID: "example", jobID: "disk-1").count == 4)
        await mock.stop()
    }

    @Test func twoInstancesShareNothing() async throws {
        let a = try EVSMock.start()
        let b = try EVSMock.start()
        #expect(a.port != b.port)
        try a.addJobs(#"{"job_id": "only-in-a", "job_type": "deleteVolume"}"#)
        #expect(a.jobJSON("only-in-a") != nil)
        #expect(b.jobJSON("only-in-a") == nil)
        a.advanceClock(by: 5000)
        #expect(try await Self.fetchStatus(a.baseURL + "/v1/p/jobs/only-in-a") == "SUCCESS")
        #expect(b.server.clock.now() < a.server.clock.now())
        a.addFault(.status(503, body: nil), match: Faults.Match(jobID: "x"), times: 1)
        #expect(a.server.faults.rules.count == 1 && b.server.faults.rules.isEmpty)
        await a.stop()
        await b.stop()
    }

    @Test func stopFreesThePort() async throws {
        let mock = try EVSMock.start()
        let url = mock.baseURL
        #expect(try await Self.fetchStatus(url + "/v1/p/jobs/4010a32d535527910153552b492c0002") == "RUNNING")
        await mock.stop()
        await #expect(throws: (any Error).self) { try await Self.fetchStatus(url + "/v1/p/jobs/4010a32d535527910153552b492c0002") }
    }

    @Test func invalidJobsAndTakenIDsAreRefused() throws {
        let mock = try EVSMock.start()
        #expect(throws: EVSMock.FixtureError.self) { try mock.addJobs(#"{"job_type": "nope"}"#) }
        try mock.addJobs(#"{"job_id": "one", "job_type": "createVolume"}"#)
        #expect(throws: EVSMock.IDTaken.self) { try mock.addJobs(#"{"job_id": "one", "job_type": "createVolume"}"#) }
    }
}
