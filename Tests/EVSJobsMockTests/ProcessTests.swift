import EVSJobsMock
import Foundation
import Testing

/// The built binary, started as a user would: start-up line, fixture errors, signals.
@Suite struct ProcessTests {
    /// `evs-jobs-mock` sits beside the test bundle in the build folder.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("evs-jobs-mock")

    struct Running {
        let process: ChildProcess
        let stdout: Pipe
        let stderr: Pipe
    }

    static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> Running {
        let process = ChildProcess()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("EVS_MOCK_") }
        env.merge(environment) { $1 }
        process.environment = env
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try startProcess(process)
        return Running(process: process, stdout: stdout, stderr: stderr)
    }

    /// Reads the first line the server prints (on a Dispatch worker) and returns the port it names.
    static func listeningPort(_ running: Running) async throws -> UInt16 {
        let text = String(decoding: try await firstLine(running), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.hasPrefix("listening on http://127.0.0.1:"))
        return try #require(text.split(separator: ":").last.flatMap { UInt16($0) })
    }

    /// The server's output up to its first newline (or its end), read on a Dispatch worker.
    static func firstLine(_ running: Running) async throws -> Data {
        let stdout = running.stdout.fileHandleForReading
        return try await blocking {
            var line = Data()
            while !line.contains(10) {
                let chunk = stdout.availableData
                guard !chunk.isEmpty else { break }
                line.append(chunk)
            }
            return line
        }
    }

    /// Everything a pipe gives until its writer closes it, read on a Dispatch worker.
    static func readAll(_ pipe: Pipe) async throws -> Data {
        let handle = pipe.fileHandleForReading
        return try await blocking { handle.readDataToEndOfFile() }
    }

    /// Waits on a Dispatch worker for the process to end.
    static func waitUntilExit(_ running: Running) async throws {
        let process = running.process
        try await blocking { process.waitUntilExit() }
    }

    @Test func startsOnDefaultFixturesAndStopsOnSigterm() async throws {
        let running = try Self.launch(["--port", "0", "--log-level", "warning"])
        let port = try await Self.listeningPort(running)
        #expect(port != 0)
        let client = try await RawClient.connect(port: port)
        try await client.send(get("/v1/p/jobs/4010a32d535527910153552b492c0002"))
        #expect(try await client.response().status == 200)
        let started = ContinuousClock.now
        running.process.terminate()  // SIGTERM
        try await Self.waitUntilExit(running)
        let elapsed = ContinuousClock.now - started
        #expect(running.process.terminationReason == .exit)
        #expect(running.process.terminationStatus == 0)
        print("SIGTERM to exit: \(elapsed)")
    }

    @Test func badFixtureStopsStartUpWithExitCode2() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        try #"{"jobs": [{"job_type": "createVolume", "scenario": {"running_ms": -5}}, {"job_type": "nope"}]}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let running = try Self.launch(["--port", "0", "--fixtures", repositoryRoot.appendingPathComponent("fixtures/default").path, "--fixtures", file.path])
        try await Self.waitUntilExit(running)
        #expect(running.process.terminationStatus == 2)
        let stdout = String(decoding: try await Self.readAll(running.stdout), as: UTF8.self)
        let stderr = String(decoding: try await Self.readAll(running.stderr), as: UTF8.self)
        #expect(!stdout.contains("listening"))
        #expect(stderr.contains("\(file.path): jobs[0].scenario.running_ms: must be a whole number of milliseconds"))
        #expect(stderr.contains("\(file.path): jobs[1].job_type: must be one of"))
    }

    @Test func environmentVariablesConfigureAndFlagsWin() async throws {
        let running = try Self.launch(
            ["--host", "127.0.0.1"],
            environment: ["EVS_MOCK_HOST": "192.0.2.1", "EVS_MOCK_PORT": "0", "EVS_MOCK_LOG_LEVEL": "error",
                          "EVS_MOCK_FIXTURES": repositoryRoot.appendingPathComponent("fixtures/examples").path])
        let port = try await Self.listeningPort(running)
        let client = try await RawClient.connect(port: port)
        try await client.send(get("/v1/team-a/jobs/examples-team-a-create"))
        #expect(try await client.response().status == 200)
        running.process.interrupt()  // SIGINT
        try await Self.waitUntilExit(running)
        #expect(running.process.terminationStatus == 0)
    }

    @Test func badTLSFilesStopStartUpWithExitCode2() async throws {
        let running = try Self.launch(["--port", "0", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"])
        try await Self.waitUntilExit(running)
        #expect(running.process.terminationStatus == 2)
        let stderr = String(decoding: try await Self.readAll(running.stderr), as: UTF8.self)
        #expect(stderr.contains("/nonexistent/cert.pem"))
        #expect(stderr.contains("cannot use the certificate file"))
    }

    @Test func selfSignedHTTPSIsNamedInTheStartUpLine() async throws {
        let certificate = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: certificate) }
        let running = try Self.launch(["--port", "0", "--https-port", "0", "--tls-self-signed", "--tls-cert-out", certificate, "--log-level", "warning"])
        let text = String(decoding: try await Self.firstLine(running), as: UTF8.self)
        #expect(text.hasPrefix("listening on http://127.0.0.1:") && text.contains(" and https://127.0.0.1:"))
        #expect(FileManager.default.fileExists(atPath: certificate))
        running.process.terminate()
        try await Self.waitUntilExit(running)
        #expect(running.process.terminationStatus == 0)
    }

    @Test func versionAndJSONLogs() async throws {
        let version = try Self.launch(["--version"])
        try await Self.waitUntilExit(version)
        let printed = String(decoding: try await Self.readAll(version.stdout), as: UTF8.self)
        #expect(printed.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")

        let running = try Self.launch(["--port", "0", "--log-format", "json"])
        let port = try await Self.listeningPort(running)
        let client = try await RawClient.connect(port: port)
        try await client.send(get("/v1/p/jobs/4010a32d535527910153552b492c0002"))
        let requestID = try #require(try await client.response().header("X-Request-Id"))
        running.process.terminate()
        try await Self.waitUntilExit(running)
        let lines = String(decoding: try await Self.readAll(running.stderr), as: UTF8.self).split(separator: "\n")
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.allSatisfy { $0["time"] is String && $0["level"] is String && $0["message"] is String })
        // Numbers stay numbers: `"port":41613`, `"jobs":10`, `"status":200`, `"duration_ms":0.41`.
        #expect(objects.contains { $0["version"] as? String == "0.1.0" && $0["port"] as? Int == Int(port) })
        #expect(objects.contains { $0["fixture"] as? String == "(built-in) timed-jobs.json" && $0["jobs"] as? Int == 10 })
        #expect(objects.contains { $0["request_id"] as? String == requestID && $0["status"] as? Int == 200 && $0["duration_ms"] is Double })
    }

    @Test func healthExitsZeroOnlyWhenAMockAnswers() async throws {
        func health(_ arguments: [String], environment: [String: String] = [:]) async throws -> Int32 {
            let check = try Self.launch(["health"] + arguments, environment: environment)
            try await Self.waitUntilExit(check)
            return check.process.terminationStatus
        }
        try await withServer { _, port in
            let status = try await health(["--url", "http://127.0.0.1:\(port)"])
            #expect(status == 0)
        }
        try await withServer(admin: false) { _, port in
            let status = try await health(["--url", "http://localhost:\(port)/"])  // the job endpoint answers instead
            #expect(status == 0)
        }
        // As a container's HEALTHCHECK runs it: no arguments, the server's own variables.
        try await withServer(admin: false, gateway: GatewayOptions(auth: .aksk, credentials: ["AK": "SK"])) { _, port in
            let status = try await health([], environment: ["EVS_MOCK_PORT": "\(port)"])  // 401 from the gateway is an answer
            #expect(status == 0)
        }
        try await withServer(adminToken: "secret") { server, port in
            // With the token the admin check passes and the job endpoint is never asked.
            let withToken = try await health([], environment: ["EVS_MOCK_PORT": "\(port)", "EVS_MOCK_ADMIN_TOKEN": "secret"])
            #expect(withToken == 0)
            #expect(server.journal.entries(projectID: "health").entries.isEmpty)
            // Without it the admin route refuses, and the job endpoint is what answers.
            let withoutToken = try await health([], environment: ["EVS_MOCK_PORT": "\(port)"])
            #expect(withoutToken == 0)
            #expect(server.journal.entries(projectID: "health").entries.count == 1)
        }
        let closed = try startMock()
        let port = closed.port
        await closed.stop()
        #expect(try await health(["--url", "http://127.0.0.1:\(port)"]) == 1)
        #expect(try await health([], environment: ["EVS_MOCK_PORT": "\(port)"]) == 1)
    }

    @Test func helpNamesEveryOptionAndVariable() async throws {
        let running = try Self.launch(["--help"])
        try await Self.waitUntilExit(running)
        let help = String(decoding: try await Self.readAll(running.stdout), as: UTF8.self)
        for word in ["--host", "--port", "--fixtures", "--log-level", "EVS_MOCK_HOST", "EVS_MOCK_PORT", "EVS_MOCK_FIXTURES", "EVS_MOCK_LOG_LEVEL"] {
            #expect(help.contains(word), "help lacks \(word)")
        }
    }

    /// SIGHUP and SIGUSR1 stop gracefully as SIGTERM does, instead of killing the process.
    @Test(arguments: [SIGHUP, SIGUSR1])
    func hangupAndUser1StopGracefully(signal: Int32) async throws {
        let running = try Self.launch(["--port", "0", "--log-level", "warning"])
        _ = try await Self.listeningPort(running)
        running.process.signal(signal)
        let exit = await Self.waitForExit(running)
        #expect(exit.reason == .exit && exit.status == 0)
    }

    /// A negative number is out of range, not a missing value read as a flag.
    @Test(arguments: [
        ("--port", "--port must be from 0 to 65535, got -1"),
        ("--https-port", "--https-port must be from 0 to 65535, got -1"),
        ("--journal-size", "--journal-size must be 1 or more, got -1"),
        ("--rate-limit", "--rate-limit must be 1 or more, got -1"),
        ("--time-scale", "--time-scale must be a number above 0"),
    ])
    func negativeNumbersAreOutOfRange(option: String, message: String) async throws {
        let running = try Self.launch([option, "-1"])
        let exit = await Self.waitForExit(running)
        #expect(exit.reason == .exit && exit.status == 64)
        #expect(exit.stderr.contains(message), "stderr: \(exit.stderr)")
    }

    @Test func manyFixtureProblemsPrintAHundredLinesAndACount() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("many-\(UUID().uuidString).json")
        let jobs = Array(repeating: #"{"job_type": "nope"}"#, count: 170).joined(separator: ",")
        try #"{"jobs": [\#(jobs)]}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let running = try Self.launch(["--port", "0", "--fixtures", file.path])
        let exit = await Self.waitForExit(running)
        #expect(exit.reason == .exit && exit.status == 2)
        let lines = exit.stderr.split(separator: "\n")
        #expect(lines.filter { $0.contains("fixture error: ") }.count == 100)
        #expect(lines.contains("evs-jobs-mock: ... and 70 more problems"), "stderr: \(exit.stderr)")
    }
}

extension ProcessTests {
    /// `health` is a subcommand the help lists, and the serving options stay on the root.
    @Test func helpListsHealthAsASubcommand() async throws {
        let running = try Self.launch(["--help"])
        let exit = await Self.waitForExit(running)
        let help = String(decoding: try await Self.readAll(running.stdout), as: UTF8.self)
        #expect(exit.status == 0)
        #expect(help.contains("SUBCOMMANDS:") && help.contains("  health "), "help: \(help)")
        #expect(help.contains("--port") && help.contains("EVS_MOCK_PORT"))
    }

    /// A failed check says why on one line of standard error before exiting 1.
    @Test func healthSaysWhyItFails() async throws {
        let closed = try startMock()
        let port = closed.port
        await closed.stop()
        let refused = await Self.waitForExit(try Self.launch(["health", "--url", "http://127.0.0.1:\(port)"]))
        #expect(refused.status == 1)
        #expect(refused.stderr == "evs-jobs-mock: health: http://127.0.0.1:\(port): connection refused\n")

        // An answer that is not a serving mock's: the status is named.
        let mock = try startMock(admin: false)
        mock.addFault(.status(503, body: nil))
        let served = await Self.waitForExit(try Self.launch(["health", "--url", "http://127.0.0.1:\(mock.port)"]))
        await mock.stop()
        #expect(served.status == 1)
        #expect(served.stderr.hasSuffix("answered 503\n"), "stderr: \(served.stderr)")
    }

    @Test func healthAgainstALiveMockExitsZeroAndSaysNothing() async throws {
        let mock = try startMock()
        let exit = await Self.waitForExit(try Self.launch(["health", "--url", "http://127.0.0.1:\(mock.port)"]))
        await mock.stop()
        #expect(exit.status == 0 && exit.stderr.isEmpty)
    }
}

extension ProcessTests {
    /// Text lines: a millisecond UTC time, the level, the label, the message, then the metadata;
    /// one job is "1 job".
    @Test func textLogsPutTheMessageFirstAndCountJobsInWords() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("one-\(UUID().uuidString).json")
        try #"{"jobs": [{"job_id": "only", "job_type": "createVolume"}]}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let running = try Self.launch(["--port", "0", "--fixtures", file.path])
        _ = try await Self.listeningPort(running)
        running.process.terminate()
        let exit = await Self.waitForExit(running)
        #expect(exit.status == 0)
        let loaded = try #require(exit.stderr.split(separator: "\n").first { $0.contains(" loaded ") })
        let time = try #require(loaded.split(separator: " ").first)
        #expect(time.count == 24 && time.hasSuffix("Z") && time.dropFirst(19).hasPrefix("."), "line: \(loaded)")
        #expect(loaded.dropFirst(25) == "info [evs-jobs-mock] loaded 1 job from \(file.path) fixture=\(file.path) jobs=1")
    }
}
