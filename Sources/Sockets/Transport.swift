/// What one read from a transport came to.
enum ReadOutcome: Equatable {
    /// This many bytes are in the buffer.
    case read(Int)
    /// Nothing to read until the socket is ready again.
    case wouldBlock
    /// The peer finished sending: FIN on plain TCP, close_notify on TLS.
    case ended
    /// The peer is gone or broke the protocol; only closing is left.
    case failed
}

/// What one write to a transport came to.
enum WriteOutcome: Equatable {
    /// This many bytes, from the front, were taken.
    case wrote(Int)
    /// Nothing was taken; wait until the socket is writable.
    case wouldBlock
    /// The peer is gone (EPIPE, ECONNRESET, a failed TLS session); only closing is left.
    case failed
}

/// How far a handshake got.
enum HandshakeOutcome: Equatable {
    case done
    /// Waiting for the socket: `events` says whether to read or to write.
    case wouldBlock
    case failed
}

/// How bytes cross one connected non-blocking socket: as they are (`PlainTransport`) or through
/// a TLS session (`TLSTransport`). `Connection` keeps the buffers, backpressure and lifecycle and
/// asks its transport only these questions, so it has one code path for both.
///
/// A transport borrows the descriptor; `Connection` owns, registers and closes it. Like the
/// connection, a transport is touched only on its loop's queue.
protocol Transport: AnyObject {
    /// False when the transport could not be set up, or after `close`.
    var isOpen: Bool { get }
    /// True until the handshake is done; no application bytes flow before that.
    var isHandshaking: Bool { get }
    /// Whether a read can leave input that the socket no longer shows (TLS records decrypted
    /// ahead): then the connection reads until `.wouldBlock`, since epoll reports only the socket.
    var buffersInput: Bool { get }

    /// Drives the handshake as far as the socket allows.
    func handshake() -> HandshakeOutcome
    /// Reads at most `buffer.count` bytes into `buffer`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome
    /// Writes a prefix of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteOutcome
    /// The socket turned writable: true when a read stopped because it had to write first
    /// (TLS), so the connection reads again now. Clears that wait.
    func takeReadWaitingForWritable() -> Bool
    /// The epoll events to watch now, given whether the connection wants input and has bytes
    /// waiting to be sent.
    func events(wantsInput: Bool, wantsOutput: Bool) -> UInt32
    /// Ends our direction (TLS close_notify first, then FIN); the peer may still send.
    func shutdownOutput()
    /// Lets go of the descriptor and frees what the transport holds; called once the
    /// connection closed the socket.
    func close()
}

extension Readiness {
    /// The events for a transport with no wait of its own.
    static func interest(input: Bool, output: Bool) -> UInt32 {
        (input ? readable | peerClosed : 0) | (output ? writable : 0)
    }
}
