import EVSJobs
import EVSJobsMock
import EVSJobsMockTesting
import Foundation
import HTTP1
import Synchronization

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
    eventLoops: Int? = nil,
    _ body: (MockServer, UInt16) async throws -> T
) async throws -> T {
    let mock = try startMock(fixtures: fixtures, clock: clock, admin: admin, adminToken: adminToken, journalSize: journalSize,
                             compression: compression, gateway: gateway, requestTimeoutMs: requestTimeoutMs, idleTimeoutMs: idleTimeoutMs,
                             eventLoops: eventLoops)
    do {
        let result = try await body(mock.server, mock.port)
        await mock.stop()
        return result
    } catch {
        await mock.stop()
        throw error
    }
}

/// A started mock on port 0, through the testing library; stopped by `stop()` or on release.
/// The clock is manual unless asked otherwise: tests move time themselves.
func startMock(fixtures: [String]? = nil, clock: MockClock.Mode = .manual, admin: Bool = true, adminToken: String? = nil,
               journalSize: Int = 10_000, compression: Bool = true, gateway: GatewayOptions = GatewayOptions(), requestTimeoutMs: Int = 10_000,
               idleTimeoutMs: Int = 60_000, eventLoops: Int? = nil) throws -> EVSMock {
    try EVSMock.start(fixtures: fixtures, clock: clock, gateway: gateway) {
        $0.admin = admin
        $0.adminToken = adminToken
        $0.journalSize = journalSize
        $0.http.compression = compression
        $0.http.requestTimeoutMs = requestTimeoutMs
        $0.http.idleTimeoutMs = idleTimeoutMs
        $0.http.eventLoops = eventLoops
    }
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

/// Runs blocking socket work on a Dispatch worker, not on Swift concurrency's small pool, so a
/// test that waits on a socket holds up no other test.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// A client is used by one test at a time, handed to a `blocking` worker and back.
extension RawClient: @unchecked Sendable {}

extension RawClient {
    /// Whether any byte (or the end) has arrived, without waiting.
    func hasIncoming() -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// One exchange: the request sent, its answer read; `head` for a HEAD request's answer.
    func exchange(_ request: String, head: Bool = false) throws -> RawResponse {
        try send(request)
        return try response(head: head)
    }
}

/// The client for an async test body: each call is its blocking twin on a Dispatch worker
/// (`blocking`), so a wait on a socket holds no thread of the test pool. Expectations stay in
/// the test, on the values handed back.
extension RawClient {
    static func connect(port: UInt16, timeout: Int = 5) async throws -> RawClient {
        try await blocking { try RawClient(port: port, timeout: timeout) }
    }

    func send(_ text: String) async throws {
        try await blocking { try self.send(text) }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await blocking { try self.send(bytes) }
    }

    func response(head: Bool = false) async throws -> RawResponse {
        try await blocking { try self.response(head: head) }
    }

    func exchange(_ request: String, head: Bool = false) async throws -> RawResponse {
        try await blocking { try self.exchange(request, head: head) }
    }

    func closedByPeer() async throws -> Bool {
        try await blocking { self.closedByPeer() }
    }

    func readToEnd() async throws -> [UInt8] {
        try await blocking { try self.readToEnd() }
    }
}

/// A request with a body.
func post(_ path: String, _ body: String, method: String = "POST", extra: String = "") -> String {
    "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
}

/// Starts `process` (a `ChildProcess`: Foundation's `Process.run()` crashes now and then on
/// Linux, see `ChildProcess`).
func startProcess(_ process: ChildProcess) throws {
    try process.run()
}
