import Dispatch
import Logging
import Synchronization

/// A status change of one job at one moment.
public struct Transition: Sendable, Equatable, CustomStringConvertible {
    public let jobID: String
    public let projectID: String?
    public let type: JobType
    public let from: JobStatus
    public let to: JobStatus
    public let at: Int64

    public var description: String { "\(jobID) \(from.rawValue) -> \(to.rawValue)" }
}

/// The way jobs enter the store at run time (`add`), and the queue of their transitions: each is
/// announced (logged) and counted in the store's per-status counts when it is due. States are
/// computed on read from the clock, so the engine never changes what a reader sees of a job.
/// One Dispatch timer serves every job: it is armed for the earliest due transition only, so a
/// store of idle running jobs costs no CPU in between.
public final class ScenarioEngine: @unchecked Sendable {
    private struct Due: Comparable {
        let at: Int64
        let ref: JobRef
        static func < (a: Due, b: Due) -> Bool { a.at < b.at }
    }

    private let store: JobStore
    private let clock: any JobClock
    private let logger: Logger
    private let queue = DispatchQueue(label: "evs-jobs-mock.scenario-engine")
    private let heap = Mutex(Queue())
    /// Queued entries above which the next push first drops those of removed jobs.
    static let minimumCompaction = 4096

    private struct Queue {
        var heap = MinHeap<Due>()
        var compactAt = ScenarioEngine.minimumCompaction
    }
    /// Touched only on `queue`.
    private var timer: DispatchSourceTimer?

    public init(store: JobStore, clock: any JobClock, logger: Logger = Logger(label: "evs-jobs-mock.engine")) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Stores `specs` starting at `t0`, unless one of their ids is taken already in its scope,
    /// and queues their transitions: how jobs added while the mock runs enter the store (under
    /// the store's lock, so two racing adds of one id cannot both succeed).
    public func add(_ specs: [JobSpec], t0: Int64) -> Result<[JobRef], JobStore.Taken> {
        let result = store.insertIfFree(specs, t0: t0)
        if case .success(let refs) = result { track(refs) }
        return result
    }

    /// Queues the transitions of stored jobs (and of their sub-jobs) that lie in the future.
    public func track(_ refs: [JobRef]) {
        let now = clock.now()
        var due: [Due] = []
        for ref in refs {
            guard let job = store.job(ref) else { continue }
            // What fell due between the job's t0 and now is counted now.
            store.recount(ref, at: now)
            for at in job.transitionTimes where at > now { due.append(Due(at: at, ref: ref)) }
            for (offset, sub) in job.subJobs.enumerated() {
                for at in sub.transitionTimes where at > now { due.append(Due(at: at, ref: ref.subJob(offset))) }
            }
        }
        let compact = heap.withLock { queue in
            for entry in due { queue.heap.push(entry) }
            return queue.heap.count >= queue.compactAt
        }
        if compact { dropRemoved() }
        queue.async { self.rearm() }
    }

    /// Drops the queued transitions of jobs removed since they were queued, so that deleted
    /// jobs give their memory back. Runs when the queue has doubled since the last time, so its
    /// cost per push stays constant.
    private func dropRemoved() {
        let taken = heap.withLock { queue in
            defer { queue.heap = MinHeap() }
            return queue.heap.elements
        }
        let live = store.areLive(taken.map(\.ref))
        heap.withLock { queue in
            for (entry, isLive) in zip(taken, live) where isLive { queue.heap.push(entry) }
            queue.compactAt = max(Self.minimumCompaction, 2 * queue.heap.count)
        }
    }

    /// Transitions queued, those of removed jobs not yet dropped included.
    public var queuedCount: Int {
        heap.withLock { $0.heap.count }
    }

    /// Forgets every queued transition: the store was started afresh.
    public func forgetAll() {
        heap.withLock { $0 = Queue() }
    }

    /// The earliest queued transition, nil when none is left.
    public var nextDue: Int64? {
        heap.withLock { $0.heap.min?.at }
    }

    /// Takes every transition due at or before `now` off the queue, oldest first.
    public func processDue(now: Int64) -> [Transition] {
        let due: [Due] = heap.withLock { queue in
            var taken: [Due] = []
            while let top = queue.heap.min, top.at <= now {
                _ = queue.heap.pop()
                taken.append(top)
            }
            return taken
        }
        return due.compactMap { entry in
            guard let job = store.job(entry.ref) else { return nil }
            if entry.ref.sub < 0 { store.recount(entry.ref, at: entry.at) }
            let before = job.state(at: entry.at - 1).status
            let after = job.state(at: entry.at).status
            guard before != after else { return nil }
            let projectID = store.job(entry.ref.parent)?.spec.projectID
            return Transition(jobID: job.id, projectID: projectID, type: job.spec.type, from: before, to: after, at: entry.at)
        }
    }

    /// Starts the timer that announces and counts transitions as they fall due.
    public func start() {
        queue.async {
            guard self.timer == nil else { return }
            let timer = DispatchSource.makeTimerSource(queue: self.queue)
            timer.setEventHandler { [weak self] in self?.fire() }
            self.timer = timer
            timer.resume()
            self.rearm()
        }
    }

    public func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
        }
    }

    private func fire() {
        catchUp()
        rearm()
    }

    /// Announces (and counts) every transition due by now, at once: the timer does so, and so
    /// does whoever reads the counts and must not see them lag behind the clock.
    public func catchUp() {
        for transition in processDue(now: clock.now()) {
            logger.debug("job \(transition.jobID) \(transition.from.rawValue) -> \(transition.to.rawValue)", metadata: [
                "job_id": "\(transition.jobID)",
                "job_type": "\(transition.type.rawValue)",
                "project_id": "\(transition.projectID ?? "*")",
                // The mock clock's time, which --time-scale, --clock manual and advances move away
                // from the wall time the line is stamped with.
                "due_mock_time": "\(APITime.format(transition.at))",
            ])
        }
    }

    /// The clock jumped or changed pace: what is due now is announced now, the rest re-timed.
    public func clockChanged() {
        queue.async { self.rearm() }
    }

    /// Arms the timer for the earliest due transition, or not at all (also while the clock
    /// stands still). Runs on `queue`.
    private func rearm() {
        guard let timer else { return }
        guard let next = nextDue, let delay = next <= clock.now() ? 0 : clock.realDelay(until: next) else {
            timer.schedule(deadline: .distantFuture)
            return
        }
        timer.schedule(deadline: .now() + .milliseconds(Int(min(delay, Int64(Int32.max)))), leeway: .milliseconds(1))
    }
}
