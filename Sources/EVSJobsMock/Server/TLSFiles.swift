import EVSJobs
import Sockets

/// TLS from files: the PEM files are read here, as regular files only, and handed to OpenSSL as
/// bytes, so that a FIFO or a device given as a certificate cannot hang or exhaust start-up.
extension TLSContext {
    /// The most a certificate (chain) or key file may hold.
    public static let maximumPEMFileSize = 1 << 20

    /// The certificate (chain) and key files; the key must match the certificate.
    public static func files(certificate: String, key: String) throws(TLSError) -> TLSContext {
        try pem(certificate: read(certificate, as: "certificate"), key: read(key, as: "key"))
    }

    /// A new key and a certificate for localhost, 127.0.0.1 and ::1, its PEM written to
    /// `certificateOut` (a regular file, created or replaced) so that clients can trust it.
    public static func selfSigned(certificateOut: String?) throws(TLSError) -> TLSContext {
        let made = try selfSigned()
        if let certificateOut {
            do {
                try RegularFile.write(made.certificatePEM, to: certificateOut)
            } catch {
                throw TLSError(description: "cannot write the certificate to \(certificateOut): \(error)")
            }
        }
        return made.context
    }

    private static func read(_ path: String, as role: String) throws(TLSError) -> [UInt8] {
        do {
            return try RegularFile.read(path, cap: maximumPEMFileSize)
        } catch {
            throw TLSError(description: "cannot use the \(role) file \(path): \(error)")
        }
    }
}
