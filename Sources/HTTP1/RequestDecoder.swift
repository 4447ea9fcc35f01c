/// Turns bytes into requests, incrementally: feed whatever arrived, then take requests out with
/// `next()` until it returns nil. Pipelined requests come out in order. After an error the
/// decoder stays failed: answer with the error's status and close (RFC 9112 §9.6).
public struct RequestDecoder: Sendable {
    public let limits: DecoderLimits

    // Internal, not private, only for the body framing in RequestDecoder+Body.swift.
    var buffer: [UInt8] = []
    /// First byte not yet consumed.
    var start = 0
    /// Where the scan of the current line resumes (absolute index into `buffer`).
    var scanned = 0
    var state = State.head
    private var failure: HTTPDecodeError?
    /// The request whose head is decoded and whose body is being collected.
    var partial: HTTPRequest?
    /// The request being collected sent `Expect: 100-continue` and its body has not come yet:
    /// the server should send `100 Continue` (RFC 9110 §10.1.1), then call `continueSent()`.
    public internal(set) var awaitsContinue = false

    enum State: Sendable, Equatable {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(bytes: Int)
    }

    /// Longest chunk-size line, extensions included.
    static let maxChunkLine = 1024

    public init(limits: DecoderLimits = DecoderLimits()) {
        self.limits = limits
    }

    /// True while part of a request has arrived but not all of it.
    public var hasPartialRequest: Bool {
        partial != nil || start < buffer.count
    }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        makeRoom()
        buffer.append(contentsOf: bytes)
    }

    /// What a socket read hands over: copied in one piece (a generic call from another module
    /// would take the unspecialized, byte-by-byte path).
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        makeRoom()
        buffer.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }

    /// Drops what is consumed: all of it when nothing is left, else once it is large.
    private mutating func makeRoom() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
            start = 0
            scanned = 0
        } else if start > 64 * 1024 {
            buffer.removeFirst(start)
            scanned = max(0, scanned - start)
            start = 0
        }
    }

    /// The next complete request, nil if more bytes are needed.
    public mutating func next() throws(HTTPDecodeError) -> HTTPRequest? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func step() throws(HTTPDecodeError) -> HTTPRequest? {
        while true {
            switch state {
            case .head:
                guard let headEnd = try findHeadEnd() else { return nil }
                let request = try parseHead(buffer[start..<headEnd])
                start = headEnd + 4
                scanned = start
                try beginBody(request)
            case .fixedBody(let remaining):
                let missing = takeBody(remaining)
                if missing > 0 {
                    state = .fixedBody(remaining: missing)
                    return nil
                }
                return finish()
            case .chunkSize:
                guard let lineEnd = try findLineEnd(limit: Self.maxChunkLine, tooLong: .bad("chunk size line too long")) else {
                    return nil
                }
                let size = try parseChunkSize(buffer[start..<lineEnd])
                start = lineEnd + 2
                scanned = start
                if size == 0 {
                    state = .trailers(bytes: 0)
                } else {
                    guard (partial?.body.count ?? 0) + size <= limits.maxBodyBytes else {
                        throw HTTPDecodeError(.contentTooLarge, "body larger than \(limits.maxBodyBytes) bytes")
                    }
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let missing = takeBody(remaining)
                if missing > 0 {
                    state = .chunkData(remaining: missing)
                    return nil
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard buffer.count - start >= 2 else { return nil }
                guard buffer[start] == 13, buffer[start + 1] == 10 else { throw .bad("chunk data not followed by CRLF") }
                start += 2
                scanned = start
                state = .chunkSize
            case .trailers(let bytes):
                guard let lineEnd = try findLineEnd(limit: limits.maxHeadBytes - bytes, tooLong: HTTPDecodeError(.headerFieldsTooLarge, "trailer section too large")) else {
                    return nil
                }
                let isEmpty = lineEnd == start
                let used = bytes + lineEnd + 2 - start
                if !isEmpty, case .none = fieldLine(buffer[start..<lineEnd]) {
                    throw .bad("malformed trailer field")
                }
                start = lineEnd + 2
                scanned = start
                if isEmpty { return finish() }
                state = .trailers(bytes: used)
            }
        }
    }

    public mutating func continueSent() {
        awaitsContinue = false
    }

    private mutating func finish() -> HTTPRequest? {
        state = .head
        awaitsContinue = false
        defer { partial = nil }
        return partial
    }

    // MARK: - Head

    /// Index of the CRLFCRLF that ends the head, scanning only bytes not seen before.
    private mutating func findHeadEnd() throws(HTTPDecodeError) -> Int? {
        // RFC 9112 §2.2: ignore empty lines received before the request line.
        while buffer.count - start >= 2, buffer[start] == 13, buffer[start + 1] == 10 {
            start += 2
        }
        if buffer.count - start == 1, buffer[start] == 13 { return nil }  // maybe the CR of one more
        if start < buffer.count, !isTokenByte(buffer[start]), buffer[start] != 13 {
            throw .bad("request does not start with a method")
        }
        // One pass over the new bytes, in place (no bounds check or copy per byte); a byte above
        // CR costs one comparison.
        let (start, from) = (self.start, max(scanned, self.start))
        let found = buffer.withUnsafeBufferPointer { bytes -> Result<Int?, HTTPDecodeError> in
            var index = from
            while index < bytes.count {
                let byte = bytes[index]
                if byte > 13 {
                    index += 1
                    continue
                }
                if byte == 10 {
                    // RFC 9112 §2.2: a bare LF is not a line end here; refuse it rather than guess.
                    guard index > start, bytes[index - 1] == 13 else { return .failure(.bad("bare LF in request head")) }
                    if index - start >= 3, bytes[index - 2] == 10, bytes[index - 3] == 13 { return .success(index - 3) }
                } else if byte == 0 {
                    return .failure(.bad("NUL byte in request head"))
                } else if byte == 13, index + 1 < bytes.count, bytes[index + 1] != 10 {
                    // What follows a CR is judged here (a CR last in the buffer, on the next pass).
                    return .failure(bytes[index + 1] == 0 ? .bad("NUL byte in request head") : .bad("bare CR in request head"))
                }
                index += 1
            }
            return .success(nil)
        }
        switch found {
        case .failure(let error): throw error
        case .success(let end?):
            guard end - start + 4 <= limits.maxHeadBytes else { throw tooLargeHead }
            return end
        case .success(nil): break
        }
        // A CR last is scanned again with the byte that follows it.
        scanned = buffer.last == 13 ? buffer.count - 1 : buffer.count
        guard buffer.count - start <= limits.maxHeadBytes else { throw tooLargeHead }
        return nil
    }

    private var tooLargeHead: HTTPDecodeError {
        HTTPDecodeError(.headerFieldsTooLarge, "request line and headers larger than \(limits.maxHeadBytes) bytes")
    }

    /// Lines end in CRLF (`findHeadEnd` refused any other CR or LF), the last at the end of `head`.
    /// Scanned in place, through a pointer: one pass per line, no copy but the Strings made.
    private func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPDecodeError) -> HTTPRequest {
        let parsed = head.withUnsafeBufferPointer { bytes -> Result<HTTPRequest, HTTPDecodeError> in
            do throws(HTTPDecodeError) { return .success(try parseHead(bytes)) } catch { return .failure(error) }
        }
        return try parsed.get()
    }

    private func parseHead(_ head: UnsafeBufferPointer<UInt8>) throws(HTTPDecodeError) -> HTTPRequest {
        var lineEnd = head.firstIndex(of: 13) ?? head.count
        let (method, target, version) = try parseRequestLine(UnsafeBufferPointer(rebasing: head[0..<lineEnd]))
        var headers = HTTPHeaders(capacity: 8)
        while lineEnd < head.count {
            let lineStart = lineEnd + 2  // past the CRLF
            lineEnd = lineStart
            while lineEnd < head.count, head[lineEnd] != 13 { lineEnd += 1 }
            let line = UnsafeBufferPointer(rebasing: head[lineStart..<lineEnd])
            guard let first = line.first else { throw .bad("empty header line") }
            if first == 32 || first == 9 { throw .bad("obsolete line folding in header") }
            guard let field = fieldLine(line) else { throw .bad("malformed header field") }
            headers.add(field.name, field.value)
        }
        return HTTPRequest(method: method, target: target, version: version, headers: headers)
    }

    /// `method SP target SP version`, exactly two spaces.
    private func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPDecodeError) -> (String, String, HTTPVersion) {
        // The method's tokens up to the first space, the target's visible bytes up to the second.
        var firstSpace = 0
        while firstSpace < line.count, isTokenByte(line[firstSpace]) { firstSpace += 1 }
        var secondSpace = firstSpace + 1
        while secondSpace < line.count, line[secondSpace] > 32, line[secondSpace] < 127 { secondSpace += 1 }
        guard firstSpace < line.count, line[firstSpace] == 32, secondSpace < line.count, line[secondSpace] == 32,
              !line[(secondSpace + 1)...].contains(32) else {
            // Which part is wrong, as the checks one by one would say.
            guard let first = line.firstIndex(of: 32), let second = line[(first + 1)...].firstIndex(of: 32),
                  !line[(second + 1)...].contains(32) else { throw .bad("malformed request line") }
            guard first > 0, line[0..<first].allSatisfy(isTokenByte) else { throw .bad("malformed method") }
            throw .bad("malformed request target")
        }
        guard firstSpace > 0 else { throw .bad("malformed method") }
        guard secondSpace > firstSpace + 1 else { throw .bad("malformed request target") }
        let parsedVersion = try parseVersion(line[(secondSpace + 1)...])
        let target = UnsafeBufferPointer(rebasing: line[(firstSpace + 1)..<secondSpace])
        let targetString = String(decoding: target, as: UTF8.self)
        let methodString = String(decoding: UnsafeBufferPointer(rebasing: line[0..<firstSpace]), as: UTF8.self)
        guard target.first == UInt8(ascii: "/") || isAcceptedTargetForm(targetString, method: methodString) else {
            throw .bad("unsupported request target form")
        }
        return (methodString, targetString, parsedVersion)
    }

    private func isAcceptedTargetForm(_ target: String, method: String) -> Bool {
        if target.hasPrefix("/") { return true }
        if target == "*" { return method == "OPTIONS" }
        let lower = target.lowercasedASCII()
        return lower.hasPrefix("http://") || lower.hasPrefix("https://")
    }

    private func parseVersion(_ v: Slice<UnsafeBufferPointer<UInt8>>) throws(HTTPDecodeError) -> HTTPVersion {
        // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT
        let at = v.startIndex
        guard v.count == 8, v[at] == UInt8(ascii: "H"), v[at + 1] == UInt8(ascii: "T"), v[at + 2] == UInt8(ascii: "T"),
              v[at + 3] == UInt8(ascii: "P"), v[at + 4] == UInt8(ascii: "/"), v[at + 6] == UInt8(ascii: "."),
              let major = digitValue(v[at + 5]), let minor = digitValue(v[at + 7])
        else { throw .bad("malformed HTTP version") }
        guard major == 1 else { throw HTTPDecodeError(.versionNotSupported, "HTTP/\(major).\(minor) is not supported") }
        // RFC 9110 §6.2: a later 1.x minor version is answered as the highest one we speak.
        return minor == 0 ? .http1_0 : .http1_1
    }
}

/// `name: value` with the value's OWS trimmed; nil if the line is not a valid field (RFC 9112 §5).
func fieldLine(_ line: ArraySlice<UInt8>) -> (name: String, value: String)? {
    line.withUnsafeBufferPointer { fieldLine($0) }
}

func fieldLine(_ line: UnsafeBufferPointer<UInt8>) -> (name: String, value: String)? {
    // RFC 9112 §5.1: a token, then the colon with no white space before it.
    var colon = 0
    while colon < line.count, isTokenByte(line[colon]) { colon += 1 }
    guard colon > 0, colon < line.count, line[colon] == UInt8(ascii: ":") else { return nil }
    var start = colon + 1, end = line.count
    while start < end, line[start] == 32 || line[start] == 9 { start += 1 }
    while end > start, line[end - 1] == 32 || line[end - 1] == 9 { end -= 1 }
    // RFC 9110 §5.5: field values are VCHAR, SP, HTAB and obs-text; other controls are refused.
    for index in start..<end where line[index] != 9 && (line[index] < 32 || line[index] == 127) { return nil }
    return (String(decoding: UnsafeBufferPointer(rebasing: line[0..<colon]), as: UTF8.self),
            String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self))
}

/// RFC 9110 §5.6.2 tchar.
@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
         UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
         UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}

@inline(__always)
func digitValue(_ byte: UInt8) -> Int? {
    byte >= 48 && byte <= 57 ? Int(byte - 48) : nil
}
