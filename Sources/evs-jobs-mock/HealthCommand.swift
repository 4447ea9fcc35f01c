import ArgumentParser
import EVSJobsMock

#if canImport(Glibc)
import Glibc
#endif

/// `evs-jobs-mock health`: exits 0 when a mock answers, for container health checks without curl.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evs-jobs-mock health",
        abstract: "Exit 0 when the mock at --url answers: GET /__admin/health gives 200, or else the job endpoint gives any 4xx (admin API off, admin token wrong, credentials demanded)."
    )

    @Option(help: "The mock's plain HTTP address. [default: http://127.0.0.1:$EVS_MOCK_PORT, or port 8080]")
    var url: String?

    @Option(help: "Sent as 'Authorization: Bearer <token>' to the admin API. [env: EVS_MOCK_ADMIN_TOKEN]")
    var adminToken: String?

    @Option(help: "Seconds to wait for each answer.")
    var timeout = 2

    func run() throws {
        // Defaults come from the variables the server itself reads, so that a container's
        // HEALTHCHECK needs no arguments whatever port or admin token it was given.
        let settings = try? Settings(flags: Settings.Flags(), environment: processEnvironment())
        let url = url ?? "http://127.0.0.1:\(settings?.port ?? 8080)"
        let token = adminToken ?? settings?.adminToken
        guard url.hasPrefix("http://") else { throw ValidationError("--url must start with http://") }
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
        if status(host: host, port: port, path: "/__admin/health", headers: authorization) == 200 { return }
        // With --no-admin the admin path is an unknown one; the job endpoint still answers: 400
        // for the missing job id, or 401/429 when the gateway wants credentials or throttles.
        if let code = status(host: host, port: port, path: "/v1/health/jobs/", headers: ""), (400..<500).contains(code) { return }
        throw ExitCode(1)
    }

    /// The status code of one GET, or nil when nothing answered in time.
    private func status(host: String, port: String, path: String, headers: String) -> Int? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, port, &hints, &result) == 0, let address = result else { return nil }
        defer { freeaddrinfo(result) }
        let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\(headers)Connection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 12 else { return nil }
        // "HTTP/1.1 200 OK"
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }
}
