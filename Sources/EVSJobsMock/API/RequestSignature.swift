import HTTP1

/// An AK/SK signature as the API gateway checks it. Three forms are in use:
/// - `SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=...` (the Huawei Cloud SDKs,
///   the Terraform provider's client): the secret signs the string to sign;
/// - `SDK-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE/sdk_request, ...` (gophertelekomcloud):
///   a key derived from the secret by HMACs over the scope;
/// - `V11-HMAC-SHA256 Credential=AK/DATE/REGION/SERVICE, ...` (the SDKs' opt-in derived
///   signer): a key derived by HKDF from the secret, the access key and the scope.
/// The public signers build the canonical request in slightly different ways; a signature is
/// accepted when it matches the canonical request of any of them (see `canonicalRequests`), so
/// that any change to a signed part still fails.
struct RequestSignature {
    enum Form {
        case access
        case scoped(date: String, region: String, service: String)
        case derived(info: String)
    }

    let accessKey: String
    let form: Form
    let signedHeaders: [String]
    let signature: String

    static let derivedAlgorithm = "V11-HMAC-SHA256"

    /// Parses the Authorization header; a reason in words when it cannot be.
    static func parse(_ authorization: String) -> Result<RequestSignature, Refusal> {
        let algorithm = authorization.prefix { $0 != " " }
        guard algorithm == "SDK-HMAC-SHA256" || algorithm == derivedAlgorithm else {
            return .failure(Refusal("unsupported signing algorithm (only SDK-HMAC-SHA256 and V11-HMAC-SHA256)"))
        }
        var fields: [String: String] = [:]
        for part in authorization.dropFirst(algorithm.count).split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0.trimmingOWS()) }
            if pair.count == 2 { fields[pair[0]] = pair[1] }
        }
        guard let signedList = fields["SignedHeaders"], let signature = fields["Signature"] else {
            return .failure(Refusal("malformed Authorization header (needs SignedHeaders and Signature)"))
        }
        let signedHeaders = signedList.split(separator: ";").map { String($0).lowercasedASCII() }
        if algorithm == derivedAlgorithm {
            let parts = fields["Credential"]?.split(separator: "/", omittingEmptySubsequences: false).map(String.init) ?? []
            guard parts.count == 4, parts[1].utf8.count == 8 else { return .failure(Refusal("malformed Credential (AK/DATE/REGION/SERVICE)")) }
            return .success(RequestSignature(accessKey: parts[0], form: .derived(info: parts[1...].joined(separator: "/")),
                                             signedHeaders: signedHeaders, signature: signature))
        }
        if let credential = fields["Credential"] {
            let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5, parts[4] == "sdk_request", parts[1].utf8.count == 8 else {
                return .failure(Refusal("malformed Credential (AK/DATE/REGION/SERVICE/sdk_request)"))
            }
            return .success(RequestSignature(accessKey: parts[0], form: .scoped(date: parts[1], region: parts[2], service: parts[3]),
                                             signedHeaders: signedHeaders, signature: signature))
        }
        guard let access = fields["Access"] else { return .failure(Refusal("malformed Authorization header (needs Access or Credential)")) }
        return .success(RequestSignature(accessKey: access, form: .access, signedHeaders: signedHeaders, signature: signature))
    }

    /// A check that failed, in the words the gateway's 401 carries.
    struct Refusal: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The day the scope names (`YYYYMMDD`), nil for the Access form.
    var scopeDate: String? {
        switch form {
        case .access: return nil
        case .scoped(let date, _, _): return date
        case .derived(let info): return String(info.prefix(8))
        }
    }

    /// nil when the signature verifies with `secret`.
    func verify(_ request: HTTPRequest, secret: String, sdkDate: String) -> Refusal? {
        var headerLines = ""
        for name in signedHeaders {
            guard let value = request.headers[name] else { return Refusal("signed header \(name) not found") }
            // gophertelekomcloud folds runs of white space; the SDKs trim.
            if case .scoped = form { headerLines += name + ":" + value.trimmingOWS().foldingSpaces + "\n" }
            else { headerLines += name + ":" + value.trimmingOWS() + "\n" }
        }
        let key: [UInt8]
        let prefix: String
        switch form {
        case .access:
            key = Array(secret.utf8)
            prefix = "SDK-HMAC-SHA256\n\(sdkDate)\n"
        case .scoped(let date, let region, let service):
            var derived = Digest.hmacSHA256(key: Array(("SDK" + secret).utf8), Array(date.utf8))
            for part in [region, service, "sdk_request"] { derived = Digest.hmacSHA256(key: derived, Array(part.utf8)) }
            key = derived
            prefix = "SDK-HMAC-SHA256\n\(sdkDate)\n\(date)/\(region)/\(service)/sdk_request\n"
        case .derived(let info):
            // RFC 5869 HKDF-SHA256: the secret keyed by the access key as salt, expanded over the
            // scope to 32 bytes, whose hex text is the signing key.
            let pseudoRandom = Digest.hmacSHA256(key: Array(accessKey.utf8), Array(secret.utf8))
            key = Array(Digest.hex(Digest.hmacSHA256(key: pseudoRandom, Array(info.utf8) + [1])).utf8)
            prefix = "\(Self.derivedAlgorithm)\n\(sdkDate)\n\(info)\n"
        }
        let tail = headerLines + "\n" + signedHeaders.joined(separator: ";") + "\n"
        for canonical in Self.canonicalRequests(request, tail: tail) {
            let stringToSign = prefix + Digest.hex(Digest.sha256(Array(canonical.utf8)))
            if Digest.sameSecret(Digest.hex(Digest.hmacSHA256(key: key, Array(stringToSign.utf8))), signature) { return nil }
        }
        return Refusal("verify aksk signature fail")
    }

    // MARK: - Canonical requests

    /// Every canonical request one of the public signers (the Python and Go SDKs, the Terraform
    /// provider's client, gophertelekomcloud) could have signed for this request: method, URI,
    /// query, then `tail` (the signed header lines and names) and the payload hash.
    /// - URI: each `/`-separated segment decoded, then encoded; or the whole path decoded first,
    ///   so that a `%2F` inside a segment is signed as `/` (the Go clients' `URL.Path`).
    /// - Query: pairs sorted by name then value; or with names lower-cased (huaweicloud-sdk-go-v3);
    ///   or with `+` read as a space (Go's `URL.Query()`), and then also only the first value of
    ///   each name, names sorted case-insensitively (gophertelekomcloud).
    /// - Payload: the body's SHA-256, or the value of `X-Sdk-Content-Sha256` (a digest or
    ///   `UNSIGNED-PAYLOAD`); a POST without a body may instead sign an empty query line and the
    ///   hash of the query, encoded as Go encodes it (gophertelekomcloud).
    static func canonicalRequests(_ request: HTTPRequest, tail: String) -> [String] {
        let uris = unique([segmentwiseURI(request.path), wholePathURI(request.path)])
        let raw = (request.query ?? "").split(separator: "&").map { item -> (Substring, Substring) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
        let plain = raw.map { (decode($0.0), decode($0.1)) }
        let plus = raw.map { (decode($0.0, plusIsSpace: true), decode($0.1, plusIsSpace: true)) }
        let queries = unique([
            sortedQuery(plain), sortedQuery(plain.map { ($0.0.lowercased(), $0.1) }), sortedQuery(plus), firstValuesQuery(plus),
        ])
        var payloads = [Digest.hex(Digest.sha256(request.body))]
        if let declared = request.headers["X-Sdk-Content-Sha256"] { payloads.append(String(declared.trimmingOWS())) }
        var pairs = queries.flatMap { query in payloads.map { (query, $0) } }
        if request.method == "POST", request.body.isEmpty {
            pairs += [("", Digest.hex(Digest.sha256(Array(goEncoded(plus).utf8))))] + payloads.dropFirst().map { ("", $0) }
        }
        return uris.flatMap { uri in pairs.map { [request.method, uri, $0.0, tail + $0.1].joined(separator: "\n") } }
    }

    /// Each segment percent-decoded (kept as sent when it cannot be), then encoded.
    static func segmentwiseURI(_ path: String) -> String {
        slashTerminated(path.split(separator: "/", omittingEmptySubsequences: false).map { encode(decode($0)) }.joined(separator: "/"))
    }

    /// The path decoded as a whole, then each segment encoded.
    static func wholePathURI(_ path: String) -> String {
        slashTerminated(decode(Substring(path)).split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }
            .joined(separator: "/"))
    }

    private static func slashTerminated(_ path: String) -> String {
        path.hasSuffix("/") ? path : path + "/"
    }

    static func sortedQuery(_ pairs: [(String, String)]) -> String {
        pairs.sorted { precedes($0.0, $1.0) || ($0.0 == $1.0 && precedes($0.1, $1.1)) }
            .map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// gophertelekomcloud: the first value of each name, by encoded name without regard to case.
    static func firstValuesQuery(_ pairs: [(String, String)]) -> String {
        var seen = Set<String>()
        let firsts = pairs.filter { seen.insert($0.0).inserted }.map { (encode($0.0), encode($0.1)) }
        return firsts.sorted { precedes($0.0.lowercased(), $1.0.lowercased()) }.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    /// Go's `url.Values.Encode`: names sorted, each value in order, spaces as `+`.
    static func goEncoded(_ pairs: [(String, String)]) -> String {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in pairs {
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(value)
        }
        return order.sorted(by: precedes).flatMap { name in
            (values[name] ?? []).map { encode(name, spaceAsPlus: true) + "=" + encode($0, spaceAsPlus: true) }
        }
            .joined(separator: "&")
    }

    /// Byte order of the UTF-8 text, as Go and Python sort.
    private static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private static func decode(_ text: Substring, plusIsSpace: Bool = false) -> String {
        let text = plusIsSpace ? Substring(String(text.map { $0 == "+" ? " " : $0 })) : text
        return percentDecoded(text) ?? String(text)
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// Keeps `A-Z a-z 0-9 - . _ ~`, percent-encodes every other byte (upper-case hex); a space
    /// as `+` when asked, as Go's query encoding writes it.
    static func encode(_ text: String, spaceAsPlus: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " ") where spaceAsPlus:
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension StringProtocol {
    /// Runs of spaces and tabs as one space.
    fileprivate var foldingSpaces: String {
        var out = ""
        var previousSpace = false
        for c in self {
            let space = c == " " || c == "\t"
            if space, previousSpace { continue }
            out.append(space ? " " : c)
            previousSpace = space
        }
        return out
    }
}
