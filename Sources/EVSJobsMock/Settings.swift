import EVSJobs
import Logging

/// The command line's options resolved in order: flag, then environment variable, then default.
public struct Settings: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port: UInt16 = 8080
    /// Fixture paths; empty means the built-in set.
    public var fixtures: [String] = []
    public var logLevel = Logger.Level.info
    /// `text` or `json`.
    public var logFormat = "text"
    public var clockMode = MockClock.Mode.real
    public var timeScale = 1.0
    public var journalSize = 10_000
    /// INIT and RUNNING of the jobs the disk APIs start when no plan says otherwise.
    public var jobTiming = MockServer.defaultJobTiming
    public var admin = true
    public var adminToken: String?
    public var gzip = true
    public var gateway = GatewayOptions()
    /// A file of `AK:SK` lines, read at start-up by the command line.
    public var credentialsFile: String?
    /// HTTPS: PEM files, or a self-signed certificate (written to `tlsCertificateOut`).
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var tlsSelfSigned = false
    public var tlsCertificateOut: String?
    public var httpsPort: UInt16 = 8443
    /// Event-loop threads; nil: one fewer than the online processors, at least one
    /// (`EventLoop.defaultCount`).
    public var eventLoops: Int?

    /// The flags as given (nil or empty when absent).
    public struct Flags: Sendable {
        public var host: String?
        public var port: Int?
        public var fixtures: [String]
        public var logLevel: String?
        public var logFormat: String?
        public var clock: String?
        public var timeScale: Double?
        public var journalSize: Int?
        /// `INIT_MS,RUNNING_MS`.
        public var jobTiming: String?
        public var noAdmin: Bool
        public var adminToken: String?
        public var noGzip: Bool
        public var auth: String?
        public var tokens: [String]
        public var credentials: [String]
        public var credentialsFile: String?
        public var rateLimit: Int?
        public var tlsCertificate: String?
        public var tlsKey: String?
        public var tlsSelfSigned = false
        public var tlsCertificateOut: String?
        public var httpsPort: Int?
        public var eventLoops: Int?

        public init(host: String? = nil, port: Int? = nil, fixtures: [String] = [], logLevel: String? = nil, clock: String? = nil,
                    timeScale: Double? = nil, journalSize: Int? = nil, noAdmin: Bool = false, adminToken: String? = nil, noGzip: Bool = false, auth: String? = nil,
                    tokens: [String] = [], credentials: [String] = [], credentialsFile: String? = nil, rateLimit: Int? = nil,
                    eventLoops: Int? = nil) {
            self.eventLoops = eventLoops
            self.noGzip = noGzip
            self.auth = auth
            self.tokens = tokens
            self.credentials = credentials
            self.credentialsFile = credentialsFile
            self.rateLimit = rateLimit
            self.host = host
            self.port = port
            self.fixtures = fixtures
            self.logLevel = logLevel
            self.clock = clock
            self.timeScale = timeScale
            self.journalSize = journalSize
            self.noAdmin = noAdmin
            self.adminToken = adminToken
        }
    }

    public static let levelNames = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    /// Each loop is a thread with an epoll instance and a 16 KiB read buffer.
    public static let eventLoopCounts = 1...256

    public init() {}

    /// Throws a message naming the flag or variable at fault. Empty variables count as unset.
    public init(flags: Flags, environment: [String: String]) throws(SettingsError) {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        /// A switch variable: on when 1, true or yes.
        func envOn(_ name: String) -> Bool { ["1", "true", "yes"].contains(env(name)?.lowercased() ?? "") }
        /// A whole number in `range` from the flag, else from the variable; nil when neither is set.
        func whole(_ flag: Int?, _ flagName: String, _ variable: String, _ range: ClosedRange<Int>, _ rule: String) throws(SettingsError) -> Int? {
            if let flag {
                guard range.contains(flag) else { throw SettingsError("\(flagName) must be \(rule), got \(flag)") }
                return flag
            }
            guard let text = env(variable) else { return nil }
            guard let value = Int(text), range.contains(value) else { throw SettingsError("\(variable) must be \(rule), got '\(text)'") }
            return value
        }
        let ports = 0...Int(UInt16.max), positive = 1...Int.max
        host = flags.host ?? env("EVS_MOCK_HOST") ?? host
        if let value = try whole(flags.port, "--port", "EVS_MOCK_PORT", ports, "from 0 to 65535") { port = UInt16(value) }
        if !flags.fixtures.isEmpty {
            fixtures = flags.fixtures
        } else if let text = env("EVS_MOCK_FIXTURES") {
            fixtures = text.split(separator: ":").map(String.init)
        }
        if let text = flags.logLevel {
            guard let level = Logger.Level(rawValue: text) else { throw SettingsError("--log-level must be one of \(Self.levelNames), got '\(text)'") }
            logLevel = level
        } else if let text = env("EVS_MOCK_LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: text) else { throw SettingsError("EVS_MOCK_LOG_LEVEL must be one of \(Self.levelNames), got '\(text)'") }
            logLevel = level
        }
        if let text = flags.logFormat ?? env("EVS_MOCK_LOG_FORMAT") {
            guard text == "text" || text == "json" else {
                throw SettingsError("\(flags.logFormat != nil ? "--log-format" : "EVS_MOCK_LOG_FORMAT") must be text or json, got '\(text)'")
            }
            logFormat = text
        }
        if let text = flags.clock ?? env("EVS_MOCK_CLOCK") {
            guard let mode = MockClock.Mode(rawValue: text) else {
                throw SettingsError("\(flags.clock != nil ? "--clock" : "EVS_MOCK_CLOCK") must be real or manual, got '\(text)'")
            }
            clockMode = mode
        }
        if let scale = flags.timeScale {
            guard MockClock.scales.contains(scale) else { throw SettingsError("--time-scale must be a number above 0 (from 0.001 to 1000000), got \(scale)") }
            timeScale = scale
        } else if let text = env("EVS_MOCK_TIME_SCALE") {
            guard let scale = Double(text), MockClock.scales.contains(scale) else {
                throw SettingsError("EVS_MOCK_TIME_SCALE must be a number above 0 (from 0.001 to 1000000), got '\(text)'")
            }
            timeScale = scale
        }
        eventLoops = try whole(flags.eventLoops, "--event-loops", "EVS_MOCK_EVENT_LOOPS", Self.eventLoopCounts,
                               "from 1 to \(Self.eventLoopCounts.upperBound)")
        journalSize = try whole(flags.journalSize, "--journal-size", "EVS_MOCK_JOURNAL_SIZE", positive, "1 or more") ?? journalSize
        if let text = flags.jobTiming ?? env("EVS_MOCK_JOB_TIMING") {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int64($0.filter { $0 != " " }) }
            guard parts.count == 2, let initMs = parts[0], let runningMs = parts[1], initMs >= 0, runningMs >= 0,
                  initMs <= FixtureDecoder.maxDurationMs, runningMs <= FixtureDecoder.maxDurationMs else {
                throw SettingsError("\(flags.jobTiming != nil ? "--job-timing" : "EVS_MOCK_JOB_TIMING") must be INIT_MS,RUNNING_MS (two whole numbers of milliseconds, 0 or more), got '\(text)'")
            }
            jobTiming = Scenario(initMs: initMs, runningMs: runningMs)
        }
        admin = !(flags.noAdmin || envOn("EVS_MOCK_NO_ADMIN"))
        adminToken = flags.adminToken ?? env("EVS_MOCK_ADMIN_TOKEN")
        if let token = adminToken {
            try Self.checkAdminToken(token, source: flags.adminToken != nil ? "--admin-token" : "EVS_MOCK_ADMIN_TOKEN")
        }
        gzip = !(flags.noGzip || envOn("EVS_MOCK_NO_GZIP"))
        if let text = flags.auth ?? env("EVS_MOCK_AUTH") {
            guard let auth = GatewayOptions.Auth(rawValue: text) else {
                throw SettingsError("\(flags.auth != nil ? "--auth" : "EVS_MOCK_AUTH") must be none, token, aksk or any, got '\(text)'")
            }
            gateway.auth = auth
        }
        gateway.tokens = flags.tokens.isEmpty ? (env("EVS_MOCK_TOKENS")?.split(separator: ",").map(String.init) ?? []) : flags.tokens
        let pairs = flags.credentials.isEmpty ? (env("EVS_MOCK_CREDENTIALS")?.split(separator: ",").map(String.init) ?? []) : flags.credentials
        gateway.credentials = try Self.credentials(pairs, source: flags.credentials.isEmpty ? "EVS_MOCK_CREDENTIALS" : "--credential")
        credentialsFile = flags.credentialsFile ?? env("EVS_MOCK_CREDENTIALS_FILE")
        gateway.rateLimit = try whole(flags.rateLimit, "--rate-limit", "EVS_MOCK_RATE_LIMIT", positive, "1 or more") ?? gateway.rateLimit
        tlsCertificate = flags.tlsCertificate ?? env("EVS_MOCK_TLS_CERT")
        tlsKey = flags.tlsKey ?? env("EVS_MOCK_TLS_KEY")
        tlsSelfSigned = flags.tlsSelfSigned || envOn("EVS_MOCK_TLS_SELF_SIGNED")
        tlsCertificateOut = flags.tlsCertificateOut ?? env("EVS_MOCK_TLS_CERT_OUT")
        if let value = try whole(flags.httpsPort, "--https-port", "EVS_MOCK_HTTPS_PORT", ports, "from 0 to 65535") { httpsPort = UInt16(value) }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw SettingsError("--tls-cert and --tls-key go together") }
        if tlsSelfSigned, tlsCertificate != nil { throw SettingsError("--tls-self-signed or --tls-cert/--tls-key, not both") }
    }
}

extension Settings {
    /// A token no client could send would lock the admin API for good: refuse it. A header
    /// value loses its leading and trailing white space and cannot hold controls (RFC 9110 §5.5).
    static func checkAdminToken(_ token: String, source: String) throws(SettingsError) {
        guard !token.isEmpty else { throw SettingsError("\(source) must not be empty") }
        guard token.first?.isWhitespace == false, token.last?.isWhitespace == false else {
            throw SettingsError("\(source) must not begin or end with white space")
        }
        guard token.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw SettingsError("\(source) must not hold control characters")
        }
    }

    /// `AK:SK` pairs as a dictionary; `source` names where they came from in messages.
    public static func credentials(_ pairs: [String], source: String) throws(SettingsError) -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw SettingsError("\(source): expected AK:SK, got '\(pair.prefix(40))'")
            }
            result[parts[0]] = parts[1]
        }
        return result
    }
}

public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
