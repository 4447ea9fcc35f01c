import Foundation
import Testing

@testable import EVSJobs

/// The eight fields of a job, in the order the service writes them.
let jobKeys = ["status", "entities", "job_id", "job_type", "begin_time", "end_time", "error_code", "fail_reason"]

/// Renders `spec` stored at `exampleT0`, read `offset` ms later.
func rendered(_ spec: JobSpec, atOffset offset: Int64) -> String {
    text(JobJSON.render(Job(spec: spec, t0: exampleT0), at: exampleT0 + offset))
}

/// Renders and parses back with the parser under test.
func renderedValue(_ spec: JobSpec, atOffset offset: Int64) throws -> JSONValue {
    try parseJSON(rendered(spec, atOffset: offset))
}

@Suite("JobJSON.render")
struct JobJSONTests {
    static let fullEntities = Entities(name: "disk-1", size: 10, volumeID: "vol-1", volumeType: "SSD")

    /// Issue 10: `JobSpec(id:)` takes any text, and ids were written unescaped.
    @Test(arguments: [#"a"b"#, "back\\slash", "line\nbreak", "\u{01}"])
    func anyIdRendersAsValidJSON(_ id: String) throws {
        let value = try renderedValue(timedSpec(id, initMs: 0, runningMs: 1), atOffset: 0)
        #expect(value["job_id"] == .string(id))
    }

    @Test func initExactBytes() {
        let spec = timedSpec("job-1", initMs: 500, runningMs: 1000, entities: Self.fullEntities)
        #expect(rendered(spec, atOffset: 0) == #"""
            {"status":"INIT","entities":{"name":"disk-1","size":10,"volume_id":"vol-1","volume_type":"SSD"},\#
            "job_id":"job-1","job_type":"createVolume","begin_time":"2016-03-08T07:40:13.219Z","end_time":"",\#
            "error_code":null,"fail_reason":null}
            """#)
    }

    @Test func runningExactBytes() {
        let spec = timedSpec("4010a32d535527910153552b492c0002", initMs: 0, runningMs: 1000,
                             entities: Entities(volumeID: "bdf1bb37-f20f-4266-9a04-f43e0a127376"))
        #expect(rendered(spec, atOffset: 999) == #"""
            {"status":"RUNNING","entities":{"volume_id":"bdf1bb37-f20f-4266-9a04-f43e0a127376"},\#
            "job_id":"4010a32d535527910153552b492c0002","job_type":"createVolume","begin_time":"2016-03-08T07:40:13.219Z",\#
            "end_time":"","error_code":null,"fail_reason":null}
            """#)
    }

    @Test func successExactBytes() {
        let spec = timedSpec("x", .extendVolume, initMs: 0, runningMs: 1000, entities: Entities(size: 200))
        #expect(rendered(spec, atOffset: 5000) == #"""
            {"status":"SUCCESS","entities":{"size":200},"job_id":"x","job_type":"extendVolume",\#
            "begin_time":"2016-03-08T07:40:13.219Z","end_time":"2016-03-08T07:40:14.219Z","error_code":null,"fail_reason":null}
            """#)
    }

    @Test func failExactBytesWithEmptyEntities() {
        let spec = timedSpec("x", .deleteVolume, initMs: 81, runningMs: 0, outcome: .defaultFailure)
        #expect(rendered(spec, atOffset: 81) == #"""
            {"status":"FAIL","entities":{},"job_id":"x","job_type":"deleteVolume",\#
            "begin_time":"2016-03-08T07:40:13.219Z","end_time":"2016-03-08T07:40:13.300Z",\#
            "error_code":"EVS.2024","fail_reason":"volume is error!"}
            """#)
    }

    @Test(arguments: [
        (Entities(), "{}"),
        (Entities(name: "n"), #"{"name":"n"}"#),
        (Entities(size: 0), #"{"size":0}"#),
        (Entities(volumeID: "v"), #"{"volume_id":"v"}"#),
        (Entities(volumeType: "SAS"), #"{"volume_type":"SAS"}"#),
        (Entities(name: "n", volumeType: "SAS"), #"{"name":"n","volume_type":"SAS"}"#),
        (Entities(size: 9_000_000_000, volumeID: "v"), #"{"size":9000000000,"volume_id":"v"}"#),
    ])
    func entitiesOnlyWithSetKeys(entities: Entities, expected: String) {
        // An extendVolume job: a createVolume job always shows a volume_id (see below).
        let json = rendered(timedSpec("x", .extendVolume, initMs: 0, runningMs: 1, entities: entities), atOffset: 0)
        #expect(json.contains(#","entities":\#(expected),"job_id":"#), "\(json)")
    }

    /// Issue 11: a createVolume job (sub-jobs too) without a volume_id shows one derived from its
    /// project and id, at render time: stored jobs hold no such text.
    @Test func aCreateVolumeJobAlwaysShowsAVolumeID() throws {
        let plain = try renderedValue(JobSpec(id: "c", projectID: "p", type: .createVolume), atOffset: 0)
        #expect(plain["entities"]?["volume_id"] == .string(derivedVolumeID(forJob: JobID("c"), project: "p")))
        let given = try renderedValue(JobSpec(id: "c", type: .createVolume, entities: Entities(volumeID: "mine")), atOffset: 0)
        #expect(given["entities"]?["volume_id"] == .string("mine"))
        let other = try renderedValue(JobSpec(id: "d", type: .deleteVolume), atOffset: 0)
        #expect(other["entities"] == .object([]))
    }

    @Test func stringsAreEscaped() throws {
        let name = "a\"b\\c\nd\u{1}é"
        let spec = timedSpec("x", initMs: 0, runningMs: 1, outcome: .fail(errorCode: "E\"1", failReason: "tab\there"),
                             entities: Entities(name: name))
        let json = rendered(spec, atOffset: 1)
        #expect(json.contains(#""name":"a\"b\\c\nd\u0001é""#))
        let value = try parseJSON(json)
        #expect(value["entities"]?["name"] == .string(name))
        #expect(value["error_code"] == .string("E\"1"))
        #expect(value["fail_reason"] == .string("tab\there"))
        // Foundation agrees that it is JSON.
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(json.utf8)) }
    }

    @Test(arguments: [0, 500, 1499, 1500, 3000, 100_000] as [Int64])
    func batchParentShowsOnlyItsSubJobs(offset: Int64) throws {
        let value = try renderedValue(BatchJobStateTests.mixed, atOffset: offset)
        #expect(keys(of: value) == jobKeys)
        #expect(keys(of: value["entities"]) == ["sub_jobs"])
        guard case .array(let subs)? = value["entities"]?["sub_jobs"] else {
            Issue.record("no sub_jobs array in \(value)")
            return
        }
        #expect(subs.count == 3)
        for (sub, id) in zip(subs, ["s1", "s2", "s3"]) {
            #expect(keys(of: sub) == jobKeys)
            #expect(sub["job_id"] == .string(id))
            #expect(sub["job_type"] == .string("createVolume"))
            // A createVolume sub-job given no entities shows only the volume id derived for it.
            #expect(keys(of: sub["entities"]) == ["volume_id"])
            #expect(sub["entities"]?["volume_id"] == .string(derivedVolumeID(forJob: JobID(id), project: nil)))
        }
        let job = Job(spec: BatchJobStateTests.mixed, t0: exampleT0)
        #expect(value["status"] == .string(job.state(at: exampleT0 + offset).status.rawValue))
        for (sub, subJob) in zip(subs, job.subJobs) {
            #expect(sub["status"] == .string(subJob.state(at: exampleT0 + offset).status.rawValue))
        }
    }

    @Test func batchParentExactBytes() {
        let spec = batchSpec("b", subs: [timedSpec("s", initMs: 0, runningMs: 1000, entities: Entities(volumeID: "v"))])
        #expect(rendered(spec, atOffset: 1) == #"""
            {"status":"RUNNING","entities":{"sub_jobs":[{"status":"RUNNING","entities":{"volume_id":"v"},"job_id":"s",\#
            "job_type":"createVolume","begin_time":"2016-03-08T07:40:13.219Z","end_time":"","error_code":null,"fail_reason":null}]},\#
            "job_id":"b","job_type":"batchCreateVolume","begin_time":"2016-03-08T07:40:13.219Z","end_time":"",\#
            "error_code":null,"fail_reason":null}
            """#)
    }

    @Test func finishedBatchParentRendersFailureOfItsFirstFailedSubJob() throws {
        let value = try renderedValue(BatchJobStateTests.mixed, atOffset: 3000)
        #expect(value["status"] == .string("FAIL"))
        #expect(value["end_time"] == .string("2016-03-08T07:40:16.219Z"))
        #expect(value["error_code"] == .string("E1"))
        #expect(value["fail_reason"] == .string("reason of E1"))
    }

    @Test func renderIsValidJSONForFoundation() throws {
        for offset: Int64 in [0, 700, 5000] {
            let bytes = JobJSON.render(Job(spec: BatchJobStateTests.mixed, t0: exampleT0), at: exampleT0 + offset)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            #expect(Set(object.keys) == Set(jobKeys))
            #expect(object["error_code"] is NSNull || offset >= 3000)
        }
    }

    @Test func appendAddsToTheBuffer() {
        var out = utf8("[")
        let job = Job(spec: timedSpec("x", initMs: 0, runningMs: 1), t0: exampleT0)
        JobJSON.append(job, at: exampleT0, to: &out)
        #expect(out == utf8("[") + JobJSON.render(job, at: exampleT0))
    }

    @Test(arguments: ["api-example-running.json", "api-example-batch.json"])
    func capturedExamplesRenderAsCaptured(file: String) throws {
        let bytes = try defaultFixtureBytes(file)
        let specs = try FixtureLoader.decode([FixtureSource(name: file, bytes: bytes)])
        #expect(specs.count == 1)
        let spec = try #require(specs.first)
        let captured = try JSONParser.parse(bytes)
        // Captured responses are frozen: the rendering is the same at any time.
        for now: Int64 in [0, exampleT0, 4_000_000_000_000] {
            let json = JobJSON.render(Job(spec: spec, t0: now), at: now)
            #expect(try JSONParser.parse(json) == captured)
        }
    }
}
