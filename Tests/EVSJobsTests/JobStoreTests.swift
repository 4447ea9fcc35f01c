import Testing

@testable import EVSJobs

@Suite("JobStore")
struct JobStoreTests {
    static let specs: [JobSpec] = [
        timedSpec("global", initMs: 0, runningMs: 10),
        timedSpec("scoped", .extendVolume, project: "proj-a", initMs: 0, runningMs: 10),
        batchSpec("batch", project: "proj-a", subs: [timedSpec("sub-1", initMs: 0, runningMs: 1), timedSpec("sub-2", initMs: 0, runningMs: 2)]),
        batchSpec("global-batch", .bulkDeleteVolume, subs: [timedSpec("global-sub", .deleteSingleVolume, initMs: 0, runningMs: 1)]),
    ]

    let store = JobStore()
    let refs: [JobRef]

    init() {
        refs = store.insert(Self.specs, t0: exampleT0)
    }

    @Test func findsAJobInItsProject() throws {
        let job = try #require(store.find(id: "scoped", project: "proj-a"))
        #expect(job.spec == Self.specs[1])
        #expect(job.t0 == exampleT0)
    }

    @Test func projectScopedJobIsInvisibleFromAnotherProject() {
        #expect(store.find(id: "scoped", project: "proj-b") == nil)
        #expect(store.find(id: "batch", project: "proj-b") == nil)
        #expect(store.find(id: "sub-1", project: "proj-b") == nil)
    }

    @Test(arguments: ["proj-a", "proj-b", "anything"])
    func globalJobIsVisibleFromAnyProject(project: String) {
        #expect(store.find(id: "global", project: project)?.spec == Self.specs[0])
        #expect(store.find(id: "global-sub", project: project)?.spec.type == .deleteSingleVolume)
    }

    @Test func subJobIsFoundByItsOwnId() throws {
        let sub = try #require(store.find(id: "sub-2", project: "proj-a"))
        #expect(sub.spec == Self.specs[2].subJobs[1])
        #expect(sub.t0 == exampleT0)
        #expect(sub.state(at: exampleT0 + 2).status == .success)
    }

    @Test func batchParentKeepsItsSubJobs() throws {
        let batch = try #require(store.find(id: "batch", project: "proj-a"))
        #expect(batch.subJobs.map(\.id) == ["sub-1", "sub-2"])
    }

    @Test func unknownIdIsNil() {
        #expect(store.find(id: "nope", project: "proj-a") == nil)
        #expect(store.find(id: "", project: "proj-a") == nil)
        #expect(store.find(id: "GLOBAL", project: "proj-a") == nil)
    }

    @Test func refsPointAtTheInsertedJobs() {
        #expect(refs.count == Self.specs.count)
        #expect(refs.map { store.job($0)?.spec } == Self.specs)
        #expect(store.job(refs[2].subJob(1))?.id == "sub-2")
        #expect(store.job(refs[2].subJob(2)) == nil)
        #expect(store.job(JobRef(index: 99, sub: -1)) == nil)
        #expect(store.job(JobRef(index: -1, sub: -1)) == nil)
        // Four top-level jobs and three sub-jobs are findable.
        #expect(store.count == 7)
    }

    @Test func sameIdInTwoProjects() {
        let store = JobStore()
        _ = store.insert([
            timedSpec("same", .createVolume, project: "p1", initMs: 0, runningMs: 1),
            timedSpec("same", .deleteVolume, project: "p2", initMs: 0, runningMs: 1),
        ], t0: 0)
        #expect(store.find(id: "same", project: "p1")?.spec.type == .createVolume)
        #expect(store.find(id: "same", project: "p2")?.spec.type == .deleteVolume)
        #expect(store.find(id: "same", project: "p3") == nil)
    }

    @Test func projectJobComesBeforeAGlobalOneWithTheSameId() {
        let store = JobStore()
        _ = store.insert([timedSpec("x", .createVolume, initMs: 0, runningMs: 1)], t0: 0)
        _ = store.insert([timedSpec("x", .deleteVolume, project: "p1", initMs: 0, runningMs: 1)], t0: 5)
        #expect(store.find(id: "x", project: "p1")?.spec.type == .deleteVolume)
        #expect(store.find(id: "x", project: "p2")?.spec.type == .createVolume)
        #expect(store.find(id: "x", project: "p1")?.t0 == 5)
    }

    @Test func laterInsertsGetTheirOwnT0() throws {
        let store = JobStore()
        let first = store.insert([timedSpec("a", initMs: 0, runningMs: 1)], t0: 100)
        let second = store.insert([timedSpec("b", initMs: 0, runningMs: 1)], t0: 200)
        #expect(first != second)
        #expect(store.find(id: "a", project: "p")?.t0 == 100)
        #expect(store.find(id: "b", project: "p")?.t0 == 200)
    }
}
