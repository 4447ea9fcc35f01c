import EVSJobsMock
import Foundation
import Logging
import Sockets
import Testing

/// Certificate and key files are read in Swift and handed to OpenSSL as bytes: a chain file's
/// intermediates are still served, and a damaged chain or an encrypted key is refused.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct TLSFilesTests {
    /// root -> intermediate -> leaf (localhost, 127.0.0.1), made by the openssl command.
    static let script = """
        set -e
        ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
        ca="-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign"
        openssl req -x509 $ec -keyout root.key -out root.pem -subj /CN=root -days 2 $ca
        openssl req $ec -keyout mid.key -out mid.csr -subj /CN=mid $ca
        openssl x509 -req -in mid.csr -CA root.pem -CAkey root.key -CAcreateserial -out mid.pem -days 2 -copy_extensions copyall
        openssl req $ec -keyout leaf.key -out leaf.csr -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1
        openssl x509 -req -in leaf.csr -CA mid.pem -CAkey mid.key -CAcreateserial -out leaf.pem -days 2 -copy_extensions copyall
        cat leaf.pem mid.pem > chain.pem
        printf -- '-----BEGIN CERTIFICATE-----\\nbm90IGEgY2VydGlmaWNhdGU=\\n-----END CERTIFICATE-----\\n' | cat chain.pem - > damaged.pem
        openssl pkey -in leaf.key -aes256 -passout pass:secret -out encrypted.key
        """

    @Test func aChainFileServesItsIntermediate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let make = ChildProcess()
        make.executableURL = URL(fileURLWithPath: "/bin/sh")
        make.arguments = ["-c", Self.script]
        make.currentDirectoryURL = URL(fileURLWithPath: directory)
        make.standardError = FileHandle.nullDevice
        try startProcess(make)
        make.waitUntilExit()
        try #require(make.terminationStatus == 0)

        // Only the root is trusted: the handshake works only if the server sends the intermediate.
        for (file, served) in [("chain.pem", true), ("leaf.pem", false)] {
            var logger = Logger(label: "test")
            logger.logLevel = .error
            let tls = try TLSContext.files(certificate: directory + "/" + file, key: directory + "/leaf.key")
            let server = try MockServer(MockServer.Configuration(
                http: HTTPServerOptions(port: 0, tls: tls, httpsPort: 0), clockMode: .manual, logger: logger))
            server.start()
            let https = try #require(server.httpsURL)
            let result = try await TLSTests.curl(["--cacert", directory + "/root.pem", https + TLSTests.job])
            #expect(result.output.contains("RUNNING") == served, "\(file)")
            await server.shutdown(timeoutMs: 500)
        }
        for (certificate, key, reason) in [("damaged.pem", "leaf.key", "cannot use the certificate file"),
                                           ("chain.pem", "encrypted.key", "cannot use the key file"),  // refused, not asked for
                                           ("chain.pem", "mid.key", "cannot use the key file")] {
            #expect {
                _ = try TLSContext.files(certificate: directory + "/" + certificate, key: directory + "/" + key)
            } throws: { error in
                "\(error)".hasPrefix(reason)
            }
        }
    }
}
