#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where job timelines read "now", in milliseconds since the Unix epoch. Never goes backwards.
public protocol JobClock: Sendable {
    func now() -> Int64
    /// Real milliseconds until this clock reads `ms`; nil while it stands still.
    func realDelay(until ms: Int64) -> Int64?
}

extension JobClock {
    public func realDelay(until ms: Int64) -> Int64? { max(0, ms - now()) }
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

/// The clock the server runs on: real time (optionally scaled), or time that stands still until
/// advanced. Switching mode or scale re-anchors the clock at its present reading, so no job
/// jumps; advancing moves every timeline forward at once. It never goes backwards.
public final class MockClock: JobClock {
    public enum Mode: String, Sendable, CaseIterable {
        case real, manual
    }

    private struct State {
        var mode: Mode
        var scale: Double
        /// The mock time at the anchor, and the monotonic time (ns) when it was taken.
        var anchorMs: Int64
        var anchorNs: Int64

        func reading(atNs ns: Int64) -> Int64 {
            guard mode == .real else { return anchorMs }
            let elapsed = (Double(ns - anchorNs) * scale / 1_000_000).rounded(.down)
            return min(MockClock.latest, anchorMs + Int64(min(elapsed, Double(MockClock.latest))))
        }
    }

    private let state: Mutex<State>
    /// Called after every `advance` and `set`, outside the lock.
    private let observers = Mutex<[@Sendable () -> Void]>([])

    /// The last moment the API's time format can write: 9999-12-31T23:59:59.999Z.
    public static let latest: Int64 = 253_402_300_799_999
    /// Scales allowed: from a thousand times slower to a million times faster.
    public static let scales: ClosedRange<Double> = 0.001...1_000_000

    public init(mode: Mode = .real, scale: Double = 1, startMs: Int64 = SystemClock().now()) {
        state = Mutex(State(mode: mode, scale: Self.clamped(scale), anchorMs: startMs, anchorNs: SystemClock.read(CLOCK_MONOTONIC)))
    }

    private static func clamped(_ scale: Double) -> Double {
        min(max(scale, scales.lowerBound), scales.upperBound)
    }

    /// Calls `observer` whenever the clock is advanced or its mode or scale set (the scenario
    /// engine re-times its timer so).
    public func onChange(_ observer: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(observer) }
    }

    private func changed() {
        for observer in observers.withLock({ $0 }) { observer() }
    }

    public func now() -> Int64 {
        // Read inside the lock: a reading taken before a concurrent re-anchoring would come
        // out earlier than the anchor, and the clock would step back.
        state.withLock { $0.reading(atNs: SystemClock.read(CLOCK_MONOTONIC)) }
    }

    public var mode: Mode { state.withLock { $0.mode } }
    public var scale: Double { state.withLock { $0.scale } }

    /// Moves time forward by `ms` (negative amounts are refused by callers and ignored here).
    public func advance(by ms: Int64) {
        state.withLock { state in
            let ns = SystemClock.read(CLOCK_MONOTONIC)
            let now = state.reading(atNs: ns)
            state.anchorMs = now + min(max(0, ms), Self.latest - now)
            state.anchorNs = ns
        }
        changed()
    }

    /// Changes mode and/or scale (> 0) from now on.
    public func set(mode: Mode? = nil, scale: Double? = nil) {
        state.withLock { state in
            let ns = SystemClock.read(CLOCK_MONOTONIC)
            state.anchorMs = state.reading(atNs: ns)
            state.anchorNs = ns
            if let mode { state.mode = mode }
            if let scale { state.scale = Self.clamped(scale) }
        }
        changed()
    }

    public func realDelay(until ms: Int64) -> Int64? {
        state.withLock { state in
            guard state.mode == .real else { return nil }
            let ns = SystemClock.read(CLOCK_MONOTONIC)
            let remaining = Double(ms - state.reading(atNs: ns)) / state.scale
            return max(0, Int64(min(remaining.rounded(.up), Double(Int32.max))))
        }
    }
}
