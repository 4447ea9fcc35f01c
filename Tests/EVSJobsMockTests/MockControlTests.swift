import EVSJobs
import Foundation
import HTTP1
import Testing

@testable import EVSJobsMock

/// `MockControl` on values: a manual clock, no server, no socket.
@Suite struct MockControlTests {
    static let t0: Int64 = 1_700_000_000_000
    static let fixtures = #"""
        {"project_id": "p", "jobs": [{"job_id": "p1", "job_type": "createVolume", "scenario": {"init_ms": 0, "running_ms": 1000}}]}
        """#
    static let otherFixtures = #"""
        {"project_id": "q", "jobs": [{"job_id": "q1", "job_type": "createVolume", "scenario": {"init_ms": 0, "running_ms": 1000}}]}
        """#

    static func control(paths: [String]? = nil, fixtures: [String] = [fixtures, otherFixtures]) throws -> MockControl {
        let sources = fixtures.enumerated().map { FixtureSource(name: "f\($0.offset).json", bytes: Array($0.element.utf8)) }
        let set = try FixtureSet(paths: paths, sources: sources)
        let clock = MockClock(mode: .manual, startMs: t0)
        let store = JobStore()
        let engine = ScenarioEngine(store: store, clock: clock)
        engine.track(store.insert(set.current.jobs, t0: clock.now()))
        let disks = Disks(jobs: store, engine: engine, clock: clock, plans: Plans(set.current.plans))
        disks.replace(project: nil, with: set.current.volumes)
        return MockControl(store: store, engine: engine, clock: clock, journal: Journal(capacity: 100), faults: Faults(), disks: disks,
                           metrics: Metrics(), fixtures: set)
    }

    static func ids(_ control: MockControl, project: String? = nil) -> [String] {
        control.jobs(project: project).jobs.map(\.id).sorted()
    }

    @Test func addJobsInsertsAndRefusesATakenID() throws {
        let control = try Self.control()
        let job = #"{"project_id": "p", "job_id": "a", "job_type": "createVolume", "scenario": {"init_ms": 100, "running_ms": 400}}"#
        let added = try control.addJobs(Array(job.utf8))
        #expect(added.jobs.map(\.id) == ["a"])
        #expect(added.now == Self.t0)
        #expect(Self.ids(control, project: "p") == ["a", "p1"])
        #expect(throws: ControlError.self) { try control.addJobs(Array(job.utf8)) }
        do throws(ControlError) {
            _ = try control.addJobs(Array(job.utf8))
        } catch {
            guard case .idTaken(let taken) = error else { Issue.record("expected idTaken, got \(error)"); return }
            #expect(taken.id == "a")
        }
        #expect(Self.ids(control, project: "p") == ["a", "p1"])
    }

    @Test func addJobsRefusesBadDocumentsChangingNothing() throws {
        let control = try Self.control()
        let cases: [(String, (ControlError) -> Bool)] = [
            ("{", { if case .notJSON = $0 { true } else { false } }),
            (#"{"jobs": [{"job_id": "x"}]}"#, { if case .invalidJobs(let e) = $0 { e.count >= 1 } else { false } }),
            (#"{"jobs": []}"#, { if case .noJobGiven = $0 { true } else { false } }),
        ]
        for (document, expected) in cases {
            do throws(ControlError) {
                _ = try control.addJobs(Array(document.utf8))
                Issue.record("\(document) was added")
            } catch {
                #expect(expected(error), "\(document): \(error)")
            }
        }
        #expect(control.store.jobCount == 2)
    }

    @Test func advanceAndFinishMoveAJobOnNow() throws {
        let control = try Self.control()
        _ = try control.addJobs(Array(#"{"job_id": "a", "job_type": "createVolume", "scenario": {"init_ms": 100, "running_ms": 400}}"#.utf8))
        let ref = try control.findJob("a", project: nil)
        #expect(try control.job(ref).job.state(at: Self.t0).status == .initializing)
        let advanced = try control.advanceJob(ref)
        #expect(advanced.job.state(at: advanced.now).status == .running)
        let finished = try control.finishJob(ref, .failure(errorCode: "E1", failReason: "broken"))
        #expect(finished.job.state(at: finished.now).status == .fail)
        #expect(throws: ControlError.self) { try control.advanceJob(ref) }
        #expect(throws: ControlError.self) { try control.finishJob(ref, .success) }
        try control.deleteJob(ref)
        #expect(throws: ControlError.self) { try control.findJob("a", project: nil) }
    }

    @Test func clockMovesOnlyWithinItsRange() throws {
        let control = try Self.control()
        #expect(try control.advanceClock(by: 500).now == Self.t0 + 500)
        #expect(throws: ControlError.self) { try control.advanceClock(by: -1) }
        #expect(throws: ControlError.self) { try control.advanceClock(by: nil) }
        #expect(throws: ControlError.self) { try control.advanceClock(by: control.clockRoom + 1) }
        #expect(throws: ControlError.self) { try control.setClock(mode: nil, scale: 0) }
        #expect(control.clockReading == MockControl.ClockReading(mode: .manual, now: Self.t0 + 500, scale: 1))
    }

    @Test func resetOfOneProjectKeepsTheOthers() throws {
        let control = try Self.control()
        _ = try control.addJobs(Array(#"{"project_id": "p", "job_id": "a", "job_type": "createVolume", "scenario": {"running_ms": 1}}"#.utf8))
        _ = try control.addJobs(Array(#"{"project_id": "q", "job_id": "b", "job_type": "createVolume", "scenario": {"running_ms": 1}}"#.utf8))
        _ = control.addFault(match: Faults.Match(projectID: "p"), action: .close, times: nil, probability: nil, seed: nil)
        _ = control.addFault(match: Faults.Match(projectID: "q"), action: .close, times: nil, probability: nil, seed: nil)
        #expect(control.reset(project: "p") == 3)
        #expect(Self.ids(control, project: "p") == ["p1"])
        #expect(Self.ids(control, project: "q") == ["b", "q1"])
        #expect(control.faultRules.map(\.match.projectID) == ["q"])
        #expect(control.reset(project: nil) == 2)
        #expect(control.faultRules.isEmpty)
    }

    @Test func aReloadThatFailsChangesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mock-control-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("jobs.json")
        try Data(Self.fixtures.utf8).write(to: file)
        let control = try Self.control(paths: [directory.path])
        _ = try control.addJobs(Array(#"{"project_id": "p", "job_id": "a", "job_type": "createVolume", "scenario": {"running_ms": 1}}"#.utf8))
        try Data(#"{"jobs": [{"job_id": 7}]}"#.utf8).write(to: file)
        do throws(ControlError) {
            _ = try control.reload()
            Issue.record("an invalid fixture set was loaded")
        } catch {
            guard case .fixturesInvalid(let problems) = error else { Issue.record("expected fixturesInvalid, got \(error)"); return }
            #expect(problems.count >= 1)
        }
        #expect(Self.ids(control) == ["a", "p1"])
        #expect(control.reset(project: nil) == 1)
        try Data(Self.otherFixtures.utf8).write(to: file)
        #expect(try control.reload() == 1)
        #expect(Self.ids(control) == ["q1"])
    }

    /// Issue 13: reset puts a project's fixture disks and plans back (created disks and added
    /// plans gone), leaving the other project's; plans are bounded and refused whole when bad.
    @Test func resetCoversDisksAndPlansPerProject() throws {
        let disks = #"""
            {"project_id": "p", "volumes": [{"id": "fv", "size": 10}], "plans": [{"name": "fixture*"}]}
            """#
        let control = try Self.control(fixtures: [Self.fixtures, Self.otherFixtures, disks])
        let request = Disks.CreateRequest(name: "made", size: 10, volumeType: "SAS", availabilityZone: "az")
        let inP = try control.disks.create(project: "p", request).volumeIDs[0]
        let inQ = try control.disks.create(project: "q", request).volumeIDs[0]
        _ = try control.addPlan(Array(#"{"project_id": "p", "job_type": "deleteVolume"}"#.utf8))
        _ = try control.addPlan(Array(#"{"project_id": "q", "job_type": "deleteVolume"}"#.utf8))
        #expect(control.plans(project: nil).count == 3)
        _ = control.reset(project: "p")
        #expect(control.disks.volume(project: "p", id: inP) == nil)
        #expect(control.disks.volume(project: "p", id: "fv")?.status == "available")
        #expect(control.disks.volume(project: "q", id: inQ) != nil)
        #expect(control.plans(project: "p").map(\.name) == ["fixture*"])
        #expect(control.plans(project: "q").map(\.projectID) == ["q"])
        #expect(throws: ControlError.self) { try control.addPlan(Array(#"{"times": "x"}"#.utf8)) }
        #expect(throws: ControlError.self) { try control.addPlan(Array(#"{"#.utf8)) }
        #expect(control.plans(project: nil).count == 2)
        for _ in control.plans(project: nil).count..<Plans.maxRules { _ = try control.addPlan(Array("{}".utf8)) }
        #expect(throws: ControlError.self) { try control.addPlan(Array("{}".utf8)) }
        _ = control.reset(project: nil)
        #expect(control.plans(project: nil).count == 1)
        #expect(control.disks.count == 1)
    }

    @Test func faultsAreBoundedAndRemovedByID() throws {
        let control = try Self.control()
        var ids: [String] = []
        for _ in 0..<Faults.maxRules {
            ids.append(try control.addBoundedFault(match: Faults.Match(), action: .reset, times: 1, probability: nil, seed: nil))
        }
        #expect(throws: ControlError.self) {
            try control.addBoundedFault(match: Faults.Match(), action: .reset, times: 1, probability: nil, seed: nil)
        }
        #expect(control.faultRules.count == Faults.maxRules)
        try control.removeFault(id: ids[0])
        #expect(throws: ControlError.self) { try control.removeFault(id: ids[0]) }
        #expect(control.faultRules.count == Faults.maxRules - 1)
        control.clearFaults()
        #expect(control.faultRules.isEmpty)
    }

    @Test func journalIsReadInPages() throws {
        let control = try Self.control()
        for n in 0..<5 {
            control.journal.record(time: Self.t0 + Int64(n), request: HTTPRequest(method: "GET", target: "/v1/p/jobs/j\(n % 2)"),
                                   projectID: "p", jobID: "j\(n % 2)", status: 200, durationMs: 1)
        }
        let newest = control.requests(projectID: "p", jobID: nil, limit: 2, before: nil)
        #expect(newest.entries.map(\.id) == [4, 5])
        #expect(newest.total == 5 && newest.dropped == 0)
        let older = control.requests(projectID: "p", jobID: nil, limit: 2, before: newest.older)
        #expect(older.entries.map(\.id) == [2, 3])
        #expect(control.requestCount(projectID: nil, jobID: "j0") == 3)
        #expect(control.allRequests(projectID: nil, jobID: "j1").map(\.id) == [2, 4])
        control.clearRequests()
        #expect(control.requestCount(projectID: nil, jobID: nil) == 0)
        #expect(control.health.jobs == 2)
    }
}
