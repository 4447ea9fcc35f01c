import Foundation
import Testing

/// gzip and deflate answers, negotiated from Accept-Encoding.
@Suite struct CompressionTests {
    /// The API page's batch example: large enough (776 bytes) to be compressed.
    static let batch = "/v1/p/jobs/21917a8d52a19b040152a9f2f1eb003e"
    /// The running example: 245 bytes, below the 256-byte threshold.
    static let small = "/v1/p/jobs/4010a32d535527910153552b492c0002"

    /// Decodes with the system's gzip (gzip data) or Python's zlib (deflate data).
    static func inflate(_ bytes: [UInt8], gzip: Bool) throws -> [UInt8] {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = gzip ? ["gzip", "-dc"] : ["python3", "-c", "import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try startProcess(process)
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return Array(data)
    }

    @Test(arguments: [("gzip", "gzip"), ("gzip, deflate", "gzip"), ("deflate", "deflate"), ("gzip;q=0, deflate", "deflate"),
                      ("deflate;q=1, gzip;q=0.5", "deflate"), ("*", "gzip"), ("br, *;q=0.1", "gzip")])
    func acceptedCodingsCompress(accept: String, coding: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.batch))
            let plain = try await client.response()
            try await client.send(get(Self.batch, extra: "Accept-Encoding: \(accept)\r\n"))
            let packed = try await client.response()
            #expect(packed.header("Content-Encoding") == coding)
            #expect(packed.header("Vary") == "Accept-Encoding")
            #expect(packed.body.count < plain.body.count)
            #expect(try Self.inflate(packed.body, gzip: coding == "gzip") == plain.body)
        }
    }

    @Test(arguments: ["gzip;q=0", "identity", "br", "gzip;q=0, deflate;q=0", "*;q=0"])
    func refusedCodingsSendPlainBytes(accept: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.batch, extra: "Accept-Encoding: \(accept)\r\n"))
            let response = try await client.response()
            #expect(response.header("Content-Encoding") == nil)
            #expect(response.header("Vary") == "Accept-Encoding")
            #expect(try (response.json() as? [String: Any])?["job_type"] as? String == "batchCreateVolume")
        }
    }

    @Test func smallBodiesAndNoGzipStayPlain() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.small, extra: "Accept-Encoding: gzip\r\n"))
            let small = try await client.response()
            #expect(small.header("Content-Encoding") == nil && small.header("Vary") == nil)
        }
        try await withServer(compression: false) { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.batch, extra: "Accept-Encoding: gzip\r\n"))
            let response = try await client.response()
            #expect(response.header("Content-Encoding") == nil)
            #expect(response.header("Vary") == nil)
            #expect(response.body.count == 776)
        }
    }

    @Test func headAnnouncesTheCompressedLength() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.batch, extra: "Accept-Encoding: gzip\r\n"))
            let full = try await client.response()
            try await client.send(get(Self.batch, method: "HEAD", extra: "Accept-Encoding: gzip\r\n"))
            let head = try await client.response(head: true)
            #expect(head.header("Content-Encoding") == "gzip")
            #expect(head.header("Content-Length") == String(full.body.count))
        }
    }
}
