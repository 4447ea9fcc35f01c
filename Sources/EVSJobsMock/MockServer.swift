import CSystemShims
import EVSJobs
import HTTP1
import Logging
import Sockets

/// The whole mock: a job store seeded from fixtures, the scenario engine, and the HTTP server
/// answering the EVS job API. The command line and the live tests both start it this way.
public final class MockServer: Sendable {
    public struct Configuration: Sendable {
        public var http: HTTPServerOptions
        /// Fixture documents; the built-in default set when nil.
        public var fixtures: [FixtureSource]?
        public var clock: any JobClock
        public var logger: Logger

        public init(http: HTTPServerOptions = HTTPServerOptions(), fixtures: [FixtureSource]? = nil, clock: any JobClock = SystemClock(), logger: Logger = Logger(label: "evs-jobs-mock")) {
            self.http = http
            self.fixtures = fixtures
            self.clock = clock
            self.logger = logger
        }
    }

    public let store: JobStore
    public let engine: ScenarioEngine
    public let http: HTTPServer
    public let clock: any JobClock

    /// Loads every fixture and binds the socket; nothing is served until `start`.
    /// Throws `FixtureError` (with every problem) or `SocketError`.
    public init(_ configuration: Configuration) throws {
        let specs = try FixtureLoader.decode(configuration.fixtures ?? FixtureLoader.defaultSources)
        clock = configuration.clock
        store = JobStore()
        var engineLogger = configuration.logger
        engineLogger[metadataKey: "component"] = "engine"
        engine = ScenarioEngine(store: store, clock: clock, logger: engineLogger)
        let refs = store.insert(specs, t0: clock.now())
        engine.track(refs)
        // The parsed documents are gone; give their memory back rather than keep it resident.
        csystem_release_free_memory()
        http = try HTTPServer(options: configuration.http, responder: JobsAPI(store: store, clock: clock), logger: configuration.logger)
    }

    /// `http://host:port` of the listening socket.
    public var baseURL: String { "http://\(http.address)" }

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
