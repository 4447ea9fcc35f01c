import EVSJobs
@testable import EVSJobsMock
import Foundation
import HTTP1
import Testing

/// Issue 11: the canonical requests of the public signers, written here from their rules as
/// literal text (not from the server's code), signed, and checked on values; then each with one
/// signed part changed, which must fail.
@Suite struct SignerFormsTests {
    typealias S = AuthTests.Signer
    static let secret = "secret-one"
    static let gateway = Gateway(options: AuthTests.keys)

    /// What a signer produced: the request as sent, with its Authorization header.
    struct Signed {
        var method = "GET"
        var target: String
        var headers: [(String, String)]
        var body = ""

        var request: HTTPRequest {
            HTTPRequest(method: method, target: target, headers: HTTPHeaders(headers), body: Array(body.utf8))
        }
    }

    enum Form {
        case access, scoped, derived
    }

    static var sdkDate: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date())
    }

    /// Signs `canonicalURI`, `canonicalQuery` and `payloadHash` as given, over the headers named.
    static func sign(method: String = "GET", target: String, body: String = "", extraHeaders: [(String, String)] = [],
                     canonicalURI: String, canonicalQuery: String, payloadHash: String? = nil, form: Form = .access) -> Signed {
        let date = sdkDate
        let headers = ([("host", "localhost"), ("x-sdk-date", date)] + extraHeaders.map { ($0.0.lowercased(), $0.1) }).sorted { $0.0 < $1.0 }
        let names = headers.map(\.0).joined(separator: ";")
        let canonical = [method, canonicalURI, canonicalQuery, headers.map { "\($0.0):\($0.1)" }.joined(separator: "\n") + "\n", names,
                         payloadHash ?? S.sha256Hex(Array(body.utf8))].joined(separator: "\n")
        let hashed = S.sha256Hex(Array(canonical.utf8))
        let day = String(date.prefix(8))
        let authorization: String
        switch form {
        case .access:
            let signature = hex(S.hmac(Array(secret.utf8), "SDK-HMAC-SHA256\n\(date)\n\(hashed)"))
            authorization = "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=\(names), Signature=\(signature)"
        case .scoped:
            var key = S.hmac(Array(("SDK" + secret).utf8), day)
            for part in ["eu-de", "evs", "sdk_request"] { key = S.hmac(key, part) }
            let scope = "\(day)/eu-de/evs/sdk_request"
            let signature = hex(S.hmac(key, "SDK-HMAC-SHA256\n\(date)\n\(scope)\n\(hashed)"))
            authorization = "SDK-HMAC-SHA256 Credential=AK1/\(scope), SignedHeaders=\(names), Signature=\(signature)"
        case .derived:
            let info = "\(day)/eu-de/evs"
            // RFC 5869: extract with the access key as salt, expand over the scope.
            let derived = hex(S.hmac(S.hmac(Array("AK1".utf8), secret), info + "\u{01}"))
            let signature = hex(S.hmac(Array(derived.utf8), "V11-HMAC-SHA256\n\(date)\n\(info)\n\(hashed)"))
            authorization = "V11-HMAC-SHA256 Credential=AK1/\(info), SignedHeaders=\(names), Signature=\(signature)"
        }
        let sent = [("Host", "localhost"), ("X-Sdk-Date", date)] + extraHeaders + [("Authorization", authorization)]
        return Signed(method: method, target: target, headers: sent, body: body)
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func verdict(_ signed: Signed) -> String? { gateway.verifySignature(signed.request) }

    /// Each case: what the signer sends and the canonical parts it signs.
    static let cases: [(String, Signed)] = [
        ("Python SDK: path and sorted query",
         sign(target: "/v2/p/cloudvolumes/detail?offset=0&limit=10&name=a%20b", canonicalURI: "/v2/p/cloudvolumes/detail/",
              canonicalQuery: "limit=10&name=a%20b&offset=0")),
        ("huaweicloud-sdk-go-v3: names lower-cased",
         sign(target: "/v2/p/cloudvolumes/detail?Limit=10&offset=0", canonicalURI: "/v2/p/cloudvolumes/detail/", canonicalQuery: "limit=10&offset=0")),
        ("X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD", sign(method: "POST", target: "/v2/p/cloudvolumes", body: "{\"volume\":{}}",
              extraHeaders: [("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD")], canonicalURI: "/v2/p/cloudvolumes/", canonicalQuery: "",
              payloadHash: "UNSIGNED-PAYLOAD")),
        ("X-Sdk-Content-Sha256: a digest", sign(method: "PUT", target: "/v2/p/x", body: "abc",
              extraHeaders: [("X-Sdk-Content-Sha256", "0000000000000000000000000000000000000000000000000000000000000000")],
              canonicalURI: "/v2/p/x/", canonicalQuery: "", payloadHash: String(repeating: "0", count: 64))),
        ("gophertelekomcloud: + as space, first values, names without case",
         sign(target: "/v3/p/volumes/detail?b=2&A=1+1&b=3", canonicalURI: "/v3/p/volumes/detail/", canonicalQuery: "A=1%201&b=2", form: .scoped)),
        ("gophertelekomcloud: %2F inside a segment signed as /",
         sign(target: "/v3/p/volumes/a%2Fb", canonicalURI: "/v3/p/volumes/a/b/", canonicalQuery: "", form: .scoped)),
        ("gophertelekomcloud: a POST without a body signs its query as the payload",
         sign(method: "POST", target: "/v2/p/cloudvolumes/v1/action?x=a+b&c=1", canonicalURI: "/v2/p/cloudvolumes/v1/action/", canonicalQuery: "",
              payloadHash: S.sha256Hex(Array("c=1&x=a+b".utf8)), form: .scoped)),
        ("V11-HMAC-SHA256 (the derived signer)",
         sign(target: "/v1/p/jobs/4010a32d535527910153552b492c0002?limit=1", canonicalURI: "/v1/p/jobs/4010a32d535527910153552b492c0002/",
              canonicalQuery: "limit=1", form: .derived)),
    ]

    @Test(arguments: cases.indices)
    func eachSignerVerifies(_ index: Int) {
        let (name, signed) = Self.cases[index]
        #expect(Self.verdict(signed) == nil, "\(name)")
    }

    /// A change to any signed part fails, whichever form matched.
    @Test(arguments: cases.indices)
    func tamperingWithAnySignedPartFails(_ index: Int) {
        let (name, signed) = Self.cases[index]
        var changes: [Signed] = []
        var method = signed
        method.method = signed.method == "GET" ? "HEAD" : "GET"
        changes.append(method)
        var path = signed
        path.target = signed.target.replacingOccurrences(of: "/p/", with: "/q/")
        changes.append(path)
        var query = signed
        query.target = signed.target.contains("?") ? signed.target + "&extra=1" : signed.target + "?extra=1"
        changes.append(query)
        var header = signed
        header.headers = signed.headers.map { $0.0 == "Host" ? ($0.0, "elsewhere") : $0 }
        changes.append(header)
        if !signed.headers.contains(where: { $0.0 == "X-Sdk-Content-Sha256" }) {
            var body = signed
            body.body += " "
            changes.append(body)
        }
        for change in changes {
            #expect(Self.verdict(change) == "verify aksk signature fail", "\(name): \(change.method) \(change.target) \(change.headers)")
        }
    }

    @Test func otherAlgorithmsStayRefusedWithTheirReason() {
        var signed = Self.cases[0].1
        signed.headers = signed.headers.map { $0.0 == "Authorization" ? ($0.0, "SDK-HMAC-SM3 Access=AK1, SignedHeaders=host, Signature=00") : $0 }
        #expect(Self.verdict(signed) == "unsupported signing algorithm (only SDK-HMAC-SHA256 and V11-HMAC-SHA256)")
    }

    /// Real signers stamp X-Sdk-Date with the real time, whatever the mock's clock reads.
    @Test func freshnessIsJudgedOnTheWallClockNotTheMockClock() async throws {
        try await withServer(clock: .manual, gateway: AuthTests.keys) { server, port in
            server.clock.advance(by: 3_600_000)
            server.clock.set(scale: 1000)
            let head = S().head(AuthTests.job, at: SystemClock().now())
            let status = try await blocking { try RawClient(port: port).exchange(head).status }
            #expect(status == 200)
        }
    }
}
