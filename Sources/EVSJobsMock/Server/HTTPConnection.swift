import Dispatch
import HTTP1
import Logging
import Sockets

/// Speaks HTTP/1.1 on one connection: decodes requests as bytes arrive, answers them in order,
/// keeps the connection alive or closes it, and enforces the request and idle timeouts.
/// Everything here runs on the connection's serial queue.
final class HTTPConnection: @unchecked Sendable {
    private let connection: Connection
    private let server: HTTPServer
    private var decoder: RequestDecoder
    private let timer: DispatchSourceTimer
    /// When the first byte of the request being received arrived; nil between requests.
    private var requestStarted: UInt64?
    private var lastActivity: UInt64
    private var timerDeadline: UInt64 = .max
    /// A response with `Connection: close` has been queued; nothing more is read.
    private var closing = false
    private var stopping = false
    /// Counted in the server's `requestsInProgress`.
    private var counted = false
    /// The request whose answer is delayed; later requests wait for it.
    private var waitingFor: String?
    /// The peer has finished sending; close once the delayed answer is out.
    private var halfClosed = false

    init(fd: Int32, loop: EventLoop, tls: TLSContext?, server: HTTPServer) {
        connection = Connection(fd: fd, loop: loop, tls: tls)
        self.server = server
        decoder = RequestDecoder(limits: server.options.limits)
        timer = DispatchSource.makeTimerSource(queue: loop.queue)
        lastActivity = DispatchTime.now().uptimeNanoseconds
        // A TLS handshake has the request timeout to complete, as a request head has.
        if tls != nil { requestStarted = lastActivity }
    }

    var queue: DispatchQueue { connection.queue }

    func start() {
        connection.onRead = { [self] bytes in received(bytes) }
        connection.onEndOfInput = { [self] in endOfInput() }
        connection.onDrained = { [self] in
            guard !closing, waitingFor == nil else { return }
            connection.resumeReading()
            answerBuffered()  // requests held back while the answers were unread
        }
        connection.onClose = { [self] in
            timer.cancel()
            updateProgressCount(partial: false)
            server.connectionClosed(self)
        }
        timer.setEventHandler { [weak self] in self?.timerFired() }
        timer.resume()
        connection.start()
        armTimer(at: (requestStarted.map { $0 + Self.nanos(server.options.requestTimeoutMs) }) ?? lastActivity + Self.nanos(server.options.idleTimeoutMs))
    }

    /// The server is stopping: close once the answers already queued are sent, or after the
    /// request that is arriving has been answered.
    func beginShutdown() {
        stopping = true
        if !decoder.hasPartialRequest, waitingFor == nil {
            closing = true
            connection.closeAfterWriting(linger: false)
        }
    }

    /// The server's grace period is over.
    func forceClose() {
        connection.close()
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        guard !closing else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        // The clock of a request starts with its first byte, empty lines before it included,
        // so that a trickle of CRLFs cannot hold the connection open for ever.
        if requestStarted == nil { requestStarted = now }
        lastActivity = now
        decoder.append(bytes)
        answerBuffered()
    }

    /// Answers every complete request buffered, in order, until one has to wait.
    private func answerBuffered() {
        let now = DispatchTime.now().uptimeNanoseconds
        var output: [UInt8] = []
        // A client that sends requests but does not read the answers is answered only while
        // less than `maxPendingOutput` waits for it: memory per connection stays bounded.
        while !closing, waitingFor == nil, output.count + connection.pendingByteCount < Self.maxPendingOutput {
            do {
                guard let request = try decoder.next() else { break }
                answer(request, into: &output)
                requestStarted = decoder.hasPartialRequest ? now : nil
            } catch {
                respond(to: error, into: &output)
            }
        }
        guard !connection.isClosed else { return }
        if decoder.awaitsContinue, !closing, waitingFor == nil {
            // RFC 9110 §10.1.1: the client waits for this before it sends the body.
            output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
            decoder.continueSent()
        }
        connection.write(output)
        updateProgressCount(partial: decoder.hasPartialRequest && !closing)
        if closing {
            closeAfterAnswers(linger: !stopping)
        } else if waitingFor != nil {
            connection.pauseReading()  // a delayed answer holds back the next ones
        } else if output.count >= Self.maxPendingOutput || connection.pendingByteCount >= Self.maxPendingOutput {
            connection.pauseReading()
            if connection.pendingByteCount == 0 {
                // Sent at once, so no "drained" will come: go on with the held-back requests.
                connection.queue.async { [weak self] in
                    guard let self, !self.connection.isClosed else { return }
                    self.connection.resumeReading()
                    self.answerBuffered()
                }
            }
        } else if let requestStarted {
            armTimer(at: requestStarted + Self.nanos(server.options.requestTimeoutMs))
        }
    }

    private func updateProgressCount(partial: Bool) {
        guard partial != counted else { return }
        counted = partial
        server.requestsInProgress.add(partial ? 1 : -1, ordering: .relaxed)
    }

    /// The peer half-closed: answer what it sent completely, then close.
    private func endOfInput() {
        halfClosed = true
        guard waitingFor == nil else { return }
        closeAfterAnswers(linger: false)
    }

    private func answer(_ request: HTTPRequest, into output: inout [UInt8]) {
        let started = DispatchTime.now().uptimeNanoseconds
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
            server.logAccess(method: request.method, target: request.target, status: 0, started: started, requestID: requestID)
            output = []  // a reset discards whatever is unsent
            closing = true
            connection.reset()
        case .close:
            server.logAccess(method: request.method, target: request.target, status: 0, started: started, requestID: requestID)
            closing = true
        }
    }

    /// Holds this connection's later requests until `produce` hands over the answer, then
    /// sends it (on the connection's queue) and goes on with them.
    private func answerLater(_ request: HTTPRequest, requestID: String, started: UInt64,
                             produce: (@escaping @Sendable (HTTPResponse) -> Void) -> Void) {
        waitingFor = requestID
        var bodiless = request
        bodiless.body = []  // the wait should not keep a large body alive
        let head = bodiless
        produce { [weak self] response in
            guard let self else { return }
            self.connection.queue.async {
                guard !self.connection.isClosed, self.waitingFor == requestID else { return }
                var later: [UInt8] = []
                self.encode(response, for: head, requestID: requestID, started: started, into: &later)
                self.waitingFor = nil
                self.lastActivity = DispatchTime.now().uptimeNanoseconds
                self.connection.write(later)
                if !self.closing { self.connection.resumeReading() }
                self.answerBuffered()
                if self.halfClosed, !self.closing, !self.connection.isClosed {
                    self.closeAfterAnswers(linger: false)
                }
            }
        }
    }

    private func encode(_ response: HTTPResponse, for request: HTTPRequest, requestID: String, started: UInt64, into output: inout [UInt8]) {
        var response = response
        if server.options.compression, response.body.count >= HTTPServerOptions.minimumCompressedBytes {
            // RFC 9110 §12.5.5: the answer depends on Accept-Encoding, so caches must know.
            response.headers.add("Vary", "Accept-Encoding")
            if let coding = ContentCoding.negotiate(request.headers["Accept-Encoding"]), let compressed = coding.compress(response.body) {
                response.body = compressed
                response.headers.add("Content-Encoding", coding.rawValue)
            }
        }
        let keepAlive = request.keepAlive && !stopping
        finish(&response, requestID: requestID, keepAlive: keepAlive, version: request.version)
        ResponseEncoder.encode(response, headOnly: request.method == "HEAD", into: &output)
        if !keepAlive { closing = true }
        server.logAccess(method: request.method, target: request.target, status: response.status.code, started: started, requestID: requestID)
    }

    private func respond(to error: HTTPDecodeError, into output: inout [UInt8]) {
        let started = DispatchTime.now().uptimeNanoseconds
        let requestID = RequestID.next()
        var response = server.responder.respond(to: error, requestID: requestID)
        finish(&response, requestID: requestID, keepAlive: false, version: .http1_1)
        ResponseEncoder.encode(response, into: &output)
        closing = true
        server.logAccess(method: "-", target: "(\(error.reason))", status: response.status.code, started: started, requestID: requestID)
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

    // MARK: - Timeouts

    /// One timer per connection, re-armed only when a deadline moves earlier; when it fires
    /// it checks the current deadline and re-arms itself if that lies later.
    private func armTimer(at deadline: UInt64) {
        guard deadline < timerDeadline else { return }
        timerDeadline = deadline
        timer.schedule(deadline: DispatchTime(uptimeNanoseconds: deadline), leeway: .milliseconds(50))
    }

    /// Takes no more requests and closes once the answers queued are sent; a peer that does not
    /// take them within the request timeout is closed on.
    private func closeAfterAnswers(linger: Bool) {
        closing = true
        connection.closeAfterWriting(linger: linger)
        armTimer(at: DispatchTime.now().uptimeNanoseconds + Self.nanos(server.options.requestTimeoutMs))
    }

    private func timerFired() {
        guard !connection.isClosed else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        timerDeadline = .max
        if closing {
            connection.close()  // the peer did not take the last response in time
            return
        }
        if waitingFor != nil {
            // A delayed answer is due: neither the idle nor the request clock runs meanwhile.
            return armTimer(at: now + Self.nanos(server.options.idleTimeoutMs))
        }
        if let requestStarted {
            let deadline = requestStarted + Self.nanos(server.options.requestTimeoutMs)
            guard now >= deadline else { return armTimer(at: deadline) }
            // A TLS handshake not done in time: no 408 can be sent over it, so close now
            // rather than wait another timeout for an answer that cannot go out.
            guard !connection.isHandshaking else { return connection.close() }
            var output: [UInt8] = []
            respond(to: HTTPDecodeError(.requestTimeout, "request not complete within \(server.options.requestTimeoutMs) ms"), into: &output)
            connection.write(output)
            closeAfterAnswers(linger: !stopping)
            return
        }
        let deadline = lastActivity + Self.nanos(server.options.idleTimeoutMs)
        guard now >= deadline else { return armTimer(at: deadline) }
        connection.close()
    }

    /// Unsent answer bytes above which the connection stops reading requests.
    static let maxPendingOutput = 256 * 1024

    private static func nanos(_ ms: Int) -> UInt64 { UInt64(max(0, ms)) * 1_000_000 }
}
