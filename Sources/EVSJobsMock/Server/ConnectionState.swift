/// The decisions of one HTTP/1.1 connection, as a value: events go in (bytes arrived at a time,
/// a request answered, a delayed answer ready, output drained, the peer half-closed, the timer
/// fired, shutdown begun) and the actions to perform come out. It reads no clock, touches no
/// socket and holds no request; `HTTPConnection` feeds it and performs what it returns, so every
/// rule here is tested on values with a manual clock (`ConnectionStateTests`).
///
/// Times are monotonic readings in nanoseconds.
struct ConnectionState {
    enum Action: Equatable {
        /// Run the request loop: answer the complete requests buffered, in order.
        case answerRequests
        case pauseReading
        case resumeReading
        /// Reading was paused with nothing left unsent, so no "drained" will come: resume on a
        /// later turn of the queue (then report `resumedLater()`).
        case resumeLater
        /// Schedule the connection's one timer (only ever moved earlier).
        case armTimer(at: UInt64)
        /// Answer 408 Request Timeout (with `Connection: close`).
        case sendTimeout
        /// Close once the queued answers are sent; `linger` drains the peer's input first.
        case closeAfterWriting(linger: Bool)
        case closeNow
        /// Count or uncount this connection among those holding part of a request.
        case countRequestInProgress
        case uncountRequestInProgress
    }

    struct Timeouts: Equatable {
        /// A request (its head and body) or a TLS handshake must arrive within this from its first byte.
        var request: UInt64
        /// A connection with no request under way is closed after this long without bytes.
        var idle: UInt64
        /// Unsent answer bytes above which no more requests are answered or read.
        var maxPendingOutput: Int

        init(requestMs: Int, idleMs: Int, maxPendingOutput: Int) {
            request = UInt64(max(0, requestMs)) * 1_000_000
            idle = UInt64(max(0, idleMs)) * 1_000_000
            self.maxPendingOutput = maxPendingOutput
        }
    }

    let timeouts: Timeouts
    /// When the first byte of the request being received arrived (or the TLS handshake began);
    /// nil between requests.
    private(set) var requestStarted: UInt64?
    private(set) var lastActivity: UInt64
    /// Where the timer is set; `.max` when it is not.
    private(set) var timerDeadline: UInt64 = .max
    /// An answer with `Connection: close` is queued (or the connection is being dropped):
    /// nothing more is read or answered.
    private(set) var closing = false
    /// The server is stopping: answers say `Connection: close`.
    private(set) var stopping = false
    /// Counted in the server's requests in progress.
    private(set) var counted = false
    /// The request whose answer is delayed; later requests wait for it.
    private(set) var waitingFor: String?
    /// The peer has finished sending while an answer was delayed: close once it is out.
    private(set) var halfClosed = false
    private(set) var closed = false

    /// A connection accepted at `now`. A TLS handshake has the request timeout to complete, as
    /// a request head has.
    init(now: UInt64, tls: Bool, timeouts: Timeouts) {
        self.timeouts = timeouts
        lastActivity = now
        requestStarted = tls ? now : nil
    }

    /// The connection starts reading: the first deadline.
    mutating func started() -> [Action] {
        let deadline = requestStarted.map { $0 + timeouts.request } ?? lastActivity + timeouts.idle
        return arm(at: deadline).map { [$0] } ?? []
    }

    // MARK: - Requests

    /// Bytes arrived at `now`; false when they are to be dropped (the connection is closing).
    mutating func bytesReceived(at now: UInt64) -> Bool {
        guard !closing, !closed else { return false }
        // The clock of a request starts with its first byte, empty lines before it included,
        // so that a trickle of CRLFs cannot hold the connection open for ever.
        if requestStarted == nil { requestStarted = now }
        lastActivity = now
        return true
    }

    /// Whether the request loop takes another request while `unsent` answer bytes wait. A
    /// client that sends requests but does not read the answers is answered only while less than
    /// `maxPendingOutput` waits for it: memory per connection stays bounded.
    func takesRequest(unsent: Int) -> Bool {
        !closing && !closed && waitingFor == nil && unsent < timeouts.maxPendingOutput
    }

    /// Whether a client waiting for `100 Continue` gets it now (RFC 9110 §10.1.1).
    var sendsContinue: Bool { !closing && !closed && waitingFor == nil }

    /// An answer is being written; returns whether it keeps the connection alive.
    mutating func answering(keepAliveRequested: Bool) -> Bool {
        let keepAlive = keepAliveRequested && !stopping
        if !keepAlive { closing = true }
        return keepAlive
    }

    /// The answer to `requestID` comes later; the requests after it wait.
    mutating func answerDelayed(_ requestID: String) {
        waitingFor = requestID
    }

    /// A request is not answered (a decode error answered with `Connection: close`, a reply that
    /// closes or resets): nothing more is taken.
    mutating func stopTakingRequests() {
        closing = true
    }

    /// A request was taken off the decoder in a loop that began at `now`; `partialFollows` when
    /// the bytes of the next one have begun to arrive.
    mutating func requestDecoded(at now: UInt64, partialFollows: Bool) {
        requestStarted = partialFollows ? now : nil
    }

    /// The request loop has queued its answers (`written` bytes, `unsent` of all still unsent).
    mutating func answersQueued(at now: UInt64, partialRequest: Bool, written: Int, unsent: Int) -> [Action] {
        guard !closed else { return [] }
        var actions: [Action] = []
        let partial = partialRequest && !closing
        if partial != counted {
            counted = partial
            actions.append(partial ? .countRequestInProgress : .uncountRequestInProgress)
        }
        if closing {
            actions += closeAfterAnswers(at: now, linger: !stopping)
        } else if waitingFor != nil {
            actions.append(.pauseReading)  // a delayed answer holds back the next ones
        } else if written >= timeouts.maxPendingOutput || unsent >= timeouts.maxPendingOutput {
            actions.append(.pauseReading)
            if unsent == 0 { actions.append(.resumeLater) }
        } else if let requestStarted, let arm = arm(at: requestStarted + timeouts.request) {
            actions.append(arm)
        }
        return actions
    }

    /// The turn after `.resumeLater` has come.
    func resumedLater() -> [Action] {
        closed ? [] : [.resumeReading, .answerRequests]
    }

    /// The answers queued have all been sent after the socket made us wait.
    func outputDrained() -> [Action] {
        guard !closing, !closed, waitingFor == nil else { return [] }
        return [.resumeReading, .answerRequests]  // the requests held back while answers were unread
    }

    // MARK: - Delayed answers

    /// The delayed answer to `requestID` is ready at `now`; false when it is no longer wanted.
    mutating func delayedAnswerReady(_ requestID: String, at now: UInt64) -> Bool {
        guard !closed, waitingFor == requestID else { return false }
        waitingFor = nil
        lastActivity = now
        return true
    }

    /// The delayed answer is queued: go on with the requests that waited for it.
    func delayedAnswerWritten() -> [Action] {
        closing ? [.answerRequests] : [.resumeReading, .answerRequests]
    }

    /// The requests after a delayed answer have been taken: a peer that half-closed meanwhile
    /// is closed on once the answers are out.
    mutating func afterDelayedAnswer(at now: UInt64) -> [Action] {
        guard halfClosed, !closing, !closed else { return [] }
        return closeAfterAnswers(at: now, linger: false)
    }

    // MARK: - Ends

    /// The peer half-closed at `now`: answer what it sent completely, then close.
    mutating func peerHalfClosed(at now: UInt64) -> [Action] {
        halfClosed = true
        guard waitingFor == nil, !closed else { return [] }
        return closeAfterAnswers(at: now, linger: false)
    }

    /// The server is stopping: close once the answers already queued are sent, or after the
    /// request that is arriving (`partialRequest`) or delayed has been answered.
    mutating func shutdownBegun(partialRequest: Bool) -> [Action] {
        stopping = true
        guard !partialRequest, waitingFor == nil, !closed else { return [] }
        closing = true
        return [.closeAfterWriting(linger: false)]
    }

    /// The connection has closed.
    mutating func connectionClosed() -> [Action] {
        closed = true
        guard counted else { return [] }
        counted = false
        return [.uncountRequestInProgress]
    }

    // MARK: - Timeouts

    /// The timer fired at `now`; `handshaking` while a TLS handshake is still under way.
    mutating func timerFired(at now: UInt64, handshaking: Bool) -> [Action] {
        guard !closed else { return [] }
        timerDeadline = .max
        if closing {
            return [.closeNow]  // the peer did not take the last response in time
        }
        if waitingFor != nil {
            // A delayed answer is due: neither the idle nor the request clock runs meanwhile.
            return arm(at: now + timeouts.idle).map { [$0] } ?? []
        }
        if let requestStarted {
            let deadline = requestStarted + timeouts.request
            guard now >= deadline else { return arm(at: deadline).map { [$0] } ?? [] }
            // A TLS handshake not done in time: no 408 can be sent over it, so close now
            // rather than wait another timeout for an answer that cannot go out.
            guard !handshaking else { return [.closeNow] }
            closing = true
            return [.sendTimeout] + closeAfterAnswers(at: now, linger: !stopping)
        }
        let deadline = lastActivity + timeouts.idle
        guard now >= deadline else { return arm(at: deadline).map { [$0] } ?? [] }
        return [.closeNow]
    }

    /// Takes no more requests and closes once the answers queued are sent; a peer that does not
    /// take them within the request timeout is closed on.
    private mutating func closeAfterAnswers(at now: UInt64, linger: Bool) -> [Action] {
        closing = true
        return [.closeAfterWriting(linger: linger)] + (arm(at: now + timeouts.request).map { [$0] } ?? [])
    }

    /// One timer per connection, re-armed only when a deadline moves earlier; when it fires
    /// it checks the current deadline and re-arms itself if that lies later.
    private mutating func arm(at deadline: UInt64) -> Action? {
        guard deadline < timerDeadline else { return nil }
        timerDeadline = deadline
        return .armTimer(at: deadline)
    }
}
