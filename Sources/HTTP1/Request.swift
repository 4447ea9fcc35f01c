/// An HTTP version as it appeared on the request line.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// One decoded request. Its fields live in one shared box, copied only when a copy is changed:
/// a request passes through several hands per answer, and a copy is then one reference count,
/// not one per field.
public struct HTTPRequest: Sendable {
    private final class Fields: @unchecked Sendable {  // never changed once shared (see `fields`)
        var method: String
        var target: String
        var path: String
        var query: String?
        var version: HTTPVersion
        var headers: HTTPHeaders
        var body: [UInt8]

        init(method: String, target: String, path: String, query: String?, version: HTTPVersion, headers: HTTPHeaders, body: [UInt8]) {
            self.method = method
            self.target = target
            self.path = path
            self.query = query
            self.version = version
            self.headers = headers
            self.body = body
        }

        func copy() -> Fields {
            Fields(method: method, target: target, path: path, query: query, version: version, headers: headers, body: body)
        }
    }

    private var box: Fields

    /// The box, made this value's own before a change.
    private var fields: Fields {
        mutating get {
            if !isKnownUniquelyReferenced(&box) { box = box.copy() }
            return box
        }
    }

    public var method: String {
        get { box.method }
        set { fields.method = newValue }
    }
    /// The request target as sent (origin-form or absolute-form).
    public var target: String {
        get { box.target }
        set { fields.target = newValue }
    }
    /// The path part of the target, still percent-encoded.
    public var path: String {
        get { box.path }
        set { fields.path = newValue }
    }
    /// What follows `?` in the target, if anything.
    public var query: String? {
        get { box.query }
        set { fields.query = newValue }
    }
    public var version: HTTPVersion {
        get { box.version }
        set { fields.version = newValue }
    }
    public var headers: HTTPHeaders {
        get { box.headers }
        set { fields.headers = newValue }
    }
    public var body: [UInt8] {
        get { box.body }
        _modify { yield &fields.body }
        set { fields.body = newValue }
    }

    public init(
        method: String, target: String, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) {
        let (path, query) = HTTPRequest.split(target: target)
        box = Fields(method: method, target: target, path: path, query: query, version: version, headers: headers, body: body)
    }

    /// Whether the connection stays open after the response (RFC 9112 §9.3).
    public var keepAlive: Bool {
        let tokens = headers.tokens("Connection")
        if tokens.contains("close") { return false }
        if version == .http1_0 { return tokens.contains("keep-alive") }
        return true
    }

    /// Splits a target into path and query; absolute-form loses its scheme and authority.
    static func split(target: String) -> (path: String, query: String?) {
        // The origin form, nearly every request: one scan of the bytes for `?`.
        if target.utf8.first == UInt8(ascii: "/") {
            var bytes = target
            guard let mark = bytes.withUTF8({ $0.firstIndex(of: UInt8(ascii: "?")) }) else { return (target, nil) }
            let utf8 = target.utf8
            let index = utf8.index(utf8.startIndex, offsetBy: mark)
            return (String(target[..<index]), String(target[utf8.index(after: index)...]))
        }
        var rest = Substring(target)
        if !target.hasPrefix("/") {
            let lower = target.lowercasedASCII()
            for scheme in ["http://", "https://"] where lower.hasPrefix(scheme) {
                rest = rest.dropFirst(scheme.count)
                if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                    rest = rest[slash...]
                } else {
                    rest = ""
                }
                if !rest.hasPrefix("/") { rest = "/" + rest }
                break
            }
        }
        guard let mark = rest.utf8.firstIndex(of: UInt8(ascii: "?")) else {
            return (target.hasPrefix("/") ? target : String(rest), nil)
        }
        return (String(rest[..<mark]), String(rest[rest.index(after: mark)...]))
    }
}

/// Splits a percent-encoded path into decoded segments; nil if an escape is malformed.
/// `/v1/p/jobs/` gives `["v1", "p", "jobs", ""]`.
public func decodePathSegments(_ path: String) -> [String]? {
    var path = path
    return path.withUTF8 { bytes -> [String]? in
        guard bytes.first == UInt8(ascii: "/") else { return nil }
        var segments: [String] = []
        segments.reserveCapacity(8)
        var start = 1
        for index in 1...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
            guard let decoded = percentDecode(UnsafeBufferPointer(rebasing: bytes[start..<index])) else { return nil }
            segments.append(decoded)
            start = index + 1
        }
        return segments
    }
}

/// `text` with its percent-escapes decoded; nil if one is malformed or the result is not UTF-8.
public func percentDecoded(_ text: Substring) -> String? {
    percentDecode(text.utf8)
}

func percentDecode<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
    guard bytes.contains(UInt8(ascii: "%")) else { return String(decoding: bytes, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var iterator = bytes.makeIterator()
    while let byte = iterator.next() {
        if byte == UInt8(ascii: "%") {
            guard let hi = iterator.next().flatMap(hexValue), let lo = iterator.next().flatMap(hexValue) else {
                return nil
            }
            out.append(hi << 4 | lo)
        } else {
            out.append(byte)
        }
    }
    return String(validating: out, as: UTF8.self)
}

@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}
