#if canImport(Glibc)
import Glibc
#endif
import CSystemShims
import Dispatch
import Synchronization

/// A non-blocking listening socket whose accepts are driven by a Dispatch read source.
/// Accepted sockets are handed over non-blocking, close-on-exec, with TCP_NODELAY set.
public final class Listener: @unchecked Sendable {
    /// The address actually bound (with the real port when port 0 was asked for).
    public let address: SocketAddress
    private let fd: Int32
    private let queue: DispatchQueue
    /// Touched only on `queue`.
    private var source: DispatchSourceRead?
    private var pausedForResources = false
    /// Set once by `start`; from then on the source's cancel handler owns the fd.
    private let started = Atomic(false)

    public init(host: String, port: UInt16, backlog: Int32 = 1024) throws(SocketError) {
        let requested = try SocketAddress.resolve(host: host, port: port)
        let fd = socket(requested.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = requested.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = SocketError("bind(\(requested))")
            close(fd)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = SocketError("listen")
            close(fd)
            throw error
        }
        do {
            address = try SocketAddress.local(of: fd)
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        queue = DispatchQueue(label: "evs-jobs-mock.listener")
    }

    /// Starts accepting; `onAccept` receives each new connected socket, which it then owns.
    public func start(onAccept: @escaping @Sendable (Int32) -> Void) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async {
            let source = DispatchSource.makeReadSource(fileDescriptor: self.fd, queue: self.queue)
            source.setEventHandler { [unowned self] in self.acceptAll(onAccept) }
            source.setCancelHandler { [fd = self.fd] in close(fd) }
            self.source = source
            source.resume()
        }
    }

    /// A listener never started still holds its port: free it. A started one is closed by its
    /// source's cancel handler, on `stop`.
    deinit {
        if !started.load(ordering: .acquiring) { close(fd) }
    }

    /// Stops accepting and closes the socket. Waits until no accept is in progress.
    public func stop() {
        queue.sync {
            guard let source else { return }
            if pausedForResources { source.resume() }
            source.cancel()
            self.source = nil
        }
    }

    /// Accepts until the backlog is empty.
    private func acceptAll(_ onAccept: @Sendable (Int32) -> Void) {
        while true {
            let client = csystem_accept_nonblocking(fd)
            if client >= 0 {
                var on: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                onAccept(client)
                continue
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                // Out of descriptors or memory: the pending connection stays queued and the
                // source would fire at once again; pause accepting for a moment instead.
                guard let source, !pausedForResources else { return }
                pausedForResources = true
                source.suspend()
                queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [weak self] in
                    guard let self, self.pausedForResources, let source = self.source else { return }
                    self.pausedForResources = false
                    source.resume()
                }
                return
            default:
                return  // EAGAIN: the backlog is empty
            }
        }
    }
}
