import HTTP1
import Sockets

/// What answers requests: the server asks it how to answer each request, and for a response to
/// each request it could not decode. The server adds `Date`, `X-Request-Id` and `Connection`.
public protocol HTTPResponder: Sendable {
    func reply(to request: HTTPRequest, requestID: String) -> Reply
    func respond(to error: HTTPDecodeError, requestID: String) -> HTTPResponse
}

/// How to answer one request.
public enum Reply: Sendable {
    case response(HTTPResponse)
    /// Answer after a while; that connection's later requests wait, no other connection does.
    case delayed(HTTPResponse, milliseconds: Int)
    /// Answer with what `work` returns, computed off the event loops on the server's work
    /// queue (one piece of work at a time); that connection's later requests wait meanwhile.
    case deferred(@Sendable () -> HTTPResponse)
    /// Close the connection at once with a TCP reset, sending nothing.
    case reset
    /// Close the connection without answering.
    case close
}

/// Timeouts and limits of the HTTP server.
public struct HTTPServerOptions: Sendable {
    public var host: String
    public var port: UInt16
    public var limits: DecoderLimits
    /// A request whose head (and body) is not complete this long after its first byte gets 408.
    public var requestTimeoutMs: Int
    /// A keep-alive connection with nothing to do is closed after this long.
    public var idleTimeoutMs: Int
    /// Event loops serving connections; nil: `EventLoop.defaultCount`.
    public var eventLoops: Int?
    /// Compress bodies of `minimumCompressedBytes` or more for clients that accept gzip or deflate.
    public var compression: Bool
    public static let minimumCompressedBytes = 256
    /// HTTPS beside plain HTTP on `httpsPort` (0 picks one), when set.
    public var tls: TLSContext?
    public var httpsPort: UInt16

    public init(host: String = "127.0.0.1", port: UInt16 = 8080, limits: DecoderLimits = DecoderLimits(), requestTimeoutMs: Int = 10_000, idleTimeoutMs: Int = 60_000, eventLoops: Int? = nil, compression: Bool = true,
                tls: TLSContext? = nil, httpsPort: UInt16 = 8443) {
        self.tls = tls
        self.httpsPort = httpsPort
        self.eventLoops = eventLoops
        self.compression = compression
        self.host = host
        self.port = port
        self.limits = limits
        self.requestTimeoutMs = requestTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
    }
}
