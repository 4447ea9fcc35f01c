import CSystemShims

/// Why TLS could not be set up: which file, and OpenSSL's reason.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public let description: String
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

    /// The certificate (chain) and key files; the key must match the certificate.
    public static func files(certificate: String, key: String) throws(TLSError) -> TLSContext {
        try make { ctls_server_context(certificate, key, $0, $1) }
    }

    /// A new key and a certificate for localhost, 127.0.0.1 and ::1, its PEM written to
    /// `certificateOut` so that clients can trust it.
    public static func selfSigned(certificateOut: String?) throws(TLSError) -> TLSContext {
        try make { ctls_self_signed_context(certificateOut, $0, $1) }
    }

    private static func make(_ body: (UnsafeMutablePointer<CChar>, Int) -> UnsafeMutableRawPointer?) throws(TLSError) -> TLSContext {
        var error = [CChar](repeating: 0, count: 512)
        guard let context = error.withUnsafeMutableBufferPointer({ body($0.baseAddress!, $0.count) }) else {
            throw TLSError(description: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return TLSContext(context)
    }
}
