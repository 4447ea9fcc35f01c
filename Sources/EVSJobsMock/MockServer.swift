import CSystemShims
import EVSJobs
import HTTP1
import Logging
import Sockets

/// The whole mock: a job store seeded from fixtures, the scenario engine, the clock, the admin
/// API's journal and faults, and the HTTP server answering the EVS job API. The command line and
/// the live tests both start it this way.
public final class MockServer: Sendable {
    public struct Configuration: Sendable {
        public var http: HTTPServerOptions
        /// Fixture files and directories, read again by `POST /__admin/reload`.
        public var fixturePaths: [String]?
        /// Fixture documents, used when `fixturePaths` is nil; the built-in set when both are nil.
        public var fixtures: [FixtureSource]?
        public var clockMode: MockClock.Mode
        public var timeScale: Double
        public var journalSize: Int
        public var admin: Bool
        public var adminToken: String?
        public var gateway: GatewayOptions
        public var logger: Logger
        /// INIT and RUNNING of a job a disk API starts when no plan says otherwise.
        public var jobTiming: Scenario

        public init(http: HTTPServerOptions = HTTPServerOptions(), fixturePaths: [String]? = nil, fixtures: [FixtureSource]? = nil,
                    clockMode: MockClock.Mode = .real, timeScale: Double = 1, journalSize: Int = 10_000,
                    admin: Bool = true, adminToken: String? = nil, gateway: GatewayOptions = GatewayOptions(),
                    logger: Logger = Logger(label: "evs-jobs-mock"), jobTiming: Scenario = MockServer.defaultJobTiming) {
            self.jobTiming = jobTiming
            self.gateway = gateway
            self.http = http
            self.fixturePaths = fixturePaths
            self.fixtures = fixtures
            self.clockMode = clockMode
            self.timeScale = timeScale
            self.journalSize = journalSize
            self.admin = admin
            self.adminToken = adminToken
            self.logger = logger
        }
    }

    /// INIT 1 s, RUNNING 2 s: a create answers like a quick real one, and a client polling
    /// every second sees each status.
    public static let defaultJobTiming = Scenario(initMs: 1000, runningMs: 2000)

    public let store: JobStore
    public let engine: ScenarioEngine
    public let http: HTTPServer
    public let clock: MockClock
    public let journal: Journal
    public let faults: Faults
    /// Every operation of the admin API on plain values: what the admin routes and the testing
    /// library call.
    public let control: MockControl
    /// Top-level jobs each fixture file gave at start-up.
    public let fixtureCounts: [(file: String, jobs: Int)]

    /// Loads every fixture and binds the socket; nothing is served until `start`.
    /// Throws `FixtureError` (with every problem) or `SocketError`.
    public init(_ configuration: Configuration) throws {
        let fixtures = try FixtureSet(paths: configuration.fixturePaths, sources: configuration.fixtures)
        fixtureCounts = fixtures.counts
        clock = MockClock(mode: configuration.clockMode, scale: configuration.timeScale)
        store = JobStore()
        var engineLogger = configuration.logger
        engineLogger[metadataKey: "component"] = "engine"
        let engine = ScenarioEngine(store: store, clock: clock, logger: engineLogger)
        self.engine = engine
        // Whoever moves the clock (the admin API, the testing library), the timer follows.
        clock.onChange { [weak engine] in engine?.clockChanged() }
        let contents = fixtures.current
        engine.track(store.insert(contents.jobs, t0: clock.now()))
        let disks = Disks(jobs: store, engine: engine, clock: clock, plans: Plans(contents.plans), defaultTiming: configuration.jobTiming)
        disks.replace(project: nil, with: contents.volumes)
        // The parsed documents are gone; give their memory back rather than keep it resident.
        csystem_release_free_memory()
        journal = Journal(capacity: configuration.journalSize)
        faults = Faults()
        control = MockControl(store: store, engine: engine, clock: clock, journal: journal, faults: faults, disks: disks, metrics: Metrics(), fixtures: fixtures)
        let admin = configuration.admin ? AdminAPI(control: control, token: configuration.adminToken) : nil
        let responder = MockResponder(jobs: ServiceAPI(store: store, clock: clock, disks: disks), admin: admin, journal: journal, faults: faults,
                                      metrics: admin?.metrics, clock: clock,
                                      gateway: Gateway(options: configuration.gateway))
        http = try HTTPServer(options: configuration.http, responder: responder, logger: configuration.logger)
    }

    /// `http://host:port` of the listening socket.
    public var baseURL: String { "http://\(http.address)" }

    /// `https://host:port` of the HTTPS listener, when HTTPS is on.
    public var httpsURL: String? { http.tlsAddress.map { "https://\($0)" } }

    public func start() {
        engine.start()
        http.start()
    }

    public func shutdown(timeoutMs: Int = 900, completion: @escaping @Sendable () -> Void) {
        engine.stop()
        http.shutdown(timeoutMs: timeoutMs, completion: completion)
    }

    public func shutdown(timeoutMs: Int = 900) async {
        engine.stop()
        await http.shutdown(timeoutMs: timeoutMs)
    }
}
