import ArgumentParser
import EVSJobsMock

#if canImport(Glibc)
import Glibc
#endif

/// `evs-jobs-mock health`: exits 0 when a mock answers, for container health checks without curl.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Exit 0 when a mock answers at --url; else say why on standard error and exit 1.",
        discussion: """
            A mock answers when GET /__admin/health gives 200, or else the job endpoint gives any \
            4xx (admin API off, admin token wrong, credentials demanded). Otherwise one line on \
            standard error says why (connection refused, no answer in time, the status it got).
            """
    )

    @Option(help: "The mock's plain HTTP address. [default: http://127.0.0.1:$EVS_MOCK_PORT, or port 8080]")
    var url: String?

    @Option(help: "Sent as 'Authorization: Bearer <token>' to the admin API. [env: EVS_MOCK_ADMIN_TOKEN]")
    var adminToken: String?

    @Option(help: "Seconds to wait for each answer.")
    var timeout = 2

    /// What one GET got: a status code, or why there was none.
    enum Answer: Equatable {
        case status(Int)
        case failed(String)
    }

    func validate() throws {
        if let url, !url.hasPrefix("http://") { throw ValidationError("--url must start with http://") }
    }

    func run() throws {
        // Defaults come from the variables the server itself reads, so that a container's
        // HEALTHCHECK needs no arguments whatever port or admin token it was given.
        let settings = try? Settings(flags: Settings.Flags(), environment: processEnvironment())
        let url = url ?? "http://127.0.0.1:\(settings?.port ?? 8080)"
        let token = adminToken ?? settings?.adminToken
        let authority = url.dropFirst("http://".count).prefix { $0 != "/" }
        let (host, port): (String, String)
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]  // "" or ":PORT"
            port = rest.hasPrefix(":") && rest.count > 1 ? String(rest.dropFirst()) : "80"
        } else {
            let parts = authority.split(separator: ":")
            host = parts.first.map(String.init) ?? "127.0.0.1"
            port = parts.count > 1 ? String(parts[1]) : "80"
        }
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let admin = get(host: host, port: port, path: "/__admin/health", headers: authorization)
        if admin == .status(200) { return }
        // With --no-admin the admin path is an unknown one; the job endpoint still answers: 400
        // for the missing job id, or 401/429 when the gateway wants credentials or throttles.
        let api = get(host: host, port: port, path: "/v1/health/jobs/", headers: "")
        if case .status(let code) = api, (400..<500).contains(code) { return }
        printError("health: \(url): \(Self.why(admin: admin, api: api))")
        throw ExitCode(1)
    }

    /// One line on why neither check passed.
    static func why(admin: Answer, api: Answer) -> String {
        func text(_ answer: Answer) -> String {
            switch answer {
            case .status(let code): "answered \(code)"
            case .failed(let reason): reason
            }
        }
        if admin == api { return text(admin) }
        return "GET /__admin/health \(text(admin)); GET /v1/health/jobs/ \(text(api))"
    }

    /// The status code of one GET, or why there is none.
    private func get(host: String, port: String, path: String, headers: String) -> Answer {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, port, &hints, &result)
        guard resolved == 0, let address = result else { return .failed("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))") }
        defer { freeaddrinfo(result) }
        let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return failure() }
        defer { close(fd) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else { return failure() }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(headers)Connection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return failure() }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { return failure() }
        // "HTTP/1.1 200 OK"
        guard count >= 12, let code = Int(String(decoding: buffer[9..<12], as: UTF8.self)) else {
            return .failed(count == 0 ? "connection closed without an answer" : "not an HTTP answer")
        }
        return .status(code)
    }

    /// `errno` in words; a socket timeout (EAGAIN, or EINPROGRESS from connect) says so.
    private func failure() -> Answer {
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK || code == EINPROGRESS || code == ETIMEDOUT {
            return .failed("no answer within \(timeout) s")
        }
        return .failed(String(cString: strerror(code)).lowercased())
    }
}
