import COpenSSL

/// SHA-256 and HMAC-SHA256 from OpenSSL's libcrypto, for request signatures.
enum Digest {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            _ = SHA256(input.baseAddress, input.count, &out)
        }
        return out
    }

    static func hmacSHA256(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), messageBytes.baseAddress, messageBytes.count, &out, &length)
            }
        }
        return Array(out.prefix(Int(length)))
    }

    /// Whether two secrets are equal, in time that depends on neither: their SHA-256 digests
    /// are compared with OpenSSL's constant-time comparison, so not even the length leaks.
    static func sameSecret(_ a: String, _ b: String) -> Bool {
        let x = sha256(Array(a.utf8)), y = sha256(Array(b.utf8))
        return CRYPTO_memcmp(x, y, x.count) == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
