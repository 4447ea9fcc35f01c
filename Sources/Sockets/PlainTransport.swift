#if canImport(Glibc)
import Glibc
#endif

/// Bytes as they are, with recv(2) and send(2).
final class PlainTransport: Transport {
    private var fd: Int32

    init(fd: Int32) {
        self.fd = fd
    }

    var isOpen: Bool { fd >= 0 }
    var isHandshaking: Bool { false }
    var buffersInput: Bool { false }

    func handshake() -> HandshakeOutcome { .done }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .read(count) }
            if count == 0 { return .ended }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed  // ECONNRESET and the like
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> WriteOutcome {
        while true {
            // MSG_NOSIGNAL: a peer that left gives EPIPE here, not SIGPIPE.
            let sent = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if sent > 0 { return .wrote(sent) }
            if sent < 0, errno == EINTR { continue }
            if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
            return .failed
        }
    }

    func takeReadWaitingForWritable() -> Bool { false }

    func events(wantsInput: Bool, wantsOutput: Bool) -> UInt32 {
        Readiness.interest(input: wantsInput, output: wantsOutput)
    }

    func shutdownOutput() {
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_WR))
    }

    func close() {
        fd = -1
    }
}
