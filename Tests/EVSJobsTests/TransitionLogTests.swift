import Logging
import Synchronization
import Testing

@testable import EVSJobs

/// What a logger was handed, for tests.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    let records = Mutex<[Record]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let record = Record(level: event.level, message: event.message.description, metadata: event.metadata ?? [:])
            capture.records.withLock { $0.append(record) }
        }
    }
}

@Suite struct TransitionLogTests {
    /// The due time is the mock clock's, which a time scale or an advance moves away from the
    /// wall time the line is stamped with; the key says so.
    @Test func aTransitionNamesItsDueTimeAsMockTime() throws {
        let capture = LogCapture()
        let clock = ManualClock(exampleT0)
        let store = JobStore()
        let engine = ScenarioEngine(store: store, clock: clock, logger: capture.logger)
        engine.track(store.insert([timedSpec("a", initMs: 0, runningMs: 300)], t0: exampleT0))
        clock.advance(by: 1_000_000)
        engine.catchUp()
        let records = capture.records.withLock { $0 }
        let record = try #require(records.first)
        #expect(records.count == 1)
        #expect(record.level == .debug && record.message == "job a RUNNING -> SUCCESS")
        #expect(record.metadata["due_mock_time"] == "2016-03-08T07:40:13.519Z")
        #expect(record.metadata["due"] == nil)
    }
}
