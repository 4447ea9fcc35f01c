// libFuzzer entry for the HTTP/1.1 request decoder (Sources/HTTP1). Built by fuzz/run.sh together
// with Sources/HTTP1/*.swift into one module, so `internal` declarations are visible here.
//
// Input layout (see fuzz/README.md):
//   byte 0      bits 0-1: number of chunks - 1 (1...4)
//               bits 2-3: limits: 0 default, 1 small head, 2 small body, 3 both small
//               bits 4-6: all set: default limits, and the first chunk starts with a request carrying a
//                         66000-byte body, so that the decoder compacts its buffer (more than 64 KiB consumed)
//                         when the next chunk is appended
//   byte 1      size parameter for the small limits
//   bytes 2-4   split points, as fractions (n / 256) of the payload
//   bytes 5...  the bytes a client sends
// Inputs shorter than 5 bytes are used as the payload alone, in one chunk, with default limits.
//
// Checks (each failure traps, so libFuzzer reports it as a crash):
//   * no Swift runtime trap or ASan error anywhere in decoding, keepAlive, decodePathSegments, encoding;
//   * chunking does not matter: the requests decoded from the split payload equal those decoded from
//     the whole payload appended at once, and both end failed or both end not failed;
//   * a failed decoder stays failed with the same error; errors carry a 4xx/5xx status;
//   * a decoded body never exceeds `maxBodyBytes`; a fixed-length body has its Content-Length;
//   * the encoded response has the status line, `Content-Length` of the body, and no body for HEAD.

#if canImport(Glibc)
import Glibc
#endif

/// Byte equality by memcmp: bodies can be 66 KB, and an instrumented element loop is slow.
private func sameBytes<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
    guard a.count == b.count else { return false }
    let result = a.withContiguousStorageIfAvailable { x in
        b.withContiguousStorageIfAvailable { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
    }
    return result.flatMap { $0 } ?? a.elementsEqual(b)
}

/// Like `precondition`, but the message is printed in -O builds too (it names what went wrong).
@inline(__always)
private func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) {
    if !condition { fatalError(message(), line: line) }
}

/// What a decode run produced: the requests, in order, and the error that ended it, if any.
private struct Outcome {
    var requests: [HTTPRequest] = []
    var error: HTTPDecodeError?
}

private func decodeAll(_ chunks: [ArraySlice<UInt8>], limits: DecoderLimits) -> Outcome {
    var decoder = RequestDecoder(limits: limits)
    var outcome = Outcome()
    feeding: for chunk in chunks {
        decoder.append(chunk)
        while true {
            do {
                guard let request = try decoder.next() else { break }
                outcome.requests.append(request)
            } catch {
                outcome.error = error
                // The decoder stays failed, with the same error, whatever arrives next.
                decoder.append([UInt8]("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                do {
                    _ = try decoder.next()
                    fatalError("decoder returned a request after failing with \(error)")
                } catch let again {
                    expect(again == error, "decoder failed with \(error), then with \(again)")
                }
                break feeding
            }
        }
    }
    _ = decoder.hasPartialRequest
    return outcome
}

private func sameRequest(_ a: HTTPRequest, _ b: HTTPRequest) -> Bool {
    a.method == b.method && a.target == b.target && a.path == b.path && a.query == b.query
        && a.version == b.version && a.headers == b.headers && sameBytes(a.body, b.body)
}

private func describe(_ r: HTTPRequest) -> String {
    "\(r.method) \(r.target) \(r.version) headers=\(r.headers.fields.count) body=\(r.body.count)"
}

private func check(_ request: HTTPRequest, limits: DecoderLimits) {
    expect(request.body.count <= limits.maxBodyBytes, "body of \(request.body.count) bytes over the limit \(limits.maxBodyBytes)")
    if request.headers.values("Transfer-Encoding").isEmpty, let length = request.headers["Content-Length"] {
        let first = length.split(separator: ",").first.map { String($0.trimmingOWS()) } ?? ""
        expect(Int(first) == request.body.count, "Content-Length \(length) but body of \(request.body.count) bytes")
    }

    _ = request.keepAlive
    _ = request.headers.tokens("Connection")
    _ = request.headers["Host"]
    if let segments = decodePathSegments(request.path) {
        expect(request.path.hasPrefix("/"), "segments for a path not starting with /: \(request.path)")
        _ = segments.count
    }

    // Answer as the server would: echo the body with some of the request's headers.
    var headers = HTTPHeaders()
    headers.add("Content-Type", "application/octet-stream")
    headers.add("Connection", request.keepAlive ? "keep-alive" : "close")
    let response = HTTPResponse(status: .ok, headers: headers, body: request.body)
    let headOnly = request.method == "HEAD"
    let encoded = ResponseEncoder.encode(response, headOnly: headOnly)
    checkEncoded(encoded, response: response, headOnly: headOnly)
}

private func checkEncoded(_ encoded: [UInt8], response: HTTPResponse, headOnly: Bool) {
    let statusLine = "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\n"
    expect(encoded.starts(with: statusLine.utf8), "bad status line")
    let bodyCount = headOnly ? 0 : response.body.count
    expect(encoded.count >= bodyCount + 4, "encoded response too short")
    let headEnd = encoded.count - bodyCount
    expect(encoded[headEnd - 4..<headEnd].elementsEqual("\r\n\r\n".utf8), "head does not end with CRLFCRLF")
    expect(sameBytes(encoded[headEnd...], headOnly ? [] : response.body), "body not written as given")
    if response.status.code >= 200, response.status.code != 204 {
        let field = "\r\nContent-Length: \(response.body.count)\r\n"
        let head = String(decoding: encoded[..<headEnd], as: UTF8.self)
        expect(head.contains(field), "missing or wrong Content-Length")
    }
}

/// A request with a body big enough that consuming it moves the decoder's start past 64 KiB.
private let fillerRequest: [UInt8] =
    Array("POST /filler HTTP/1.1\r\nHost: f\r\nContent-Length: 66000\r\n\r\n".utf8) + [UInt8](repeating: 0x78, count: 66000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = DecoderLimits()
    var payload = input[...]
    var cuts: [Int] = []
    var filler: [UInt8] = []
    if input.count >= 5 {
        let flags = input[0], parameter = Int(input[1])
        switch (flags >> 2) & 3 {
        case 1: limits.maxHeadBytes = 1 + parameter * 4
        case 2: limits.maxBodyBytes = parameter * 4
        case 3:
            limits.maxHeadBytes = 1 + parameter * 2
            limits.maxBodyBytes = parameter
        default: break
        }
        payload = input[5...]
        if flags & 0x70 == 0x70 {
            limits = DecoderLimits()
            filler = fillerRequest
        }
        let pieces = Int(flags & 3) + 1
        cuts = input[2..<(1 + pieces)].map { payload.startIndex + payload.count * Int($0) / 256 }.sorted()
    }

    var chunks: [ArraySlice<UInt8>] = []
    var from = payload.startIndex
    for cut in cuts {
        chunks.append(payload[from..<cut])
        from = cut
    }
    chunks.append(payload[from...])
    if !filler.isEmpty {
        chunks[0] = ArraySlice(filler + chunks[0])
        payload = ArraySlice(filler + payload)
    }

    let split = decodeAll(chunks, limits: limits)
    for request in split.requests { check(request, limits: limits) }
    if let error = split.error {
        expect(error.status.code >= 400 && error.status.code < 600, "error status \(error.status.code)")
        _ = error.description
        // The server answers the error with a small text body and closes.
        let response = HTTPResponse(status: error.status, headers: HTTPHeaders([("Connection", "close")]), body: Array(error.reason.utf8))
        checkEncoded(ResponseEncoder.encode(response), response: response, headOnly: false)
    }

    if chunks.count > 1 {
        // The same bytes in one piece must give the same requests.
        let whole = decodeAll([payload], limits: limits)
        expect(
            whole.requests.count == split.requests.count,
            "\(chunks.count) chunks gave \(split.requests.count) requests (error: \(split.error.map { "\($0)" } ?? "none")), one chunk gave \(whole.requests.count) (error: \(whole.error.map { "\($0)" } ?? "none"))")
        for (a, b) in zip(whole.requests, split.requests) {
            expect(sameRequest(a, b), "chunking changed a request: \(describe(a)) vs \(describe(b))")
        }
        expect(
            (whole.error == nil) == (split.error == nil),
            "one chunk ended with \(whole.error.map { "\($0)" } ?? "no error"), \(chunks.count) chunks with \(split.error.map { "\($0)" } ?? "no error")")
    }
    return 0
}
