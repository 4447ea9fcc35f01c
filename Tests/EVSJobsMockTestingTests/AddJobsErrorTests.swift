import EVSJobsMockTesting
import Testing

/// `addJobs` throws one documented type for every bad document, invalid JSON included.
@Suite struct AddJobsErrorTests {
    @Test func invalidJSONIsAFixtureErrorNamingWhereItBroke() async throws {
        let mock = try EVSMock.start()
        let error = try #require(throws: EVSMock.FixtureError.self) { try mock.addJobs(#"{"jobs": [{"job_id": "a",}]}"#) }
        #expect(error.problems.count == 1)
        #expect(error.problems.first?.file == "addJobs")
        #expect(error.problems.first?.path?.description == "jobs[0]")
        #expect(error.problems.first?.reason.hasPrefix("invalid JSON: line 1 column ") == true)
        await mock.stop()
    }
}
