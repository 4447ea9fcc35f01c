import CSystemShims
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Told when a watched descriptor is ready; called on the loop's queue.
public protocol EventLoopHandler: AnyObject {
    func ready(events: UInt32)
}

/// Readiness events, as `EventLoopHandler.ready` receives them.
public enum Readiness {
    public static let readable = UInt32(CSYSTEM_EPOLLIN)
    public static let writable = UInt32(CSYSTEM_EPOLLOUT)
    public static let error = UInt32(CSYSTEM_EPOLLERR)
    public static let hangUp = UInt32(CSYSTEM_EPOLLHUP)
    public static let peerClosed = UInt32(CSYSTEM_EPOLLRDHUP)
}

/// Many non-blocking sockets watched by one epoll instance, which is itself watched by one
/// Dispatch read source on a serial queue.
///
/// A Dispatch source per socket costs a hand-over to a worker thread and an `epoll_ctl` for
/// every event; under load most CPU went to those context switches. Here one wake-up of the
/// loop's queue serves every socket that is ready, and interest changes only when a socket
/// starts or stops waiting to write. No thread ever blocks: the loop only polls with a zero
/// timeout, when Dispatch says something is ready. Everything registered runs on `queue`.
public final class EventLoop: @unchecked Sendable {
    public let queue: DispatchQueue
    private let epfd: Int32
    /// Touched only on `queue`.
    private var source: DispatchSourceRead?
    private var handlers: [UInt64: any EventLoopHandler] = [:]
    private var nextToken: UInt64 = 1

    /// Events taken per `epoll_wait`, and rounds of it per wake-up before yielding the thread.
    static let batch = 256
    static let roundsPerWakeUp = 8

    public init(label: String) throws(SocketError) {
        epfd = csystem_epoll_create()
        guard epfd >= 0 else { throw SocketError("epoll_create1") }
        queue = DispatchQueue(label: label)
        let source = DispatchSource.makeReadSource(fileDescriptor: epfd, queue: queue)
        source.setEventHandler { [unowned self] in self.poll() }
        source.setCancelHandler { [epfd] in Glibc.close(epfd) }
        self.source = source
        source.resume()
    }

    /// One loop per online processor, at least one.
    public static func makeLoops(_ count: Int? = nil, label: String) throws(SocketError) -> [EventLoop] {
        let wanted = count ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var loops: [EventLoop] = []
        for index in 0..<max(1, wanted) {
            loops.append(try EventLoop(label: "\(label)-\(index)"))
        }
        return loops
    }

    /// Watches `fd`; returns the registration's token, or nil (errno set) if epoll refuses.
    /// Call on `queue`. The loop keeps `handler` until `deregister`.
    public func register(_ fd: Int32, events: UInt32, handler: any EventLoopHandler) -> UInt64? {
        let token = nextToken
        nextToken += 1
        guard csystem_epoll_ctl(epfd, Int32(CSYSTEM_EPOLL_CTL_ADD), fd, events, token) == 0 else { return nil }
        handlers[token] = handler
        return token
    }

    /// Changes what `fd` is watched for. Call on `queue`.
    public func modify(_ fd: Int32, token: UInt64, events: UInt32) {
        _ = csystem_epoll_ctl(epfd, Int32(CSYSTEM_EPOLL_CTL_MOD), fd, events, token)
    }

    /// Stops watching `fd` (before it is closed). Events already taken for it are dropped.
    public func deregister(_ fd: Int32, token: UInt64) {
        _ = csystem_epoll_ctl(epfd, Int32(CSYSTEM_EPOLL_CTL_DEL), fd, 0, token)
        handlers[token] = nil
    }

    /// Stops the loop and closes the epoll descriptor; registered sockets are not closed.
    public func stop() {
        queue.async {
            self.source?.cancel()
            self.source = nil
            self.handlers = [:]
        }
    }

    private func poll() {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.batch) { tokens in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.batch) { events in
                for _ in 0..<Self.roundsPerWakeUp {
                    let count = csystem_epoll_wait(epfd, tokens.baseAddress, events.baseAddress, Int32(Self.batch), 0)
                    guard count > 0 else { return }
                    for index in 0..<Int(count) {
                        handlers[tokens[index]]?.ready(events: events[index])
                    }
                    guard Int(count) == Self.batch else { return }
                }
            }
        }
    }
}
