import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A blocking test client on a raw TCP socket, so tests control every byte sent and can
/// misbehave (half-close, reset, slow writes). Reads give up after `timeout` seconds.
final class RawClient {
    private(set) var fd: Int32
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(port: UInt16, timeout: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            fd = -1  // deinit runs even for an init that throws once every property is set
            throw Failure(description: "connect: errno \(error)")
        }
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    /// Reads one response; `head` for the answer to a HEAD request (no body follows).
    func response(head: Bool = false) throws -> RawResponse {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let headText = String(decoding: buffer[..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line: \(statusLine)") }
                let headers = lines.map { line -> (String, String) in
                    let colon = line.firstIndex(of: ":")!
                    return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                let length = head ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
                while buffer.count < end + 4 + length {
                    guard try fill() else { throw Failure(description: "connection closed inside a body") }
                }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return RawResponse(statusLine: statusLine, status: status, headers: headers, body: body)
            }
            guard try fill() else { throw Failure(description: "connection closed before a response (got \(buffer.count) bytes)") }
        }
    }

    /// True when the server closes the connection (read gives end of file or a reset) before
    /// the timeout and without sending anything more.
    func closedByPeer() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, 0)
        return count == 0 || (count < 0 && errno == ECONNRESET)
    }

    /// Every byte (buffered ones first) until the server closes the connection: end of file or a reset.
    func readToEnd() throws -> [UInt8] {
        var bytes = buffer
        buffer.removeAll()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                bytes.append(contentsOf: chunk[..<count])
            } else if count == 0 || errno == ECONNRESET {
                return bytes
            } else {
                throw Failure(description: "recv: errno \(errno)")
            }
        }
    }

    /// Half-close: no more requests, still reading.
    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes with a TCP reset.
    func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        Glibc.close(fd)
        fd = -1
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[..<count])
            return true
        }
        if count == 0 || errno == ECONNRESET { return false }
        throw Failure(description: "recv: errno \(errno) (timeout?)")
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for index in 0...(buffer.count - pattern.count) where buffer[index..<index + pattern.count].elementsEqual(pattern) {
            return index
        }
        return nil
    }
}

struct RawResponse {
    let statusLine: String
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed with Foundation, for comparing JSON by value.
    func json() throws -> NSObject {
        try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) as! NSObject
    }
}

/// Reading answers, shared by the live suites. Call these in the test's own task (on a response
/// a `blocking` worker handed back), so a failed requirement is counted against the test.
extension RawResponse {
    /// The body as a JSON object, nil if it is not one (for use off the test's task).
    var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The body as a JSON object, or a failed requirement.
    func object() throws -> [String: Any] {
        try #require(jsonObject, "not a JSON object: \(status) \(text)")
    }

    /// The `error` object of a mock or EVS error answer: `{"error": {"code", "message"}}`.
    func errorObject() throws -> [String: Any] {
        try #require(try object()["error"] as? [String: Any], "no error object: \(status) \(text)")
    }

    /// `error.code` of a mock or EVS error answer, nil without one.
    var errorCode: String? {
        get throws { (try object()["error"] as? [String: Any])?["code"] as? String }
    }

    /// `error.message` of a mock or EVS error answer, nil without one.
    var errorMessage: String? {
        get throws { (try object()["error"] as? [String: Any])?["message"] as? String }
    }

    /// `error_code` and `error_msg` of an API gateway answer (`{"error_code", "error_msg"}`).
    func gatewayError() throws -> (code: String?, message: String?) {
        let body = try object()
        return (body["error_code"] as? String, body["error_msg"] as? String)
    }
}
