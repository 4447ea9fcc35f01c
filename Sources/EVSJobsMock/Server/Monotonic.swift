import Dispatch

/// Readings of the monotonic clock in nanoseconds, and the time between two of them. The
/// difference saturates at zero: a reading taken on one thread may be older than one another
/// thread stored meanwhile, and an unsigned subtraction would trap.
enum Monotonic {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func nanos(since earlier: UInt64, now: UInt64 = now()) -> UInt64 {
        now >= earlier ? now - earlier : 0
    }
}
