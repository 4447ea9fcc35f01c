#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which one, and the errno it left.
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let code: Int32
    /// The reason in words, when it is not errno's (getaddrinfo has codes of its own).
    public let reason: String?

    public init(_ call: String, code: Int32 = errno, reason: String? = nil) {
        self.call = call
        self.code = code
        self.reason = reason
    }

    public var description: String {
        "\(call) failed: \(reason ?? String(cString: strerror(code)))\(reason == nil ? " (errno \(code))" : "")"
    }
}
