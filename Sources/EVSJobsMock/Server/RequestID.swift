import Synchronization

/// Response ids: 32 lowercase hex digits, unique within the process (a bijective mix of a
/// counter) and unlike those of another run (a random per-process offset).
enum RequestID {
    private static let counter = Atomic<UInt64>(0)
    private static let offset: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let digits = Array("0123456789abcdef".utf8)

    static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        var out = [UInt8](repeating: 0, count: 32)
        write(mix(n &+ offset), into: &out, at: 0)
        write(mix(n ^ 0x9E37_79B9_7F4A_7C15), into: &out, at: 16)
        return String(decoding: out, as: UTF8.self)
    }

    /// The splitmix64 finalizer: a bijection on 64-bit values.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func write(_ value: UInt64, into out: inout [UInt8], at start: Int) {
        var bits = value
        for position in stride(from: start + 15, through: start, by: -1) {
            out[position] = digits[Int(bits & 15)]
            bits >>= 4
        }
    }
}
