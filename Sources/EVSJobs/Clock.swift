#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where job timelines read "now", in milliseconds since the Unix epoch. Never goes backwards.
public protocol JobClock: Sendable {
    func now() -> Int64
}

/// Wall-clock time read once at start, then advanced by the monotonic clock, so that a change
/// of the system time never makes a job go backwards.
public struct SystemClock: JobClock {
    /// Wall time minus monotonic time at start, in nanoseconds (kept whole: rounding both to
    /// milliseconds first would put this clock up to a millisecond off the wall clock).
    private let offset: Int64

    public init() {
        offset = Self.read(CLOCK_REALTIME) - Self.read(CLOCK_MONOTONIC)
    }

    public func now() -> Int64 {
        (offset + Self.read(CLOCK_MONOTONIC)) / 1_000_000
    }

    static func read(_ id: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(id, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// A clock that moves only when told to: for tests.
public final class ManualClock: JobClock {
    private let current: Mutex<Int64>

    public init(_ start: Int64 = 1_700_000_000_000) {
        current = Mutex(start)
    }

    public func now() -> Int64 {
        current.withLock { $0 }
    }

    /// Moves time forward; a negative amount is ignored, since clocks never go backwards.
    public func advance(by ms: Int64) {
        current.withLock { $0 += max(0, ms) }
    }
}
