@testable import HTTP1
import Testing

/// The bytes of `text`; escapes such as "\r\n" or "\u{0}" are single bytes.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A message: each line closed by CRLF, then the empty line, then `body`.
func message(_ lines: [String], body: String = "") -> String {
    lines.map { $0 + "\r\n" }.joined() + "\r\n" + body
}

func message(_ lines: String..., body: String = "") -> String { message(lines, body: body) }

/// Appends `chunks` one after another and takes every complete request after each append,
/// the way a server drives the decoder.
func decode(_ chunks: [[UInt8]], limits: DecoderLimits = DecoderLimits()) throws(HTTPDecodeError) -> [HTTPRequest] {
    var decoder = RequestDecoder(limits: limits)
    var requests: [HTTPRequest] = []
    for chunk in chunks {
        decoder.append(chunk)
        while let request = try decoder.next() { requests.append(request) }
    }
    return requests
}

func decode(_ text: String, limits: DecoderLimits = DecoderLimits()) throws(HTTPDecodeError) -> [HTTPRequest] {
    try decode([bytes(text)], limits: limits)
}

/// What `decode` ends with, comparable as a whole.
func outcome(_ chunks: [[UInt8]], limits: DecoderLimits = DecoderLimits()) -> Result<[Snapshot], HTTPDecodeError> {
    do throws(HTTPDecodeError) {
        return .success(try decode(chunks, limits: limits).map(Snapshot.init))
    } catch {
        return .failure(error)
    }
}

/// The error `decode` throws, nil if it throws none.
func decodeError(_ chunks: [[UInt8]], limits: DecoderLimits = DecoderLimits()) -> HTTPDecodeError? {
    if case .failure(let error) = outcome(chunks, limits: limits) { return error }
    return nil
}

/// `data` in two appends, for every split position 0...count.
func twoPieceSplits(_ data: [UInt8]) -> [[[UInt8]]] {
    (0...data.count).map { [Array(data[..<$0]), Array(data[$0...])] }
}

func oneByteAtATime(_ data: [UInt8]) -> [[UInt8]] { data.map { [$0] } }

/// Everything observable about a decoded request, with the body as text for readable failures.
struct Snapshot: Equatable, Sendable, CustomStringConvertible {
    let method: String
    let target: String
    let path: String
    let query: String?
    let version: HTTPVersion
    let headers: HTTPHeaders
    let body: String

    init(_ request: HTTPRequest) {
        method = request.method
        target = request.target
        path = request.path
        query = request.query
        version = request.version
        headers = request.headers
        body = String(decoding: request.body, as: UTF8.self)
    }

    var description: String {
        "\(method) \(target) \(version) path=\(path) query=\(query ?? "nil") headers=\(headers.fields) body=\(body.debugDescription)"
    }
}

/// Bytes that must be refused with `status`, fed whole and one byte at a time.
struct Rejection: Sendable, CustomTestStringConvertible {
    let label: String
    let bytes: [UInt8]
    let status: HTTPStatus
    let limits: DecoderLimits

    init(_ label: String, _ text: String, _ status: HTTPStatus = .badRequest, limits: DecoderLimits = DecoderLimits()) {
        self.label = label
        self.bytes = HTTP1Tests.bytes(text)
        self.status = status
        self.limits = limits
    }

    var testDescription: String { "\(label) → \(status.code)" }

    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        for (delivery, chunks) in [("in one append", [bytes]), ("one byte at a time", oneByteAtATime(bytes))] {
            let result = outcome(chunks, limits: limits)
            let code: Int? = if case .failure(let error) = result { error.status.code } else { nil }
            #expect(code == status.code, "\(label), \(delivery): \(result)", sourceLocation: sourceLocation)
        }
    }
}
