import COpenSSL
import EVSJobs
import EVSJobsMock
import Foundation
import Testing

/// Authentication and throttling as the gateway checks them. Requests are signed by the signer
/// below, written from API-NOTES.md's description, not from the server's verifier.
@Suite struct AuthTests {
    static let job = "/v1/p/jobs/4010a32d535527910153552b492c0002"
    static let keys = GatewayOptions(auth: .aksk, credentials: ["AK1": "secret-one"])

    /// SDK-HMAC-SHA256 as the Huawei SDK (`Access=`) or gophertelekomcloud (`Credential=`) signs.
    struct Signer {
        var ak = "AK1", sk = "secret-one"
        var scoped = false
        var region = "eu-de", service = "evs"
        /// The day the `Credential=` scope names; nil: the day of X-Sdk-Date, as signers do.
        var scopeDay: String?

        static func sha256Hex(_ data: [UInt8]) -> String {
            var out = [UInt8](repeating: 0, count: 32)
            _ = SHA256(data, data.count, &out)
            return out.map { String(format: "%02x", $0) }.joined()
        }

        static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 64)
            var length: UInt32 = 0
            let bytes = Array(message.utf8)
            _ = HMAC(EVP_sha256(), key, Int32(key.count), bytes, bytes.count, &out, &length)
            return Array(out.prefix(Int(length)))
        }

        /// The request head with X-Sdk-Date and Authorization, signing `signed` (name: value).
        func head(_ path: String, at ms: Int64, signed: [(String, String)] = [("host", "localhost")], send: [(String, String)]? = nil) -> String {
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            let sdkDate = formatter.string(from: date)
            let headers = (signed + [("x-sdk-date", sdkDate)]).sorted { $0.0 < $1.0 }
            let names = headers.map(\.0).joined(separator: ";")
            let uri = path.hasSuffix("/") ? path : path + "/"
            let canonical = ["GET", uri, "", headers.map { "\($0.0):\($0.1)" }.joined(separator: "\n") + "\n", names, Self.sha256Hex([])].joined(separator: "\n")
            let signature: String
            let credential: String
            if scoped {
                let day = scopeDay ?? String(sdkDate.prefix(8))
                let scope = "\(day)/\(region)/\(service)/sdk_request"
                var key = Self.hmac(Array(("SDK" + sk).utf8), day)
                for part in [region, service, "sdk_request"] { key = Self.hmac(key, part) }
                signature = Self.hmac(key, "SDK-HMAC-SHA256\n\(sdkDate)\n\(scope)\n\(Self.sha256Hex(Array(canonical.utf8)))").map { String(format: "%02x", $0) }.joined()
                credential = "Credential=\(ak)/\(scope)"
            } else {
                signature = Self.hmac(Array(sk.utf8), "SDK-HMAC-SHA256\n\(sdkDate)\n\(Self.sha256Hex(Array(canonical.utf8)))").map { String(format: "%02x", $0) }.joined()
                credential = "Access=\(ak)"
            }
            let sent = (send ?? signed.filter { $0.0 != "host" }).map { "\($0.0): \($0.1)\r\n" }.joined()
            return "GET \(path) HTTP/1.1\r\nHost: localhost\r\nX-Sdk-Date: \(sdkDate)\r\n\(sent)Authorization: SDK-HMAC-SHA256 \(credential), SignedHeaders=\(names), Signature=\(signature)\r\n\r\n"
        }
    }

    @Test(arguments: [false, true])
    func aValidSignatureIsAccepted(scoped: Bool) async throws {
        try await withServer(gateway: Self.keys) { server, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(Signer(scoped: scoped).head(Self.job, at: server.clock.now()))
            #expect(try await client.response().status == 200)
        }
    }

    @Test(arguments: [
        (Signer(sk: "wrong"), "verify aksk signature fail"),
        (Signer(sk: "wrong", scoped: true), "verify aksk signature fail"),
        (Signer(ak: "NOPE"), "ak NOPE not exist"),
    ])
    func badSignaturesAre401(signer: Signer, why: String) async throws {
        try await withServer(gateway: Self.keys) { server, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(signer.head(Self.job, at: server.clock.now()))
            let response = try await client.response()
            #expect(response.status == 401)
            let (code, message) = try response.gatewayError()
            #expect(code == "APIGW.0301")
            #expect(message == "Incorrect IAM authentication information: \(why)")
        }
    }

    @Test func staleDatesMissingHeadersAndNoSignatureAre401() async throws {
        try await withServer(gateway: Self.keys) { server, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(Signer().head(Self.job, at: server.clock.now() - 16 * 60 * 1000))
            #expect(try await client.response().gatewayError().message?.hasSuffix("x-sdk-date expired (more than 15 minutes from the real time)") == true)
            try await client.send(Signer().head(Self.job, at: server.clock.now() + 14 * 60 * 1000))
            #expect(try await client.response().status == 200)
            try await client.send(Signer().head(Self.job, at: server.clock.now(), signed: [("host", "localhost"), ("x-project-id", "p")], send: []))
            #expect(try await client.response().gatewayError().message == "Incorrect IAM authentication information: signed header x-project-id not found")
            try await client.send(get(Self.job))
            let bare = try await client.response()
            #expect(bare.status == 401)
            #expect(try bare.gatewayError().message == "Incorrect IAM authentication information: Authorization not found")
            // The admin API is not subject to --auth.
            try await client.send(get("/__admin/health"))
            #expect(try await client.response().status == 200)
        }
    }

    @Test func tokensAreCheckedAndBoundToTheirProject() async throws {
        try await withServer(gateway: GatewayOptions(auth: .token, tokens: ["open", "bound@p"])) { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.job))
            let missing = try await client.response()
            #expect(missing.status == 401)
            #expect(try missing.gatewayError().code == "APIGW.0301")
            try await client.send(get(Self.job, extra: "X-Auth-Token: unknown\r\n"))
            #expect(try await client.response().status == 401)
            try await client.send(get(Self.job, extra: "X-Auth-Token: open\r\n"))
            #expect(try await client.response().status == 200)
            try await client.send(get(Self.job, extra: "X-Auth-Token: bound\r\n"))
            #expect(try await client.response().status == 200)
            try await client.send(get("/v1/q/jobs/4010a32d535527910153552b492c0002", extra: "X-Auth-Token: bound\r\n"))
            let other = try await client.response()
            #expect(other.status == 400)
            #expect(other.text == #"{"error":{"message":"Invalid token in the header","code":"Common.0018"}}"#)
        }
    }

    @Test func anyAcceptsEitherKind() async throws {
        try await withServer(gateway: GatewayOptions(auth: .any, tokens: ["t"], credentials: ["AK1": "secret-one"])) { server, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.job, extra: "X-Auth-Token: t\r\n"))
            #expect(try await client.response().status == 200)
            try await client.send(Signer().head(Self.job, at: server.clock.now()))
            #expect(try await client.response().status == 200)
            try await client.send(get(Self.job))
            #expect(try await client.response().status == 401)
            try await client.send(Signer(sk: "bad").head(Self.job, at: server.clock.now()))
            #expect(try await client.response().status == 401)
        }
    }

    @Test func throttlingAllowsNPerProjectThen429() async throws {
        let limit = 20
        try await withServer(gateway: GatewayOptions(rateLimit: limit)) { _, port in
            let client = try await RawClient.connect(port: port)
            // Pipelined, so all of them arrive within far less than the refill time of one token.
            try await client.send(String(repeating: get(Self.job), count: limit + 1))
            for _ in 0..<limit { #expect(try await client.response().status == 200) }
            let throttled = try await client.response()
            #expect(throttled.status == 429)
            let (code, message) = try throttled.gatewayError()
            #expect(code == "APIGW.0308")
            #expect(message == "The throttling threshold has been reached: policy user over ratelimit,limit:\(limit),time:1 second")
            // Another project has its own bucket.
            try await client.send(get("/v1/other/jobs/4010a32d535527910153552b492c0002"))
            #expect(try await client.response().status == 200)
        }
    }
}
