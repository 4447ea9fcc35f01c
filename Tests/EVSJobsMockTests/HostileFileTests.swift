import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension ProcessTests {
    /// Waits for the process to exit, polling up to `seconds`; a process still running then is
    /// killed and an issue recorded, so that a hang fails the test instead of stalling the suite.
    static func waitForExit(_ running: Running, within seconds: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) async
        -> (reason: ChildProcess.TerminationReason, status: Int32, stderr: String)
    {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while running.process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if running.process.isRunning {
            Issue.record("still running after \(seconds) s", sourceLocation: sourceLocation)
            running.process.signal(SIGKILL)
            try? await waitUntilExit(running)  // `blocking` throws only what its body throws: nothing here
        }
        let stderr = String(decoding: (try? await readAll(running.stderr)) ?? Data(), as: UTF8.self)
        return (running.process.terminationReason, running.process.terminationStatus, stderr)
    }
}

/// A FIFO or a device where a file is expected stops start-up with exit code 2 and the file's
/// name, at once: before, /dev/zero exhausted memory and a FIFO blocked for good.
@Suite struct HostileFileTests {
    /// @FIFO is replaced by a FIFO's path, @DIR by a folder holding a FIFO named x.json.
    @Test(arguments: [
        (["--fixtures", "/dev/zero"], "/dev/zero: not a regular file (a character device)"),
        (["--fixtures", "/dev/urandom"], "/dev/urandom: not a regular file (a character device)"),
        (["--fixtures", "@FIFO"], "@FIFO: not a regular file (a FIFO)"),
        (["--fixtures", "@DIR"], "@DIR/x.json: not a regular file (a FIFO)"),
        (["--credentials-file", "@FIFO"], "credentials file @FIFO: not a regular file (a FIFO)"),
        (["--credentials-file", "/dev/zero"], "credentials file /dev/zero: not a regular file (a character device)"),
        (["--tls-cert", "@FIFO", "--tls-key", "@FIFO"], "cannot use the certificate file @FIFO: not a regular file (a FIFO)"),
        (["--tls-self-signed", "--tls-cert-out", "@FIFO"], "cannot write the certificate to @FIFO: not a regular file (a FIFO)"),
    ])
    func notARegularFileStopsStartUp(arguments: [String], message: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/dir", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo", folder = directory + "/dir"
        #expect(mkfifo(fifo, 0o600) == 0 && mkfifo(folder + "/x.json", 0o600) == 0)
        func place(_ text: String) -> String {
            text.replacingOccurrences(of: "@FIFO", with: fifo).replacingOccurrences(of: "@DIR", with: folder)
        }
        let running = try ProcessTests.launch(["--port", "0", "--https-port", "0"] + arguments.map(place))
        let exit = await ProcessTests.waitForExit(running)
        #expect(exit.reason == .exit && exit.status == 2)
        #expect(exit.stderr.contains(place(message)), "stderr: \(exit.stderr)")
    }
}
