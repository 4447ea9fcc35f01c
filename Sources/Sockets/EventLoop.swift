import CSystemShims
import Dispatch
import Synchronization

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

/// Many non-blocking sockets watched by one epoll instance, waited on by one thread of the
/// loop's own, which runs the ready sockets' handlers on `queue` (serially with everything
/// else posted there: timers, deferred answers).
///
/// A Dispatch source per socket cost a hand-over to a worker thread and an `epoll_ctl` for every
/// event; one Dispatch read source on the epoll descriptor still cost, per wake-up, Dispatch's
/// manager thread, a worker thread and an eventfd write between them. Here the loop's thread
/// blocks in `epoll_wait` and then enters `queue` synchronously, which runs the handlers on that
/// same thread whenever nothing else holds the queue: one system call per wake-up, no hand-off.
/// Interest changes only when a socket starts or stops waiting to write. Everything registered
/// runs on `queue`.
public final class EventLoop: @unchecked Sendable {
    public let queue: DispatchQueue
    private let epfd: Int32
    /// A pipe whose read end is watched under token 0: `stop` writes to it to end the wait.
    private let wake: (read: Int32, write: Int32)
    /// Touched only on `queue` (so unchecked at run time, as in `Connection`).
    @exclusivity(unchecked) private var handlers: [UInt64: any EventLoopHandler] = [:]
    @exclusivity(unchecked) private var nextToken: UInt64 = 1
    /// Set by the first `stop`: the wake-up is written once, before the thread closes the pipe.
    private let stopped = Atomic<Bool>(false)
    /// What the last `epoll_wait` returned, for `dispatchReady` on `queue`.
    private let tokens = UnsafeMutablePointer<UInt64>.allocate(capacity: EventLoop.batch)
    private let events = UnsafeMutablePointer<UInt32>.allocate(capacity: EventLoop.batch)
    @exclusivity(unchecked) private var readyCount = 0
    @exclusivity(unchecked) private var stopping = false
    /// Runs the ready handlers on `queue`. Made once: a closure passed to `queue.sync` each time
    /// would cost two allocations per wake-up.
    private var dispatchReady: DispatchWorkItem?
    /// One read buffer for every connection of the loop: reads run on `queue`, one at a time,
    /// and a buffer is only lent for the length of one `onRead` call.
    public let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
    /// Bytes read per read event.
    public static let readBufferSize = 16 * 1024

    /// Events taken per `epoll_wait`.
    static let batch = 256

    public init(label: String) throws(SocketError) {
        epfd = csystem_epoll_create()
        guard epfd >= 0 else { throw SocketError("epoll_create1") }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            let error = SocketError("pipe")
            Glibc.close(epfd)
            throw error
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wake = (fds[0], fds[1])
        guard csystem_epoll_ctl(epfd, Int32(CSYSTEM_EPOLL_CTL_ADD), wake.read, Readiness.readable, 0) == 0 else {
            let error = SocketError("epoll_ctl")
            [epfd, wake.read, wake.write].forEach { _ = Glibc.close($0) }
            throw error
        }
        queue = DispatchQueue(label: label)
        dispatchReady = DispatchWorkItem { [unowned self] in runReadyHandlers() }
        var thread = pthread_t()
        // The thread holds the loop until `stop` ends its wait.
        let context = Unmanaged.passRetained(self).toOpaque()
        guard pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<EventLoop>.fromOpaque(raw).takeRetainedValue().run()
            return nil
        }, context) == 0 else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            [epfd, wake.read, wake.write].forEach { _ = Glibc.close($0) }
            throw SocketError("pthread_create")
        }
        pthread_detach(thread)
    }

    /// One fewer than the online processors, at least one. A test double runs beside its
    /// client: on two cores, two loops and a client's threads fighting for them held answers
    /// for a time slice (p99 at 32 connections four times nginx's), where one loop did not.
    public static var defaultCount: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) - 1)
    }

    /// `count` loops (`defaultCount` when nil), at least one.
    public static func makeLoops(_ count: Int? = nil, label: String) throws(SocketError) -> [EventLoop] {
        let wanted = count ?? defaultCount
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

    /// Stops the loop; its thread then closes the epoll descriptor. Registered sockets are not
    /// closed.
    public func stop() {
        guard stopped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        queue.async { self.handlers = [:] }
        var byte: UInt8 = 1
        while Glibc.write(wake.write, &byte, 1) < 0 && errno == EINTR {}
    }

    /// The loop's thread: waits, then runs the ready handlers on `queue`, until `stop`.
    private func run() {
        guard let dispatchReady else { return }
        while !stopping {
            let count = csystem_epoll_wait(epfd, tokens, events, Int32(Self.batch), -1)
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            readyCount = Int(count)
            queue.sync(execute: dispatchReady)
        }
        // Closed on the queue, after anything already posted there that may still touch epoll.
        queue.sync { [epfd, wake] in [epfd, wake.read, wake.write].forEach { _ = Glibc.close($0) } }
        self.dispatchReady = nil
    }

    /// On `queue`: calls the handlers of what the last wait returned.
    private func runReadyHandlers() {
        for index in 0..<readyCount {
            if tokens[index] == 0 {
                stopping = true
            } else {
                handlers[tokens[index]]?.ready(events: events[index])
            }
        }
        readyCount = 0
    }

    deinit {
        tokens.deallocate()
        events.deallocate()
        readBuffer.deallocate()
    }
}
