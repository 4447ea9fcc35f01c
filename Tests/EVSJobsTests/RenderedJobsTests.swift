import Synchronization
import Testing

@testable import EVSJobs

/// Issue 14: a poll's body is rendered once per span of time over which its job's state holds,
/// and never outlives a state change, a clock move (either way), an admin change, a removal or
/// a reset.
@Suite("JobStore: rendered bodies kept while nothing can change them")
struct RenderedJobsTests {
    /// A clock that can be set anywhere, backwards too.
    final class SetClock: JobClock {
        private let value: Mutex<Int64>
        init(_ start: Int64) { value = Mutex(start) }
        func now() -> Int64 { value.withLock { $0 } }
        func set(_ ms: Int64) { value.withLock { $0 = ms } }
        func realDelay(until ms: Int64) -> Int64? { nil }
    }

    static let t0: Int64 = 1_700_000_000_000

    /// What a fresh render gives now (the job read without the cache).
    static func fresh(_ store: JobStore, _ id: String, _ clock: any JobClock) -> String? {
        store.read(id: id, project: "p", clock: clock).map { String(decoding: JobJSON.render($0.job, at: $0.now), as: UTF8.self) }
    }

    static func poll(_ store: JobStore, _ id: String, _ clock: any JobClock) -> String? {
        store.readJSON(id: id[...], project: "p", clock: clock).map { String(decoding: $0, as: UTF8.self) }
    }

    static func status(_ body: String?) -> String? {
        guard let body, case .object(let members)? = try? JSONParser.parse(Array(body.utf8)) else { return nil }
        guard case .string(let status)? = members.first(where: { $0.key == "status" })?.value else { return nil }
        return status
    }

    static func firstSubStatus(_ body: String?) -> String? {
        guard let body, let value = try? JSONParser.parse(Array(body.utf8)), case .array(let subs)? = value["entities"]?["sub_jobs"],
              case .string(let status)? = subs.first?["status"] else { return nil }
        return status
    }

    @Test func aBodyIsKeptWhileTheStateHoldsAndRenderedAgainAfterEachTransition() {
        let clock = SetClock(Self.t0)
        let store = JobStore()
        store.insert([timedSpec("timed", initMs: 100, runningMs: 100, outcome: failure("EVS.2024"))], t0: Self.t0)
        var seen: [String?] = []
        for at in [0, 50, 99, 100, 150, 199, 200, 5_000, 120, 10, 300] as [Int64] {
            clock.set(Self.t0 + at)
            let body = Self.poll(store, "timed", clock)
            #expect(body == Self.fresh(store, "timed", clock), "at +\(at) ms")
            seen.append(Self.status(body))
        }
        #expect(seen == ["INIT", "INIT", "INIT", "RUNNING", "RUNNING", "RUNNING", "FAIL", "FAIL", "RUNNING", "INIT", "FAIL"])
        #expect(store.renderedCount == 1)
    }

    @Test func anAdminChangeOrARemovalOrAResetIsSeenAtOnce() {
        let clock = ManualClock(Self.t0)
        let store = JobStore()
        let ref = store.insert([timedSpec("timed", initMs: 60_000, runningMs: 60_000)], t0: Self.t0)[0]
        #expect(Self.status(Self.poll(store, "timed", clock)) == "INIT")
        #expect(store.renderedCount == 1)
        // advance, as the admin API does: same moment, new state
        #expect(store.update(ref, clock: clock, { job, now in job.advance(at: now) }) == true)
        #expect(Self.status(Self.poll(store, "timed", clock)) == "RUNNING")
        #expect(store.update(ref, clock: clock, { job, now in job.finish(failure("E"), at: now) }) == true)
        #expect(Self.poll(store, "timed", clock) == Self.fresh(store, "timed", clock))
        #expect(Self.status(Self.poll(store, "timed", clock)) == "FAIL")
        // a reset that stores a job of the same id with another timeline
        store.replace(where: nil, with: [timedSpec("timed", initMs: 0, runningMs: 60_000)], t0: clock.now())
        #expect(Self.status(Self.poll(store, "timed", clock)) == "RUNNING")
        // a removal, and a new job in the same slot
        let again = store.insert([timedSpec("other", initMs: 60_000, runningMs: 0)], t0: clock.now())[0]
        #expect(Self.status(Self.poll(store, "other", clock)) == "INIT")
        #expect(store.remove(again))
        #expect(Self.poll(store, "other", clock) == nil)
        let reused = store.insert([timedSpec("other", initMs: 0, runningMs: 0)], t0: clock.now())[0]
        #expect(reused.index == again.index)
        #expect(Self.status(Self.poll(store, "other", clock)) == "SUCCESS")
    }

    @Test func aJobWhoseReadsAreCountedIsNeverKept() {
        let clock = ManualClock(Self.t0)
        let store = JobStore()
        store.insert([JobSpec(id: "polled", type: .createVolume, timeline: .polls(PollScenario(initPolls: 1, runningPolls: 2), PollProgress()))],
                     t0: Self.t0)
        let statuses = (0..<4).map { _ in Self.status(Self.poll(store, "polled", clock)) }
        #expect(statuses == ["INIT", "RUNNING", "RUNNING", "SUCCESS"])
        #expect(store.renderedCount == 0)
    }

    @Test func aBatchIsRenderedAgainWhenAnySubJobMoves() {
        let clock = ManualClock(Self.t0)
        let store = JobStore()
        store.insert([batchSpec("batch", subs: [timedSpec("s1", initMs: 10, runningMs: 10),
                                                timedSpec("s2", initMs: 10, runningMs: 40, outcome: failure("E"))])], t0: Self.t0)
        for step in 0..<8 {
            #expect(Self.poll(store, "batch", clock) == Self.fresh(store, "batch", clock), "step \(step)")
            #expect(Self.poll(store, "s1", clock) == Self.fresh(store, "s1", clock), "step \(step)")
            clock.advance(by: 10)
        }
        #expect(Self.status(Self.poll(store, "batch", clock)) == "FAIL")
    }

    /// A batch whose own status is frozen (as a fixture gives it, or as an admin finish leaves
    /// it) still shows its sub-jobs as they move, counted or timed.
    @Test(arguments: [false, true])
    func aFrozenBatchIsRenderedAgainWhenASubJobMoves(counted: Bool) {
        let clock = ManualClock(Self.t0)
        let store = JobStore()
        let sub = counted
            ? JobSpec(id: "s1", type: .createVolume, timeline: .polls(PollScenario(initPolls: 1, runningPolls: 1), PollProgress()))
            : timedSpec("s1", initMs: 10, runningMs: 10)
        store.insert([JobSpec(id: "frozen", type: .batchCreateVolume, timeline: .frozen(FrozenState(status: .running)), subJobs: [sub])],
                     t0: Self.t0)
        var subStatuses: [String?] = []
        for step in 0..<3 {
            let body = Self.poll(store, "frozen", clock)
            #expect(Self.status(body) == "RUNNING", "step \(step)")
            subStatuses.append(Self.firstSubStatus(body))
            if !counted { clock.advance(by: 10) }
        }
        #expect(subStatuses == ["INIT", "RUNNING", "SUCCESS"])
    }

    @Test func theKeptBodiesAreBounded() {
        let clock = ManualClock(Self.t0)
        let store = JobStore()
        let count = 3 * RenderedJobs.capacity
        store.insert((0..<count).map { timedSpec("job-\($0)", initMs: 60_000, runningMs: 0) }, t0: Self.t0)
        for index in 0..<count { _ = Self.poll(store, "job-\(index)", clock) }
        #expect(store.renderedCount == RenderedJobs.capacity)
        // A body larger than `maxBody` is rendered for each poll and not kept.
        let subs = (0..<40).map { timedSpec("big-\($0)", initMs: 60_000, runningMs: 0, entities: Entities(name: String(repeating: "n", count: 100))) }
        let big = JobStore()
        big.insert([batchSpec("big", subs: subs)], t0: Self.t0)
        let body = Self.poll(big, "big", clock)
        #expect((body?.utf8.count ?? 0) > RenderedJobs.maxBody)
        #expect(big.renderedCount == 0)
    }
}
