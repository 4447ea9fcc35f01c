import CSystemShims

/// Why TLS could not be set up: which file, and OpenSSL's reason.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// A server's TLS settings (TLS 1.2 and 1.3 only), from PEM files or made up at start-up.
public final class TLSContext: @unchecked Sendable {
    /// The OpenSSL context; immutable once made, so shared by every connection.
    let context: UnsafeMutableRawPointer

    private init(_ context: UnsafeMutableRawPointer) {
        self.context = context
    }

    deinit {
        ctls_free_context(context)
    }

    /// The PEM text of a certificate (chain) and of its key, which must match the certificate.
    /// Reading the files is the caller's: this layer opens no files.
    public static func pem(certificate: [UInt8], key: [UInt8]) throws(TLSError) -> TLSContext {
        try make { error, length in
            certificate.withUnsafeBytes { chain in
                key.withUnsafeBytes { key in
                    ctls_server_context_pem(chain.baseAddress, chain.count, key.baseAddress, key.count, error, length)
                }
            }
        }
    }

    /// A new key and a certificate for localhost, 127.0.0.1 and ::1, with the certificate's PEM
    /// text for clients to trust.
    public static func selfSigned() throws(TLSError) -> (context: TLSContext, certificatePEM: [UInt8]) {
        var pem = [UInt8](repeating: 0, count: 16 * 1024)
        var count = pem.count
        let context = try make { error, length in
            pem.withUnsafeMutableBytes { ctls_self_signed_context($0.baseAddress?.assumingMemoryBound(to: CChar.self), &count, error, length) }
        }
        return (context, Array(pem.prefix(count)))
    }

    private static func make(_ body: (UnsafeMutablePointer<CChar>, Int) -> UnsafeMutableRawPointer?) throws(TLSError) -> TLSContext {
        var error = [CChar](repeating: 0, count: 512)
        let made = error.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { body($0, buffer.count) } }
        guard let context = made else {
            throw TLSError(description: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return TLSContext(context)
    }
}
