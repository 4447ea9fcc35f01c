import Testing

@testable import EVSJobs

/// Issue 13 on values: disks, how their jobs settle them, plans, and their fixture form.
@Suite struct DisksTests {
    /// A store, an engine and a manual clock at 1,000,000 ms, with INIT 100 ms and RUNNING 200 ms.
    struct World {
        let clock = ManualClock(1_000_000)
        let jobs = JobStore()
        let disks: Disks

        init(plans: [Plan] = []) {
            disks = Disks(jobs: jobs, engine: ScenarioEngine(store: jobs, clock: clock), clock: clock, plans: Plans(plans),
                          defaultTiming: Scenario(initMs: 100, runningMs: 200))
        }

        func create(_ name: String = "d", count: Int = 1, size: Int64 = 10) throws -> Disks.Started {
            try disks.create(project: "p", Disks.CreateRequest(name: name, size: size, volumeType: "SSD", availabilityZone: "az", count: count))
        }

        func status(_ id: String) -> String? { disks.volume(project: "p", id: id)?.status }

        func job(_ id: String) -> JobState? {
            guard case .found(let ref) = jobs.lookup(id: id, project: "p"), let job = jobs.job(ref) else { return nil }
            return job.state(at: clock.now())
        }
    }

    @Test(arguments: [("d*", "d-0001", true), ("d?0001", "d-0001", true), ("*01", "d-0001", true), ("x*", "d-0001", false),
                      ("", "", true), ("*", "", true), ("a*b*c", "aXbYc", true), ("a*b*c", "aXbY", false), ("?", "", false)])
    func globs(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(glob(pattern, matches: text) == expected)
    }

    @Test func aCreateRunsThroughItsStatusesOnTheClock() throws {
        let world = World()
        let started = try world.create()
        let id = try #require(started.volumeIDs.first)
        #expect(world.status(id) == "creating")
        #expect(world.job(started.jobID)?.status == .initializing)
        world.clock.advance(by: 299)
        #expect(world.status(id) == "creating")
        world.clock.advance(by: 1)
        #expect(world.job(started.jobID)?.status == .success)
        let volume = try #require(world.disks.volume(project: "p", id: id))
        #expect(volume.status == "available")
        #expect(volume.updatedAt == 1_000_300)
        #expect(volume.createdAt == 1_000_000)
    }

    @Test func eachOperationSettlesItsDisk() throws {
        let world = World()
        let id = try #require(world.create().volumeIDs.first)
        world.clock.advance(by: 300)
        _ = try world.disks.extend(project: "p", volumeID: id, newSize: 20)
        #expect(world.status(id) == "extending")
        #expect(throws: DiskRefusal.extendInStatus("extending")) { try world.disks.extend(project: "p", volumeID: id, newSize: 30) }
        world.clock.advance(by: 300)
        #expect(world.disks.volume(project: "p", id: id)?.size == 20)
        _ = try world.disks.retype(project: "p", volumeID: id, newType: "SAS")
        #expect(world.status(id) == "retyping")
        world.clock.advance(by: 300)
        #expect(world.disks.volume(project: "p", id: id)?.volumeType == "SAS")
        #expect(world.status(id) == "available")
        _ = try world.disks.delete(project: "p", volumeID: id)
        #expect(world.status(id) == "deleting")
        #expect(throws: DiskRefusal.deleteInStatus("deleting")) { try world.disks.delete(project: "p", volumeID: id) }
        world.clock.advance(by: 300)
        #expect(world.disks.volume(project: "p", id: id) == nil)
        #expect(world.disks.count == 0)
    }

    @Test func refusalsStartNoJob() throws {
        let world = World()
        let id = try #require(world.create(size: 20).volumeIDs.first)
        let jobs = world.jobs.jobCount
        #expect(throws: DiskRefusal.extendInStatus("creating")) { try world.disks.extend(project: "p", volumeID: id, newSize: 30) }
        world.clock.advance(by: 300)
        #expect(throws: DiskRefusal.notLarger(current: 20, requested: 20)) { try world.disks.extend(project: "p", volumeID: id, newSize: 20) }
        #expect(throws: DiskRefusal.tooLarge(maximum: 32768)) { try world.disks.extend(project: "p", volumeID: id, newSize: 32769) }
        #expect(throws: DiskRefusal.sameType("SSD")) { try world.disks.retype(project: "p", volumeID: id, newType: "SSD") }
        #expect(throws: DiskRefusal.noSuchVolume(id: id)) { try world.disks.delete(project: "q", volumeID: id) }
        #expect(world.jobs.jobCount == jobs)
    }

    @Test func plansDecideOutcomesAndRunOut() throws {
        let fail = Outcome.failure(errorCode: "EVS.2024", failReason: "volume is error!")
        let world = World(plans: [Plan(jobType: .createVolume, name: "doomed*", outcome: fail, remaining: 1)])
        let doomed = try world.create("doomed-1")
        let spared = try world.create("doomed-2")
        world.clock.advance(by: 300)
        #expect(world.job(doomed.jobID)?.status == .fail)
        #expect(world.job(doomed.jobID)?.errorCode == "EVS.2024")
        #expect(world.status(doomed.volumeIDs[0]) == "error")
        #expect(world.status(spared.volumeIDs[0]) == "available")
        #expect(world.disks.plans.rules.first?.used == 1)
        #expect(world.disks.plans.rules.first?.remaining == 0)
    }

    @Test func failedOperationsLeaveTheirErrorStatus() throws {
        let fail = Outcome.defaultFailure
        let world = World(plans: [Plan(jobType: .extendVolume, outcome: fail), Plan(jobType: .retypeVolume, outcome: fail),
                                  Plan(jobType: .deleteVolume, outcome: fail)])
        let a = try #require(world.create("a").volumeIDs.first)
        let b = try #require(world.create("b").volumeIDs.first)
        world.clock.advance(by: 300)
        _ = try world.disks.extend(project: "p", volumeID: a, newSize: 20)
        _ = try world.disks.retype(project: "p", volumeID: b, newType: "SATA")
        world.clock.advance(by: 300)
        #expect(world.disks.volume(project: "p", id: a)?.status == "error_extending")
        #expect(world.disks.volume(project: "p", id: a)?.size == 10)
        #expect(world.disks.volume(project: "p", id: b)?.status == "available")
        #expect(world.disks.volume(project: "p", id: b)?.volumeType == "SSD")
        _ = try world.disks.delete(project: "p", volumeID: b)
        world.clock.advance(by: 300)
        #expect(world.status(b) == "error_deleting")
    }

    @Test func aBatchPlanFailsChosenSubJobs() throws {
        let world = World(plans: [Plan(jobType: .batchCreateVolume, outcome: .defaultFailure, failSubJobs: [1])])
        let started = try world.create("b", count: 3)
        world.clock.advance(by: 300)
        #expect(world.job(started.jobID)?.status == .fail)
        #expect(started.volumeIDs.map { world.status($0) } == ["available", "error", "available"])
        let names = started.volumeIDs.compactMap { world.disks.volume(project: "p", id: $0)?.name }
        #expect(names == ["b-0001", "b-0002", "b-0003"])
    }

    @Test func aPollCountedPlanEndsOnPollsNotTime() throws {
        let world = World(plans: [Plan(timing: .polls(PollScenario(initPolls: 0, runningPolls: 2), PollProgress()))])
        let started = try world.create()
        world.clock.advance(by: 10_000)
        #expect(world.status(started.volumeIDs[0]) == "creating")
        for _ in 0..<3 { _ = world.jobs.read(id: started.jobID, project: "p", clock: world.clock) }
        #expect(world.status(started.volumeIDs[0]) == "available")
    }

    @Test func aDiskWhoseJobIsGoneCountsAsDone() throws {
        let world = World()
        let started = try world.create()
        guard case .found(let ref) = world.jobs.lookup(id: started.jobID, project: "p") else { Issue.record("no job"); return }
        world.jobs.remove(ref)
        #expect(world.status(started.volumeIDs[0]) == "available")
    }

    @Test func listsPageNewestFirstAndCount() throws {
        let world = World()
        var ids: [String] = []
        for offset in 0..<5 {
            ids += try world.create("d\(offset)").volumeIDs
            world.clock.advance(by: 1)
        }
        let first = try world.disks.list(project: "p", filter: .init(), limit: 2, offset: 0, marker: nil)
        #expect(first.count == 5)
        #expect(first.volumes.map(\.id) == [ids[4], ids[3]])
        #expect(first.more)
        let next = try world.disks.list(project: "p", filter: .init(), limit: 2, offset: 0, marker: ids[3])
        #expect(next.volumes.map(\.id) == [ids[2], ids[1]])
        let last = try world.disks.list(project: "p", filter: .init(), limit: 2, offset: 4, marker: nil)
        #expect(last.volumes.map(\.id) == [ids[0]])
        #expect(!last.more)
        let named = try world.disks.list(project: "p", filter: .init(name: "d2"), limit: 10, offset: 0, marker: nil)
        #expect(named.count == 1)
        #expect(throws: DiskRefusal.badMarker("nope")) { try world.disks.list(project: "p", filter: .init(), limit: 2, offset: 0, marker: "nope") }
        #expect(try world.disks.list(project: "q", filter: .init(), limit: 2, offset: 0, marker: nil).count == 0)
    }

    @Test func fixturesCarryDisksAndPlans() throws {
        let document = #"""
            {"project_id": "p",
             "volumes": [{"id": "v1", "name": "data", "size": 100, "volume_type": "SSD", "availability_zone": "eu-de-02",
                          "metadata": {"k": "v"}, "created_at": "2016-02-03T02:19:11.723797"},
                         {"id": "v2", "size": 10, "status": "in-use", "multiattach": true}],
             "plans": [{"job_type": "batchCreateVolume", "name": "b*", "fail_sub_jobs": [0, 2], "times": 2,
                        "scenario": {"init_ms": 5, "running_ms": 7, "outcome": "FAIL", "error_code": "EVS.2024"}}]}
            """#
        let contents = try FixtureLoader.decodeContents([FixtureSource(name: "f.json", bytes: Array(document.utf8))])
        #expect(contents.jobs.isEmpty)
        #expect(contents.volumes.map(\.id) == ["v1", "v2"])
        #expect(contents.volumes[0].createdAt == APITime.parse("2016-02-03T02:19:11.723Z"))
        #expect(contents.volumes[0].metadata == [JSONMember("k", .string("v"))])
        #expect(contents.volumes[1].status == "in-use")
        #expect(contents.volumes[1].volumeType == "SAS")
        #expect(contents.volumes.allSatisfy { $0.projectID == "p" })
        let plan = try #require(contents.plans.first)
        #expect(plan.failSubJobs == [0, 2])
        #expect(plan.remaining == 2)
        #expect(plan.timing == .scenario(Scenario(initMs: 5, runningMs: 7, outcome: plan.outcome)))
        #expect(plan.outcome == .fail(errorCode: "EVS.2024", failReason: Outcome.defaultFailReason))
    }

    @Test(arguments: [
        (#"{"volumes": [{"size": 0}]}"#, "volumes[0].size"),
        (#"{"volumes": [{"size": 10, "volume_type": "FAST"}]}"#, "volumes[0].volume_type"),
        (#"{"volumes": [{"size": 10, "status": "happy"}]}"#, "volumes[0].status"),
        (#"{"volumes": [{"id": "a", "size": 10}, {"id": "a", "size": 10}]}"#, "volumes[1].id"),
        (#"{"volumes": [{"size": 10, "created_at": "yesterday"}]}"#, "volumes[0].created_at"),
        (#"{"plans": [{"fail_sub_jobs": [1]}]}"#, "plans[0].fail_sub_jobs"),
        (#"{"plans": [{"job_type": "bulkDeleteVolume"}]}"#, "plans[0].job_type"),
        (#"{"plans": [{"times": 0}]}"#, "plans[0].times"),
        (#"{"plans": {}}"#, "plans"),
    ])
    func badDisksAndPlansAreProblemsWithTheirPath(_ document: String, _ path: String) {
        #expect(throws: FixtureError.self) { try FixtureLoader.decodeContents([FixtureSource(name: "f.json", bytes: Array(document.utf8))]) }
        do {
            _ = try FixtureLoader.decodeContents([FixtureSource(name: "f.json", bytes: Array(document.utf8))])
        } catch {
            #expect(error.problems.first?.path?.description == path)
            #expect(error.problems.first?.file == "f.json")
        }
    }

    @Test func replacingOneProjectKeepsTheOthers() throws {
        let world = World()
        _ = try world.create()
        _ = try world.disks.create(project: "q", Disks.CreateRequest(size: 10, volumeType: "SAS", availabilityZone: "az"))
        world.disks.replace(project: "p", with: [Volume(id: "v", projectID: "p", name: "fixture", size: 10, volumeType: "SAS",
                                                        availabilityZone: "az", createdAt: FixtureDecoder.createdWhenStored)])
        #expect(world.disks.count == 2)
        let page = try world.disks.list(project: "p", filter: .init(), limit: 10, offset: 0, marker: nil)
        #expect(page.volumes.map(\.id) == ["v"])
        #expect(page.volumes.first?.createdAt == world.clock.now())
        #expect(try world.disks.list(project: "q", filter: .init(), limit: 10, offset: 0, marker: nil).count == 1)
    }
}

/// Issue 14's writers: ids and numbers written in place read back as the Strings would.
@Suite struct InPlaceWriterTests {
    @Test(arguments: ["5d7e1f4a-0b6c-4c1e-9a57-2f1f3b9a6d10", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
                      "5D7E1F4A-0B6C-4C1E-9A57-2F1F3B9A6D10", "v1", "5d7e1f4a0b6c4c1e9a572f1f3b9a6d10xxxx", "a\"b"])
    func volumeIDsReadBackAsWritten(_ text: String) throws {
        let id = VolumeID(text)
        #expect(id.description == text)
        var out: [UInt8] = []
        id.appendJSON(to: &out)
        #expect(try JSONParser.parse(out) == .string(text))
    }

    @Test(arguments: [Int64(0), 7, -5, 1234567890, Int64.max, Int64.min])
    func integersAreWrittenInDecimal(_ value: Int64) {
        var out: [UInt8] = Array("x".utf8)
        JSONWriter.appendInteger(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x\(value)")
    }

    @Test(arguments: [Int64(0), 1_700_000_000_123, 253_402_300_799_999])
    func timesAreWrittenAsTheFormatSays(_ ms: Int64) {
        let text = APITime.format(ms)
        #expect(text.utf8.count == 24)
        #expect(APITime.parse(text) == ms)
    }
}
