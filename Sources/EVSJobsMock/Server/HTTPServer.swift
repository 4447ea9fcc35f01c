import Dispatch
import HTTP1
import Logging
import Sockets
import Synchronization

/// An HTTP/1.1 server on a non-blocking listening socket. Each connection has its own serial
/// queue on the shared Dispatch pool; no thread ever blocks on a socket.
public final class HTTPServer: Sendable {
    public let options: HTTPServerOptions
    let responder: any HTTPResponder
    let logger: Logger
    private let listener: Listener
    private let tlsListener: Listener?
    private let loops: [EventLoop]
    /// How many event loops serve connections.
    public var loopCount: Int { loops.count }
    private let nextLoop = Atomic<Int>(0)
    private let state = Mutex(State())
    /// Connections that hold part of a request; shutdown waits for them.
    let requestsInProgress = Atomic<Int>(0)
    /// Where `Reply.deferred` work runs: off the event loops, one piece at a time, so that slow
    /// work (a large admin body, a reload) delays no other connection and cannot pile up.
    let workQueue = DispatchQueue(label: "evs-jobs-mock.work")

    private struct State {
        var connections: [ObjectIdentifier: HTTPConnection] = [:]
        var stopping = false
        var whenEmpty: [@Sendable () -> Void] = []
    }

    /// Binds the listening socket; `address` then holds the real port.
    public init(options: HTTPServerOptions, responder: any HTTPResponder, logger: Logger = Logger(label: "evs-jobs-mock.http")) throws(SocketError) {
        self.options = options
        self.responder = responder
        self.logger = logger
        listener = try Listener(host: options.host, port: options.port)
        tlsListener = options.tls == nil ? nil : try Listener(host: options.host, port: options.httpsPort)
        loops = try EventLoop.makeLoops(options.eventLoops, label: "evs-jobs-mock.loop")
    }

    public var address: SocketAddress { listener.address }

    /// The HTTPS listener's address, when HTTPS is on.
    public var tlsAddress: SocketAddress? { tlsListener?.address }

    /// The number of open connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// The number of connections holding a request that has begun to arrive but is not complete.
    public var partialRequestCount: Int { requestsInProgress.load(ordering: .relaxed) }

    public func start() {
        listener.start { [self] fd in accepted(fd, tls: nil) }
        tlsListener?.start { [self] fd in accepted(fd, tls: options.tls) }
    }

    /// Stops accepting, lets requests in progress finish, closes idle connections, and calls
    /// `completion` once, when every connection is closed or `timeoutMs` has passed.
    public func shutdown(timeoutMs: Int = 900, completion: @escaping @Sendable () -> Void) {
        listener.stop()
        tlsListener?.stop()
        let connections = state.withLock { state -> [HTTPConnection] in
            state.stopping = true
            state.whenEmpty.append(completion)
            return Array(state.connections.values)
        }
        for connection in connections {
            connection.queue.async { connection.beginShutdown() }
        }
        checkEmpty()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeoutMs)) { [self] in
            let waiters = takeWaiters(onlyIfEmpty: false)
            guard !waiters.isEmpty else { return }
            let remaining = state.withLock { Array($0.connections.values) }
            for connection in remaining {
                connection.queue.async { connection.forceClose() }
            }
            loops.forEach { $0.stop() }
            waiters.forEach { $0() }
        }
    }

    /// `shutdown` for async callers.
    public func shutdown(timeoutMs: Int = 900) async {
        await withCheckedContinuation { continuation in
            shutdown(timeoutMs: timeoutMs) { continuation.resume() }
        }
    }

    private func accepted(_ fd: Int32, tls: TLSContext?) {
        let loop = loops[nextLoop.add(1, ordering: .relaxed).newValue % loops.count]
        let connection = HTTPConnection(fd: fd, loop: loop, tls: tls, server: self)
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.connections[ObjectIdentifier(connection)] = connection
            return true
        }
        connection.queue.async {
            connection.start()
            if !accepted { connection.beginShutdown() }
        }
    }

    func connectionClosed(_ connection: HTTPConnection) {
        state.withLock { _ = $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
        checkEmpty()
    }

    private func checkEmpty() {
        let waiters = takeWaiters(onlyIfEmpty: true)
        guard !waiters.isEmpty else { return }
        loops.forEach { $0.stop() }
        waiters.forEach { $0() }
    }

    private func takeWaiters(onlyIfEmpty: Bool) -> [@Sendable () -> Void] {
        state.withLock { state in
            guard state.stopping, !onlyIfEmpty || state.connections.isEmpty else { return [] }
            defer { state.whenEmpty = [] }
            return state.whenEmpty
        }
    }

    /// Logs one access line. `metadata` is the caller's to keep between lines: its one entry
    /// is replaced in place, so no dictionary is made per line.
    func logAccess(method: String, target: String, status: Int, started: UInt64, requestID: String, metadata: inout Logger.Metadata) {
        guard logger.logLevel <= .info else { return }
        let record = AccessRecord(method: method, path: target, status: status, micros: Monotonic.nanos(since: started) / 1000,
                                  requestID: requestID)
        metadata[AccessRecord.key] = .stringConvertible(record)
        logger.info("access", metadata: metadata)
    }
}
