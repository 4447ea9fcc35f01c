#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// One connected, non-blocking socket driven by Dispatch sources on its own serial queue.
///
/// Every method and callback runs on `queue`: callers hop there first. The descriptor is closed
/// only in the cancel handler of the last source, so it is never closed twice or while a source
/// still watches it. A write source exists only while bytes wait to be sent.
public final class Connection: @unchecked Sendable {
    public let queue: DispatchQueue
    private var fd: Int32
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var liveSources = 0
    private var readPaused = false
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private var closeWhenFlushed = false
    private var lingerOnClose = true
    public private(set) var isClosed = false

    /// Bytes arrived. The buffer is only valid during the call.
    public var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// The peer finished sending (it may still read what we write).
    public var onEndOfInput: (() -> Void)?
    /// The connection is closed, by either side; called once.
    public var onClose: (() -> Void)?

    /// Bytes read per read event: one stack buffer per read, nothing kept per connection.
    static let readChunk = 16 * 1024
    /// How long a closing connection keeps draining what the peer still sends.
    static let lingerMilliseconds = 2000

    /// Takes ownership of a connected non-blocking socket.
    public init(fd: Int32, queue: DispatchQueue) {
        self.fd = fd
        self.queue = queue
    }

    /// Starts reading. Call on `queue`.
    public func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [unowned self] in self.readAvailable() }
        source.setCancelHandler { [self] in self.sourceCancelled() }
        liveSources += 1
        readSource = source
        source.resume()
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
        pauseReading()
        if pendingOffset == pending.count { finishGracefully() }
    }

    /// Stops reading until `resumeReading`.
    public func pauseReading() {
        guard let readSource, !readPaused else { return }
        readPaused = true
        readSource.suspend()
    }

    public func resumeReading() {
        guard let readSource, readPaused else { return }
        readPaused = false
        readSource.resume()
    }

    /// Closes at once; unsent bytes are dropped.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        pending = []
        pendingOffset = 0
        if let readSource {
            readSource.cancel()
            if readPaused { readSource.resume() }
        }
        writeSource?.cancel()
        readSource = nil
        writeSource = nil
        if liveSources == 0 { closeDescriptor() }
        let onClose = self.onClose
        self.onRead = nil
        self.onEndOfInput = nil
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

    private func readAvailable() {
        guard !isClosed else { return }
        let count = withUnsafeTemporaryAllocation(byteCount: Self.readChunk, alignment: 16) { buffer -> Int in
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { onRead?(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
            return count
        }
        if count > 0 { return }
        if count == 0 {
            // End of input: stop watching for reads; writes may go on.
            readSource?.cancel()
            if readPaused { readSource?.resume() }
            readSource = nil
            readPaused = false
            if closeWhenFlushed { close() } else { onEndOfInput?() }
            return
        }
        switch errno {
        case EAGAIN, EWOULDBLOCK, EINTR: return
        default: close()  // ECONNRESET and the like: the peer is gone
        }
    }

    private func flush() {
        while pendingOffset < pending.count {
            let sent = pending.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + pendingOffset, raw.count - pendingOffset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                pendingOffset += sent
                continue
            }
            if sent < 0, errno == EINTR { continue }
            if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                armWriteSource()
                return
            }
            close()  // EPIPE, ECONNRESET: the peer is gone
            return
        }
        pending = []
        pendingOffset = 0
        if let writeSource {
            writeSource.cancel()
            self.writeSource = nil
        }
        if closeWhenFlushed { finishGracefully() }
    }

    private func armWriteSource() {
        guard writeSource == nil else { return }
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [unowned self] in self.flush() }
        source.setCancelHandler { [self] in self.sourceCancelled() }
        liveSources += 1
        writeSource = source
        source.resume()
    }

    /// Everything is sent: send FIN, then drain what the peer still sends for a moment before
    /// closing, so that its unread bytes do not turn our close into a reset that could destroy
    /// the response in flight (the "lingering close" of RFC 9112 §9.6).
    private func finishGracefully() {
        guard !isClosed, fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_WR))
        closeWhenFlushed = true
        guard lingerOnClose, readSource != nil else {
            close()
            return
        }
        resumeReading()
        onRead = nil
        queue.asyncAfter(deadline: .now() + .milliseconds(Self.lingerMilliseconds)) { [weak self] in
            self?.close()
        }
    }

    private func sourceCancelled() {
        liveSources -= 1
        if isClosed, liveSources == 0 { closeDescriptor() }
    }

    private func closeDescriptor() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }
}
