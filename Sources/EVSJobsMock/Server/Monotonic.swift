#if canImport(Glibc)
import Glibc
#endif

/// Readings of the monotonic clock in nanoseconds, and the time between two of them. The
/// difference saturates at zero: a reading taken on one thread may be older than one another
/// thread stored meanwhile, and an unsigned subtraction would trap.
enum Monotonic {
    /// CLOCK_MONOTONIC, read directly: the clock `DispatchTime`'s uptime reads on Linux (so
    /// readings still make Dispatch deadlines), at a third of the cost, several times a request.
    static func now() -> UInt64 {
        var reading = timespec()
        clock_gettime(CLOCK_MONOTONIC, &reading)
        return UInt64(truncatingIfNeeded: reading.tv_sec) &* 1_000_000_000 &+ UInt64(truncatingIfNeeded: reading.tv_nsec)
    }

    static func nanos(since earlier: UInt64, now: UInt64 = now()) -> UInt64 {
        now >= earlier ? now - earlier : 0
    }
}
