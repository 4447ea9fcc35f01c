#if canImport(Glibc)
import Glibc
#endif
import CSystemShims

// The TLS side of a connection: the handshake, and reads and writes through the session.
// Like the rest of `Connection`, it runs only on the loop's queue.

extension Connection {
    /// Drives the TLS handshake as the socket allows; a peer that does not speak TLS (plain
    /// HTTP, garbage) fails it and costs only this connection.
    func handshake() {
        guard let tls else { return }
        switch ctls_accept(tls) {
        case let result where result > 0:
            handshaken = true
            tlsWantsWrite = false
            updateInterest()
            if pendingByteCount > 0 { flush() }
            readAvailable()  // the first request may have come with the handshake's last bytes
        case Int(CTLS_WANT_READ):
            tlsWantsWrite = false
            updateInterest()
        case Int(CTLS_WANT_WRITE):
            tlsWantsWrite = true
            updateInterest()
        default:
            close()
        }
    }

    /// Reads until TLS needs more from the socket: bytes it has decrypted already would
    /// otherwise wait, since epoll only reports what the socket holds.
    func readTLS(_ tls: UnsafeMutableRawPointer) {
        guard handshaken else { return }
        while !isClosed, wantsInput {
            let count = withUnsafeTemporaryAllocation(byteCount: Self.readChunk, alignment: 16) { buffer -> Int in
                let count = Int(ctls_read(tls, buffer.baseAddress, buffer.count))
                if count > 0 { onRead?(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
                return count
            }
            if count > 0 { continue }
            switch count {
            case Int(CTLS_WANT_READ): return
            case Int(CTLS_WANT_WRITE):
                tlsWantsWrite = true
                updateInterest()
                return
            case 0: return endOfRead(0)
            default: return close()
            }
        }
    }

    /// Sends through the TLS session; like send(2), -1 with errno set when nothing was taken:
    /// EAGAIN while TLS waits for the socket, EPIPE when the session failed or closed.
    func sendTLS(_ tls: UnsafeMutableRawPointer, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        let written = Int(ctls_write(tls, bytes, count))
        if written == Int(CTLS_WANT_READ) || written == Int(CTLS_WANT_WRITE) {
            errno = EAGAIN
            return -1
        }
        if written <= 0 { errno = EPIPE }
        return written <= 0 ? -1 : written
    }
}
