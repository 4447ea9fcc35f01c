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
    /// Real time, for the freshness of signatures.
    let wallClock: any JobClock
    /// `options.tokens` parsed once: the project each token is bound to, or nil for any.
    private let tokenProjects: [String: String?]
    private let buckets = Mutex([String: (tokens: Double, at: UInt64)]())
    /// Projects with a bucket at most: a client that varies the project id cannot grow memory.
    static let maxBuckets = 4096

    /// How far `X-Sdk-Date` may be from the real time.
    static let skewMs: Int64 = 15 * 60 * 1000

    init(options: GatewayOptions, wallClock: any JobClock = SystemClock()) {
        self.options = options
        self.wallClock = wallClock
        var tokenProjects: [String: String?] = [:]
        for entry in options.tokens {
            let parts = entry.split(separator: "@", maxSplits: 1).map(String.init)
            guard let token = parts.first, tokenProjects[token] == nil else { continue }  // the first entry wins
            tokenProjects.updateValue(parts.count > 1 ? parts[1] : nil, forKey: token)
        }
        self.tokenProjects = tokenProjects
    }

    /// The gateway's refusal when it stops the request; nil when the request may go on.
    func check(_ request: HTTPRequest, projectID: String?) -> APIError? {
        if let refusal = authenticate(request, projectID: projectID) { return refusal }
        if let limit = options.rateLimit, !take(project: projectID ?? "", limit: limit) {
            return .gateway(.tooManyRequests, ServiceCode.throttled, "The throttling threshold has been reached: policy user over ratelimit,limit:\(limit),time:1 second")
        }
        return nil
    }

    // MARK: - Authentication

    private func authenticate(_ request: HTTPRequest, projectID: String?) -> APIError? {
        func refuse(_ why: String) -> APIError {
            .gateway(.unauthorized, ServiceCode.authenticationFailed, "Incorrect IAM authentication information: \(why)")
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

        func response(_ refuse: (String) -> APIError) -> APIError {
            switch self {
            case .refused(let why): return refuse(why)
            case .otherProject: return .service(.badRequest, ServiceCode.tokenOfAnotherProject, "Invalid token in the header")
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

    /// nil when the request's AK/SK signature verifies; else what failed, in words. Freshness
    /// is judged on the wall clock: real signers stamp `X-Sdk-Date` with the real time, whatever
    /// the mock's clock says.
    func verifySignature(_ request: HTTPRequest) -> String? {
        guard let authorization = request.headers["Authorization"] else { return "Authorization not found" }
        let signature: RequestSignature
        switch RequestSignature.parse(authorization) {
        case .success(let parsed): signature = parsed
        case .failure(let refusal): return refusal.reason
        }
        guard let secret = options.credentials[signature.accessKey] else { return "ak \(signature.accessKey) not exist" }
        guard let sdkDate = request.headers["X-Sdk-Date"] else { return "x-sdk-date not found" }
        guard let signedAt = Self.parseSDKDate(sdkDate) else { return "x-sdk-date is not YYYYMMDDTHHMMSSZ" }
        guard abs(signedAt - wallClock.now()) <= Self.skewMs else { return "x-sdk-date expired (more than 15 minutes from the real time)" }
        // The scope names the day the request was signed: the date part of X-Sdk-Date.
        if let day = signature.scopeDate, !sdkDate.hasPrefix(day) {
            return "credential scope date \(day) is not the day of x-sdk-date"
        }
        return signature.verify(request, secret: secret, sdkDate: sdkDate)?.reason
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
