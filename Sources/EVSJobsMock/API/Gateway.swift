import Dispatch
import EVSJobs
import HTTP1
import Synchronization

/// What the API gateway in front of the service checks before a request reaches it:
/// authentication (a token, an AK/SK signature, either, or nothing) and a rate limit.
public struct GatewayOptions: Sendable, Equatable {
    public enum Auth: String, Sendable, CaseIterable {
        case none, token, aksk, any
    }

    public var auth: Auth
    /// Accepted `X-Auth-Token` values, each `T` or `T@PROJECT`; empty: any value passes.
    public var tokens: [String]
    /// Secret keys by access key.
    public var credentials: [String: String]
    /// Requests per second per project (a token bucket with a burst of the same size); nil: off.
    public var rateLimit: Int?

    public init(auth: Auth = .none, tokens: [String] = [], credentials: [String: String] = [:], rateLimit: Int? = nil) {
        self.auth = auth
        self.tokens = tokens
        self.credentials = credentials
        self.rateLimit = rateLimit
    }
}

final class Gateway: Sendable {
    let options: GatewayOptions
    let clock: any JobClock
    /// `options.tokens` parsed once: the project each token is bound to, or nil for any.
    private let tokenProjects: [String: String?]
    private let buckets = Mutex([String: (tokens: Double, at: UInt64)]())
    /// Projects with a bucket at most: a client that varies the project id cannot grow memory.
    static let maxBuckets = 4096

    /// How far `X-Sdk-Date` may be from the clock.
    static let skewMs: Int64 = 15 * 60 * 1000

    init(options: GatewayOptions, clock: any JobClock) {
        self.options = options
        self.clock = clock
        var tokenProjects: [String: String?] = [:]
        for entry in options.tokens {
            let parts = entry.split(separator: "@", maxSplits: 1).map(String.init)
            guard let token = parts.first, tokenProjects[token] == nil else { continue }  // the first entry wins
            tokenProjects.updateValue(parts.count > 1 ? parts[1] : nil, forKey: token)
        }
        self.tokenProjects = tokenProjects
    }

    /// The gateway's answer when it stops the request; nil when the request may go on.
    func check(_ request: HTTPRequest, projectID: String?, requestID: String) -> HTTPResponse? {
        if let refusal = authenticate(request, projectID: projectID, requestID: requestID) { return refusal }
        if let limit = options.rateLimit, !take(project: projectID ?? "", limit: limit) {
            return ErrorBodies.gateway(.tooManyRequests, message: "The throttling threshold has been reached: policy user over ratelimit,limit:\(limit),time:1 second",
                                       code: "APIGW.0308", requestID: requestID)
        }
        return nil
    }

    // MARK: - Authentication

    private func authenticate(_ request: HTTPRequest, projectID: String?, requestID: String) -> HTTPResponse? {
        func refuse(_ why: String) -> HTTPResponse {
            ErrorBodies.gateway(.unauthorized, message: "Incorrect IAM authentication information: \(why)", code: "APIGW.0301", requestID: requestID)
        }
        switch options.auth {
        case .none:
            return nil
        case .token:
            return checkToken(request, projectID: projectID).map { $0.response(refuse) }
        case .aksk:
            return verifySignature(request).map(refuse)
        case .any:
            // Either kind passes; a request with both passes if either verifies.
            let hasSignature = request.headers["Authorization"] != nil
            if request.headers["X-Auth-Token"] != nil {
                switch checkToken(request, projectID: projectID) {
                case nil: return nil
                case let problem? where !hasSignature: return problem.response(refuse)
                case _?: break
                }
            }
            guard hasSignature else { return refuse("neither X-Auth-Token nor an Authorization signature was sent") }
            return verifySignature(request).map(refuse)
        }
    }

    private enum TokenProblem {
        case refused(String)
        case otherProject

        func response(_ refuse: (String) -> HTTPResponse) -> HTTPResponse {
            switch self {
            case .refused(let why): return refuse(why)
            case .otherProject: return ErrorBodies.service(.badRequest, message: "Invalid token in the header", code: "Common.0018")
            }
        }
    }

    private func checkToken(_ request: HTTPRequest, projectID: String?) -> TokenProblem? {
        guard let token = request.headers["X-Auth-Token"], !token.isEmpty else { return .refused("x-auth-token not found") }
        guard !tokenProjects.isEmpty else { return nil }
        guard let boundTo = tokenProjects[token] else { return .refused("verify token fail: the token is not known") }
        if let project = boundTo, let projectID, project != projectID { return .otherProject }
        return nil
    }

    /// nil when the SDK-HMAC-SHA256 signature verifies; else what failed, in words.
    func verifySignature(_ request: HTTPRequest) -> String? {
        guard let authorization = request.headers["Authorization"] else { return "Authorization not found" }
        guard authorization.hasPrefix("SDK-HMAC-SHA256 ") else { return "unsupported signing algorithm (only SDK-HMAC-SHA256)" }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst("SDK-HMAC-SHA256 ".count).split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0.trimmingOWS()) }
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        guard let signedList = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return "malformed Authorization header (needs SignedHeaders and Signature)"
        }
        var accessKey: String
        var scope: (date: String, region: String, service: String)?
        if let credential = fields["Credential"] {
            let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5, parts[4] == "sdk_request" else { return "malformed Credential (AK/DATE/REGION/SERVICE/sdk_request)" }
            accessKey = parts[0]
            scope = (parts[1], parts[2], parts[3])
            // The scope names the day the request was signed: the date part of X-Sdk-Date.
            if let date = request.headers["X-Sdk-Date"], !date.hasPrefix(parts[1]) || parts[1].utf8.count != 8 {
                return "credential scope date \(parts[1]) is not the day of x-sdk-date"
            }
        } else if let access = fields["Access"] {
            accessKey = access
        } else {
            return "malformed Authorization header (needs Access or Credential)"
        }
        guard let secret = options.credentials[accessKey] else { return "ak \(accessKey) not exist" }
        guard let sdkDate = request.headers["X-Sdk-Date"] else { return "x-sdk-date not found" }
        guard let signedAt = Self.parseSDKDate(sdkDate) else { return "x-sdk-date is not YYYYMMDDTHHMMSSZ" }
        guard abs(signedAt - clock.now()) <= Self.skewMs else { return "x-sdk-date expired (more than 15 minutes from the server's clock)" }
        let signedHeaders = signedList.split(separator: ";").map { String($0).lowercasedASCII() }
        var headerLines: [String] = []
        for name in signedHeaders {
            guard let value = request.headers[name] else { return "signed header \(name) not found" }
            headerLines.append(name + ":" + (scope == nil ? String(value.trimmingOWS()) : String(value.trimmingOWS()).foldingSpaces))
        }
        let hashedBody: [UInt8]
        if scope != nil, request.method == "POST", request.body.isEmpty {
            hashedBody = Digest.sha256(Array((request.query ?? "").utf8))  // as that signer does
        } else {
            hashedBody = Digest.sha256(request.body)
        }
        let canonical = [
            request.method, Self.canonicalURI(request.path), Self.canonicalQuery(request.query),
            headerLines.joined(separator: "\n") + "\n", signedHeaders.joined(separator: ";"), Digest.hex(hashedBody),
        ].joined(separator: "\n")
        let hashedCanonical = Digest.hex(Digest.sha256(Array(canonical.utf8)))
        let expected: String
        if let scope {
            let scopeText = "\(scope.date)/\(scope.region)/\(scope.service)/sdk_request"
            let stringToSign = "SDK-HMAC-SHA256\n\(sdkDate)\n\(scopeText)\n\(hashedCanonical)"
            var key = Digest.hmacSHA256(key: Array(("SDK" + secret).utf8), Array(scope.date.utf8))
            for part in [scope.region, scope.service, "sdk_request"] { key = Digest.hmacSHA256(key: key, Array(part.utf8)) }
            expected = Digest.hex(Digest.hmacSHA256(key: key, Array(stringToSign.utf8)))
        } else {
            let stringToSign = "SDK-HMAC-SHA256\n\(sdkDate)\n\(hashedCanonical)"
            expected = Digest.hex(Digest.hmacSHA256(key: Array(secret.utf8), Array(stringToSign.utf8)))
        }
        return Digest.sameSecret(expected, signature) ? nil : "verify aksk signature fail"
    }

    /// Each path segment decoded, then encoded keeping only `A-Z a-z 0-9 - . _ ~`, and a final
    /// `/` always (the SDK signer's rule).
    static func canonicalURI(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            encode(percentDecoded(segment) ?? String(segment))
        }
        let joined = segments.joined(separator: "/")
        return joined.hasSuffix("/") ? joined : joined + "/"
    }

    static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecoded(parts[0]) ?? String(parts[0]), parts.count > 1 ? (percentDecoded(parts[1]) ?? String(parts[1])) : "")
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYYMMDDTHHMMSSZ` as milliseconds since 1970.
    static func parseSDKDate(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z") else { return nil }
        let api = "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.dropFirst(6).prefix(2))T\(text.dropFirst(9).prefix(2)):\(text.dropFirst(11).prefix(2)):\(text.dropFirst(13).prefix(2)).000Z"
        return APITime.parse(api)
    }

    // MARK: - Throttling

    private func take(project: String, limit: Int) -> Bool {
        buckets.withLock { buckets in
            // Read under the lock: a reading taken before it could be older than a bucket that
            // another event loop has just stamped.
            let now = Monotonic.now()
            if buckets[project] == nil, buckets.count >= Self.maxBuckets {
                // A bucket that has refilled is the same as none: drop those first, then all.
                buckets = buckets.filter { Monotonic.nanos(since: $0.value.at, now: now) < 1_000_000_000 }
                if buckets.count >= Self.maxBuckets / 2 { buckets.removeAll(keepingCapacity: true) }
            }
            var bucket = buckets[project] ?? (Double(limit), now)
            bucket.tokens = min(Double(limit), bucket.tokens + Double(Monotonic.nanos(since: bucket.at, now: now)) / 1e9 * Double(limit))
            bucket.at = max(bucket.at, now)
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[project] = bucket
            return allowed
        }
    }

    /// Projects that hold a rate-limit bucket now (for tests of the bound).
    var bucketCount: Int { buckets.withLock { $0.count } }
}

extension String {
    /// Runs of spaces and tabs as one space.
    fileprivate var foldingSpaces: String {
        var out = ""
        var previousSpace = false
        for c in self {
            let space = c == " " || c == "\t"
            if space, previousSpace { continue }
            out.append(space ? " " : c)
            previousSpace = space
        }
        return out
    }
}
