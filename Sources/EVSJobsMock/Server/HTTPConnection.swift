import Dispatch
import HTTP1
import Logging
import Sockets

/// Speaks HTTP/1.1 on one connection: decodes requests as bytes arrive, answers them in order,
/// keeps the connection alive or closes it, and enforces the request and idle timeouts.
/// Everything here runs on the connection's serial queue, which is also why the mutable state
/// skips the run-time exclusivity check (`@exclusivity(unchecked)`, as in `Connection`).
final class HTTPConnection: @unchecked Sendable {
    private let connection: Connection
    private let server: HTTPServer
    @exclusivity(unchecked) private var decoder: RequestDecoder
    private let timer: DispatchSourceTimer
    /// Every decision: when to read, answer, time out and close.
    @exclusivity(unchecked) private var state: ConnectionState
    /// The answers' bytes, kept between reads so that answering allocates nothing; given up
    /// when a large answer grew it past `keptOutputCapacity`.
    @exclusivity(unchecked) private var spareOutput: [UInt8] = []
    /// The access line's metadata, reused line after line (see `HTTPServer.logAccess`).
    @exclusivity(unchecked) private var accessMetadata: Logger.Metadata = [:]
    static let keptOutputCapacity = 64 * 1024

    init(fd: Int32, loop: EventLoop, tls: TLSContext?, server: HTTPServer) {
        connection = Connection(fd: fd, loop: loop, tls: tls)
        self.server = server
        decoder = RequestDecoder(limits: server.options.limits)
        timer = DispatchSource.makeTimerSource(queue: loop.queue)
        state = ConnectionState(now: Monotonic.now(), tls: tls != nil, timeouts: .init(
            requestMs: server.options.requestTimeoutMs, idleMs: server.options.idleTimeoutMs,
            maxPendingOutput: Self.maxPendingOutput))
    }

    var queue: DispatchQueue { connection.queue }

    func start() {
        connection.onRead = { [self] bytes in received(bytes) }
        connection.onEndOfInput = { [self] in perform(state.peerHalfClosed(at: Monotonic.now())) }
        connection.onDrained = { [self] in perform(state.outputDrained()) }
        connection.onClose = { [self] in
            timer.cancel()
            perform(state.connectionClosed())
            server.connectionClosed(self)
        }
        timer.setEventHandler { [weak self] in self?.timerFired() }
        timer.resume()
        connection.start()
        perform(state.started())
    }

    /// The server is stopping: close once the answers already queued are sent, or after the
    /// request that is arriving has been answered.
    func beginShutdown() {
        perform(state.shutdownBegun(partialRequest: decoder.hasPartialRequest))
    }

    /// The server's grace period is over.
    func forceClose() {
        connection.close()
    }

    /// Performs what the state decided, in order.
    private func perform(_ actions: [ConnectionState.Action]) {
        for action in actions {
            switch action {
            case .answerRequests: answerBuffered()
            case .pauseReading: connection.pauseReading()
            case .resumeReading: connection.resumeReading()
            case .resumeLater:
                connection.queue.async { [weak self] in
                    guard let self else { return }
                    self.perform(self.state.resumedLater())
                }
            case .armTimer(let deadline):
                timer.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline), leeway: .milliseconds(50))
            case .sendTimeout:
                var output: [UInt8] = []
                respond(to: HTTPDecodeError(.requestTimeout, "request not complete within \(server.options.requestTimeoutMs) ms"), into: &output)
                connection.write(output)
            case .closeAfterWriting(let linger): connection.closeAfterWriting(linger: linger)
            case .closeNow: connection.close()
            case .countRequestInProgress: server.requestsInProgress.add(1, ordering: .relaxed)
            case .uncountRequestInProgress: server.requestsInProgress.add(-1, ordering: .relaxed)
            }
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        guard state.bytesReceived(at: Monotonic.now()) else { return }
        decoder.append(bytes)
        answerBuffered()
    }

    /// Answers every complete request buffered, in order, until one has to wait.
    private func answerBuffered() {
        let now = Monotonic.now()
        var output = spareOutput
        spareOutput = []
        defer {
            output.removeAll(keepingCapacity: true)
            if output.capacity <= Self.keptOutputCapacity { spareOutput = output }
        }
        while state.takesRequest(unsent: output.count + connection.pendingByteCount) {
            do {
                guard let request = try decoder.next() else { break }
                answer(request, into: &output)
                state.requestDecoded(at: now, partialFollows: decoder.hasPartialRequest)
            } catch {
                respond(to: error, into: &output)
                state.stopTakingRequests()
            }
        }
        guard !connection.isClosed else { return }
        if decoder.awaitsContinue, state.sendsContinue {
            // RFC 9110 §10.1.1: the client waits for this before it sends the body.
            output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
            decoder.continueSent()
        }
        output.withUnsafeBytes { connection.write($0) }
        perform(state.answersQueued(at: Monotonic.now(), partialRequest: decoder.hasPartialRequest,
                                    written: output.count, unsent: connection.pendingByteCount))
    }

    private func answer(_ request: HTTPRequest, into output: inout [UInt8]) {
        let started = Monotonic.now()
        let requestID = RequestID.next()
        switch server.responder.reply(to: request, requestID: requestID) {
        case .response(let response):
            encode(response, for: request, requestID: requestID, started: started, into: &output)
        case .delayed(let response, let milliseconds):
            answerLater(request, requestID: requestID, started: started) { [queue = connection.queue] deliver in
                queue.asyncAfter(deadline: .now() + .milliseconds(max(0, milliseconds))) { deliver(response) }
            }
        case .deferred(let work):
            answerLater(request, requestID: requestID, started: started) { [workQueue = server.workQueue] deliver in
                workQueue.async { deliver(work()) }
            }
        case .reset:
            logAccess(method: request.method, target: request.target, status: 0, started: started, requestID: requestID)
            output = []  // a reset discards whatever is unsent
            state.stopTakingRequests()
            connection.reset()
        case .close:
            logAccess(method: request.method, target: request.target, status: 0, started: started, requestID: requestID)
            state.stopTakingRequests()
        }
    }

    /// Holds this connection's later requests until `produce` hands over the answer, then
    /// sends it (on the connection's queue) and goes on with them.
    private func answerLater(_ request: HTTPRequest, requestID: String, started: UInt64,
                             produce: (@escaping @Sendable (HTTPResponse) -> Void) -> Void) {
        state.answerDelayed(requestID)
        var bodiless = request
        bodiless.body = []  // the wait should not keep a large body alive
        let head = bodiless
        produce { [weak self] response in
            guard let self else { return }
            self.connection.queue.async {
                guard self.state.delayedAnswerReady(requestID, at: Monotonic.now()) else { return }
                var later: [UInt8] = []
                self.encode(response, for: head, requestID: requestID, started: started, into: &later)
                self.connection.write(later)
                self.perform(self.state.delayedAnswerWritten())
                self.perform(self.state.afterDelayedAnswer(at: Monotonic.now()))
            }
        }
    }

    /// Takes the response (`consuming`): the headers added here then change the only copy.
    private func encode(_ response: consuming HTTPResponse, for request: HTTPRequest, requestID: String, started: UInt64, into output: inout [UInt8]) {
        if server.options.compression, response.body.count >= HTTPServerOptions.minimumCompressedBytes {
            // RFC 9110 §12.5.5: the answer depends on Accept-Encoding, so caches must know.
            response.headers.add("Vary", "Accept-Encoding")
            if let coding = ContentCoding.negotiate(request.headers["Accept-Encoding"]), let compressed = coding.compress(response.body) {
                response.body = compressed
                response.headers.add("Content-Encoding", coding.rawValue)
            }
        }
        let keepAlive = state.answering(keepAliveRequested: request.keepAlive)
        finish(&response, requestID: requestID, keepAlive: keepAlive, version: request.version)
        ResponseEncoder.encode(response, headOnly: request.method == "HEAD", into: &output)
        logAccess(method: request.method, target: request.target, status: response.status.code, started: started, requestID: requestID)
    }

    private func respond(to error: HTTPDecodeError, into output: inout [UInt8]) {
        let started = Monotonic.now()
        let requestID = RequestID.next()
        var response = server.responder.respond(to: error, requestID: requestID)
        finish(&response, requestID: requestID, keepAlive: false, version: .http1_1)
        ResponseEncoder.encode(response, into: &output)
        logAccess(method: "-", target: "(\(error.reason))", status: response.status.code, started: started, requestID: requestID)
    }

    private func logAccess(method: String, target: String, status: Int, started: UInt64, requestID: String) {
        var metadata = accessMetadata
        accessMetadata = [:]  // taken, so that it stays the only reference and changes in place
        server.logAccess(method: method, target: target, status: status, started: started, requestID: requestID, metadata: &metadata)
        accessMetadata = metadata
    }

    private func finish(_ response: inout HTTPResponse, requestID: String, keepAlive: Bool, version: HTTPVersion) {
        response.headers.add("Date", HTTPDate.now())
        response.headers.add("X-Request-Id", requestID)
        if !keepAlive {
            response.headers.add("Connection", "close")
        } else if version == .http1_0 {
            response.headers.add("Connection", "keep-alive")
        }
    }

    /// Unsent answer bytes above which the connection stops reading requests.
    static let maxPendingOutput = 256 * 1024

    private func timerFired() {
        perform(state.timerFired(at: Monotonic.now(), handshaking: connection.isHandshaking))
    }
}
