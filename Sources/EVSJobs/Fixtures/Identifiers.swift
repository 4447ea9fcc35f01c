/// 32 random lowercase hex digits, like the real service's job ids.
public func generateJobID() -> String {
    hexText(randomBytes(16), dashesAt: [])
}

/// A UUID in lowercase, the form the service gives volume ids, derived from a job's project and
/// id (RFC 9562 version 8, "custom": two 64-bit FNV-1a hashes of them, differently seeded).
public func derivedVolumeID(forJob id: JobID, project: String?) -> String {
    var text = Array((project ?? "").utf8)
    text.append(0)
    id.append(to: &text)
    var bytes: [UInt8] = []
    for seed: UInt64 in [0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142] {
        var hash = seed
        for byte in text { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        withUnsafeBytes(of: hash.bigEndian) { bytes.append(contentsOf: $0) }
    }
    bytes[6] = bytes[6] & 0x0F | 0x80  // version 8
    bytes[8] = bytes[8] & 0x3F | 0x80  // the RFC 9562 variant
    return hexText(bytes, dashesAt: [4, 6, 8, 10])
}

/// Eight bytes per draw from the system's generator (one system call each).
private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 7)
    while bytes.count < count { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
    return Array(bytes.prefix(count))
}

/// Lowercase hex, with a `-` before the bytes at `dashesAt`.
private func hexText(_ bytes: [UInt8], dashesAt: Set<Int>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2 + dashesAt.count)
    for (offset, byte) in bytes.enumerated() {
        if dashesAt.contains(offset) { out.append(UInt8(ascii: "-")) }
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// A random UUID (RFC 9562 version 4) in lowercase, the form the service gives disk ids.
public func generateVolumeID() -> String {
    var bytes = randomBytes(16)
    bytes[6] = bytes[6] & 0x0F | 0x40
    bytes[8] = bytes[8] & 0x3F | 0x80
    return hexText(bytes, dashesAt: [4, 6, 8, 10])
}
