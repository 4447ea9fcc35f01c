import Testing

@testable import EVSJobs

/// Issue 10: what removed jobs give back, references that outlive their job, the per-status
/// counts kept as jobs change, and ids that more than one project holds.
@Suite("JobStore: slots, counts and lookups")
struct StoreBoundsTests {
    /// 1 M create+delete cycles grew RSS from 16 to 260 MB: neither the slot nor the queued
    /// transitions of a deleted job were given back.
    @Test func createAndDeleteCyclesKeepNeitherSlotsNorQueuedTransitions() throws {
        let clock = ManualClock()
        let store = JobStore()
        let engine = ScenarioEngine(store: store, clock: clock)
        for cycle in 0..<50_000 {
            let refs = try engine.add([timedSpec("job-\(cycle)", initMs: 60_000, runningMs: 60_000)], t0: clock.now()).get()
            #expect(store.remove(refs[0]))
        }
        #expect(store.jobCount == 0)
        #expect(store.slotCount == 1)
        #expect(engine.queuedCount < 2 * ScenarioEngine.minimumCompaction)
    }

    @Test func aReferenceToARemovedJobDoesNotReachTheJobInItsSlot() throws {
        let store = JobStore()
        let old = store.insert([batchSpec("old", subs: [timedSpec("old-sub", initMs: 0, runningMs: 5)])], t0: 0)[0]
        #expect(store.remove(old))
        let new = store.insert([timedSpec("new", initMs: 0, runningMs: 5)], t0: 0)[0]
        #expect(new.index == old.index)
        #expect(store.job(old) == nil)
        #expect(store.job(old.subJob(0)) == nil)
        #expect(!store.remove(old))
        #expect(store.update(old, clock: ManualClock(), { job, now in job.advance(at: now) }) == nil)
        #expect(store.job(new)?.id == "new")
        #expect(store.areLive([old, new]) == [false, true])
    }

    @Test func countsFollowTransitionsReadsChangesAndRemovals() throws {
        let clock = ManualClock()
        let store = JobStore()
        let engine = ScenarioEngine(store: store, clock: clock)
        let refs = try engine.add([
            timedSpec("timed", initMs: 100, runningMs: 100),
            batchSpec("batch", subs: [timedSpec("s1", initMs: 0, runningMs: 50), timedSpec("s2", initMs: 10, runningMs: 300, outcome: failure("E"))]),
            JobSpec(id: "polled", type: .createVolume, timeline: .polls(PollScenario(initPolls: 1, runningPolls: 1), PollProgress())),
        ], t0: clock.now()).get()
        func counts() -> [Int] { JobStatus.allCases.map { store.countsByStatus[$0] ?? 0 } }
        #expect(counts() == [2, 1, 0, 0])
        clock.advance(by: 150)
        _ = engine.processDue(now: clock.now())
        #expect(counts() == [1, 2, 0, 0])
        _ = store.read(id: "polled", project: "p", clock: clock)
        #expect(counts() == [0, 3, 0, 0])
        #expect(store.update(refs[0], clock: clock, { job, now in job.finish(.success, at: now) }) == true)
        #expect(counts() == [0, 2, 1, 0])
        clock.advance(by: 1000)
        _ = engine.processDue(now: clock.now())
        #expect(counts() == [0, 1, 1, 1])
        #expect(store.remove(refs[1]))
        #expect(counts() == [0, 1, 1, 0])
    }

    @Test func anIdInTwoProjectsIsAmbiguousWithoutAProject() {
        let store = JobStore()
        store.insert([
            timedSpec("same", project: "p2", initMs: 0, runningMs: 1), timedSpec("same", project: "p1", initMs: 0, runningMs: 1),
            timedSpec("once", project: "p1", initMs: 0, runningMs: 1),
        ], t0: 0)
        #expect(store.lookup(id: "same", project: nil) == .ambiguous(projects: ["p1", "p2"]))
        guard case .found(let ref) = store.lookup(id: "same", project: "p2") else {
            Issue.record("not found in p2")
            return
        }
        #expect(store.job(ref)?.spec.projectID == "p2")
        if case .found = store.lookup(id: "once", project: nil) {} else { Issue.record("a job in one project is found without naming it") }
        #expect(store.lookup(id: "none", project: nil) == .notFound)
    }
}
