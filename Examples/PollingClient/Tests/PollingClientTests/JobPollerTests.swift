import EVSJobsMockTesting
import Foundation
import PollingClient
import Testing

/// The client against the mock in the same process: a manual clock that moves one second per
/// `sleep`, so a job's timeline plays out in a few milliseconds and every test sees the same polls.
@Suite struct JobPollerTests {
    static let project = "example-project"

    static func poller(for mock: EVSMock) throws -> JobPoller {
        let url = try #require(URL(string: mock.baseURL))
        return JobPoller(baseURL: url, projectID: project)
    }

    @Test func seesInitRunningSuccessInOrder() async throws {
        let mock = try EVSMock.start()
        try mock.addJobs(#"""
            {"project_id": "example-project", "jobs": [{"job_id": "disk-1", "job_type": "createVolume",
             "entities": {"name": "disk-1", "size": 40}, "scenario": {"init_ms": 1000, "running_ms": 2000}}]}
            """#)
        var seen: [Job.Status] = []
        var sleeps = 0
        let job = try await Self.poller(for: mock).waitForCompletion(jobID: "disk-1", maxPolls: 10,
                                                                     onPoll: { seen.append($0.status) },
                                                                     sleep: { sleeps += 1; mock.advanceClock(by: 1000) })
        // t0: INIT; +1 s: RUNNING (init over); +2 s: RUNNING; +3 s: SUCCESS.
        #expect(seen == [.initializing, .running, .running, .success])
        #expect(sleeps == 3)
        #expect(job.status == .success)
        #expect(job.jobType == "createVolume")
        #expect(job.entities.name == "disk-1" && job.entities.size == 40 && job.entities.subJobs == nil)
        #expect(job.endTime != "" && job.errorCode == nil && job.failReason == nil)
        // The journal saw exactly the polls the client made, all answered 200.
        let polls = mock.requests(projectID: Self.project, jobID: "disk-1")
        #expect(polls.map(\.status) == [200, 200, 200, 200])
        #expect(polls.allSatisfy { $0.method == "GET" && $0.path == "/v1/example-project/jobs/disk-1" })
        await mock.stop()
    }

    @Test func reportsFailWithTheFixturesErrorFields() async throws {
        let mock = try EVSMock.start()
        try mock.addJobs(#"""
            {"project_id": "example-project", "jobs": [{"job_id": "extend-1", "job_type": "extendVolume",
             "entities": {"size": 80, "volume_id": "5c4b1a37-7a1f-4c0e-9f0a-1a2b3c4d5e6f"},
             "scenario": {"running_ms": 2000, "outcome": "FAIL", "error_code": "EVS.2026",
                          "fail_reason": "volume is error_extending!"}}]}
            """#)
        var seen: [Job.Status] = []
        let job = try await Self.poller(for: mock).waitForCompletion(jobID: "extend-1", maxPolls: 10,
                                                                     onPoll: { seen.append($0.status) },
                                                                     sleep: { mock.advanceClock(by: 1000) })
        #expect(seen == [.running, .running, .fail])
        #expect(job.status == .fail)
        #expect(job.errorCode == "EVS.2026")
        #expect(job.failReason == "volume is error_extending!")
        #expect(job.entities.volumeID == "5c4b1a37-7a1f-4c0e-9f0a-1a2b3c4d5e6f")
        #expect(mock.requests(projectID: Self.project, jobID: "extend-1").count == 3)
        await mock.stop()
    }

    @Test func retriesPastA503() async throws {
        let mock = try EVSMock.start()
        try mock.addJobs(#"""
            {"project_id": "example-project", "jobs": [{"job_id": "disk-2", "job_type": "createVolume",
             "scenario": {"running_ms": 2000}}]}
            """#)
        // The first poll of disk-2 gets a 503; later ones are answered normally.
        mock.addFault(.status(503, body: nil), match: Faults.Match(jobID: "disk-2"), times: 1)
        var seen: [Job.Status] = []
        let job = try await Self.poller(for: mock).waitForCompletion(jobID: "disk-2", maxPolls: 10,
                                                                     onPoll: { seen.append($0.status) },
                                                                     sleep: { mock.advanceClock(by: 1000) })
        #expect(job.status == .success)
        #expect(seen == [.running, .success])
        #expect(mock.requests(projectID: Self.project, jobID: "disk-2").map(\.status) == [503, 200, 200])
        await mock.stop()
    }
}
