import EVSJobs
import EVSJobsMock
import Foundation
import HTTP1

/// Starts a mock on port 0 with the given fixture documents, runs `body`, then stops it.
func withServer<T>(
    fixtures: [String]? = nil,
    clock: MockClock.Mode = .manual,
    admin: Bool = true,
    adminToken: String? = nil,
    journalSize: Int = 10_000,
    compression: Bool = true,
    gateway: GatewayOptions = GatewayOptions(),
    requestTimeoutMs: Int = 10_000,
    idleTimeoutMs: Int = 60_000,
    _ body: (MockServer, UInt16) async throws -> T
) async throws -> T {
    let server = try makeServer(fixtures: fixtures, clock: clock, admin: admin, adminToken: adminToken, journalSize: journalSize,
                                compression: compression, gateway: gateway, requestTimeoutMs: requestTimeoutMs, idleTimeoutMs: idleTimeoutMs)
    do {
        let result = try await body(server, server.http.address.port)
        await server.shutdown(timeoutMs: 500)
        return result
    } catch {
        await server.shutdown(timeoutMs: 500)
        throw error
    }
}

/// A started mock on port 0; the caller shuts it down.
/// The clock is manual unless asked otherwise: tests move time themselves.
func makeServer(fixtures: [String]? = nil, clock: MockClock.Mode = .manual, admin: Bool = true, adminToken: String? = nil,
                journalSize: Int = 10_000, compression: Bool = true, gateway: GatewayOptions = GatewayOptions(), requestTimeoutMs: Int = 10_000,
                idleTimeoutMs: Int = 60_000) throws -> MockServer {
    let sources = fixtures.map { documents in
        documents.enumerated().map { FixtureSource(name: "test-\($0.offset).json", bytes: Array($0.element.utf8)) }
    }
    var logger = Logger(label: "test")
    logger.logLevel = .error
    let server = try MockServer(MockServer.Configuration(
        http: HTTPServerOptions(host: "127.0.0.1", port: 0, requestTimeoutMs: requestTimeoutMs, idleTimeoutMs: idleTimeoutMs,
                                compression: compression),
        fixtures: sources, clockMode: clock, journalSize: journalSize, admin: admin, adminToken: adminToken, gateway: gateway, logger: logger))
    server.start()
    return server
}

/// Waits until `condition` holds, checking every millisecond, for at most `seconds`.
func waitUntil(seconds: Double = 5, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(1))
    }
    return true
}

/// A request for `path` with the headers every test needs.
func get(_ path: String, method: String = "GET", extra: String = "") -> String {
    "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n\(extra)\r\n"
}

/// The repository's root, found from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

import Logging
