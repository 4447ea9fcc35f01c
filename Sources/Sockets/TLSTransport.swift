#if canImport(Glibc)
import Glibc
#endif
import CSystemShims

/// Bytes through an OpenSSL session on the socket: a handshake first, then records.
final class TLSTransport: Transport {
    private var fd: Int32
    /// Nil when SSL_new failed, and after `close`.
    private var session: UnsafeMutableRawPointer?
    /// Keeps the context alive as long as a session made from it.
    private let context: TLSContext
    private var handshaken = false
    /// What TLS waits for before it can go on: the socket writable rather than readable.
    private var wantsWrite = false

    init(fd: Int32, context: TLSContext) {
        self.fd = fd
        self.context = context
        session = ctls_new(context.context, fd)
    }

    deinit {
        close()
    }

    var isOpen: Bool { session != nil }
    var isHandshaking: Bool { session != nil && !handshaken }
    var buffersInput: Bool { true }

    /// A peer that does not speak TLS (plain HTTP, garbage) fails it.
    func handshake() -> HandshakeOutcome {
        guard let session else { return .failed }
        if handshaken { return .done }
        switch ctls_accept(session) {
        case let result where result > 0:
            handshaken = true
            wantsWrite = false
            return .done
        case Int(CTLS_WANT_READ):
            wantsWrite = false
            return .wouldBlock
        case Int(CTLS_WANT_WRITE):
            wantsWrite = true
            return .wouldBlock
        default:
            return .failed
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
        guard let session else { return .failed }
        guard handshaken else { return .wouldBlock }
        switch Int(ctls_read(session, buffer.baseAddress, buffer.count)) {
        case let count where count > 0: return .read(count)
        case 0: return .ended  // close_notify
        case Int(CTLS_WANT_READ): return .wouldBlock
        case Int(CTLS_WANT_WRITE):
            wantsWrite = true
            return .wouldBlock
        default: return .failed
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> WriteOutcome {
        guard let session else { return .failed }
        guard handshaken else { return .wouldBlock }
        switch Int(ctls_write(session, bytes.baseAddress, bytes.count)) {
        case let count where count > 0: return .wrote(count)
        case Int(CTLS_WANT_READ), Int(CTLS_WANT_WRITE): return .wouldBlock
        default: return .failed  // the session failed or was closed
        }
    }

    func takeReadWaitingForWritable() -> Bool {
        defer { wantsWrite = false }
        return wantsWrite
    }

    func events(wantsInput: Bool, wantsOutput: Bool) -> UInt32 {
        if !handshaken { return wantsWrite ? Readiness.writable : Readiness.readable }
        return Readiness.interest(input: wantsInput, output: wantsOutput || wantsWrite)
    }

    func shutdownOutput() {
        guard let session, fd >= 0 else { return }
        ctls_close_notify(session)
        shutdown(fd, Int32(SHUT_WR))
    }

    func close() {
        fd = -1
        if let session { ctls_free(session) }
        session = nil
    }
}
