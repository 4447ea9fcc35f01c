import Synchronization
import Testing

@testable import EVSJobs

/// A store and an engine on a manual clock, with `specs` stored and tracked at t0.
struct EngineHarness {
    let clock = ManualClock()
    let store = JobStore()
    let engine: ScenarioEngine
    let t0: Int64
    let refs: [JobRef]

    init(_ specs: [JobSpec], advanceBeforeTracking: Int64 = 0) {
        engine = ScenarioEngine(store: store, clock: clock)
        t0 = clock.now()
        refs = store.insert(specs, t0: t0)
        clock.advance(by: advanceBeforeTracking)
        engine.track(refs)
    }

    /// Moves the clock to t0 + offset and takes the due transitions, described relative to t0.
    func process(untilOffset offset: Int64) -> [String] {
        clock.advance(by: t0 + offset - clock.now())
        let transitions = engine.processDue(now: clock.now())
        #expect(transitions.map(\.at) == transitions.map(\.at).sorted(), "transitions out of time order")
        return transitions.map { "\($0.at - t0) \($0)" }
    }

    var nextDueOffset: Int64? { engine.nextDue.map { $0 - t0 } }
}

/// Sorts transitions that fall at the same moment, whose order is not defined.
func canonical(_ lines: [String]) -> [String] {
    lines.sorted { a, b in
        let ta = Int64(a.prefix { $0 != " " })!, tb = Int64(b.prefix { $0 != " " })!
        return ta != tb ? ta < tb : a < b
    }
}

@Suite("ScenarioEngine")
struct ScenarioEngineTests {
    static let simple = [
        timedSpec("a", initMs: 500, runningMs: 2000),
        timedSpec("b", initMs: 0, runningMs: 300),
        timedSpec("c", .extendVolume, initMs: 1000, runningMs: 1000, outcome: failure("EVS.2026")),
        JobSpec(id: "frozen", type: .createVolume, timeline: .frozen(FrozenState(status: .running))),
    ]

    @Test func nothingIsDueBeforeTracking() {
        let engine = ScenarioEngine(store: JobStore(), clock: ManualClock())
        #expect(engine.nextDue == nil)
        #expect(engine.processDue(now: .max).isEmpty)
    }

    @Test func nextDueIsTheEarliestTransition() {
        let harness = EngineHarness(Self.simple)
        #expect(harness.nextDueOffset == 300)
    }

    @Test func transitionsComeInOrderAndOnlyOnce() {
        let h = EngineHarness(Self.simple)
        #expect(h.process(untilOffset: 299) == [])
        #expect(h.process(untilOffset: 300) == ["300 b RUNNING -> SUCCESS"])
        #expect(h.process(untilOffset: 300) == [])
        #expect(h.nextDueOffset == 500)
        #expect(h.process(untilOffset: 500) == ["500 a INIT -> RUNNING"])
        #expect(h.process(untilOffset: 999) == [])
        #expect(h.process(untilOffset: 1000) == ["1000 c INIT -> RUNNING"])
        #expect(h.process(untilOffset: 2000) == ["2000 c RUNNING -> FAIL"])
        #expect(h.nextDueOffset == 2500)
        #expect(h.process(untilOffset: 2500) == ["2500 a RUNNING -> SUCCESS"])
        #expect(h.nextDueOffset == nil)
        #expect(h.process(untilOffset: 1_000_000) == [])
    }

    @Test func transitionFields() throws {
        let h = EngineHarness([timedSpec("c", .extendVolume, project: "p1", initMs: 0, runningMs: 10, outcome: failure("E"))])
        let transitions = h.engine.processDue(now: h.t0 + 10)
        #expect(transitions == [Transition(jobID: "c", projectID: "p1", type: .extendVolume, from: .running, to: .fail, at: h.t0 + 10)])
        #expect(transitions.first?.description == "c RUNNING -> FAIL")
    }

    @Test func initStraightToSuccessWhenRunningIsZero() {
        let h = EngineHarness([timedSpec("z", initMs: 700, runningMs: 0)])
        #expect(h.process(untilOffset: 700) == ["700 z INIT -> SUCCESS"])
        #expect(h.nextDueOffset == nil)
    }

    @Test func jobsWithoutFutureTransitionsQueueNothing() {
        let h = EngineHarness([
            timedSpec("done", initMs: 0, runningMs: 0),
            JobSpec(id: "frozen", type: .createVolume, timeline: .frozen(FrozenState(status: .initializing))),
        ])
        #expect(h.engine.nextDue == nil)
        #expect(h.process(untilOffset: 1_000_000) == [])
    }

    @Test func onlyFutureTransitionsAreTracked() {
        // Tracked 600 ms after t0: a's INIT -> RUNNING at 500 has passed.
        let h = EngineHarness(Self.simple, advanceBeforeTracking: 600)
        #expect(h.nextDueOffset == 1000)
        #expect(canonical(h.process(untilOffset: 5000)) == [
            "1000 c INIT -> RUNNING", "2000 c RUNNING -> FAIL", "2500 a RUNNING -> SUCCESS",
        ])
    }

    /// s1 runs 500..1500 and succeeds, s2 runs 1000..3000 and fails, s3 runs 500..1000 and fails.
    static let batchSteps: [(Int64, [String])] = [
        (500, ["500 b INIT -> RUNNING", "500 s1 INIT -> RUNNING", "500 s3 INIT -> RUNNING"]),
        (1000, ["1000 s2 INIT -> RUNNING", "1000 s3 RUNNING -> FAIL"]),
        (1500, ["1500 s1 RUNNING -> SUCCESS"]),
        (3000, ["3000 b RUNNING -> FAIL", "3000 s2 RUNNING -> FAIL"]),
    ]

    @Test func batchParentAndSubJobTransitions() throws {
        let h = EngineHarness([BatchJobStateTests.mixed])
        #expect(h.nextDueOffset == 500)
        #expect(h.process(untilOffset: 499) == [])
        for (offset, expected) in Self.batchSteps {
            #expect(canonical(h.process(untilOffset: offset)) == expected, "at t0+\(offset)")
        }
        #expect(h.nextDueOffset == nil)
    }

    @Test func subJobTransitionsCarryTheParentProjectAndTheirType() throws {
        let spec = batchSpec("bd", .bulkDeleteVolume, project: "p9", subs: [timedSpec("d1", .deleteSingleVolume, initMs: 0, runningMs: 50)])
        let h = EngineHarness([spec])
        let transitions = h.engine.processDue(now: h.t0 + 50)
        #expect(Set(transitions.map(\.projectID)) == ["p9"])
        #expect(Set(transitions.map { "\($0.jobID) \($0.type.rawValue)" }) == ["bd bulkDeleteVolume", "d1 deleteSingleVolume"])
    }

    @Test func aJumpFarAheadReturnsEverythingAtOnce() {
        let stepwise = EngineHarness([BatchJobStateTests.mixed] + Self.simple)
        var expected: [String] = []
        for offset: Int64 in [300, 500, 1000, 1500, 2000, 2500, 3000] {
            expected += canonical(stepwise.process(untilOffset: offset))
        }
        #expect(expected.count == 13)

        let jump = EngineHarness([BatchJobStateTests.mixed] + Self.simple)
        #expect(canonical(jump.process(untilOffset: 365 * 86_400_000)) == expected)
        #expect(jump.engine.nextDue == nil)
        #expect(jump.process(untilOffset: 400 * 86_400_000) == [])
    }

    @Test func hundredThousandJobs() {
        let specs = (0..<100_000).map { index in
            timedSpec("job-\(index)", initMs: 1000 + Int64(index % 10), runningMs: 1000)
        }
        let h = EngineHarness(specs)
        #expect(h.nextDueOffset == 1000)
        #expect(h.process(untilOffset: 999) == [])
        #expect(h.nextDueOffset == 1000)
        let first = h.engine.processDue(now: h.t0 + 1000)
        #expect(first.count == 10_000)
        #expect(first.allSatisfy { $0.from == .initializing && $0.to == .running && $0.at == h.t0 + 1000 })
        #expect(h.nextDueOffset == 1001)
    }
}

/// The mock clock tells its observers (the scenario engine) of every change, whoever makes it.
@Suite struct MockClockObserverTests {
    @Test func advanceAndSetReachEveryObserver() {
        let clock = MockClock(mode: .manual, startMs: 1_000)
        let calls = Mutex(0)
        clock.onChange { calls.withLock { $0 += 1 } }
        clock.onChange { calls.withLock { $0 += 10 } }
        clock.advance(by: 500)
        #expect(clock.now() == 1_500)
        #expect(calls.withLock { $0 } == 11)
        clock.set(scale: 2)
        #expect(calls.withLock { $0 } == 22)
    }
}
