// A test imports this module alone: the mock's types its calls take (Faults, Journal,
// GatewayOptions, MockServer) come with it. EVSJobs is not re-exported, since its names (`Job`
// among them) would clash with a client's own; the few a test needs are aliased below.
import EVSJobs
@_exported import EVSJobsMock
import Logging

/// The mock inside a Swift test: started on a free port, driven through typed calls, stopped at
/// the end (or when released). Instances share nothing, so tests may run several at once.
///
///     let mock = try EVSMock.start()
///     try mock.addJobs(#"{"job_id": "j1", "job_type": "createVolume", "scenario": {"running_ms": 500}}"#)
///     // point the client under test at mock.baseURL, then:
///     mock.advanceClock(by: 500)
///     await mock.stop()
public final class EVSMock: Sendable {
    public let server: MockServer

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { server.baseURL }
    public var port: UInt16 { server.http.address.port }

    private init(server: MockServer) {
        self.server = server
    }

    /// Starts a mock on 127.0.0.1 and a port of the system's choosing.
    /// - Parameters:
    ///   - fixtures: fixture documents (the fixture file format); nil loads the built-in set.
    ///   - clock: `.manual` (the default here) keeps time still until `advanceClock`.
    ///   - configure: any other setting (timeouts, admin token, journal size, ...), as the
    ///     command line's options would set it.
    public static func start(fixtures: [String]? = nil, clock: MockClock.Mode = .manual, gateway: GatewayOptions = GatewayOptions(),
                             logLevel: Logger.Level = .error,
                             configure: (inout MockServer.Configuration) -> Void = { _ in }) throws -> EVSMock {
        var logger = Logger(label: "evs-jobs-mock")
        logger.logLevel = logLevel
        let sources = fixtures?.enumerated().map { FixtureSource(name: "fixture-\($0.offset).json", bytes: Array($0.element.utf8)) }
        var configuration = MockServer.Configuration(
            http: HTTPServerOptions(host: "127.0.0.1", port: 0), fixtures: sources, clockMode: clock, gateway: gateway, logger: logger)
        configure(&configuration)
        let server = try MockServer(configuration)
        server.start()
        return EVSMock(server: server)
    }

    /// Adds jobs now, from one JOB or `{"jobs": [...], "project_id"?}` in the fixture format.
    /// Throws `FixtureError` for an invalid document (invalid JSON too: one problem, its file
    /// named "addJobs") and `JobStore.Taken` for an id in use.
    @discardableResult
    public func addJobs(_ json: String) throws -> [String] {
        do throws(ControlError) {
            return try server.control.addJobs(Array(json.utf8)).jobs.map(\.id)
        } catch {
            switch error {
            case .notJSON(let syntax):
                throw FixtureError([FixtureProblem(file: "addJobs", path: syntax.path, reason: "invalid JSON: \(syntax)")])
            case .invalidJobs(let invalid): throw invalid
            case .idTaken(let taken): throw taken
            case .noJobGiven: return []
            default: throw error
            }
        }
    }

    /// Moves the mock clock (and every job's timeline) forward, to the year 9999 at most.
    public func advanceClock(by milliseconds: Int64) {
        let control = server.control
        _ = try? control.advanceClock(by: min(max(0, milliseconds), control.clockRoom))
    }

    /// The job as a poll from `project` would render it now (without counting as a poll).
    public func jobJSON(_ id: String, project: String = "p") -> String? {
        server.control.polledJob(id, project: project).map { String(decoding: JobJSON.render($0.job, at: $0.now), as: UTF8.self) }
    }

    /// Requests the journal holds, oldest first.
    public func requests(projectID: String? = nil, jobID: String? = nil) -> [Journal.Entry] {
        server.control.allRequests(projectID: projectID, jobID: jobID)
    }

    /// Installs a fault; returns its id. Not bounded by `Faults.maxRules`, unlike the admin API.
    @discardableResult
    public func addFault(_ action: Faults.Action, match: Faults.Match = Faults.Match(), times: Int? = nil) -> String {
        server.control.addFault(match: match, action: action, times: times, probability: nil, seed: nil)
    }

    /// Adds a plan for the jobs the disk APIs will start, in the form `POST /__admin/plans`
    /// takes; returns its id. Throws `FixtureError` for an invalid plan.
    @discardableResult
    public func addPlan(_ json: String) throws -> String {
        do throws(ControlError) {
            return try server.control.addPlan(Array(json.utf8)).id
        } catch {
            switch error {
            case .notJSON(let syntax):
                throw FixtureError([FixtureProblem(file: "addPlan", path: syntax.path, reason: "invalid JSON: \(syntax)")])
            case .invalidPlan(let invalid): throw invalid
            default: throw error
            }
        }
    }

    /// The disk `project` sees under `id` now, or nil.
    public func volume(_ id: String, project: String = "p") -> Volume? {
        server.control.disks.volume(project: project, id: id)
    }

    /// Stops serving and frees the port. A mock released earlier stops then, and Swift may
    /// release it right after its last use: call this at the end of the test, which also keeps
    /// the mock alive until there.
    public func stop() async {
        await server.shutdown(timeoutMs: 500)
    }

    /// Thrown by `addJobs` for a document that is not valid fixture JSON.
    public typealias FixtureError = EVSJobs.FixtureError
    /// Thrown by `addJobs` for a job id already in use.
    public typealias IDTaken = JobStore.Taken
    /// `.manual` or `.real`, for `start(clock:)`.
    public typealias ClockMode = MockClock.Mode

    deinit {
        server.shutdown(timeoutMs: 0) {}
    }
}
