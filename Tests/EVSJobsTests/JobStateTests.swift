import Testing

@testable import EVSJobs

/// A job stored now on a fresh manual clock, read as the clock moves.
struct ClockedJob {
    let clock = ManualClock()
    let job: Job
    var t0: Int64 { job.t0 }

    init(_ spec: JobSpec) {
        job = Job(spec: spec, t0: clock.now())
    }

    /// Moves the clock to `t0 + offset` (never backwards) and reads the state.
    func state(atOffset offset: Int64) -> JobState {
        clock.advance(by: t0 + offset - clock.now())
        #expect(clock.now() == t0 + offset, "the clock cannot go back to t0+\(offset)")
        return job.state(at: clock.now())
    }
}

/// What the state at `offset` ms after t0 must be; end is an offset too.
struct Expected: Sendable, CustomTestStringConvertible {
    let offset: Int64
    let status: JobStatus
    let endOffset: Int64?
    let error: String?

    init(_ offset: Int64, _ status: JobStatus, end endOffset: Int64? = nil, error: String? = nil) {
        self.offset = offset
        self.status = status
        self.endOffset = endOffset
        self.error = error
    }

    var testDescription: String { "t0+\(offset) \(status.rawValue)" }

    func check(_ clocked: ClockedJob, sourceLocation: SourceLocation = #_sourceLocation) {
        let state = clocked.state(atOffset: offset)
        let t0 = clocked.t0
        #expect(state.status == status, "at t0+\(offset)", sourceLocation: sourceLocation)
        #expect(state.beginMs == t0, "at t0+\(offset)", sourceLocation: sourceLocation)
        #expect(state.endMs == endOffset.map { t0 + $0 }, "at t0+\(offset)", sourceLocation: sourceLocation)
        #expect(state.errorCode == error, "at t0+\(offset)", sourceLocation: sourceLocation)
        #expect(state.failReason == error.map { "reason of \($0)" }, "at t0+\(offset)", sourceLocation: sourceLocation)
    }
}

/// Walks one job through a list of expected states, in time order.
func walk(_ spec: JobSpec, _ steps: [Expected], sourceLocation: SourceLocation = #_sourceLocation) {
    let clocked = ClockedJob(spec)
    for step in steps { step.check(clocked, sourceLocation: sourceLocation) }
}

@Suite("Job states: timed scenarios")
struct TimedJobStateTests {
    @Test func successTimeline() {
        walk(timedSpec("j", initMs: 500, runningMs: 2000), [
            Expected(0, .initializing),
            Expected(499, .initializing),
            Expected(500, .running),
            Expected(2499, .running),
            Expected(2500, .success, end: 2500),
            Expected(2501, .success, end: 2500),
        ])
    }

    @Test func failTimelineHasErrorFieldsOnlyWhenFailed() {
        walk(timedSpec("j", initMs: 100, runningMs: 300, outcome: failure("EVS.2026")), [
            Expected(0, .initializing),
            Expected(99, .initializing),
            Expected(100, .running),
            Expected(399, .running),
            Expected(400, .fail, end: 400, error: "EVS.2026"),
            Expected(10_000, .fail, end: 400, error: "EVS.2026"),
        ])
    }

    @Test func zeroInitStartsRunning() {
        walk(timedSpec("j", initMs: 0, runningMs: 1000), [
            Expected(0, .running),
            Expected(999, .running),
            Expected(1000, .success, end: 1000),
        ])
    }

    @Test func zeroRunningFinishesAtTheEndOfInit() {
        walk(timedSpec("j", initMs: 700, runningMs: 0, outcome: failure("E")), [
            Expected(0, .initializing),
            Expected(699, .initializing),
            Expected(700, .fail, end: 700, error: "E"),
        ])
    }

    @Test func zeroInitAndZeroRunningIsFinishedAtOnce() {
        walk(timedSpec("j", initMs: 0, runningMs: 0), [Expected(0, .success, end: 0)])
    }

    @Test(arguments: [Outcome.success, failure("EVS.2024")])
    func lateReadJumpsToTheFinalState(outcome: Outcome) {
        let clocked = ClockedJob(timedSpec("j", initMs: 500, runningMs: 2000, outcome: outcome))
        let state = clocked.state(atOffset: 30 * 86_400_000)
        #expect(state.status == (outcome == .success ? .success : .fail))
        #expect(state.beginMs == clocked.t0)
        #expect(state.endMs == clocked.t0 + 2500)
    }

    @Test func stateIsAPureFunctionOfTime() {
        let job = Job(spec: timedSpec("j", initMs: 500, runningMs: 2000), t0: exampleT0)
        #expect(job.state(at: exampleT0 + 3000) == job.state(at: exampleT0 + 3000))
        #expect(job.state(at: exampleT0 + 600).status == .running)
        // Read again at an earlier moment: the state belongs to that moment.
        #expect(job.state(at: exampleT0 + 100).status == .initializing)
    }

    @Test func defaultScenario() {
        #expect(Scenario() == Scenario(initMs: 0, runningMs: 1000, outcome: .success))
        #expect(Outcome.defaultFailure == .fail(errorCode: "EVS.2024", failReason: "volume is error!"))
    }

    @Test(arguments: [
        (Int64(500), Int64(2000), [Int64(500), 2500]),
        (0, 1000, [1000]),
        (700, 0, [700]),
        (0, 0, []),
    ])
    func transitionTimes(initMs: Int64, runningMs: Int64, offsets: [Int64]) {
        let job = Job(spec: timedSpec("j", initMs: initMs, runningMs: runningMs), t0: exampleT0)
        #expect(job.transitionTimes == offsets.map { exampleT0 + $0 })
    }
}

@Suite("Job states: frozen")
struct FrozenJobStateTests {
    static let begin: Int64 = 1_454_550_217_193
    static let end: Int64 = 1_454_550_248_283

    @Test(arguments: JobStatus.allCases)
    func frozenStatusNeverChanges(status: JobStatus) {
        let clocked = ClockedJob(JobSpec(id: "f", type: .createVolume, timeline: .frozen(FrozenState(status: status))))
        let first = clocked.state(atOffset: 0)
        #expect(first.status == status)
        #expect(first.beginMs == clocked.t0)
        // A finished job without end_time ends when it was stored; an unfinished one has none.
        #expect(first.endMs == (status.isFinished ? clocked.t0 : nil))
        #expect(clocked.state(atOffset: 365 * 86_400_000) == first)
        #expect(clocked.job.transitionTimes.isEmpty)
    }

    @Test func frozenTimesAndErrorsAreKept() {
        let frozen = FrozenState(status: .fail, beginMs: Self.begin, endMs: Self.end, endGiven: true, errorCode: "EVS.2026", failReason: "why")
        let job = Job(spec: JobSpec(id: "f", type: .extendVolume, timeline: .frozen(frozen)), t0: exampleT0)
        #expect(job.state(at: exampleT0) == JobState(status: .fail, beginMs: Self.begin, endMs: Self.end, errorCode: "EVS.2026", failReason: "why"))
    }

    @Test func givenEmptyEndTimeStaysEmpty() {
        let frozen = FrozenState(status: .running, beginMs: Self.begin, endMs: nil, endGiven: true)
        let job = Job(spec: JobSpec(id: "f", type: .createVolume, timeline: .frozen(frozen)), t0: exampleT0)
        #expect(job.state(at: exampleT0 + 1_000_000) == JobState(status: .running, beginMs: Self.begin, endMs: nil))
    }
}

@Suite("Job states: batch parents")
struct BatchJobStateTests {
    /// s1 runs 500..1500 and succeeds, s2 runs 1000..3000 and fails with E1, s3 runs 500..1000 and fails with E2.
    static let mixed = batchSpec("b", subs: [
        timedSpec("s1", initMs: 500, runningMs: 1000),
        timedSpec("s2", initMs: 1000, runningMs: 2000, outcome: failure("E1")),
        timedSpec("s3", initMs: 500, runningMs: 500, outcome: failure("E2")),
    ])

    @Test func failsWithTheFirstFailedSubJobInArrayOrder() {
        walk(Self.mixed, [
            Expected(0, .initializing),
            Expected(499, .initializing),
            Expected(500, .running),
            Expected(1000, .running),  // s3 has failed, s2 still runs
            Expected(1500, .running),
            Expected(2999, .running),
            // s3 failed first in time, but s2 comes first in the array.
            Expected(3000, .fail, end: 3000, error: "E1"),
            Expected(90_000, .fail, end: 3000, error: "E1"),
        ])
    }

    @Test func succeedsWhenAllSucceedWithTheLatestEnd() {
        // The first sub-job ends last: end_time is the latest end, not the last sub-job's.
        let spec = batchSpec("b", .bulkDeleteVolume, subs: [
            timedSpec("s1", .deleteSingleVolume, initMs: 0, runningMs: 4000),
            timedSpec("s2", .deleteSingleVolume, initMs: 0, runningMs: 1000),
        ])
        walk(spec, [
            Expected(0, .running),
            Expected(1000, .running),
            Expected(3999, .running),
            Expected(4000, .success, end: 4000),
        ])
    }

    @Test func runningAsSoonAsOneSubJobLeavesInit() {
        // s1 is done at t0 while s2 is still INIT: not all INIT, not all finished.
        let spec = batchSpec("b", subs: [
            timedSpec("s1", initMs: 0, runningMs: 0),
            timedSpec("s2", initMs: 1000, runningMs: 1000),
        ])
        walk(spec, [
            Expected(0, .running),
            Expected(1999, .running),
            Expected(2000, .success, end: 2000),
        ])
    }

    @Test func failEndTimeIsTheLatestSubJobEnd() {
        let spec = batchSpec("b", subs: [
            timedSpec("s1", initMs: 0, runningMs: 100, outcome: failure("E1")),
            timedSpec("s2", initMs: 0, runningMs: 5000),
        ])
        walk(spec, [Expected(100, .running), Expected(5000, .fail, end: 5000, error: "E1")])
    }

    @Test func subJobsShareTheParentT0() {
        let job = Job(spec: Self.mixed, t0: exampleT0)
        #expect(job.subJobs.map(\.t0) == [exampleT0, exampleT0, exampleT0])
        #expect(job.subJobs.map(\.id) == ["s1", "s2", "s3"])
        #expect(job.subJobs[1].state(at: exampleT0 + 3000).errorCode == "E1")
    }

    /// Issue 10: a parent queued at every sub-job's transition cost O(n) each, O(n²) in all.
    @Test func aBatchParentTransitionsOnlyAtItsSubJobsFirstAndLastTransition() {
        let job = Job(spec: Self.mixed, t0: exampleT0)
        #expect(job.transitionTimes == [500, 3000].map { exampleT0 + $0 })
        // Every moment any sub-job changes: the parent changes at those two and no other.
        let union = Set(job.subJobs.flatMap(\.transitionTimes)).sorted()
        #expect(union == [500, 1000, 1500, 3000].map { exampleT0 + $0 })
        let changes = union.filter { job.state(at: $0 - 1).status != job.state(at: $0).status }
        #expect(changes == job.transitionTimes)
    }

    @Test func aBatchOfManySubJobsWithDistinctTimesHasTwoParentTransitions() {
        let subs = (0..<100).map { timedSpec("s\($0)", initMs: Int64($0), runningMs: Int64(1000 + 7 * $0)) }
        let job = Job(spec: batchSpec("b", subs: subs), t0: exampleT0)
        #expect(job.transitionTimes == [exampleT0 + 1, exampleT0 + 99 + 1000 + 7 * 99])
    }
}

@Suite("ManualClock and enums")
struct ClockAndEnumTests {
    @Test func manualClockMovesOnlyForward() {
        let clock = ManualClock(1000)
        #expect(clock.now() == 1000)
        clock.advance(by: 250)
        #expect(clock.now() == 1250)
        clock.advance(by: -100)
        #expect(clock.now() == 1250)
        #expect(ManualClock().now() == 1_700_000_000_000)
    }

    @Test func statusesAndTypes() {
        #expect(JobStatus.allCases.map(\.rawValue) == ["INIT", "RUNNING", "SUCCESS", "FAIL"])
        #expect(JobStatus.allCases.filter(\.isFinished) == [.success, .fail])
        #expect(JobType.allCases.count == 7)
        #expect(JobType.allCases.filter(\.isBatch) == [.batchCreateVolume, .bulkDeleteVolume])
        #expect(JobType.batchCreateVolume.defaultSubJobType == .createVolume)
        #expect(JobType.bulkDeleteVolume.defaultSubJobType == .deleteSingleVolume)
    }
}
