import EVSJobs
import EVSJobsMock
import Foundation
import HTTP1
import Logging
import Synchronization
import Testing

/// The admin API under `/__admin` over real sockets: jobs created, listed, advanced, finished and
/// deleted at run time, the clock, reset and reload. Time moves only through the manual clock.
@Suite struct AdminJobsTests {
    static let fixtureRunning = "4010a32d535527910153552b492c0002"
    /// A timed fixture job of the built-in set: INIT 500 ms, RUNNING 2000 ms.
    static let fixtureTimed = "00000000000000000000000000000001"
    static let queryJobFail = #"{"error":{"message":"query job fail.","code":"Common.0011"}}"#

    // MARK: - Creating jobs

    @Test func createOneJobRendersTheAPIFieldsAndProject() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            let t0 = server.clock.now()
            let response = try await call(client, "POST", "/__admin/jobs", #"""
                {"job_id": "admin-one", "job_type": "createVolume", "entities": {"name": "d1", "size": 40},
                 "scenario": {"init_ms": 500, "running_ms": 3000}}
                """#)
            #expect(response.status == 201)
            #expect(response.header("Content-Type") == "application/json;charset=UTF-8")
            // A createVolume job always names its volume: here, the one derived from its id.
            let volume = derivedVolumeID(forJob: JobID("admin-one"), project: nil)
            let api = #"{"status":"INIT","entities":{"name":"d1","size":40,"volume_id":"\#(volume)"},"job_id":"admin-one","job_type":"createVolume","#
                + #""begin_time":"\#(APITime.format(t0))","end_time":"","error_code":null,"fail_reason":null"#
            // The eight API fields in the service's order, then project_id.
            #expect(response.text == #"{"jobs":[\#(api),"project_id":null}]}"#)
            let jobs = try jobsOf(response)
            #expect(jobs.count == 1)
            // Without a project it is visible under every project id, as the API renders it.
            for project in ["any-project", "other", "P"] {
                let poll = try await call(client, "GET", "/v1/\(project)/jobs/admin-one")
                #expect(poll.status == 200)
                #expect(poll.text == api + "}")
            }
        }
    }

    @Test func createBatchInAProjectIsVisibleOnlyThere() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let response = try await call(client, "POST", "/__admin/jobs",
                                    #"{"project_id": "P", "jobs": [\#(jobJSON("p-1")), \#(jobJSON("p-2", type: "deleteVolume"))]}"#)
            #expect(response.status == 201)
            let jobs = try jobsOf(response)
            #expect(jobs.map { $0["job_id"] as? String } == ["p-1", "p-2"])
            #expect(jobs.map { $0["project_id"] as? String } == ["P", "P"])
            #expect(jobs.map { $0["job_type"] as? String } == ["createVolume", "deleteVolume"])
            for id in ["p-1", "p-2"] {
                let own = try await call(client, "GET", "/v1/P/jobs/\(id)")
                #expect(own.status == 200)
                #expect(try own.object()["job_id"] as? String == id)
                #expect(try own.object()["project_id"] == nil, "the API renders only its eight fields")
                let other = try await call(client, "GET", "/v1/Q/jobs/\(id)")
                #expect(other.status == 400)
                #expect(other.text == Self.queryJobFail)
                let admin = try await call(client, "GET", "/__admin/jobs/\(id)?project_id=Q")
                #expect(admin.status == 404)
                #expect(try admin.errorObject()["code"] as? String == "MOCK.1003")
            }
        }
    }

    @Test(arguments: [
        (#"{"job_id": "bad-3", "job_type": "nope"}"#, "jobs[2].job_type"),
        (#"{"job_id": "bad-3", "job_type": "createVolume", "scenario": {"init_ms": -5}}"#, "jobs[2].scenario.init_ms"),
        (#"{"job_id": "bad 3", "job_type": "createVolume"}"#, "jobs[2].job_id"),
        (#"{"job_id": "bad-3", "job_type": "createVolume", "colour": "red"}"#, "jobs[2].colour"),
        ("42", "jobs[2]"),
    ])
    func anInvalidThirdJobCreatesNone(bad: String, path: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let before = try jobsOf(await call(client, "GET", "/__admin/jobs")).count
            let response = try await call(client, "POST", "/__admin/jobs",
                                    #"{"project_id": "P", "jobs": [\#(jobJSON("ok-1")), \#(jobJSON("ok-2")), \#(bad)]}"#)
            #expect(response.status == 400)
            let error = try response.errorObject()
            #expect(error["code"] as? String == "MOCK.1001")
            #expect(error["path"] as? String == path)
            #expect((error["message"] as? String)?.isEmpty == false)
            for id in ["ok-1", "ok-2", "bad-3"] {
                #expect(try await call(client, "GET", "/__admin/jobs/\(id)").status == 404)
                #expect(try await call(client, "GET", "/v1/P/jobs/\(id)").status == 400)
            }
            #expect(try jobsOf(await call(client, "GET", "/__admin/jobs")).count == before)
        }
    }

    @Test(arguments: [#"{"jobs": ["#, "not json", "", #"{"job_id": "x",}"#])
    func malformedJSONIs400Mock1000(body: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let before = try jobsOf(await call(client, "GET", "/__admin/jobs")).count
            let response = try await call(client, "POST", "/__admin/jobs", body)
            #expect(response.status == 400)
            #expect(try response.errorObject()["code"] as? String == "MOCK.1000")
            #expect(try jobsOf(await call(client, "GET", "/__admin/jobs")).count == before)
        }
    }

    @Test func duplicateIDsAreRefusedInTheirScopeOnly() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "P", "jobs": [\#(jobJSON("dup"))]}"#).status == 201)

            // Again in P: 409, and the first job is left as it was.
            let again = try await call(client, "POST", "/__admin/jobs", #"{"project_id": "P", "jobs": [\#(jobJSON("dup", type: "deleteVolume"))]}"#)
            #expect(again.status == 409)
            let error = try again.errorObject()
            #expect(error["code"] as? String == "MOCK.1002")
            #expect((error["message"] as? String)?.contains("dup") == true)
            #expect(try await call(client, "GET", "/v1/P/jobs/dup").object()["job_type"] as? String == "createVolume")

            // Another project is another scope.
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "Q", "jobs": [\#(jobJSON("dup"))]}"#).status == 201)
            // A job visible everywhere clashes with every project's ids, and with the fixtures'.
            #expect(try await call(client, "POST", "/__admin/jobs", jobJSON("dup")).status == 409)
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "R", "jobs": [\#(jobJSON(Self.fixtureRunning))]}"#).status == 409)

            // A batch with a taken id creates nothing.
            let batch = try await call(client, "POST", "/__admin/jobs",
                                 #"{"project_id": "P", "jobs": [\#(jobJSON("new-a")), \#(jobJSON("new-b")), \#(jobJSON("dup"))]}"#)
            #expect(batch.status == 409)
            #expect(try await call(client, "GET", "/v1/P/jobs/new-a").status == 400)
            #expect(try await call(client, "GET", "/v1/P/jobs/new-b").status == 400)

            // The same id twice in one request is a validation error at the second one.
            let twice = try await call(client, "POST", "/__admin/jobs", #"{"project_id": "S", "jobs": [\#(jobJSON("x")), \#(jobJSON("x"))]}"#)
            #expect(twice.status == 400)
            #expect(try twice.errorObject()["code"] as? String == "MOCK.1001")
            #expect(try twice.errorObject()["path"] as? String == "jobs[1].job_id")
            #expect(try await call(client, "GET", "/v1/S/jobs/x").status == 400)

            #expect(try jobsOf(await call(client, "GET", "/__admin/jobs?project_id=P")).map { $0["job_id"] as? String } == ["dup"])
        }
    }

    @Test func aScenarioBothTimedAndCountedIsRefusedAtTheOffendingKey() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let single = try await call(client, "POST", "/__admin/jobs",
                                  #"{"job_id": "mix", "job_type": "createVolume", "scenario": {"init_ms": 100, "init_polls": 2}}"#)
            #expect(single.status == 400)
            #expect(try single.errorObject()["code"] as? String == "MOCK.1001")
            #expect(try single.errorObject()["path"] as? String == "scenario.init_ms")

            let batch = try await call(client, "POST", "/__admin/jobs", #"""
                {"jobs": [\#(jobJSON("mix-ok")), {"job_id": "mix-2", "job_type": "createVolume", "scenario": {"running_polls": 2, "running_ms": 10}}]}
                """#)
            #expect(batch.status == 400)
            #expect(try batch.errorObject()["path"] as? String == "jobs[1].scenario.running_ms")
            for id in ["mix", "mix-ok", "mix-2"] {
                #expect(try await call(client, "GET", "/v1/p/jobs/\(id)").status == 400)
            }
        }
    }

    // MARK: - Listing, reading, deleting

    @Test func listGetAndDeleteJobs() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let fixtures = try jobsOf(await call(client, "GET", "/__admin/jobs"))
            #expect(fixtures.contains { $0["job_id"] as? String == Self.fixtureRunning })
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "P", "jobs": [\#(jobJSON("p-1")), \#(jobJSON("p-2"))]}"#).status == 201)
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "Q", "jobs": [\#(jobJSON("q-1"))]}"#).status == 201)

            let all = try jobsOf(await call(client, "GET", "/__admin/jobs"))
            #expect(all.count == fixtures.count + 3)
            #expect(Array(all.suffix(3)).map { $0["job_id"] as? String } == ["p-1", "p-2", "q-1"])
            #expect(Array(all.suffix(3)).map { $0["project_id"] as? String } == ["P", "P", "Q"])
            let onlyP = try jobsOf(await call(client, "GET", "/__admin/jobs?project_id=P"))
            #expect(onlyP.map { $0["job_id"] as? String } == ["p-1", "p-2"])
            #expect(try jobsOf(await call(client, "GET", "/__admin/jobs?project_id=nobody")).isEmpty)

            let one = try await call(client, "GET", "/__admin/jobs/p-1")
            #expect(one.status == 200)
            #expect(try one.object()["job_id"] as? String == "p-1")
            #expect(try one.object()["project_id"] as? String == "P")
            #expect(try one.object()["status"] as? String == "INIT")
            #expect(try await call(client, "GET", "/__admin/jobs/p-1?project_id=P").status == 200)

            let delete = try await call(client, "DELETE", "/__admin/jobs/p-1")
            #expect(delete.status == 204)
            #expect(delete.body.isEmpty)
            let gone = try await call(client, "GET", "/__admin/jobs/p-1")
            #expect(gone.status == 404)
            #expect(try gone.errorObject()["code"] as? String == "MOCK.1003")
            let poll = try await call(client, "GET", "/v1/P/jobs/p-1")
            #expect(poll.status == 400)
            #expect(poll.text == Self.queryJobFail)
            #expect(try await call(client, "DELETE", "/__admin/jobs/p-1").status == 404)
            // The others are untouched.
            #expect(try await call(client, "GET", "/v1/P/jobs/p-2").status == 200)
            #expect(try jobsOf(await call(client, "GET", "/__admin/jobs")).count == fixtures.count + 2)

            let unknown = try await call(client, "GET", "/__admin/jobs/ffffffffffffffffffffffffffffffff")
            #expect(unknown.status == 404)
            #expect(try unknown.errorObject()["code"] as? String == "MOCK.1003")
            #expect(try await call(client, "DELETE", "/__admin/jobs/never-was").status == 404)
            #expect(try await call(client, "POST", "/__admin/jobs/never-was/advance").status == 404)
            #expect(try await call(client, "POST", "/__admin/jobs/never-was/finish", #"{"status": "SUCCESS"}"#).status == 404)
        }
    }

    // MARK: - Advance and finish

    @Test func advanceMovesATimedJobThroughItsStates() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            let t0 = server.clock.now()
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "P", "jobs": [\#(jobJSON("adv", #"{"init_ms": 60000, "running_ms": 60000}"#))]}"#).status == 201)

            server.clock.advance(by: 100)
            let running = try await call(client, "POST", "/__admin/jobs/adv/advance?project_id=P")
            #expect(running.status == 200)
            let r = try running.object()
            #expect(r["status"] as? String == "RUNNING")
            #expect(r["begin_time"] as? String == APITime.format(t0))
            #expect(r["end_time"] as? String == "")
            #expect(r["project_id"] as? String == "P")
            #expect(try await call(client, "GET", "/v1/P/jobs/adv").object()["status"] as? String == "RUNNING")

            server.clock.advance(by: 250)
            let done = try await call(client, "POST", "/__admin/jobs/adv/advance").object()
            #expect(done["status"] as? String == "SUCCESS")
            #expect(done["begin_time"] as? String == APITime.format(t0))
            #expect(done["end_time"] as? String == APITime.format(server.clock.now()))
            #expect(server.clock.now() == t0 + 350)
            #expect(done["error_code"] is NSNull)
            let polled = try await call(client, "GET", "/v1/P/jobs/adv").object()
            #expect(polled["status"] as? String == "SUCCESS")
            #expect(polled["end_time"] as? String == APITime.format(t0 + 350))

            // Later time changes nothing any more, and a finished job cannot be advanced.
            server.clock.advance(by: 500_000)
            #expect(try await call(client, "GET", "/v1/P/jobs/adv").object()["end_time"] as? String == APITime.format(t0 + 350))
            let again = try await call(client, "POST", "/__admin/jobs/adv/advance")
            #expect(again.status == 409)
            #expect(try again.errorObject()["code"] as? String == "MOCK.1007")
        }
    }

    @Test func finishEndsAJobWithTheGivenOutcome() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            let t0 = server.clock.now()
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "P", "jobs": [\#(jobJSON("fin")), \#(jobJSON("fin-ok")), \#(jobJSON("fin-bad"))]}"#).status == 201)
            server.clock.advance(by: 42)

            let failed = try await call(client, "POST", "/__admin/jobs/fin/finish?project_id=P",
                                  #"{"status": "FAIL", "error_code": "EVS.9999", "fail_reason": "boom"}"#)
            #expect(failed.status == 200)
            let f = try failed.object()
            #expect(f["status"] as? String == "FAIL")
            #expect(f["error_code"] as? String == "EVS.9999")
            #expect(f["fail_reason"] as? String == "boom")
            #expect(f["begin_time"] as? String == APITime.format(t0))
            #expect(f["end_time"] as? String == APITime.format(t0 + 42))
            let polled = try await call(client, "GET", "/v1/P/jobs/fin").object()
            #expect(polled["status"] as? String == "FAIL")
            #expect(polled["error_code"] as? String == "EVS.9999")
            #expect(polled["fail_reason"] as? String == "boom")

            let ok = try await call(client, "POST", "/__admin/jobs/fin-ok/finish", #"{"status": "SUCCESS"}"#).object()
            #expect(ok["status"] as? String == "SUCCESS")
            #expect(ok["error_code"] is NSNull)

            for (body, path) in [(#"{"status": "DONE"}"#, "status"), (#"{}"#, "status"), (#"{"status": 1}"#, "status"),
                                 (#"{"status": "SUCCESS", "error_code": "EVS.1"}"#, "error_code"),
                                 (#"{"status": "FAIL", "why": "x"}"#, "why")] {
                let bad = try await call(client, "POST", "/__admin/jobs/fin-bad/finish", body)
                #expect(bad.status == 400, "\(body)")
                #expect(try bad.errorObject()["code"] as? String == "MOCK.1001", "\(body)")
                #expect(try bad.errorObject()["path"] as? String == path, "\(body)")
            }
            #expect(try await call(client, "POST", "/__admin/jobs/fin-bad/finish", "{").status == 400)
            // Nothing changed.
            #expect(try await call(client, "GET", "/v1/P/jobs/fin-bad").object()["status"] as? String == "INIT")
        }
    }

    // MARK: - Poll-counted scenarios

    @Test func aPollCountedJobMovesOnlyOnAPIReads() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            let created = try await call(client, "POST", "/__admin/jobs",
                                   #"{"project_id": "P", "jobs": [\#(jobJSON("pc", #"{"init_polls": 1, "running_polls": 3, "outcome": "FAIL"}"#))]}"#)
            #expect(created.status == 201)
            #expect(try jobsOf(created).first?["status"] as? String == "INIT")
            var seen: [String] = []
            var pollTimes: [Int64] = []
            for _ in 0..<6 {
                // Admin reads, any number of them, do not count.
                for _ in 0..<3 {
                    #expect(try await call(client, "GET", "/__admin/jobs/pc?project_id=P").status == 200)
                    _ = try await call(client, "GET", "/__admin/jobs?project_id=P")
                }
                server.clock.advance(by: 10)
                pollTimes.append(server.clock.now())
                let poll = try await call(client, "GET", "/v1/P/jobs/pc").object()
                seen.append(poll["status"] as? String ?? "?")
            }
            #expect(seen == ["INIT", "RUNNING", "RUNNING", "RUNNING", "FAIL", "FAIL"])
            let final = try await call(client, "GET", "/__admin/jobs/pc").object()
            #expect(final["status"] as? String == "FAIL")
            #expect(final["error_code"] as? String == "EVS.2024")
            #expect(final["fail_reason"] as? String == "volume is error!")
            // The end is the time of the read that finished it: the fourth.
            #expect(final["end_time"] as? String == APITime.format(pollTimes[3]))
        }
    }

    @Test func parallelPollsCountEveryReadExactlyOnce() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            #expect(try await call(client, "POST", "/__admin/jobs",
                             #"{"project_id": "PP", "jobs": [\#(jobJSON("pc-par", #"{"init_polls": 0, "running_polls": 100}"#))]}"#).status == 201)
            let perClient = try await onThreads(10) { _ -> [String] in
                let client = try RawClient(port: port)
                var seen: [String] = []
                for _ in 0..<20 {
                    let response = try call(client, "GET", "/v1/PP/jobs/pc-par")
                    seen.append(response.jsonObject?["status"] as? String ?? "HTTP \(response.status)")
                }
                return seen
            }
            let all = perClient.flatMap { $0 }
            #expect(all.count == 200)
            #expect(all.filter { $0 == "RUNNING" }.count == 100)
            #expect(all.filter { $0 == "SUCCESS" }.count == 100)
            for seen in perClient {
                // Each client's reads are in order: once SUCCESS, never RUNNING again.
                #expect(seen.map(rank) == seen.map(rank).sorted(), "\(seen)")
            }
            #expect(try await call(client, "GET", "/__admin/jobs/pc-par").object()["status"] as? String == "SUCCESS")
        }
    }

    // MARK: - Concurrency

    @Test func concurrentCreatesAndPollsStayInTheirProjectsAndNeverGoBack() async throws {
        try await withServer { server, port in
            let workers = 8, perWorker = 20, rounds = 9
            let t0 = server.clock.now()
            let fixtureCount = try jobsOf(await call(await RawClient.connect(port: port), "GET", "/__admin/jobs")).count
            /// INIT for 100-300 ms, RUNNING for 100-500 ms more; every fourth job fails.
            @Sendable func scenario(_ j: Int) -> (initMs: Int, runningMs: Int, fails: Bool) {
                (100 * (j % 3 + 1), 100 * (j % 5 + 1), j % 4 == 0)
            }
            @Sendable func expected(_ j: Int, at elapsed: Int) -> String {
                let s = scenario(j)
                if elapsed < s.initMs { return "INIT" }
                if elapsed < s.initMs + s.runningMs { return "RUNNING" }
                return s.fails ? "FAIL" : "SUCCESS"
            }
            /// Polls every job of worker `w`; the ids are the same in every project.
            @Sendable func pollAll(_ client: RawClient, _ w: Int, _ problems: inout [String]) throws -> [String] {
                var statuses: [String] = []
                for j in 0..<perWorker {
                    let response = try call(client, "GET", "/v1/cc-\(w)/jobs/job-\(j)")
                    let job = response.jsonObject
                    if response.status != 200 || (job?["entities"] as? [String: Any])?["name"] as? String != "w\(w)-j\(j)" {
                        problems.append("cc-\(w)/job-\(j): \(response.status) \(response.text)")
                    }
                    statuses.append(job?["status"] as? String ?? "?")
                }
                return statuses
            }

            // Creates and polls at once: each worker creates its jobs one by one and polls each.
            let created = try await onThreads(workers) { w -> (statuses: [String], problems: [String]) in
                let client = try RawClient(port: port)
                var problems: [String] = []
                var statuses: [String] = []
                for j in 0..<perWorker {
                    let s = scenario(j)
                    let scenarioJSON = #"{"init_ms": \#(s.initMs), "running_ms": \#(s.runningMs)\#(s.fails ? #", "outcome": "FAIL""# : "")}"#
                    let body = #"{"project_id": "cc-\#(w)", "jobs": [\#(jobJSON("job-\(j)", scenarioJSON, name: "w\(w)-j\(j)"))]}"#
                    let response = try call(client, "POST", "/__admin/jobs", body)
                    let job = (response.jsonObject?["jobs"] as? [[String: Any]])?.first
                    if response.status != 201 || job?["project_id"] as? String != "cc-\(w)" {
                        problems.append("create cc-\(w)/job-\(j): \(response.status) \(response.text)")
                    }
                    let poll = try call(client, "GET", "/v1/cc-\(w)/jobs/job-\(j)")
                    let polled = poll.jsonObject
                    if poll.status != 200 || (polled?["entities"] as? [String: Any])?["name"] as? String != "w\(w)-j\(j)" {
                        problems.append("poll cc-\(w)/job-\(j): \(poll.status) \(poll.text)")
                    }
                    statuses.append(polled?["status"] as? String ?? "?")
                    // Not under a project of nobody's, and under a neighbour's only as the neighbour's job.
                    let nobody = try call(client, "GET", "/v1/cc-nobody/jobs/job-\(j)")
                    if nobody.status != 400 { problems.append("cc-nobody/job-\(j): \(nobody.status)") }
                    let neighbour = try call(client, "GET", "/v1/cc-\((w + 1) % workers)/jobs/job-\(j)")
                    let name = (neighbour.jsonObject?["entities"] as? [String: Any])?["name"] as? String
                    if !(neighbour.status == 400 || (neighbour.status == 200 && name == "w\((w + 1) % workers)-j\(j)")) {
                        problems.append("neighbour of cc-\(w)/job-\(j): \(neighbour.status) \(neighbour.text)")
                    }
                }
                return (statuses, problems)
            }
            var history: [[[String]]] = created.map { $0.statuses.map { [$0] } }  // [worker][job][round]
            for (w, result) in created.enumerated() {
                #expect(result.problems.isEmpty, "worker \(w): \(result.problems.prefix(5))")
            }

            let admin = try await RawClient.connect(port: port)
            for round in 1...rounds {
                let clock = try await call(admin, "POST", "/__admin/clock/advance", #"{"ms": 100}"#).object()
                #expect(clock["now"] as? String == APITime.format(t0 + Int64(100 * round)))
                let polled = try await onThreads(workers) { w -> (statuses: [String], problems: [String]) in
                    var problems: [String] = []
                    let statuses = try pollAll(try RawClient(port: port), w, &problems)
                    return (statuses, problems)
                }
                for (w, result) in polled.enumerated() {
                    #expect(result.problems.isEmpty, "round \(round) worker \(w): \(result.problems.prefix(5))")
                    for (j, status) in result.statuses.enumerated() { history[w][j].append(status) }
                }
            }

            for w in 0..<workers {
                for j in 0..<perWorker {
                    let seen = history[w][j]
                    let ranks = seen.map(rank)
                    #expect(ranks == ranks.sorted(), "cc-\(w)/job-\(j) went backwards: \(seen)")
                    #expect(seen == (0...rounds).map { expected(j, at: 100 * $0) }, "cc-\(w)/job-\(j): \(seen)")
                }
                let listed = try jobsOf(await call(admin, "GET", "/__admin/jobs?project_id=cc-\(w)"))
                #expect(listed.count == perWorker)
                #expect(listed.allSatisfy { ($0["entities"] as? [String: Any])?["name"] as? String == "w\(w)-j\(String(($0["job_id"] as? String ?? "").dropFirst(4)))" })
            }
            #expect(try jobsOf(await call(admin, "GET", "/__admin/jobs")).count == fixtureCount + workers * perWorker)
        }
    }

    /// Many clients create the same id in the same project at once: one of them wins, the
    /// others get 409, and the project holds that id once. (A few thousand stored jobs make the
    /// id check take long enough for the racers to queue up behind it.)
    @Test func racingCreatesOfOneIDGiveExactlyOne201() async throws {
        try await withServer { _, port in
            let attempts = 100, racers = 8
            let ballast = (0..<4000).map { #"{"job_id": "b\#($0)", "job_type": "createVolume"}"# }.joined(separator: ",")
            #expect(try await call(await RawClient.connect(port: port), "POST", "/__admin/jobs", #"{"project_id": "ballast", "jobs": [\#(ballast)]}"#).status == 201)
            let barrier = Barrier(racers)
            let perRacer = try await onThreads(racers) { _ -> [Int] in
                let client = try? RawClient(port: port)
                var statuses: [Int] = []
                for attempt in 0..<attempts {
                    // Every racer arrives every time, failed or not, so that none waits forever.
                    barrier.arriveAndWait()
                    let body = #"{"project_id": "race", "jobs": [\#(jobJSON("race-\(attempt)"))]}"#
                    statuses.append(client.flatMap { try? call($0, "POST", "/__admin/jobs", body).status } ?? -1)
                }
                return statuses
            }
            let outcomes = (0..<attempts).map { attempt in (id: "race-\(attempt)", statuses: perRacer.map { $0[attempt] }) }
            let wrong = outcomes.filter { $0.statuses.filter { $0 == 201 }.count != 1 || $0.statuses.filter { $0 == 409 }.count != racers - 1 }
            #expect(wrong.count == 0, "\(wrong.count) of \(attempts) ids were not created exactly once, e.g. \(wrong.prefix(3).map { "\($0.id): \($0.statuses)" })")
            let listed = try jobsOf(await call(await RawClient.connect(port: port), "GET", "/__admin/jobs?project_id=race")).compactMap { $0["job_id"] as? String }
            #expect(listed.count == attempts, "ids stored twice: \(Dictionary(grouping: listed) { $0 }.filter { $0.value.count > 1 }.keys.sorted())")
        }
    }

    // MARK: - The clock

    @Test func manualClockShowsAndAdvancesExactly() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            let shown = try await call(client, "GET", "/__admin/clock")
            #expect(shown.status == 200)
            let clock = try shown.object()
            #expect(clock["mode"] as? String == "manual")
            #expect((clock["scale"] as? NSNumber)?.doubleValue == 1)
            let before = try #require((clock["now"] as? String).flatMap(APITime.parse), "\(shown.text)")
            #expect(before == server.clock.now())

            let advanced = try await call(client, "POST", "/__admin/clock/advance", #"{"ms": 500}"#)
            #expect(advanced.status == 200)
            #expect(try advanced.object()["now"] as? String == APITime.format(before + 500))
            #expect(try advanced.object()["mode"] as? String == "manual")
            #expect(try await call(client, "GET", "/__admin/clock").object()["now"] as? String == APITime.format(before + 500))
            #expect(try await call(client, "POST", "/__admin/clock/advance", #"{"ms": 0}"#).status == 200)

            for (body, path) in [(#"{"ms": -1}"#, "ms"), (#"{"ms": 1.5}"#, "ms"), (#"{"ms": "5"}"#, "ms"), (#"{}"#, "ms"),
                                 (#"{"ms": 5, "by": 1}"#, "by"), ("[5]", "$")] {
                let refused = try await call(client, "POST", "/__admin/clock/advance", body)
                #expect(refused.status == 400, "\(body)")
                #expect(try refused.errorObject()["code"] as? String == "MOCK.1001", "\(body)")
                #expect(try refused.errorObject()["path"] as? String == path, "\(body)")
            }
            #expect(try await call(client, "POST", "/__admin/clock/advance", "{").errorObject().count > 0)
            #expect(try await call(client, "GET", "/__admin/clock").object()["now"] as? String == APITime.format(before + 500))
            #expect(server.clock.now() == before + 500)
        }
    }

    @Test func switchingToRealTimeKeepsTheReading() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            #expect(try await call(client, "POST", "/__admin/clock/advance", #"{"ms": 86400000}"#).status == 200)
            let before = server.clock.now()
            let switched = try await call(client, "POST", "/__admin/clock", #"{"mode": "real", "scale": 10}"#)
            #expect(switched.status == 200)
            let clock = try switched.object()
            #expect(clock["mode"] as? String == "real")
            #expect((clock["scale"] as? NSNumber)?.doubleValue == 10)
            let now = try #require((clock["now"] as? String).flatMap(APITime.parse))
            // No jump back to the wall clock (a day behind) nor ahead: a few real ms times ten.
            #expect(now >= before)
            #expect(now - before < 5_000, "jumped by \(now - before) ms")
            #expect(server.clock.mode == .real)

            for (body, path) in [(#"{"scale": 0}"#, "scale"), (#"{"scale": -2}"#, "scale"), (#"{"scale": "fast"}"#, "scale"),
                                 (#"{"mode": "fast"}"#, "mode"), (#"{"mode": "manual", "speed": 2}"#, "speed")] {
                let refused = try await call(client, "POST", "/__admin/clock", body)
                #expect(refused.status == 400, "\(body)")
                #expect(try refused.errorObject()["code"] as? String == "MOCK.1001", "\(body)")
                #expect(try refused.errorObject()["path"] as? String == path, "\(body)")
            }
            // The refused requests changed nothing.
            let still = try await call(client, "GET", "/__admin/clock").object()
            #expect(still["mode"] as? String == "real")
            #expect((still["scale"] as? NSNumber)?.doubleValue == 10)

            // And back to standing still, where it was.
            let manual = try await call(client, "POST", "/__admin/clock", #"{"mode": "manual"}"#).object()
            #expect(manual["mode"] as? String == "manual")
            let stopped = try #require((manual["now"] as? String).flatMap(APITime.parse))
            #expect(stopped >= now)
            #expect(try await call(client, "GET", "/__admin/clock").object()["now"] as? String == APITime.format(stopped))
        }
    }

    @Test func advancingTheClockDrivesABatchJobThroughEveryState() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            let t0 = server.clock.now()
            let created = try await call(client, "POST", "/__admin/jobs", #"""
                {"project_id": "B", "jobs": [{"job_id": "batch", "job_type": "batchCreateVolume", "sub_jobs": [
                  {"job_id": "batch-1", "entities": {"size": 10}, "scenario": {"init_ms": 100, "running_ms": 200}},
                  {"job_id": "batch-2", "entities": {"size": 20}, "scenario": {"init_ms": 100, "running_ms": 500, "outcome": "FAIL",
                   "error_code": "EVS.2026", "fail_reason": "volume is error_extending!"}},
                  {"job_id": "batch-3", "entities": {"size": 30}, "scenario": {"init_ms": 100, "running_ms": 900}}]}]}
                """#)
            #expect(created.status == 201)

            func poll() async throws -> (status: String?, subs: [String?], job: [String: Any]) {
                let job = try await call(client, "GET", "/v1/B/jobs/batch").object()
                let subs = ((job["entities"] as? [String: Any])?["sub_jobs"] as? [[String: Any]]) ?? []
                return (job["status"] as? String, subs.map { $0["status"] as? String }, job)
            }
            func advance(_ ms: Int) async throws {
                let response = try await call(client, "POST", "/__admin/clock/advance", #"{"ms": \#(ms)}"#)
                #expect(response.status == 200)
            }

            var state = try await poll()
            #expect(state.status == "INIT")
            #expect(state.subs == ["INIT", "INIT", "INIT"])
            try await advance(100)
            state = try await poll()
            #expect(state.status == "RUNNING")
            #expect(state.subs == ["RUNNING", "RUNNING", "RUNNING"])
            try await advance(200)
            state = try await poll()
            #expect(state.status == "RUNNING")
            #expect(state.subs == ["SUCCESS", "RUNNING", "RUNNING"])
            #expect(state.job["end_time"] as? String == "")
            try await advance(300)
            state = try await poll()
            #expect(state.status == "RUNNING")
            #expect(state.subs == ["SUCCESS", "FAIL", "RUNNING"])
            #expect(state.job["error_code"] is NSNull)
            try await advance(399)
            #expect(try await poll().status == "RUNNING")
            try await advance(1)
            state = try await poll()
            #expect(state.status == "FAIL")
            #expect(state.subs == ["SUCCESS", "FAIL", "SUCCESS"])
            #expect(state.job["error_code"] as? String == "EVS.2026")
            #expect(state.job["fail_reason"] as? String == "volume is error_extending!")
            #expect(state.job["begin_time"] as? String == APITime.format(t0))
            #expect(state.job["end_time"] as? String == APITime.format(t0 + 1000))
            #expect(server.clock.now() == t0 + 1000)

            let sub = try await call(client, "GET", "/v1/B/jobs/batch-2").object()
            #expect(sub["status"] as? String == "FAIL")
            #expect(sub["end_time"] as? String == APITime.format(t0 + 600))
            #expect(try await call(client, "GET", "/v1/other/jobs/batch-2").status == 400)
        }
    }

    /// `advance` answers 200 only when it moved the job on; repeating it finishes any job.
    @Test func advancingABatchParentAlwaysMakesProgress() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            #expect(try await call(client, "POST", "/__admin/jobs", #"""
                {"project_id": "B", "jobs": [{"job_id": "mixed", "job_type": "batchCreateVolume", "sub_jobs": [
                  {"job_id": "mixed-1", "scenario": {"init_ms": 0, "running_ms": 60000}},
                  {"job_id": "mixed-2", "scenario": {"init_ms": 60000, "running_ms": 60000}}]}]}
                """#).status == 201)
            func subs(_ job: [String: Any]) -> [String?] {
                (((job["entities"] as? [String: Any])?["sub_jobs"] as? [[String: Any]]) ?? []).map { $0["status"] as? String }
            }
            var job = try await call(client, "GET", "/__admin/jobs/mixed?project_id=B").object()
            #expect(job["status"] as? String == "RUNNING")
            #expect(subs(job) == ["RUNNING", "INIT"])
            // Parent status, then the sub-jobs': each advance answered 200 must change one of them.
            var history: [[String]] = [[job["status"] as? String ?? "?"] + subs(job).map { $0 ?? "?" }]
            for _ in 0..<5 {
                let response = try await call(client, "POST", "/__admin/jobs/mixed/advance?project_id=B")
                if response.status == 409 { break }
                #expect(response.status == 200)
                job = try response.object()
                history.append([job["status"] as? String ?? "?"] + subs(job).map { $0 ?? "?" })
            }
            let unchanged = zip(history, history.dropFirst()).filter { $0.0 == $0.1 }.count
            #expect(unchanged == 0, "\(unchanged) advances answered 200 and changed nothing: \(history)")
            #expect(job["status"] as? String == "SUCCESS", "after 5 advances: \(history)")
        }
    }

    // MARK: - Reset and reload

    @Test func resetRestoresAProjectOrEverything() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            let fixtureCount = try jobsOf(await call(client, "GET", "/__admin/jobs")).count
            let t0 = server.clock.now()
            #expect(try await call(client, "GET", "/v1/p/jobs/\(Self.fixtureTimed)").object()["begin_time"] as? String == APITime.format(t0))
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "P", "jobs": [\#(jobJSON("p-1")), \#(jobJSON("p-2"))]}"#).status == 201)
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "Q", "jobs": [\#(jobJSON("q-1"))]}"#).status == 201)
            #expect(try await call(client, "POST", "/__admin/jobs", jobJSON("g-1")).status == 201)

            let resetP = try await call(client, "POST", "/__admin/reset?project_id=P")
            #expect(resetP.status == 200)
            #expect(try resetP.object()["jobs"] as? Int == fixtureCount + 2)
            #expect(try await call(client, "GET", "/v1/P/jobs/p-1").status == 400)
            #expect(try await call(client, "GET", "/v1/P/jobs/p-2").status == 400)
            #expect(try jobsOf(await call(client, "GET", "/__admin/jobs?project_id=P")).isEmpty)
            #expect(try await call(client, "GET", "/v1/Q/jobs/q-1").status == 200)
            #expect(try await call(client, "GET", "/v1/P/jobs/g-1").status == 200, "jobs visible everywhere are left alone")
            #expect(try await call(client, "GET", "/v1/P/jobs/\(Self.fixtureRunning)").status == 200)

            // Let the timed fixture job finish, then reset everything: it starts over now.
            server.clock.advance(by: 10_000)
            #expect(try await call(client, "GET", "/v1/p/jobs/\(Self.fixtureTimed)").object()["status"] as? String == "SUCCESS")
            let resetAll = try await call(client, "POST", "/__admin/reset")
            #expect(resetAll.status == 200)
            #expect(try resetAll.object()["jobs"] as? Int == fixtureCount)
            for (project, id) in [("Q", "q-1"), ("P", "g-1"), ("P", "p-1")] {
                #expect(try await call(client, "GET", "/v1/\(project)/jobs/\(id)").status == 400)
            }
            #expect(try jobsOf(await call(client, "GET", "/__admin/jobs")).count == fixtureCount)
            let running = try await call(client, "GET", "/v1/x/jobs/\(Self.fixtureRunning)")
            #expect(running.status == 200)
            #expect(try running.object()["status"] as? String == "RUNNING")
            let restarted = try await call(client, "GET", "/v1/p/jobs/\(Self.fixtureTimed)").object()
            #expect(restarted["status"] as? String == "INIT")
            #expect(restarted["begin_time"] as? String == APITime.format(t0 + 10_000))
            #expect(restarted["end_time"] as? String == "")
        }
    }

    @Test func reloadOfTheBuiltInFixtures() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let fixtureCount = try jobsOf(await call(client, "GET", "/__admin/jobs")).count
            #expect(try await call(client, "POST", "/__admin/jobs", #"{"project_id": "P", "jobs": [\#(jobJSON("p-1"))]}"#).status == 201)
            let reload = try await call(client, "POST", "/__admin/reload")
            #expect(reload.status == 200)
            #expect(reload.text == #"{"jobs":\#(fixtureCount)}"#)
            #expect(try await call(client, "GET", "/v1/P/jobs/p-1").status == 400, "reload replaces created jobs too")
            #expect(try await call(client, "GET", "/v1/P/jobs/\(Self.fixtureRunning)").status == 200)
        }
    }

    @Test func reloadOfABadFileKeepsTheOldJobs() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("admin-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("jobs.json")
        try #"{"project_id": "R", "jobs": [\#(jobJSON("r-1"))]}"#.write(to: file, atomically: true, encoding: .utf8)

        var logger = Logger(label: "test")
        logger.logLevel = .error
        let server = try MockServer(MockServer.Configuration(http: HTTPServerOptions(host: "127.0.0.1", port: 0), fixturePaths: [dir.path],
                                                             clockMode: .manual, logger: logger))
        server.start()
        do {
            let client = try await RawClient.connect(port: server.http.address.port)
            #expect(try await call(client, "GET", "/v1/R/jobs/r-1").status == 200)

            try #"{"project_id": "R", "jobs": [ {"job_id": "r-1", "#.write(to: file, atomically: true, encoding: .utf8)
            let bad = try await call(client, "POST", "/__admin/reload")
            #expect(bad.status == 400)
            let error = try bad.errorObject()
            #expect(error["code"] as? String == "MOCK.1006")
            let problems = try #require(error["problems"] as? [String], "\(bad.text)")
            #expect(!problems.isEmpty)
            #expect(problems.allSatisfy { $0.contains(file.path) }, "\(problems)")
            #expect(try await call(client, "GET", "/v1/R/jobs/r-1").status == 200, "the old set stays in force")
            #expect(try jobsOf(await call(client, "GET", "/__admin/jobs")).count == 1)

            try #"{"project_id": "R", "jobs": [\#(jobJSON("r-1")), \#(jobJSON("r-2"))]}"#.write(to: file, atomically: true, encoding: .utf8)
            let good = try await call(client, "POST", "/__admin/reload")
            #expect(good.status == 200)
            #expect(good.text == #"{"jobs":2}"#)
            #expect(try await call(client, "GET", "/v1/R/jobs/r-2").status == 200)
            #expect(try await call(client, "GET", "/v1/R/jobs/r-1").status == 200)
            // Reset now restores the reloaded set.
            #expect(try await call(client, "POST", "/__admin/reset").object()["jobs"] as? Int == 2)
            await server.shutdown(timeoutMs: 500)
        } catch {
            await server.shutdown(timeoutMs: 500)
            throw error
        }
    }

    // MARK: - Routes

    @Test(arguments: ["/__admin/nope", "/__admin", "/__admin/", "/__admin/jobs/a/b/c", "/__admin/clock/stop"])
    func unknownAdminRouteIs404(path: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let response = try await call(client, "GET", path)
            #expect(response.status == 404)
            #expect(try response.errorObject()["code"] as? String == "MOCK.0404")
        }
    }

    @Test(arguments: [
        ("PUT", "/__admin/clock", "GET, POST"), ("DELETE", "/__admin/clock/advance", "POST"), ("GET", "/__admin/reset", "POST"),
        ("PATCH", "/__admin/jobs", "GET, POST"), ("POST", "/__admin/jobs/whatever", "GET, DELETE"), ("GET", "/__admin/jobs/x/advance", "POST"),
    ])
    func wrongMethodIs405WithAllow(method: String, path: String, allow: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            #expect(try await call(client, "POST", "/__admin/jobs", jobJSON("whatever")).status == 201)
            let response = try await call(client, method, path, method == "GET" ? nil : "{}")
            #expect(response.status == 405)
            #expect(response.header("Allow") == allow)
            let error = try response.errorObject()
            #expect(error["code"] as? String == "MOCK.0405")
            // Nothing happened: the clock still reads the same and the job is still there.
            #expect(try await call(client, "GET", "/__admin/jobs/whatever").status == 200)
        }
    }

    // MARK: - Values the clock cannot hold (in a child process, since they end the server)

    @Test func aHugeClockAdvanceIsRefusedAndTheServerLives() async throws {
        let run = try await ChildMock.run { port in
            try? call(RawClient(port: port), "POST", "/__admin/clock/advance", #"{"ms": 9223372036854775807}"#)
        }
        let response = run.result
        #expect(response?.status == 400, "got \(response.map { "\($0.status) \($0.text)" } ?? "no answer: the server died")")
        #expect(run.answered, "the server process ended")
        #expect(run.stoppedCleanly, "\(run.exitDescription)")
    }

    @Test(arguments: ["1e300", "1e-300"])
    func anExtremeClockScaleDoesNotEndTheServer(scale: String) async throws {
        let run = try await ChildMock.run { port in
            try? call(RawClient(port: port), "POST", "/__admin/clock", #"{"mode": "real", "scale": \#(scale)}"#)
        }
        #expect(run.result != nil, "no answer: the server died")
        #expect(run.answered, "the server process ended after scale \(scale)")
        // The engine re-times its timer on its own queue; stopping waits for that queue, so a
        // crash there shows as a signal instead of exit 0.
        #expect(run.stoppedCleanly, "after scale \(scale): \(run.exitDescription)")
    }
}

// MARK: - Helpers

/// One admin or API request, with a JSON body when given.
private func adminRequest(_ method: String, _ path: String, _ body: String? = nil) -> String {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n"
    if let body {
        head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
    } else if method != "GET" && method != "HEAD" {
        head += "Content-Length: 0\r\n"
    }
    return head + "\r\n" + (body ?? "")
}

/// Sends one request and reads the answer, on a Dispatch worker.
@discardableResult
private func call(_ client: RawClient, _ method: String, _ path: String, _ body: String? = nil) async throws -> RawResponse {
    try await client.exchange(adminRequest(method, path, body), head: method == "HEAD")
}

/// The same, blocking: for threads of their own (`onThreads`) and Dispatch workers.
@discardableResult
private func call(_ client: RawClient, _ method: String, _ path: String, _ body: String? = nil) throws -> RawResponse {
    try client.exchange(adminRequest(method, path, body), head: method == "HEAD")
}

/// A JOB in the fixture format.
private func jobJSON(_ id: String, _ scenario: String = #"{"init_ms": 1000, "running_ms": 1000}"#, type: String = "createVolume",
                     name: String? = nil) -> String {
    let entities = name.map { #", "entities": {"name": "\#($0)", "size": 10}"# } ?? ""
    return #"{"job_id": "\#(id)", "job_type": "\#(type)"\#(entities), "scenario": \#(scenario)}"#
}

private func jobsOf(_ response: RawResponse) throws -> [[String: Any]] {
    try #require(try response.object()["jobs"] as? [[String: Any]], "no jobs array: \(response.status) \(response.text)")
}

/// INIT < RUNNING < SUCCESS and FAIL: a job's status may only go up.
private func rank(_ status: String) -> Int {
    switch status {
    case "INIT": 0
    case "RUNNING": 1
    case "SUCCESS", "FAIL": 2
    default: -1
    }
}

private final class Slots<T: Sendable>: Sendable {
    private let results = Mutex<[Int: Result<T, any Error>]>([:])

    func set(_ index: Int, _ result: Result<T, any Error>) {
        results.withLock { $0[index] = result }
    }

    func values(_ count: Int) throws -> [T] {
        let all = results.withLock { $0 }
        return try (0..<count).map { index in
            guard let result = all[index] else { throw RawClient.Failure(description: "thread \(index) gave no result") }
            return try result.get()
        }
    }
}

/// Lets `count` threads go on together, again and again.
private final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private let count: Int
    private var waiting = 0
    private var generation = 0

    init(_ count: Int) {
        self.count = count
    }

    func arriveAndWait() {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        waiting += 1
        if waiting == count {
            waiting = 0
            generation += 1
            condition.broadcast()
            return
        }
        while generation == mine { condition.wait() }
    }
}

/// Runs `body(0)` ... `body(count - 1)` at once, each on a thread of its own (blocking socket
/// clients would otherwise take turns on the cooperative pool's two threads); results in order.
private func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) async throws -> [T] {
    let slots = Slots<T>()
    let group = DispatchGroup()
    let gate = DispatchSemaphore(value: 0)
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            gate.wait()
            slots.set(index, Result { try body(index) })
            group.leave()
        }
        thread.start()
    }
    for _ in 0..<count { gate.signal() }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        group.notify(queue: .global()) { continuation.resume() }
    }
    return try slots.values(count)
}

/// The built `evs-jobs-mock` binary on a manual clock, in a process of its own, for requests
/// that might end it.
private final class ChildMock {
    let process = ChildProcess()
    let port: UInt16

    init() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("evs-jobs-mock")
        process.executableURL = binary
        process.arguments = ["--port", "0", "--clock", "manual", "--log-level", "critical"]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EVS_MOCK_") }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try startProcess(process)
        var line = Data()
        while !line.contains(10) {
            let chunk = stdout.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = text.split(separator: ":").last.flatMap({ UInt16($0) }) else {
            process.terminate()
            process.waitUntilExit()
            throw RawClient.Failure(description: "no start-up line from \(binary.path): \(text)")
        }
        self.port = port
    }

    /// Still running and answering.
    func answers() -> Bool {
        guard process.isRunning, let client = try? RawClient(port: port, timeout: 2),
            let response = try? call(client, "GET", "/__admin/health") else { return false }
        return response.status == 200
    }

    /// SIGTERM, then true if it exited 0 (the server's shutdown waits for the scenario engine).
    func stopsCleanly() -> Bool {
        stop()
        return process.terminationReason == .exit && process.terminationStatus == 0
    }

    var exitDescription: String {
        process.isRunning ? "still running"
            : "\(process.terminationReason == .exit ? "exit status" : "signal") \(process.terminationStatus)"
    }

    func stop() {
        if process.isRunning {
            process.terminate()
        }
        process.waitUntilExit()
    }

    /// What `run` saw: `body`'s result, then whether the child still answered and stopped cleanly.
    struct Run<T: Sendable>: Sendable {
        let result: T
        let answered: Bool
        let stoppedCleanly: Bool
        let exitDescription: String
    }

    /// Starts a child, gives `body` its port, then asks whether it still answers and stops it;
    /// all on a Dispatch worker, since each step waits on a pipe, a socket or the process.
    static func run<T: Sendable>(_ body: @escaping @Sendable (UInt16) throws -> T) async throws -> Run<T> {
        try await blocking {
            let mock = try ChildMock()
            defer { mock.stop() }
            let result = try body(mock.port)
            let answered = mock.answers()
            let stoppedCleanly = mock.stopsCleanly()
            return Run(result: result, answered: answered, stoppedCleanly: stoppedCleanly, exitDescription: mock.exitDescription)
        }
    }
}
