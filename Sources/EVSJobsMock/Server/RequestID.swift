import Bytes
import Synchronization

/// Response ids: 32 lowercase hex digits, unique within the process (a bijective mix of a
/// counter) and unlike those of another run (a random per-process offset).
enum RequestID {
    private static let counter = Atomic<UInt64>(0)
    private static let offset: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()

    static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let (high, low) = (mix(n &+ offset), mix(n ^ 0x9E37_79B9_7F4A_7C15))
        // Written straight into the String's storage: one allocation.
        return String(unsafeUninitializedCapacity: 32) { out in
            guard let base = out.baseAddress else { return 0 }
            var id = ByteCursor(base)
            id.putHex(high, digits: 16)
            id.putHex(low, digits: 16)
            return id.count
        }
    }

    /// The splitmix64 finalizer: a bijection on 64-bit values.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
