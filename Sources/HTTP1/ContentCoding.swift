import CZlib

/// Response body compression (RFC 9110 §8.4): gzip, or deflate (the zlib format), chosen from
/// the request's Accept-Encoding with its q-values.
public enum ContentCoding: String, Sendable {
    case gzip, deflate

    /// The coding to use for a client that sent `acceptEncoding`: gzip before deflate, none
    /// when neither is acceptable (absent, or `q=0`, or only others named).
    public static func negotiate(_ acceptEncoding: String?) -> ContentCoding? {
        guard let acceptEncoding else { return nil }
        var weights: [String: Double] = [:]
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";")
            guard let name = parts.first?.trimmingOWS().lowercasedASCII(), !name.isEmpty else { continue }
            var q = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingOWS()
                if pair.lowercasedASCII().hasPrefix("q=") { q = Double(pair.dropFirst(2)) ?? 0 }
            }
            weights[name] = q
        }
        func weight(_ name: String) -> Double { weights[name] ?? weights["*"] ?? 0 }
        let best = [ContentCoding.gzip, .deflate].filter { weight($0.rawValue) > 0 }.max { weight($0.rawValue) < weight($1.rawValue) }
        return best
    }

    /// `bytes` compressed; nil if zlib fails (the caller then sends them as they are).
    public func compress(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard czlib_deflate_init(&stream, Z_DEFAULT_COMPRESSION, self == .gzip ? 16 + 15 : 15) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
