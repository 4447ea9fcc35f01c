#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// One connected, non-blocking socket served by an event loop.
///
/// Every method and callback runs on the loop's `queue`: callers hop there first. The socket
/// is watched for input while reading is wanted, and for output only while bytes wait to be
/// sent. It is closed once, after it left the loop, so a reused descriptor number is never hit.
/// How bytes cross the socket, plain or through TLS, is its `Transport`'s business.
///
/// The mutable state is `@exclusivity(unchecked)`: it is touched on `queue` alone, one access
/// at a time, so the run-time exclusivity check (two calls into the runtime per access, dozens
/// per request) proves nothing here.
public final class Connection: EventLoopHandler, @unchecked Sendable {
    public let loop: EventLoop
    @exclusivity(unchecked) private var fd: Int32
    @exclusivity(unchecked) private var token: UInt64 = 0
    @exclusivity(unchecked) private var watched: UInt32 = 0
    @exclusivity(unchecked) private var readPaused = false
    @exclusivity(unchecked) private var inputEnded = false
    @exclusivity(unchecked) private var pending: [UInt8] = []
    @exclusivity(unchecked) private var pendingOffset = 0
    @exclusivity(unchecked) private var closeWhenFlushed = false
    @exclusivity(unchecked) private var lingerOnClose = true
    @exclusivity(unchecked) public private(set) var isClosed = false
    /// Plain TCP or TLS; touched on `queue` alone, like the rest.
    private let transport: any Transport
    /// An HTTPS connection whose TLS handshake is not done yet.
    public var isHandshaking: Bool { transport.isHandshaking }

    /// Bytes arrived. The buffer is only valid during the call.
    @exclusivity(unchecked) public var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// The peer finished sending (it may still read what we write).
    @exclusivity(unchecked) public var onEndOfInput: (() -> Void)?
    /// The connection is closed, by either side; called once.
    @exclusivity(unchecked) public var onClose: (() -> Void)?
    /// Bytes that had to wait are now all sent.
    @exclusivity(unchecked) public var onDrained: (() -> Void)?

    /// How long a closing connection keeps draining what the peer still sends.
    static let lingerMilliseconds = 2000

    /// Takes ownership of a connected non-blocking socket; with `tls`, speaks TLS on it.
    public init(fd: Int32, loop: EventLoop, tls: TLSContext? = nil) {
        self.fd = fd
        self.loop = loop
        if let tls {
            transport = TLSTransport(fd: fd, context: tls)
        } else {
            transport = PlainTransport(fd: fd)
        }
    }

    public var queue: DispatchQueue { loop.queue }

    /// Bytes queued but not yet taken by the socket.
    public var pendingByteCount: Int { pending.count - pendingOffset }

    /// Starts reading. Call on `queue`.
    public func start() {
        guard transport.isOpen else {
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

    /// Sends what the socket takes at once and queues the rest.
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Sends what the socket takes at once, straight from `bytes`, and queues a copy of the rest
    /// (so the caller may reuse its buffer).
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard !isClosed, !bytes.isEmpty else { return }
        var sent = 0
        if pendingOffset == pending.count, !transport.isHandshaking {
            guard let count = send(bytes) else { return close() }  // EPIPE, ECONNRESET: the peer is gone
            sent = count
        }
        if sent < bytes.count { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[sent...])) }
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
        transport.close()
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
        if transport.isHandshaking {
            handshake()
            guard !transport.isHandshaking, !isClosed else { return }
        }
        if events & Readiness.writable != 0, transport.takeReadWaitingForWritable() {
            readAvailable()  // a read that had to write first
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

    private var wantsInput: Bool { !readPaused && !inputEnded }

    private var wantedEvents: UInt32 {
        transport.events(wantsInput: wantsInput, wantsOutput: pendingOffset < pending.count)
    }

    private func updateInterest() {
        guard !isClosed, token != 0 else { return }
        let wanted = wantedEvents
        guard wanted != watched else { return }
        watched = wanted
        loop.modify(fd, token: token, events: wanted)
    }

    /// Drives the handshake as the socket allows; a peer that fails it costs only this
    /// connection. Once done, what waited is sent, and the first request may have come with the
    /// handshake's last bytes.
    private func handshake() {
        switch transport.handshake() {
        case .done:
            updateInterest()
            if pendingByteCount > 0 { flush() }
            readAvailable()
        case .wouldBlock:
            updateInterest()
        case .failed:
            close()
        }
    }

    /// Reads once, or, when the transport buffers input, until it would block.
    private func readAvailable() {
        while !isClosed, wantsInput {
            // The loop's buffer: nothing kept per connection, nothing allocated per read.
            let buffer = loop.readBuffer
            let outcome = transport.read(into: buffer)
            if case .read(let count) = outcome { onRead?(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
            switch outcome {
            case .read: if transport.buffersInput { continue } else { return }
            case .wouldBlock: return updateInterest()
            case .ended: return endOfInput()
            case .failed: return close()  // ECONNRESET and the like: the peer is gone
            }
        }
    }

    private func endOfInput() {
        inputEnded = true
        updateInterest()
        if closeWhenFlushed { close() } else { onEndOfInput?() }
    }

    /// Writes `bytes` until the socket would block: how many went, or nil if the peer is gone.
    private func send(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var sent = 0
        while sent < bytes.count {
            switch transport.write(UnsafeRawBufferPointer(rebasing: bytes[sent...])) {
            case .wrote(let count): sent += count
            case .wouldBlock: return sent
            case .failed: return nil
            }
        }
        return sent
    }

    private func flush() {
        if transport.isHandshaking { return }  // sent once the handshake is done
        if pendingOffset < pending.count {
            let offset = pendingOffset
            guard let count = pending.withUnsafeBytes({ send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }) else { return close() }
            pendingOffset += count
            if pendingOffset < pending.count { return updateInterest() }  // the socket would block
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
        transport.shutdownOutput()
        onRead = nil
        readPaused = false
        updateInterest()
        queue.asyncAfter(deadline: .now() + .milliseconds(Self.lingerMilliseconds)) { [weak self] in
            self?.close()
        }
    }
}
