// Body framing (RFC 9112 §6): a fixed Content-Length, or chunked transfer coding.

extension RequestDecoder {
    mutating func beginBody(_ request: HTTPRequest) throws(HTTPDecodeError) {
        var hosts = 0
        var lengths: [String] = []
        var hasTransferEncoding = false
        for field in request.headers.fields {
            if field.name.equalsIgnoringASCIICase("Host") {
                hosts += 1
            } else if field.name.equalsIgnoringASCIICase("Content-Length") {
                lengths.append(field.value)
            } else if field.name.equalsIgnoringASCIICase("Transfer-Encoding") {
                hasTransferEncoding = true
            }
        }
        if request.version == .http1_1, hosts == 0 { throw .bad("HTTP/1.1 request without Host") }
        if hosts > 1 { throw .bad("more than one Host header") }
        partial = request
        // An HTTP/1.0 client does not know 100 (RFC 9110 §10.1.1).
        awaitsContinue = request.version == .http1_1 && request.headers.tokens("Expect") == ["100-continue"]
        if hasTransferEncoding {
            // RFC 9112 §6.1: both framings at once is a smuggling risk; refuse.
            if !lengths.isEmpty { throw .bad("both Content-Length and Transfer-Encoding") }
            if request.version == .http1_0 { throw .bad("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = request.headers.tokens("Transfer-Encoding")
            guard codings.last == "chunked" else { throw .bad("chunked is not the final transfer coding") }
            guard codings.count == 1 else { throw HTTPDecodeError(.notImplemented, "transfer coding not supported") }
            state = .chunkSize
            return
        }
        guard !lengths.isEmpty else {
            state = .fixedBody(remaining: 0)
            return
        }
        var length: Int?
        for value in lengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let this = try parseContentLength(value.trimmingOWS())
            if let length, length != this { throw .bad("conflicting Content-Length values") }
            length = this
        }
        let size = length ?? 0
        guard size <= limits.maxBodyBytes else {
            throw HTTPDecodeError(.contentTooLarge, "body larger than \(limits.maxBodyBytes) bytes")
        }
        partial?.body.reserveCapacity(size)
        state = .fixedBody(remaining: size)
    }

    private func parseContentLength(_ text: Substring) throws(HTTPDecodeError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ digitValue($0) != nil }) else { throw .bad("malformed Content-Length") }
        var value = 0
        for byte in text.utf8 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(byte - 48))
            if o1 || o2 { throw HTTPDecodeError(.contentTooLarge, "body larger than \(limits.maxBodyBytes) bytes") }
            value = sum
        }
        return value
    }

    func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPDecodeError) -> Int {
        // RFC 9112 §7.1.1: chunk-size [ BWS ";" chunk-ext ]; the extensions are ignored.
        guard line.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else { throw .bad("control character in chunk size line") }
        var sizePart = line.prefix { $0 != UInt8(ascii: ";") }
        if sizePart.count < line.count {
            while let last = sizePart.last, last == 32 || last == 9 { sizePart.removeLast() }
        }
        guard !sizePart.isEmpty else { throw .bad("malformed chunk size") }
        var size = 0
        for byte in sizePart {
            guard let digit = hexValue(byte) else { throw .bad("malformed chunk size") }
            guard size <= limits.maxBodyBytes, size <= Int.max >> 4 else {
                throw HTTPDecodeError(.contentTooLarge, "body larger than \(limits.maxBodyBytes) bytes")
            }
            size = size << 4 | Int(digit)
        }
        return size
    }

    /// Index of the CR of the next CRLF from `start`, nil if it has not arrived yet.
    mutating func findLineEnd(limit: Int, tooLong: HTTPDecodeError) throws(HTTPDecodeError) -> Int? {
        var index = max(scanned, start)
        while index < buffer.count {
            if buffer[index] == 10 {
                guard index > start, buffer[index - 1] == 13 else { throw .bad("bare LF in chunked framing") }
                guard index + 1 - start <= limit else { throw tooLong }
                return index - 1
            }
            index += 1
        }
        scanned = index
        if buffer.count - start > limit { throw tooLong }
        return nil
    }

    /// Moves up to `remaining` buffered bytes into the body; returns how many are still to come.
    mutating func takeBody(_ remaining: Int) -> Int {
        let available = min(remaining, buffer.count - start)
        guard available > 0 else { return remaining }  // (an empty append would still allocate)
        partial?.body.append(contentsOf: buffer[start..<start + available])
        start += available
        return remaining - available
    }
}
