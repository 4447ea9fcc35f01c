@testable import HTTP1
import Testing

/// However the bytes are cut into appends, the decoder must produce the same requests.
@Suite("RequestDecoder: arbitrary fragmentation")
struct FragmentationTests {
    struct Sample: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let wire: String
    }

    static let get = message("GET /v1/p/jobs?limit=2 HTTP/1.1", "Host: mock.local", "Accept: application/json")
    static let post = message(
        "POST /v1/p/jobs HTTP/1.1", "Host: mock.local", "Content-Type: application/json", "Content-Length: 24",
        body: #"{"name":"j1","steps":[]}"#)
    static let chunked = message(
        "POST /v1/p/jobs/j1/logs HTTP/1.1", "Host: mock.local", "Transfer-Encoding: chunked",
        body: "5;name=value\r\nhello\r\nA;a=1;b=\"x y\"\r\n, \r\nworld!\r\n0;last\r\nX-Checksum: abc\r\n\r\n")

    static let samples = [
        Sample(testDescription: "GET", wire: get),
        Sample(testDescription: "Content-Length body", wire: post),
        Sample(testDescription: "chunked with extensions and trailers", wire: chunked),
        Sample(testDescription: "leading empty lines", wire: "\r\n\r\n" + get),
        Sample(testDescription: "three pipelined", wire: get + post + chunked),
    ]

    /// The result of decoding `sample` in a single append, which must be a success.
    func whole(_ sample: Sample) throws -> Result<[Snapshot], HTTPDecodeError> {
        let result = outcome([bytes(sample.wire)])
        let requests = try #require(try? result.get())
        try #require(!requests.isEmpty)
        return result
    }

    @Test(arguments: samples)
    func everyTwoPieceSplit(sample: Sample) throws {
        let expected = try whole(sample)
        for chunks in twoPieceSplits(bytes(sample.wire)) {
            #expect(outcome(chunks) == expected, "split after byte \(chunks[0].count)")
        }
    }

    @Test(arguments: samples)
    func oneByteAtATime(sample: Sample) throws {
        #expect(outcome(HTTP1Tests.oneByteAtATime(bytes(sample.wire))) == (try whole(sample)))
    }

    @Test func samplesDecodeAsExpected() throws {
        let requests = try whole(Self.samples[4]).get()
        #expect(requests.map(\.method) == ["GET", "POST", "POST"])
        #expect(requests.map(\.path) == ["/v1/p/jobs", "/v1/p/jobs", "/v1/p/jobs/j1/logs"])
        #expect(requests.map(\.body) == ["", #"{"name":"j1","steps":[]}"#, "hello, \r\nworld!"])
        #expect(try whole(Self.samples[3]).get() == [requests[0]])
    }
}
