import Foundation
import Testing

@testable import EVSJobs

/// A fixture that must cause exactly one problem, at `path`, whose reason contains `phrase`.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let json: String
    let path: String
    let phrase: String

    init(_ rule: String, _ json: String, path: String, _ phrase: String) {
        self.rule = rule
        self.json = json
        self.path = path
        self.phrase = phrase
    }

    var testDescription: String { rule }
}

/// A valid timed job, for documents that need more than the job under test.
func goodJob(_ id: String) -> String {
    #"{"job_id": "\#(id)", "job_type": "createVolume", "scenario": {"init_ms": 10, "running_ms": 20}}"#
}

let validTime = "2016-03-08T07:40:13.219Z"

@Suite("Fixture validation rules")
struct FixtureRuleTests {
    static let rules: [RuleCase] = [
        // Unknown keys.
        .init("unknown job key", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "colour": "red"}"#),
              path: "jobs[0].colour", "unknown key"),
        .init("unknown entities key", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "entities": {"nmae": "x"}}"#),
              path: "jobs[0].entities.nmae", "unknown key"),
        .init("unknown scenario key", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"init": 5}}"#),
              path: "jobs[0].scenario.init", "unknown key"),
        .init("unknown top-level key", #"{"jobs": [], "version": 2}"#, path: "version", "unknown key"),
        .init("unknown sub-job key", jobsDocument(#"{"job_id": "b", "job_type": "batchCreateVolume", "sub_jobs": [{"job_id": "s", "x": 1}]}"#),
              path: "jobs[0].sub_jobs[0].x", "unknown key"),
        .init("sub_jobs inside entities", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "entities": {"sub_jobs": []}}"#),
              path: "jobs[0].entities.sub_jobs", "sub_jobs go at the job's top level"),
        // Wrong types.
        .init("job_id a number", jobsDocument(#"{"job_id": 42, "job_type": "createVolume"}"#), path: "jobs[0].job_id", "must be a string"),
        .init("size a string", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "entities": {"size": "10"}}"#),
              path: "jobs[0].entities.size", "whole number of GB from 1 to 32768"),
        .init("size a fraction", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "entities": {"size": 1.5}}"#),
              path: "jobs[0].entities.size", "whole number of GB from 1 to 32768"),
        .init("size negative", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "entities": {"size": -1}}"#),
              path: "jobs[0].entities.size", "whole number of GB from 1 to 32768"),
        // Issue 11: the Go SDK decodes size as an int32; real disks are 1 to 32768 GB.
        .init("size zero", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "entities": {"size": 0}}"#),
              path: "jobs[0].entities.size", "whole number of GB from 1 to 32768, got 0"),
        .init("size 32769", jobsDocument(#"{"job_id": "a", "job_type": "extendVolume", "entities": {"size": 32769}}"#),
              path: "jobs[0].entities.size", "got 32769"),
        .init("size 2^53", #"{"status": "SUCCESS", "job_id": "a", "job_type": "createVolume", "entities": {"size": 9007199254740992}}"#,
              path: "entities.size", "whole number of GB from 1 to 32768"),
        .init("name a number", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "entities": {"name": 7}}"#),
              path: "jobs[0].entities.name", "must be a string"),
        .init("init_ms a string", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"init_ms": "5"}}"#),
              path: "jobs[0].scenario.init_ms", "whole number of milliseconds"),
        .init("init_ms a fraction", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"init_ms": 0.5}}"#),
              path: "jobs[0].scenario.init_ms", "whole number of milliseconds"),
        .init("negative running_ms", jobsDocument(goodJob("a"), goodJob("b"), goodJob("c"),
                                                  #"{"job_id": "d", "job_type": "createVolume", "scenario": {"running_ms": -1}}"#),
              path: "jobs[3].scenario.running_ms", "whole number of milliseconds"),
        .init("huge running_ms", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"running_ms": 10000000000001}}"#),
              path: "jobs[0].scenario.running_ms", "from 0 to 10000000000000"),
        .init("entities not an object", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "entities": []}"#),
              path: "jobs[0].entities", "must be an object"),
        .init("scenario not an object", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": 5}"#),
              path: "jobs[0].scenario", "must be an object"),
        .init("job not an object", #"{"jobs": [5]}"#, path: "jobs[0]", "a job must be an object"),
        .init("jobs not an array", #"{"jobs": {}}"#, path: "jobs", "must be an array of jobs"),
        .init("document not an object", "[]", path: "$", "expected an object"),
        .init("document of unknown shape", #"{"job": []}"#, path: "$", "expected {\"jobs\": [...]}"),
        // Types.
        .init("unknown job_type", jobsDocument(#"{"job_id": "a", "job_type": "makeVolume"}"#), path: "jobs[0].job_type", "must be one of createVolume"),
        .init("job_type not a string", jobsDocument(#"{"job_id": "a", "job_type": 1}"#), path: "jobs[0].job_type", "must be one of"),
        .init("missing job_type", jobsDocument(#"{"job_id": "a"}"#), path: "jobs[0].job_type", "missing"),
        .init("sub_jobs on a non-batch job", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "sub_jobs": [{"job_id": "s"}]}"#),
              path: "jobs[0].sub_jobs", "only batchCreateVolume and bulkDeleteVolume jobs have sub_jobs"),
        .init("sub_jobs not an array", jobsDocument(#"{"job_id": "b", "job_type": "bulkDeleteVolume", "sub_jobs": {}}"#),
              path: "jobs[0].sub_jobs", "must be an array"),
        .init("scenario with a frozen status", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "RUNNING", "scenario": {}}"#),
              path: "jobs[0].scenario", "either a scenario or a frozen status"),
        .init("scenario on a batch parent", jobsDocument(#"{"job_id": "b", "job_type": "batchCreateVolume", "scenario": {}, "sub_jobs": [{"job_id": "s"}]}"#),
              path: "jobs[0].scenario", "state follows its sub_jobs"),
        .init("entities on a batch parent", jobsDocument(#"{"job_id": "b", "job_type": "batchCreateVolume", "entities": {"name": "n"}, "sub_jobs": [{"job_id": "s"}]}"#),
              path: "jobs[0].entities", "shows only its sub_jobs"),
        .init("batch without sub_jobs", jobsDocument(#"{"job_id": "b", "job_type": "batchCreateVolume"}"#),
              path: "jobs[0].sub_jobs", "at least one sub-job"),
        .init("batch with empty sub_jobs", jobsDocument(#"{"job_id": "b", "job_type": "bulkDeleteVolume", "sub_jobs": []}"#),
              path: "jobs[0].sub_jobs", "at least one sub-job"),
        .init("project_id on a sub-job", jobsDocument(#"{"job_id": "b", "job_type": "batchCreateVolume", "sub_jobs": [{"job_id": "s", "project_id": "p"}]}"#),
              path: "jobs[0].sub_jobs[0].project_id", "not allowed on a sub-job"),
        .init("sub_jobs on a sub-job", jobsDocument(#"{"job_id": "b", "job_type": "batchCreateVolume", "sub_jobs": [{"job_id": "s", "sub_jobs": []}]}"#),
              path: "jobs[0].sub_jobs[0].sub_jobs", "not allowed on a sub-job"),
        .init("sub-job of a batch type", jobsDocument(#"{"job_id": "b", "job_type": "batchCreateVolume", "sub_jobs": [{"job_id": "s", "job_type": "bulkDeleteVolume"}]}"#),
              path: "jobs[0].sub_jobs[0].job_type", "a sub-job cannot be a batch job"),
        // Scenarios.
        .init("error_code in a SUCCESS scenario", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"error_code": "EVS.1"}}"#),
              path: "jobs[0].scenario.error_code", #"only allowed with "outcome": "FAIL""#),
        .init("fail_reason in an explicit SUCCESS scenario", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"outcome": "SUCCESS", "fail_reason": "x"}}"#),
              path: "jobs[0].scenario.fail_reason", #"only allowed with "outcome": "FAIL""#),
        .init("unknown outcome", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"outcome": "DONE"}}"#),
              path: "jobs[0].scenario.outcome", #"must be "SUCCESS" or "FAIL""#),
        .init("error_code not a string", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"outcome": "FAIL", "error_code": 2024}}"#),
              path: "jobs[0].scenario.error_code", "must be a string"),
        // Frozen states.
        .init("end_time on a frozen RUNNING job", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "RUNNING", "end_time": "\#(validTime)"}"#),
              path: "jobs[0].end_time", "a job in RUNNING has no end_time"),
        .init("end_time on a frozen INIT job", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "INIT", "end_time": "\#(validTime)"}"#),
              path: "jobs[0].end_time", "a job in INIT has no end_time"),
        .init("error_code on a frozen SUCCESS job", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "SUCCESS", "error_code": "E"}"#),
              path: "jobs[0].error_code", "only a FAIL job has error_code"),
        .init("fail_reason on a frozen RUNNING job", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "RUNNING", "fail_reason": "r"}"#),
              path: "jobs[0].fail_reason", "only a FAIL job has fail_reason"),
        .init("unknown status", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "DONE"}"#),
              path: "jobs[0].status", "must be one of INIT, RUNNING, SUCCESS, FAIL"),
        .init("frozen time without a status", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "begin_time": "\#(validTime)"}"#),
              path: "jobs[0].begin_time", #"only allowed with a frozen "status""#),
        .init("begin_time without fraction", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "RUNNING", "begin_time": "2016-03-08T07:40:13Z"}"#),
              path: "jobs[0].begin_time", "must be a UTC time like"),
        .init("empty begin_time", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "RUNNING", "begin_time": ""}"#),
              path: "jobs[0].begin_time", "must be a UTC time like"),
        .init("begin_time a number", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "RUNNING", "begin_time": 1457422813219}"#),
              path: "jobs[0].begin_time", "must be a UTC time like"),
        .init("end_time on 30 February", jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "SUCCESS", "end_time": "2016-02-30T00:00:00.000Z"}"#),
              path: "jobs[0].end_time", #"must be a UTC time like "2016-03-08T07:40:13.219Z" or """#),
        // Ids.
        .init("id with a slash", jobsDocument(#"{"job_id": "a/b", "job_type": "createVolume"}"#), path: "jobs[0].job_id", "must be 1 to 128 characters"),
        .init("empty id", jobsDocument(#"{"job_id": "", "job_type": "createVolume"}"#), path: "jobs[0].job_id", "must be 1 to 128 characters"),
        .init("id of 129 characters", jobsDocument(#"{"job_id": "\#(String(repeating: "a", count: 129))", "job_type": "createVolume"}"#),
              path: "jobs[0].job_id", "must be 1 to 128 characters"),
        .init("id with a space", jobsDocument(#"{"job_id": "a b", "job_type": "createVolume"}"#), path: "jobs[0].job_id", "must be 1 to 128 characters"),
        .init("sub-job id with a slash", jobsDocument(#"{"job_id": "b", "job_type": "batchCreateVolume", "sub_jobs": [{"job_id": "s/1"}]}"#),
              path: "jobs[0].sub_jobs[0].job_id", "must be 1 to 128 characters"),
        .init("invalid project_id", jobsDocument(#"{"job_id": "a", "project_id": "p?", "job_type": "createVolume"}"#),
              path: "jobs[0].project_id", "must be 1 to 128 characters"),
        .init("invalid top-level project_id", #"{"project_id": 5, "jobs": []}"#, path: "project_id", "must be a string"),
        // Captured responses.
        .init("captured without job_id", #"{"status": "RUNNING", "job_type": "createVolume"}"#, path: "job_id", "missing"),
        .init("captured with project_id", #"{"status": "RUNNING", "job_id": "a", "job_type": "createVolume", "project_id": "p"}"#,
              path: "project_id", "unknown key"),
        .init("captured sub_jobs on a non-batch job", #"{"status": "SUCCESS", "job_id": "a", "job_type": "createVolume", "entities": {"sub_jobs": []}}"#,
              path: "entities.sub_jobs", "only a batch job's entities hold sub_jobs"),
        .init("captured batch entities with more than sub_jobs",
              #"{"status": "SUCCESS", "job_id": "a", "job_type": "batchCreateVolume", "entities": {"name": "n", "sub_jobs": []}}"#,
              path: "entities.name", "a batch job's entities hold only sub_jobs"),
        .init("captured sub-job with a bad time",
              #"{"status": "SUCCESS", "job_id": "a", "job_type": "batchCreateVolume", "entities": {"sub_jobs": [{"status": "SUCCESS", "job_id": "s", "begin_time": "x"}]}}"#,
              path: "entities.sub_jobs[0].begin_time", "must be a UTC time like"),
        // Bounds (issue 10).
        .init("101 sub-jobs", jobsDocument(#"{"job_id": "a", "job_type": "batchCreateVolume", "sub_jobs": [\#(Array(repeating: "{}", count: 101).joined(separator: ","))]}"#),
              path: "jobs[0].sub_jobs", "at most 100 sub-jobs in one batch (the service batches at most 100 disks), got 101"),
        .init("101 captured sub-jobs",
              #"{"status": "SUCCESS", "job_id": "a", "job_type": "batchCreateVolume", "entities": {"sub_jobs": [\#(Array(repeating: "{}", count: 101).joined(separator: ","))]}}"#,
              path: "entities.sub_jobs", "at most 100 sub-jobs in one batch"),
        .init("end_time before begin_time",
              jobsDocument(#"{"job_id": "a", "job_type": "createVolume", "status": "SUCCESS", "begin_time": "2016-03-08T07:40:14.000Z", "end_time": "2016-03-08T07:40:13.219Z"}"#),
              path: "jobs[0].end_time", "is before begin_time (2016-03-08T07:40:13.219Z < 2016-03-08T07:40:14.000Z)"),
        .init("captured end_time before begin_time",
              #"{"status": "FAIL", "job_id": "a", "job_type": "createVolume", "begin_time": "2016-03-08T07:40:14.000Z", "end_time": "2016-03-08T07:40:13.219Z"}"#,
              path: "end_time", "is before begin_time"),
        // Syntax.
        .init("invalid JSON", jobsDocument(#"{"job_id": "a",}"#), path: "jobs[0]", "invalid JSON: line 1 column 26: expected a member name"),
        .init("duplicate key", jobsDocument(#"{"job_id": "a", "job_id": "b"}"#), path: "jobs[0].job_id", #"invalid JSON: line 1 column "#),
    ]

    @Test(arguments: rules)
    func reportsOneProblem(_ rule: RuleCase) throws {
        let problems = fixtureProblems([("rules.json", rule.json)])
        #expect(problems.count == 1, "\(problems)")
        let problem = try #require(problems.first)
        #expect(problem.file == "rules.json")
        #expect(problem.path?.description == rule.path)
        #expect(problem.reason.contains(rule.phrase), "reason: \(problem.reason)")
        #expect(problem.description == "rules.json: \(rule.path): \(problem.reason)")
    }

    @Test func invalidJSONOnALaterLine() throws {
        let problems = fixtureProblems([("broken.json", "{\n  \"jobs\": [\n    {\"job_id\": \"a\", \"job_type\": \"createVolume\"},\n  ]\n}")])
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.reason.hasPrefix("invalid JSON: line 4 column 3: "), "\(problem.reason)")
        #expect(problem.path?.description == "jobs[1]")
    }

    /// Issue 10: 200,000 bad jobs printed 400,000 lines; the first 100 are kept, the rest counted.
    @Test func problemsPastTheFirstHundredAreCountedNotListed() throws {
        let json = jobsDocument(Array(repeating: #"{"job_id": 1}"#, count: 5_000).joined(separator: ","))
        let error = try #require(throws: FixtureError.self) { try FixtureLoader.decode(sources([("bad.json", json)])) }
        // Two problems a job: the id's type and the missing job_type.
        #expect(error.count == 10_000)
        #expect(error.problems.count == FixtureDecoder.maxProblems)
        #expect(error.omitted == 10_000 - FixtureDecoder.maxProblems)
        #expect(error.lines.last == "... and 9900 more problems")
        #expect(error.description.split(separator: "\n").count == FixtureDecoder.maxProblems + 1)
    }

    /// Past the listed problems a bad job must still be refused, not slip in as valid.
    @Test func aBadJobAfterTheListIsFullIsStillRefused() {
        var decoder = FixtureDecoder()
        let bad = Array(repeating: #"{"job_id": 1}"#, count: 60).joined(separator: ",")
        let specs = decoder.decode(file: "x.json", bytes: Array(jobsDocument(bad, #"{"job_id": "late", "job_type": "nope"}"#, goodJob("ok")).utf8))
        #expect(specs.map(\.id) == ["ok"])
        #expect(decoder.problemCount == 121)
    }

    @Test func errorDescriptionIsOneLinePerProblem() throws {
        let error = try #require(throws: FixtureError.self) {
            try FixtureLoader.decode(sources([("x.json", jobsDocument(#"{"job_id": "a"}"#, #"{"job_id": 1, "job_type": "createVolume"}"#))]))
        }
        #expect(error.description == error.problems.map(\.description).joined(separator: "\n"))
        #expect(error.description.split(separator: "\n").count == 2)
        #expect(error.description.hasPrefix("x.json: jobs[0].job_type: missing"))
    }
}

@Suite("Fixture validation: several problems, ids, all or nothing")
struct FixtureSetTests {
    @Test func everyProblemInAFileIsReportedOnce() {
        let json = jobsDocument(
            #"{"job_id": "a", "job_type": "createVolume", "colour": "red"}"#,
            goodJob("b"),
            #"{"job_id": "c", "job_type": "createVolume", "scenario": {"init_ms": -5, "running_ms": "x"}}"#,
            #"{"job_id": "d", "job_type": "teleportVolume"}"#,
            #"{"job_id": "e", "job_type": "bulkDeleteVolume", "sub_jobs": [{"job_id": "e1", "job_type": "batchCreateVolume"}, {"job_id": "e2", "project_id": "p"}]}"#
        )
        let problems = fixtureProblems([("many.json", json)])
        #expect(problems.map { $0.path?.description ?? "" } == [
            "jobs[0].colour",
            "jobs[2].scenario.init_ms",
            "jobs[2].scenario.running_ms",
            "jobs[3].job_type",
            "jobs[4].sub_jobs[0].job_type",
            "jobs[4].sub_jobs[1].project_id",
        ])
        #expect(problems.allSatisfy { $0.file == "many.json" })
    }

    @Test func problemsInSeveralFilesAreAllReported() {
        let problems = fixtureProblems([
            ("one.json", jobsDocument(#"{"job_id": "a"}"#)),
            ("two.json", "{"),
            ("three.json", jobsDocument(goodJob("c"))),
        ])
        #expect(problems.map(\.file) == ["one.json", "two.json"])
    }

    @Test func aGoodFileAndABadFileLoadNothing() throws {
        let error = try #require(throws: FixtureError.self) {
            try FixtureLoader.decode(sources([
                ("good.json", jobsDocument(goodJob("a"), goodJob("b"))),
                ("bad.json", jobsDocument(#"{"job_id": "c", "job_type": "createVolume", "scenario": {"running_ms": -1}}"#)),
            ]))
        }
        #expect(error.problems.map(\.description) == [
            "bad.json: jobs[0].scenario.running_ms: must be a whole number of milliseconds from 0 to 10000000000000, got -1",
        ])
    }

    @Test func duplicateIdInOneFile() throws {
        let problems = fixtureProblems([("dup.json", jobsDocument(goodJob("a"), goodJob("b"), goodJob("a")))])
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.file == "dup.json")
        #expect(problem.path?.description == "jobs[2].job_id")
        #expect(problem.reason.contains(#"duplicate job_id "a""#))
        #expect(problem.reason.contains("already defined at dup.json: jobs[0].job_id"))
    }

    @Test func duplicateIdAcrossTwoFiles() throws {
        let problems = fixtureProblems([
            ("a.json", jobsDocument(goodJob("x"))),
            ("b.json", jobsDocument(goodJob("y"), goodJob("x"))),
        ])
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.file == "b.json")
        #expect(problem.path?.description == "jobs[1].job_id")
        #expect(problem.reason.contains("already defined at a.json: jobs[0].job_id"))
    }

    @Test func subJobIdClashingWithATopLevelId() throws {
        let problems = fixtureProblems([("dup.json", jobsDocument(
            goodJob("s"), #"{"job_id": "b", "job_type": "batchCreateVolume", "sub_jobs": [{"job_id": "s"}]}"#))])
        #expect(problems.map { $0.path?.description } == ["jobs[1].sub_jobs[0].job_id"])
    }

    @Test func capturedIdClashingWithATimedId() throws {
        let problems = fixtureProblems([
            ("timed.json", jobsDocument(goodJob("4010a32d535527910153552b492c0002"))),
            ("captured.json", text(try defaultFixtureBytes("api-example-running.json"))),
        ])
        #expect(problems.map { "\($0.file) \($0.path?.description ?? "")" } == ["captured.json job_id"])
    }

    /// A global id (no project) and a project-scoped one clash, whichever comes first.
    @Test(arguments: [true, false])
    func globalAndProjectScopedIdsClash(globalFirst: Bool) throws {
        let global = goodJob("same")
        let scoped = #"{"job_id": "same", "project_id": "p1", "job_type": "deleteVolume"}"#
        let problems = fixtureProblems([("mixed.json", jobsDocument(globalFirst ? global : scoped, globalFirst ? scoped : global))])
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.path?.description == "jobs[1].job_id")
        #expect(problem.reason.contains(globalFirst ? #"in project "p1""# : "in every project"))
    }

    @Test func fileProjectAndGlobalIdInAnotherFileClash() {
        let problems = fixtureProblems([
            ("p.json", #"{"project_id": "p1", "jobs": [\#(goodJob("same"))]}"#),
            ("g.json", jobsDocument(goodJob("same"))),
        ])
        #expect(problems.map(\.file) == ["g.json"])
    }

    @Test func sameIdInTwoProjectsIsAllowed() throws {
        let specs = try decodeFixtures(
            ("p1.json", #"{"project_id": "p1", "jobs": [\#(goodJob("same"))]}"#),
            ("p2.json", jobsDocument(#"{"job_id": "same", "project_id": "p2", "job_type": "createVolume"}"#))
        )
        #expect(specs.map(\.id) == ["same", "same"])
        #expect(specs.map(\.projectID) == ["p1", "p2"])
    }
}

@Suite("Fixture defaults")
struct FixtureDefaultTests {
    @Test(arguments: [(JobType.batchCreateVolume, JobType.createVolume), (.bulkDeleteVolume, .deleteSingleVolume)])
    func subJobTypeDefaultsFromTheParent(parent: JobType, expected: JobType) throws {
        let specs = try decodeFixtures(("f.json", jobsDocument(
            #"{"job_id": "b", "job_type": "\#(parent.rawValue)", "sub_jobs": [{"job_id": "s1"}, {"job_id": "s2", "job_type": "deleteVolume"}]}"#)))
        let batch = try #require(specs.first)
        #expect(batch.type == parent)
        #expect(batch.timeline == .derived)
        #expect(batch.subJobs.map(\.type) == [expected, .deleteVolume])
    }

    @Test func missingIdsAreGenerated() throws {
        let specs = try decodeFixtures(("f.json", jobsDocument(
            #"{"job_type": "createVolume"}"#, #"{"job_type": "batchCreateVolume", "sub_jobs": [{}]}"#)))
        let ids = flatten(specs).map(\.id)
        #expect(ids.count == 3)
        for id in ids {
            #expect(id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }, "\(id)")
        }
        #expect(Set(ids).count == 3)
    }

    @Test func generatedIdsComeFromMakeID() throws {
        let specs = try FixtureLoader.decode(sources([("f.json", jobsDocument(#"{"job_type": "createVolume"}"#))]), makeID: { "made-up" })
        #expect(specs.map(\.id) == ["made-up"])
        #expect((0..<20).map { _ in generateJobID() }.allSatisfy { $0.utf8.count == 32 && $0 == $0.lowercased() })
    }

    @Test func projectIdApplies() throws {
        let specs = try decodeFixtures(("f.json", #"""
            {"project_id": "proj-1", "jobs": [
              {"job_id": "a", "job_type": "createVolume"},
              {"job_id": "b", "job_type": "createVolume", "project_id": "proj-2"},
              {"job_id": "c", "job_type": "batchCreateVolume", "sub_jobs": [{"job_id": "c1"}]}
            ]}
            """#), ("g.json", jobsDocument(goodJob("d"))))
        #expect(specs.map(\.projectID) == ["proj-1", "proj-2", "proj-1", nil])
        #expect(specs[2].subJobs.map(\.projectID) == ["proj-1"])
    }

    @Test func scenarioDefaults() throws {
        let specs = try decodeFixtures(("f.json", jobsDocument(
            #"{"job_id": "a", "job_type": "createVolume"}"#,
            #"{"job_id": "b", "job_type": "createVolume", "scenario": {"outcome": "FAIL"}}"#,
            #"{"job_id": "c", "job_type": "createVolume", "scenario": {"init_ms": 5, "outcome": "FAIL", "error_code": "EVS.2026"}}"#,
            #"{"job_id": "d", "job_type": "createVolume", "scenario": {"running_ms": 0, "outcome": "FAIL", "fail_reason": "why"}}"#,
            #"{"job_id": "e", "job_type": "createVolume", "scenario": {"outcome": "SUCCESS"}}"#
        )))
        #expect(specs.map(\.timeline) == [
            .scenario(Scenario(initMs: 0, runningMs: 1000, outcome: .success)),
            .scenario(Scenario(initMs: 0, runningMs: 1000, outcome: .fail(errorCode: "EVS.2024", failReason: "volume is error!"))),
            .scenario(Scenario(initMs: 5, runningMs: 1000, outcome: .fail(errorCode: "EVS.2026", failReason: "volume is error!"))),
            .scenario(Scenario(initMs: 0, runningMs: 0, outcome: .fail(errorCode: "EVS.2024", failReason: "why"))),
            .scenario(Scenario(initMs: 0, runningMs: 1000, outcome: .success)),
        ])
    }

    @Test func entitiesAreDecoded() throws {
        let specs = try decodeFixtures(("f.json", jobsDocument(
            #"{"job_id": "a", "job_type": "createVolume", "entities": {"name": "n", "size": 40, "volume_id": "v", "volume_type": "SSD"}}"#,
            #"{"job_id": "b", "job_type": "deleteVolume", "entities": {}}"#)))
        #expect(specs.map(\.entities) == [Entities(name: "n", size: 40, volumeID: "v", volumeType: "SSD"), Entities()])
    }

    @Test func frozenStates() throws {
        let specs = try decodeFixtures(("f.json", jobsDocument(
            #"{"job_id": "a", "job_type": "createVolume", "status": "FAIL"}"#,
            #"{"job_id": "b", "job_type": "createVolume", "status": "SUCCESS", "begin_time": "2016-03-08T07:40:13.219Z", "end_time": "2016-03-08T07:40:14.000Z"}"#,
            #"{"job_id": "c", "job_type": "createVolume", "status": "RUNNING", "end_time": "", "error_code": null}"#,
            #"{"job_id": "d", "job_type": "bulkDeleteVolume", "status": "INIT"}"#
        )))
        #expect(specs.map(\.timeline) == [
            .frozen(FrozenState(status: .fail, errorCode: "EVS.2024", failReason: "volume is error!")),
            .frozen(FrozenState(status: .success, beginMs: exampleT0, endMs: exampleT0 + 781, endGiven: true)),
            .frozen(FrozenState(status: .running, endMs: nil, endGiven: true)),
            .frozen(FrozenState(status: .initializing)),
        ])
    }

    @Test func emptyJobListIsValid() throws {
        #expect(try decodeFixtures(("f.json", #"{"jobs": []}"#)).isEmpty)
        #expect(try FixtureLoader.decode([]).isEmpty)
    }
}

@Suite("FixtureLoader.read")
struct FixtureReadTests {
    /// A fresh temporary directory holding `files`, removed when `body` returns.
    func withDirectory(_ files: [String: String], _ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evsjobs-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, content) in files {
            try Data(content.utf8).write(to: directory.appendingPathComponent(name))
        }
        try body(directory.path)
    }

    @Test func readsJSONFilesOfADirectoryInNameOrder() throws {
        let a = jobsDocument(goodJob("a")), b = jobsDocument(goodJob("b"))
        try withDirectory(["b.json": b, "a.json": a, "notes.txt": "not json", ".hidden.json": "{"]) { directory in
            let read = try FixtureLoader.read(paths: [directory])
            #expect(read.map(\.name) == [directory + "/a.json", directory + "/b.json"])
            #expect(read.map(\.bytes) == [utf8(a), utf8(b)])
            #expect(try FixtureLoader.load(paths: [directory]).map(\.id) == ["a", "b"])
            // A path with a trailing slash names the files the same way.
            #expect(try FixtureLoader.read(paths: [directory + "/"]).map(\.name) == read.map(\.name))
        }
    }

    @Test func readsASingleFileAndKeepsPathOrder() throws {
        try withDirectory(["z.json": jobsDocument(goodJob("z")), "y.json": jobsDocument(goodJob("y"))]) { directory in
            let read = try FixtureLoader.read(paths: [directory + "/z.json", directory + "/y.json"])
            #expect(read.map(\.name) == [directory + "/z.json", directory + "/y.json"])
        }
    }

    @Test func missingPathAndEmptyDirectoryAreProblems() throws {
        try withDirectory([:]) { empty in
            let missing = empty + "-does-not-exist.json"
            let error = try #require(throws: FixtureError.self) { try FixtureLoader.read(paths: [missing, empty]) }
            #expect(error.problems.map(\.file) == [missing, empty])
            #expect(error.problems.allSatisfy { $0.path == nil })
            #expect(error.problems[0].reason.contains("cannot read"))
            #expect(error.problems[1].reason.contains("no *.json files"))
            #expect(error.problems[0].description.hasPrefix("\(missing): cannot read"))
        }
    }

    @Test func directoryWithoutJSONFilesIsAProblem() throws {
        try withDirectory(["readme.txt": "x"]) { directory in
            let error = try #require(throws: FixtureError.self) { try FixtureLoader.load(paths: [directory]) }
            #expect(error.problems.map(\.description) == ["\(directory): directory holds no *.json files"])
        }
    }

    @Test func badFileOnDiskIsReportedWithItsPath() throws {
        try withDirectory(["a.json": jobsDocument(goodJob("a")), "b.json": jobsDocument(#"{"job_id": "b"}"#)]) { directory in
            let error = try #require(throws: FixtureError.self) { try FixtureLoader.load(paths: [directory]) }
            #expect(error.problems.map(\.description) == ["\(directory)/b.json: jobs[0].job_type: " + (error.problems.first?.reason ?? "")])
            #expect(error.problems.first?.reason.hasPrefix("missing") == true)
        }
    }
}

/// Issue 11: gophertelekomcloud's `GetJobEntity` fails on a successful createVolume without
/// `entities.volume_id`.
@Suite("Fixture volume ids")
struct VolumeIDTests {
    static func isUUID(_ text: String?) -> Bool {
        guard let text else { return false }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        return parts == [8, 4, 4, 4, 12] && text.allSatisfy { "0123456789abcdef-".contains($0) }
    }

    @Test func everyCreateVolumeJobAndSubJobNamesAVolume() throws {
        let specs = try decodeFixtures(("v.json", jobsDocument(
            #"{"job_id": "c1", "job_type": "createVolume"}"#,
            #"{"job_id": "c2", "job_type": "createVolume", "entities": {"volume_id": "given"}}"#,
            #"{"job_id": "d1", "job_type": "deleteVolume"}"#,
            #"{"job_id": "b1", "job_type": "batchCreateVolume", "sub_jobs": [{"job_id": "b1-a"}, {"job_id": "b1-b", "status": "FAIL"}]}"#
        )))
        let byID = Dictionary(uniqueKeysWithValues: flatten(specs).map { ($0.id, $0.volumeID) })
        #expect(Self.isUUID(byID["c1"] ?? nil))
        #expect(byID["c2"] == "given")
        #expect(byID["d1"] == .some(nil))
        #expect(byID["b1"] == .some(nil))
        #expect(Self.isUUID(byID["b1-a"] ?? nil))
        #expect(Self.isUUID(byID["b1-b"] ?? nil))
        #expect(byID["b1-a"] != byID["b1-b"])
    }

    @Test func aCapturedCreateVolumeGetsOneToo() throws {
        let specs = try decodeFixtures(("c.json", #"{"status": "SUCCESS", "job_id": "cap", "job_type": "createVolume"}"#))
        #expect(Self.isUUID(specs.first?.volumeID))
    }

    /// The same job gets the same volume on every load; another project's job of that id does not.
    @Test func theVolumeIdIsTheSameOnEveryLoadAndDiffersByProject() throws {
        let document = jobsDocument(#"{"job_id": "same", "project_id": "p1", "job_type": "createVolume"}"#, #"{"job_id": "same", "project_id": "p2", "job_type": "createVolume"}"#)
        let first = try decodeFixtures(("a.json", document)).map(\.volumeID)
        let second = try decodeFixtures(("a.json", document)).map(\.volumeID)
        #expect(first == second)
        #expect(first[0] != first[1])
        #expect(first[0] == derivedVolumeID(forJob: JobID("same"), project: "p1"))
    }
}
