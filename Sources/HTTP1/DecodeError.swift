/// Why a request could not be decoded, with the status to answer before closing.
public struct HTTPDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPStatus
    public let reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status.code) \(reason)" }

    static func bad(_ reason: String) -> HTTPDecodeError { HTTPDecodeError(.badRequest, reason) }
}

/// Size limits on what a peer may send.
public struct DecoderLimits: Sendable {
    /// Request line plus header fields, including their line ends.
    public var maxHeadBytes: Int
    /// Decoded body bytes.
    public var maxBodyBytes: Int

    public init(maxHeadBytes: Int = 16 * 1024, maxBodyBytes: Int = 1024 * 1024) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }
}
