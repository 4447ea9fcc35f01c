#if canImport(Glibc)
import Glibc
#endif
import CSystemShims
import Dispatch

/// One connected, non-blocking socket served by an event loop.
///
/// Every method and callback runs on the loop's `queue`: callers hop there first. The socket
/// is watched for input while reading is wanted, and for output only while bytes wait to be
/// sent. It is closed once, after it left the loop, so a reused descriptor number is never hit.
public final class Connection: EventLoopHandler, @unchecked Sendable {
    public let loop: EventLoop
    private var fd: Int32
    private var token: UInt64 = 0
    private var watched: UInt32 = 0
    private var readPaused = false
    private var inputEnded = false
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var closeWhenFlushed = false
    private var lingerOnClose = true
    public private(set) var isClosed = false
    /// An HTTPS connection whose TLS handshake is not done yet.
    public var isHandshaking: Bool { tls != nil && !handshaken }
    // The TLS members, and the few methods Connection+TLS.swift calls, are internal rather than
    // private only for that file; all of them are touched on `queue` alone, like the rest.
    /// The TLS session, when this is an HTTPS connection; until `handshaken`, no bytes flow.
    var tls: UnsafeMutableRawPointer?
    var handshaken = false
    /// What TLS waits for before it can go on: the socket readable or writable.
    var tlsWantsWrite = false

    /// Bytes arrived. The buffer is only valid during the call.
    public var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// The peer finished sending (it may still read what we write).
    public var onEndOfInput: (() -> Void)?
    /// The connection is closed, by either side; called once.
    public var onClose: (() -> Void)?
    /// Bytes that had to wait are now all sent.
    public var onDrained: (() -> Void)?

    /// Bytes read per read event: one stack buffer per read, nothing kept per connection.
    static let readChunk = 16 * 1024
    /// How long a closing connection keeps draining what the peer still sends.
    static let lingerMilliseconds = 2000

    /// Takes ownership of a connected non-blocking socket; with `tls`, speaks TLS on it.
    public init(fd: Int32, loop: EventLoop, tls: TLSContext? = nil) {
        self.fd = fd
        self.loop = loop
        if let tls { self.tls = ctls_new(tls.context, fd) }
        tlsContext = tls
    }

    /// Keeps the context alive as long as a session made from it.
    private let tlsContext: TLSContext?

    public var queue: DispatchQueue { loop.queue }

    /// Bytes queued but not yet taken by the socket.
    public var pendingByteCount: Int { pending.count - pendingOffset }

    /// Starts reading. Call on `queue`.
    public func start() {
        if tlsContext != nil, tls == nil {
            close()  // SSL_new failed
            return
        }
        watched = wantedEvents
        guard let token = loop.register(fd, events: watched, handler: self) else {
            close()
            return
        }
        self.token = token
    }

    /// Queues bytes for sending; sends at once what the socket takes.
    public func write(_ bytes: [UInt8]) {
        guard !isClosed, !bytes.isEmpty else { return }
        if pendingOffset == pending.count {
            pending = bytes
            pendingOffset = 0
        } else {
            pending.append(contentsOf: bytes)
        }
        flush()
    }

    /// Closes once every queued byte is sent; reading stops now. With `linger`, what the peer
    /// still sends is drained for a moment first (see `finishGracefully`).
    public func closeAfterWriting(linger: Bool = true) {
        guard !isClosed else { return }
        closeWhenFlushed = true
        lingerOnClose = linger
        readPaused = true
        if pendingOffset == pending.count { finishGracefully() } else { updateInterest() }
    }

    /// Stops reading until `resumeReading`.
    public func pauseReading() {
        readPaused = true
        updateInterest()
    }

    public func resumeReading() {
        readPaused = false
        updateInterest()
    }

    /// Closes at once; unsent bytes are dropped.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        pending = []
        pendingOffset = 0
        if fd >= 0 {
            if token != 0 { loop.deregister(fd, token: token) }
            Glibc.close(fd)
            fd = -1
        }
        if let tls {
            ctls_free(tls)
            self.tls = nil
        }
        let onClose = self.onClose
        onRead = nil
        onEndOfInput = nil
        onDrained = nil
        self.onClose = nil
        onClose?()
    }

    /// Closes with a TCP reset (RST) instead of an orderly FIN.
    public func reset() {
        guard !isClosed, fd >= 0 else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    // MARK: - Events

    public func ready(events: UInt32) {
        if events & Readiness.error != 0 {
            close()  // a reset or another socket error: the peer is gone
            return
        }
        if tls != nil, !handshaken {
            handshake()
            guard handshaken, !isClosed else { return }
        }
        if tlsWantsWrite, events & Readiness.writable != 0 {
            tlsWantsWrite = false
            readAvailable()  // a TLS read that had to write first
            if isClosed { return }
        }
        if events & (Readiness.readable | Readiness.peerClosed | Readiness.hangUp) != 0, wantsInput {
            readAvailable()
        }
        if !isClosed, events & (Readiness.writable | Readiness.hangUp) != 0, pendingOffset < pending.count {
            flush()
        }
        if !isClosed, events & Readiness.hangUp != 0, !wantsInput {
            close()  // both directions are shut and nothing more can be read
        }
    }

    var wantsInput: Bool { !readPaused && !inputEnded }

    private var wantedEvents: UInt32 {
        if tls != nil, !handshaken { return tlsWantsWrite ? Readiness.writable : Readiness.readable }
        return (wantsInput ? Readiness.readable | Readiness.peerClosed : 0)
            | (pendingOffset < pending.count || tlsWantsWrite ? Readiness.writable : 0)
    }

    func updateInterest() {
        guard !isClosed, token != 0 else { return }
        let wanted = wantedEvents
        guard wanted != watched else { return }
        watched = wanted
        loop.modify(fd, token: token, events: wanted)
    }

    func readAvailable() {
        if let tls {
            return readTLS(tls)
        }
        let count = withUnsafeTemporaryAllocation(byteCount: Self.readChunk, alignment: 16) { buffer -> Int in
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { onRead?(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
            return count
        }
        if count > 0 { return }
        endOfRead(count)
    }


    func endOfRead(_ count: Int) {
        if count == 0 {
            inputEnded = true
            updateInterest()
            if closeWhenFlushed { close() } else { onEndOfInput?() }
            return
        }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR: return
        default: close()  // ECONNRESET and the like: the peer is gone
        }
    }

    func flush() {
        if tls != nil, !handshaken { return }  // sent once the handshake is done
        while pendingOffset < pending.count {
            let sent = pending.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                if let tls { return sendTLS(tls, base + pendingOffset, raw.count - pendingOffset) }
                return send(fd, base + pendingOffset, raw.count - pendingOffset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                pendingOffset += sent
                continue
            }
            if sent < 0, errno == EINTR { continue }
            if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                updateInterest()
                return
            }
            close()  // EPIPE, ECONNRESET: the peer is gone
            return
        }
        let waited = watched & Readiness.writable != 0
        pending = []
        pendingOffset = 0
        if closeWhenFlushed {
            finishGracefully()
        } else {
            updateInterest()
            if waited { onDrained?() }
        }
    }

    /// Everything is sent: send FIN, then drain what the peer still sends for a moment before
    /// closing, so that its unread bytes do not turn our close into a reset that could destroy
    /// the response in flight (the "lingering close" of RFC 9112 §9.6).
    private func finishGracefully() {
        guard !isClosed, fd >= 0 else { return }
        guard lingerOnClose, !inputEnded else {
            close()
            return
        }
        if let tls { ctls_close_notify(tls) }
        shutdown(fd, Int32(SHUT_WR))
        onRead = nil
        readPaused = false
        updateInterest()
        queue.asyncAfter(deadline: .now() + .milliseconds(Self.lingerMilliseconds)) { [weak self] in
            self?.close()
        }
    }
}
