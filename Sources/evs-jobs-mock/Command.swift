import ArgumentParser
import CSystemShims
import Dispatch
import EVSJobs
import EVSJobsMock
import Logging
import Sockets

#if canImport(Glibc)
import Glibc
#endif

/// `evs-jobs-mock [options]` serves; `evs-jobs-mock health [--url URL]` checks one that does.
@main
struct EVSJobsMockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evs-jobs-mock",
        abstract: "A test double for the EVS asynchronous job API: GET /v1/{project_id}/jobs/{job_id}.",
        usage: "evs-jobs-mock [<options>]\nevs-jobs-mock health [--url <url>] [--admin-token <token>] [--timeout <seconds>]",
        discussion: """
            Jobs come from fixture files and move from INIT through RUNNING to SUCCESS or FAIL on \
            their scenario's timer. `evs-jobs-mock health --url URL` exits 0 when a mock answers. \
            Each option can also be set by an environment variable; a flag \
            wins over its variable. On start the server prints one line, e.g. \
            "listening on http://127.0.0.1:8080". SIGTERM, SIGINT, SIGHUP or SIGUSR1 stops it: \
            requests in flight finish, then it exits 0.
            """,
        version: EVSJobsMockCommand.version,
        subcommands: [HealthCommand.self]
    )

    static let version = "0.1.0"

    @Option(help: "Log lines as text or as one JSON object per line (time, level, message, metadata). [env: EVS_MOCK_LOG_FORMAT] (default: text)")
    var logFormat: String?

    @Option(help: "Address to listen on: 127.0.0.1, 0.0.0.0, ::1, :: or a host name. [env: EVS_MOCK_HOST] (default: 127.0.0.1)")
    var host: String?

    // The numeric options parse `.unconditional`ly: the next argument is the value even when it
    // looks like a flag, so that `--port -1` is refused as out of range, not as a missing value.
    @Option(parsing: .unconditional, help: "TCP port; 0 picks a free one and the start-up line names it. [env: EVS_MOCK_PORT] (default: 8080)")
    var port: Int?

    @Option(
        name: .customLong("fixtures"),
        help: ArgumentHelp(
            "A fixture file, or a directory whose *.json files load in name order. Repeatable. Without it the built-in default set loads. [env: EVS_MOCK_FIXTURES, paths separated by ':']",
            valueName: "path"))
    var fixtures: [String] = []

    @Option(help: "trace, debug, info, notice, warning, error or critical. info logs one line per request; debug also logs every job transition. [env: EVS_MOCK_LOG_LEVEL] (default: info)")
    var logLevel: String?

    @Option(help: "real: time runs (scaled by --time-scale); manual: time stands still until POST /__admin/clock/advance. [env: EVS_MOCK_CLOCK] (default: real)")
    var clock: String?

    @Option(parsing: .unconditional, help: "How much faster than real time scenarios run, above 0 (10: ten times faster). [env: EVS_MOCK_TIME_SCALE] (default: 1)")
    var timeScale: Double?

    @Option(parsing: .unconditional, help: "Requests the journal keeps; older ones are dropped and counted. [env: EVS_MOCK_JOURNAL_SIZE] (default: 10000)")
    var journalSize: Int?

    @Option(help: "INIT_MS,RUNNING_MS: how long a job started by a disk API stays INIT, then RUNNING, when no plan says otherwise. [env: EVS_MOCK_JOB_TIMING] (default: 1000,2000)")
    var jobTiming: String?

    @Flag(help: "Turn the admin API under /__admin off; its paths then answer like any unknown path. [env: EVS_MOCK_NO_ADMIN=1]")
    var noAdmin = false

    @Option(help: "Require 'Authorization: Bearer <token>' on admin routes. [env: EVS_MOCK_ADMIN_TOKEN]")
    var adminToken: String?

    @Flag(help: "Never compress answers (by default bodies of 256 bytes or more are sent gzip or deflate to clients that accept it). [env: EVS_MOCK_NO_GZIP=1]")
    var noGzip = false

    @Option(help: "Authentication the gateway demands: none, token (X-Auth-Token), aksk (SDK-HMAC-SHA256 signatures) or any (either). [env: EVS_MOCK_AUTH] (default: none)")
    var auth: String?

    @Option(name: .customLong("token"), help: ArgumentHelp("An accepted X-Auth-Token; T@PROJECT binds it to one project. Repeatable; without it any token passes. [env: EVS_MOCK_TOKENS, comma-separated]", valueName: "token"))
    var tokens: [String] = []

    @Option(name: .customLong("credential"), help: ArgumentHelp("An accepted access key and its secret, AK:SK. Repeatable. [env: EVS_MOCK_CREDENTIALS, comma-separated]", valueName: "AK:SK"))
    var credentials: [String] = []

    @Option(help: ArgumentHelp("A file of AK:SK lines (# starts a comment). [env: EVS_MOCK_CREDENTIALS_FILE]", valueName: "file"))
    var credentialsFile: String?

    @Option(parsing: .unconditional, help: "Requests per second per project before 429 (a token bucket, burst the same). [env: EVS_MOCK_RATE_LIMIT] (default: off)")
    var rateLimit: Int?

    @Option(help: ArgumentHelp("PEM certificate (chain) for HTTPS; with --tls-key. [env: EVS_MOCK_TLS_CERT]", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key for HTTPS; with --tls-cert. [env: EVS_MOCK_TLS_KEY]", valueName: "file"))
    var tlsKey: String?

    @Flag(help: "Serve HTTPS with a key and certificate for localhost/127.0.0.1 made at start-up. [env: EVS_MOCK_TLS_SELF_SIGNED=1]")
    var tlsSelfSigned = false

    @Option(help: ArgumentHelp("Where to write the self-signed certificate (PEM), for clients to trust. [env: EVS_MOCK_TLS_CERT_OUT]", valueName: "file"))
    var tlsCertOut: String?

    @Option(parsing: .unconditional, help: "HTTPS port beside the plain one, when HTTPS is on; 0 picks a free one. [env: EVS_MOCK_HTTPS_PORT] (default: 8443)")
    var httpsPort: Int?

    @Option(parsing: .unconditional, help: "Threads serving connections, 1 to 256. [env: EVS_MOCK_EVENT_LOOPS] (default: one fewer than the processors, at least 1)")
    var eventLoops: Int?

    private func settings() throws -> Settings {
        do {
            var flags = Settings.Flags(host: host, port: port, fixtures: fixtures, logLevel: logLevel, clock: clock, timeScale: timeScale,
                                       journalSize: journalSize, noAdmin: noAdmin, adminToken: adminToken, noGzip: noGzip, auth: auth,
                                       tokens: tokens, credentials: credentials, credentialsFile: credentialsFile, rateLimit: rateLimit)
            flags.logFormat = logFormat
            flags.jobTiming = jobTiming
            flags.tlsCertificate = tlsCert
            flags.tlsKey = tlsKey
            flags.tlsSelfSigned = tlsSelfSigned
            flags.tlsCertificateOut = tlsCertOut
            flags.httpsPort = httpsPort
            flags.eventLoops = eventLoops
            return try Settings(flags: flags, environment: processEnvironment())
        } catch {
            throw ValidationError(error.description)
        }
    }

    // Options are checked here rather than in validate(): the parser validates this command
    // before it runs `health` too, which must not fail on the server's variables.
    func run() throws {
        var settings = try settings()
        let level = settings.logLevel
        let format = settings.logFormat
        LoggingSystem.bootstrap { label in
            StandardErrorLogHandler(label: label, format: format == "json" ? .json : .text, logLevel: level)
        }
        let logger = Logger(label: "evs-jobs-mock")
        signal(SIGPIPE, SIG_IGN)

        if let file = settings.credentialsFile {
            do {
                settings.gateway.credentials.merge(try Self.readCredentials(file)) { $1 }
            } catch {
                printError("credentials file \(file): \(error)")
                exitFlushingLogs(2)
            }
        }
        var tls: TLSContext?
        do {
            if let certificate = settings.tlsCertificate, let key = settings.tlsKey {
                tls = try TLSContext.files(certificate: certificate, key: key)
            } else if settings.tlsSelfSigned {
                tls = try TLSContext.selfSigned(certificateOut: settings.tlsCertificateOut)
            }
        } catch {
            let files = settings.tlsCertificate.map { "\($0) / \(settings.tlsKey ?? "")" } ?? settings.tlsCertificateOut ?? "self-signed"
            printError("TLS (\(files)): \(error)")
            exitFlushingLogs(2)
        }
        let server: MockServer
        do {
            server = try MockServer(MockServer.Configuration(
                http: HTTPServerOptions(host: settings.host, port: settings.port, eventLoops: settings.eventLoops,
                                        compression: settings.gzip, tls: tls, httpsPort: settings.httpsPort),
                fixturePaths: settings.fixtures.isEmpty ? nil : settings.fixtures,
                clockMode: settings.clockMode, timeScale: settings.timeScale, journalSize: settings.journalSize,
                admin: settings.admin, adminToken: settings.adminToken, gateway: settings.gateway, logger: logger,
                jobTiming: settings.jobTiming))
        } catch let error as FixtureError {
            // The first problems, then a count: many bad jobs must not flood a terminal or a CI log.
            for problem in error.problems { printError("fixture error: \(problem)") }
            if error.omitted > 0 { printError("... and \(error.omitted) more problems") }
            printError("nothing was loaded; fix the fixtures above and start again")
            exitFlushingLogs(2)
        } catch {
            printError("cannot listen on \(settings.host):\(settings.port): \(error)")
            exitFlushingLogs(1)
        }
        // Signals are caught before the start-up line, so a script that read it can stop us.
        let signals = Self.stopOnSignals(server, logger: logger)
        server.start()
        // Numbers go in as numbers, so that JSON lines carry them as such; "off" stays a word.
        logger.info("evs-jobs-mock \(Self.version) started", metadata: [
            "version": "\(Self.version)", "host": "\(settings.host)", "port": .stringConvertible(Int(server.http.address.port)),
            "https_port": server.http.tlsAddress.map { .stringConvertible(Int($0.port)) } ?? "off", "clock": "\(settings.clockMode.rawValue)",
            "time_scale": .stringConvertible(settings.timeScale), "auth": "\(settings.gateway.auth.rawValue)",
            "rate_limit": settings.gateway.rateLimit.map { .stringConvertible($0) } ?? "off", "gzip": .stringConvertible(settings.gzip),
            "admin": "\(settings.admin ? (settings.adminToken == nil ? "on" : "on, token") : "off")",
            "journal_size": .stringConvertible(settings.journalSize), "event_loops": .stringConvertible(server.http.loopCount), "log_level": "\(settings.logLevel.rawValue)",
        ])
        for (file, count) in server.fixtureCounts {
            logger.info("loaded \(count) \(count == 1 ? "job" : "jobs") from \(file)", metadata: ["fixture": "\(file)", "jobs": .stringConvertible(count)])
        }
        print("listening on \(server.baseURL)" + (server.httpsURL.map { " and \($0)" } ?? ""))
        fflush(nil)
        withExtendedLifetime(signals) { dispatchMain() }
    }

    /// SIGTERM, SIGINT, SIGHUP and SIGUSR1: stop accepting, finish what is in flight, exit 0
    /// within a second. A second signal exits at once. The C handler only writes the signal's
    /// number to a pipe; the work happens on the main queue when the pipe is readable.
    private static func stopOnSignals(_ server: MockServer, logger: Logger) -> (any DispatchSourceRead)? {
        let pipe = csystem_stop_signals_pipe()
        guard pipe >= 0 else {
            logger.warning("cannot catch SIGTERM, SIGINT, SIGHUP and SIGUSR1: \(String(cString: strerror(errno)))")
            return nil
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: pipe, queue: .main)
        let stopping = SignalState()
        source.setEventHandler {
            var number: UInt8 = 0
            guard read(pipe, &number, 1) == 1 else { return }
            guard stopping.begin() else { exitFlushingLogs(0) }
            logger.info("signal \(number): stopping")
            server.shutdown(timeoutMs: 900) { exitFlushingLogs(0) }
        }
        source.resume()
        return source
    }
}

extension EVSJobsMockCommand {
    /// The most a credentials file may hold.
    static let maximumCredentialsFileSize = 1 << 20

    /// `AK:SK` lines; blank lines and `#` comments are skipped. A regular file only.
    static func readCredentials(_ path: String) throws -> [String: String] {
        let bytes = try RegularFile.read(path, cap: maximumCredentialsFileSize)
        var lines: [String] = []
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let text = String(decoding: line.prefix { $0 != UInt8(ascii: "#") }, as: UTF8.self)
            let trimmed = text.filter { !$0.isWhitespace }
            if !trimmed.isEmpty { lines.append(trimmed) }
        }
        return try Settings.credentials(lines, source: path)
    }
}

/// Whether a stop has begun; touched only on the main queue.
private final class SignalState: @unchecked Sendable {
    private var started = false

    func begin() -> Bool {
        defer { started = true }
        return !started
    }
}

/// The process environment as a dictionary.
func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let text = String(cString: pointer)
        if let equals = text.firstIndex(of: "=") {
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        entry += 1
    }
    return result
}

/// Exits after the log lines still buffered are written.
func exitFlushingLogs(_ code: Int32) -> Never {
    LogWriter.standardError.flush()
    Glibc.exit(code)
}

/// One line on standard error at once, after the log lines buffered before it.
func printError(_ message: String) {
    LogWriter.standardError.flush()
    let line = Array("evs-jobs-mock: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
