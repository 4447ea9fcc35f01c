import EVSJobsMock
import Sockets
import Testing

/// A listener bound but never started frees its port when released: a server whose start-up
/// fails after binding must not keep the port of a process that goes on (the testing library).
@Suite struct ListenerReleaseTests {
    /// Binds port 0 and releases the listener unstarted; returns the port it had.
    static func releasedPort() throws -> UInt16 {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        return listener.address.port
    }

    @Test func anUnstartedListenerFreesItsPortWhenReleased() throws {
        let port = try Self.releasedPort()
        _ = try Listener(host: "127.0.0.1", port: port)
    }

    @Test func aServerWhoseHTTPSPortIsTakenFreesItsPlainPort() throws {
        let taken = try Listener(host: "127.0.0.1", port: 0)
        let plain = try Self.releasedPort()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let options = HTTPServerOptions(host: "127.0.0.1", port: plain, tls: try TLSContext.selfSigned(certificateOut: nil), httpsPort: taken.address.port)
        do {
            _ = try MockServer(MockServer.Configuration(http: options, clockMode: .manual, logger: logger))
            Issue.record("the HTTPS port is taken: start-up must fail")
        } catch {
            // The plain port was bound; the HTTPS one failed.
            #expect("\(error)".contains("bind(\(taken.address))"))
        }
        _ = try Listener(host: "127.0.0.1", port: plain)
        withExtendedLifetime(taken) {}
    }
}

import Logging
