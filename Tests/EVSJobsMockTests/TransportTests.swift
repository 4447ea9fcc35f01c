import Glibc
@testable import Sockets
import Testing

/// The transports on their own, over a socketpair(2): no loop, no ports, no sleeps. Each end is
/// non-blocking, so every outcome is decided at the moment of the call.
struct TransportTests {
    /// Two connected non-blocking stream sockets, closed by `closeBoth`.
    struct Pair {
        var server: Int32
        var peer: Int32

        init() throws {
            var fds: [Int32] = [-1, -1]
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            try #require(socketpair(AF_UNIX, type, 0, &fds) == 0)
            server = fds[0]
            peer = fds[1]
        }

        func send(_ text: String) {
            let bytes = Array(text.utf8)
            #expect(Glibc.send(peer, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count)
        }

        func received() -> String {
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = recv(peer, &buffer, buffer.count, 0)
            return count < 0 ? "<errno \(errno)>" : String(decoding: buffer.prefix(count), as: UTF8.self)
        }

        mutating func closePeer() {
            Glibc.close(peer)
            peer = -1
        }

        func closeBoth() {
            Glibc.close(server)
            if peer >= 0 { Glibc.close(peer) }
        }
    }

    /// Reads once into a small buffer: the outcome and the bytes it brought.
    func read(_ transport: some Transport, capacity: Int = 64) -> (ReadOutcome, String) {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let outcome = buffer.withUnsafeMutableBytes { transport.read(into: $0) }
        guard case .read(let count) = outcome else { return (outcome, "") }
        return (outcome, String(decoding: buffer.prefix(count), as: UTF8.self))
    }

    func write(_ transport: some Transport, _ text: String) -> WriteOutcome {
        Array(text.utf8).withUnsafeBytes { transport.write($0) }
    }

    @Test func plainReadsWhatThePeerSentThenWouldBlock() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let plain = PlainTransport(fd: pair.server)
        #expect(read(plain).0 == .wouldBlock)
        pair.send("GET / HTTP/1.1\r\n")
        #expect(read(plain) == (.read(16), "GET / HTTP/1.1\r\n"))
        #expect(read(plain).0 == .wouldBlock)
    }

    @Test func plainReadsNoMoreThanTheBufferHolds() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let plain = PlainTransport(fd: pair.server)
        pair.send("abcdef")
        #expect(read(plain, capacity: 4) == (.read(4), "abcd"))
        #expect(read(plain, capacity: 4) == (.read(2), "ef"))
    }

    @Test func plainEndsWhenThePeerShutsItsOutput() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let plain = PlainTransport(fd: pair.server)
        pair.send("last")
        shutdown(pair.peer, Int32(SHUT_WR))
        #expect(read(plain) == (.read(4), "last"))
        #expect(read(plain).0 == .ended)
        // Half-close: our direction still works.
        #expect(write(plain, "reply") == .wrote(5))
        #expect(pair.received() == "reply")
    }

    @Test func plainWritesUntilTheSocketIsFullThenWouldBlock() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let plain = PlainTransport(fd: pair.server)
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        var outcome = WriteOutcome.wrote(0)
        var total = 0
        for _ in 0..<1000 {
            outcome = chunk.withUnsafeBytes { plain.write($0) }
            guard case .wrote(let count) = outcome else { break }
            #expect(count > 0 && count <= chunk.count)
            total += count
        }
        #expect(outcome == .wouldBlock)
        #expect(total > 0)
    }

    @Test func plainWriteToAPeerThatLeftFailsWithoutSIGPIPE() throws {
        var pair = try Pair()
        defer { pair.closeBoth() }
        let plain = PlainTransport(fd: pair.server)
        pair.closePeer()
        #expect(write(plain, "anyone there?") == .failed)  // EPIPE; SIGPIPE would end the test run
    }

    @Test func plainShutdownOutputSendsEndOfFileAndKeepsReading() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let plain = PlainTransport(fd: pair.server)
        #expect(write(plain, "bye") == .wrote(3))
        plain.shutdownOutput()
        #expect(pair.received() == "bye")
        #expect(pair.received() == "")  // EOF
        pair.send("late")
        #expect(read(plain) == (.read(4), "late"))
    }

    @Test func plainNeverHandshakesAndWatchesWhatTheConnectionAsks() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let plain = PlainTransport(fd: pair.server)
        #expect(plain.isOpen && !plain.isHandshaking && !plain.buffersInput)
        #expect(plain.handshake() == .done)
        #expect(!plain.takeReadWaitingForWritable())
        #expect(plain.events(wantsInput: true, wantsOutput: false) == Readiness.readable | Readiness.peerClosed)
        #expect(plain.events(wantsInput: false, wantsOutput: true) == Readiness.writable)
        #expect(plain.events(wantsInput: false, wantsOutput: false) == 0)
        plain.close()
        #expect(!plain.isOpen)
    }

    @Test func tlsWaitsForTheClientHelloAndMovesNoBytesBeforeIt() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let tls = TLSTransport(fd: pair.server, context: try TLSContext.selfSigned().context)
        #expect(tls.isOpen && tls.isHandshaking && tls.buffersInput)
        #expect(tls.handshake() == .wouldBlock)
        #expect(tls.isHandshaking)
        // While handshaking only the handshake's own wait counts, not the connection's wishes.
        #expect(tls.events(wantsInput: false, wantsOutput: true) == Readiness.readable)
        #expect(read(tls).0 == .wouldBlock)
        #expect(write(tls, "early") == .wouldBlock)
        #expect(pair.received() == "<errno \(EAGAIN)>")  // nothing went out
    }

    @Test func tlsFailsTheHandshakeOnPlainHTTP() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let tls = TLSTransport(fd: pair.server, context: try TLSContext.selfSigned().context)
        pair.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(tls.handshake() == .failed)
    }

    @Test func tlsFailsTheHandshakeWhenThePeerStopsSending() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let tls = TLSTransport(fd: pair.server, context: try TLSContext.selfSigned().context)
        // Half-closed rather than closed: OpenSSL answers with an alert, which SSL_write cannot
        // send with MSG_NOSIGNAL, and this test process does not ignore SIGPIPE as the command does.
        shutdown(pair.peer, Int32(SHUT_WR))
        #expect(tls.handshake() == .failed)
    }

    @Test func tlsClosedIsNoLongerOpenNorHandshaking() throws {
        let pair = try Pair()
        defer { pair.closeBoth() }
        let tls = TLSTransport(fd: pair.server, context: try TLSContext.selfSigned().context)
        tls.close()
        #expect(!tls.isOpen && !tls.isHandshaking)
        #expect(tls.handshake() == .failed)
        #expect(read(tls).0 == .failed)
        #expect(write(tls, "x") == .failed)
        tls.close()  // a second close frees nothing twice
    }
}
