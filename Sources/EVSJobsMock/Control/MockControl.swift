import Dispatch
import EVSJobs

/// Every operation the admin API offers, on plain values: jobs added, found, advanced, finished
/// and deleted; the clock; reset and reload; the request journal; faults; health and metrics.
/// The admin routes and the testing library (`EVSJobsMockTesting`) are thin callers of it.
/// A refused operation throws `ControlError` and changes nothing.
public final class MockControl: Sendable {
    public let store: JobStore
    public let engine: ScenarioEngine
    public let clock: MockClock
    public let journal: Journal
    public let faults: Faults
    /// The disks and the plans for the jobs the disk APIs start.
    public let disks: Disks
    let metrics: Metrics
    let fixtures: FixtureSet
    let startedNs: UInt64

    init(store: JobStore, engine: ScenarioEngine, clock: MockClock, journal: Journal, faults: Faults, disks: Disks, metrics: Metrics,
         fixtures: FixtureSet, startedNs: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        self.store = store
        self.engine = engine
        self.clock = clock
        self.journal = journal
        self.faults = faults
        self.disks = disks
        self.metrics = metrics
        self.fixtures = fixtures
        self.startedNs = startedNs
    }

    /// Jobs as read at one moment of the mock clock.
    public struct JobsAt: Sendable {
        public let jobs: [Job]
        public let now: Int64
    }

    /// One job as read at one moment, with the project of its batch (nil: visible everywhere).
    public struct JobAt: Sendable {
        public let job: Job
        public let projectID: String?
        public let now: Int64
    }

    // MARK: Jobs

    /// Adds jobs now from one JOB or `{"jobs": [...], "project_id"?}` in the fixture format,
    /// unless the document is not JSON, has problems, names no job, or names an id in use.
    public func addJobs(_ document: [UInt8]) throws(ControlError) -> JobsAt {
        var decoder = FixtureDecoder()
        let specs = decoder.decodeRequest(try Self.parse(document))
        if let error = decoder.error { throw .invalidJobs(error) }
        guard !specs.isEmpty else { throw .noJobGiven }
        let now = clock.now()
        switch engine.add(specs, t0: now) {
        case .success(let refs): return JobsAt(jobs: refs.compactMap(store.job), now: now)
        case .failure(let taken): throw .idTaken(taken)
        }
    }

    /// A request body as JSON.
    static func parse(_ document: [UInt8]) throws(ControlError) -> JSONValue {
        do {
            return try JSONParser.parse(document)
        } catch {
            throw .notJSON(error)
        }
    }

    /// Top-level jobs, of one project or all.
    public func jobs(project: String?) -> JobsAt {
        let now = clock.now()
        return JobsAt(jobs: store.all(project: project).map(\.job), now: now)
    }

    /// The job `id` names, in `project` if given.
    public func findJob(_ id: String, project: String?) throws(ControlError) -> JobRef {
        switch store.lookup(id: id, project: project) {
        case .found(let ref): return ref
        case .notFound: throw .noSuchJob(id: id, project: project)
        case .ambiguous(let projects): throw .ambiguousJob(id: id, projects: projects)
        }
    }

    /// The job now.
    public func job(_ ref: JobRef) throws(ControlError) -> JobAt {
        let now = clock.now()
        guard let job = store.job(ref) else { throw .jobGone }
        return JobAt(job: job, projectID: store.job(ref.parent)?.spec.projectID, now: now)
    }

    /// The job as a poll from `project` sees it now, without counting as a poll.
    public func polledJob(_ id: String, project: String) -> JobAt? {
        guard let job = store.find(id: id, project: project) else { return nil }
        return JobAt(job: job, projectID: job.spec.projectID, now: clock.now())
    }

    /// Removes a top-level job and its sub-jobs.
    public func deleteJob(_ ref: JobRef) throws(ControlError) {
        guard ref.sub < 0 else { throw .subJob }
        store.remove(ref)
    }

    /// Moves the job on to its next status now.
    public func advanceJob(_ ref: JobRef) throws(ControlError) -> JobAt {
        guard store.update(ref, clock: clock, { job, now in job.advance(at: now) }) == true else { throw .jobFinished }
        engine.track([ref.parent])
        return try job(ref)
    }

    /// Ends the job now with `outcome`.
    public func finishJob(_ ref: JobRef, _ outcome: Outcome) throws(ControlError) -> JobAt {
        guard store.update(ref, clock: clock, { job, now in job.finish(outcome, at: now) }) == true else { throw .jobFinished }
        return try job(ref)
    }

    // MARK: Clock

    public struct ClockReading: Sendable, Equatable {
        public let mode: MockClock.Mode
        public let now: Int64
        public let scale: Double
    }

    public var clockReading: ClockReading {
        ClockReading(mode: clock.mode, now: clock.now(), scale: clock.scale)
    }

    /// Switches mode, pace or both; a scale out of `MockClock.scales` is refused.
    public func setClock(mode: MockClock.Mode?, scale: Double?) throws(ControlError) -> ClockReading {
        if let scale, !MockClock.scales.contains(scale) {
            throw .invalidValue(field: "scale", reason: "must be from \(MockClock.scales.lowerBound) to \(Int(MockClock.scales.upperBound))")
        }
        clock.set(mode: mode, scale: scale)
        return clockReading
    }

    /// Milliseconds the clock may still move before the end of time (the year 9999).
    public var clockRoom: Int64 { MockClock.latest - clock.now() }

    /// Moves the clock (and every job's timeline) forward by 0 to `clockRoom` milliseconds;
    /// nil is refused like a value out of range.
    public func advanceClock(by ms: Int64?) throws(ControlError) -> ClockReading {
        let room = clockRoom
        guard let ms, ms >= 0, ms <= room else {
            throw .invalidValue(field: "ms", reason: "must be a whole number of milliseconds from 0 to \(room) (the year 9999 is the end of time here)")
        }
        clock.advance(by: ms)
        return clockReading
    }

    // MARK: Reset and reload

    /// Puts the fixtures' jobs, disks and plans back, with the journal and faults emptied: all
    /// of them, or those of one project, the others kept. Returns the jobs stored.
    public func reset(project: String?) -> Int {
        let contents = fixtures.current
        let specs = contents.jobs.filter { project == nil || $0.projectID == project }
        disks.replace(project: project, with: contents.volumes)
        disks.plans.replace(project: project, with: contents.plans)
        if project == nil { engine.forgetAll() }
        let matches: ((Job) -> Bool)? = project.map { project in { $0.spec.projectID == project } }
        engine.track(store.replace(where: matches, with: specs, t0: clock.now()))
        journal.clear(projectID: project)
        faults.clear(projectID: project)
        return store.jobCount
    }

    /// Reads the fixtures again and starts the store afresh from them; with a problem, nothing
    /// changes. Returns the jobs stored.
    public func reload() throws(ControlError) -> Int {
        let contents: FixtureContents
        do {
            contents = try fixtures.reload()
        } catch {
            throw .fixturesInvalid(error)
        }
        engine.forgetAll()
        engine.track(store.replace(where: nil, with: contents.jobs, t0: clock.now()))
        disks.replace(project: nil, with: contents.volumes)
        disks.plans.replace(project: nil, with: contents.plans)
        return store.jobCount
    }
}
