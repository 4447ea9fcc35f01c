import Logging

/// The command line's options resolved in order: flag, then environment variable, then default.
public struct Settings: Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port: UInt16 = 8080
    /// Fixture paths; empty means the built-in set.
    public var fixtures: [String] = []
    public var logLevel = Logger.Level.info

    /// The flags as given (nil or empty when absent).
    public struct Flags: Sendable {
        public var host: String?
        public var port: Int?
        public var fixtures: [String]
        public var logLevel: String?

        public init(host: String? = nil, port: Int? = nil, fixtures: [String] = [], logLevel: String? = nil) {
            self.host = host
            self.port = port
            self.fixtures = fixtures
            self.logLevel = logLevel
        }
    }

    public static let levelNames = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    public init() {}

    /// Throws a message naming the flag or variable at fault. Empty variables count as unset.
    public init(flags: Flags, environment: [String: String]) throws(SettingsError) {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        host = flags.host ?? env("EVS_MOCK_HOST") ?? host
        if let port = flags.port {
            guard let value = UInt16(exactly: port) else { throw SettingsError("--port must be from 0 to 65535, got \(port)") }
            self.port = value
        } else if let text = env("EVS_MOCK_PORT") {
            guard let value = UInt16(text) else { throw SettingsError("EVS_MOCK_PORT must be from 0 to 65535, got '\(text)'") }
            port = value
        }
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
    }
}

public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
