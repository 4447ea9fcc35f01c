import EVSJobsMock
import Foundation
import Sockets
import Testing

/// HTTPS beside plain HTTP, with a self-signed certificate the client is told to trust. curl is
/// the client: an independent TLS implementation.
@Suite struct TLSTests {
    static let job = "/v1/p/jobs/4010a32d535527910153552b492c0002"

    /// Runs curl on a Dispatch worker: it waits for the process and reads its output to the end.
    static func curl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await blocking {
            let process = ChildProcess()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["curl", "-s", "-m", "10"] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try startProcess(process)
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    /// A mock with HTTPS on a port of its own choosing; `body` gets it and the certificate path.
    static func withTLS(_ body: (MockServer, String, String) async throws -> Void) async throws {
        let certificate = FileManager.default.temporaryDirectory.appendingPathComponent("mock-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: certificate) }
        let tls = try TLSContext.selfSigned(certificateOut: certificate)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let server = try MockServer(MockServer.Configuration(
            http: HTTPServerOptions(port: 0, requestTimeoutMs: 300, tls: tls, httpsPort: 0), clockMode: .manual, logger: logger))
        server.start()
        do {
            try await body(server, try #require(server.httpsURL), certificate)
        } catch {
            await server.shutdown(timeoutMs: 500)
            throw error
        }
        await server.shutdown(timeoutMs: 500)
    }

    @Test func httpsWithATrustedSelfSignedCertificateKeepsTheConnection() async throws {
        try await Self.withTLS { _, https, certificate in
            let result = try await Self.curl(["--cacert", certificate, "-w", "\n%{http_code} %{num_connects}\n", https + Self.job, https + Self.job])
            #expect(result.status == 0)
            let lines = result.output.split(separator: "\n")
            #expect(lines.filter { $0.contains("\"status\":\"RUNNING\"") }.count == 2)
            #expect(lines.contains("200 1") && lines.contains("200 0"))  // the second request reused the connection
            // Without the certificate the client refuses the server: it is not trusted otherwise.
            #expect(try await Self.curl([https + Self.job]).status != 0)
        }
    }

    @Test func plainHTTPOrGarbageOnTheTLSPortCostsOnlyThatConnection() async throws {
        try await Self.withTLS { server, https, certificate in
            let port = try #require(server.http.tlsAddress).port
            // In one worker call: the handshake timeout is short.
            #expect(try await blocking { () throws -> Bool in
                let plain = try RawClient(port: port)
                try plain.send(get(Self.job))
                return plain.closedByPeer()
            })
            let silent = try await RawClient.connect(port: port)  // connects, never says hello: the handshake times out
            #expect(try await silent.closedByPeer())
            #expect(try await Self.curl(["--cacert", certificate, https + Self.job]).output.contains("RUNNING"))
            #expect(try await Self.curl(["--tlsv1.1", "--tls-max", "1.1", "--cacert", certificate, https + Self.job]).status != 0)
            // Plain HTTP still works on its own port.
            let client = try await RawClient.connect(port: server.http.address.port)
            try await client.send(get(Self.job))
            #expect(try await client.response().status == 200)
        }
    }

    @Test func gzipAndLimitsBehaveAsOnPlainHTTP() async throws {
        try await Self.withTLS { _, https, certificate in
            let gzip = try await Self.curl(["--cacert", certificate, "--compressed", "-D", "-", "-o", "/dev/null", https + "/v1/p/jobs/21917a8d52a19b040152a9f2f1eb003e"])
            #expect(gzip.output.lowercased().contains("content-encoding: gzip"))
            let big = try await Self.curl(["--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Big: \(String(repeating: "a", count: 17_000))", https + Self.job])
            #expect(big.output == "431")
        }
    }

    @Test func badFilesAreRefusedNamingTheProblem() throws {
        #expect(throws: TLSError.self) { try TLSContext.files(certificate: "/nonexistent.pem", key: "/nonexistent.key") }
        let directory = FileManager.default.temporaryDirectory
        let one = directory.appendingPathComponent("one-\(UUID().uuidString).pem").path
        let two = directory.appendingPathComponent("two-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: one); try? FileManager.default.removeItem(atPath: two) }
        _ = try TLSContext.selfSigned(certificateOut: one)
        _ = try TLSContext.selfSigned(certificateOut: two)
        // A certificate file as the key: not a key.
        do {
            _ = try TLSContext.files(certificate: one, key: two)
            Issue.record("a certificate is not a key")
        } catch {
            #expect(error.description.contains("key"))
        }
    }
}

import Logging
