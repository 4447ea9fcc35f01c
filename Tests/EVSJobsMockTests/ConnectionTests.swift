import EVSJobs
import Foundation
import Testing

/// §4 of the server: keep-alive, pipelining, limits, timeouts and misbehaving peers.
@Suite struct ConnectionTests {
    static let running = "/v1/p/jobs/4010a32d535527910153552b492c0002"
    static let batch = "/v1/p/jobs/21917a8d52a19b040152a9f2f1eb003e"

    @Test func http11KeepsTheConnectionAlive() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            for _ in 0..<3 {
                try await client.send(get(Self.running))
                let response = try await client.response()
                #expect(response.status == 200)
                #expect(response.header("Connection") == nil)
            }
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.running, extra: "Connection: close\r\n"))
            let response = try await client.response()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(try await client.closedByPeer())
        }
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() async throws {
        try await withServer { _, port in
            let plain = try await RawClient.connect(port: port)
            try await plain.send("GET \(Self.running) HTTP/1.0\r\n\r\n")
            #expect(try await plain.response().status == 200)
            #expect(try await plain.closedByPeer())

            let kept = try await RawClient.connect(port: port)
            for _ in 0..<2 {
                try await kept.send("GET \(Self.running) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try await kept.response()
                #expect(response.status == 200)
                #expect(response.header("Connection") == "keep-alive")
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.running) + get("/nowhere") + get(Self.batch) + get("/v1/p/jobs/"))
            #expect(try await client.response().text.contains("4010a32d535527910153552b492c0002"))
            #expect(try await client.response().status == 404)
            #expect(try await client.response().text.contains("batchCreateVolume"))
            #expect(try await client.response().status == 400)
        }
    }

    @Test func requestSentOneByteAtATimeIsAnswered() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            for byte in Array(get(Self.running).utf8) {
                try await client.send([byte])
            }
            #expect(try await client.response().status == 200)
        }
    }

    @Test func bodiesByLengthAndChunkedAreRead() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send("GET \(Self.running) HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
            #expect(try await client.response().status == 200)
            try await client.send("GET \(Self.running) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            #expect(try await client.response().status == 200)
            try await client.send(get(Self.batch))
            #expect(try await client.response().status == 200)
        }
    }

    /// Each malformed request gets its status, the connection closes, and the server goes on.
    @Test(arguments: [
        ("GET /x HTTP/1.1\r\n\r\n", 400),  // no Host
        ("GET  /x HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("GET /x HTTP/1.1\r\nHost x\r\n\r\n", 400),
        ("GET /x HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        ("GET /x HTTP/1.1\nHost: x\n\n", 400),
        ("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
        ("GET /x HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("\u{16}\u{03}\u{01}\u{02}\u{00}", 400),
    ])
    func malformedRequestsGetTheirStatus(request: String, status: Int) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(request)
            let response = try await client.response()
            #expect(response.status == status)
            #expect(response.header("Connection") == "close")
            #expect(try (response.json() as? [String: Any])?["error"] != nil)
            #expect(try await client.closedByPeer())
            let other = try await RawClient.connect(port: port)
            try await other.send(get(Self.running))
            #expect(try await other.response().status == 200)
        }
    }

    @Test func oversizedHeadIs431() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send("GET \(Self.running) HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 17 * 1024))\r\n\r\n")
            #expect(try await client.response().status == 431)
            #expect(try await client.closedByPeer())
        }
    }

    @Test func oversizedChunkedBodyIs413() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n")
            #expect(try await client.response().status == 413)
        }
    }

    @Test func incompleteRequestTimesOutWith408() async throws {
        try await withServer(requestTimeoutMs: 200) { _, port in
            // One worker call: no wait for the test pool between connecting and the timeout.
            let (response, closed) = try await blocking { () throws -> (RawResponse, Bool) in
                let client = try RawClient(port: port)
                try client.send("GET \(Self.running) HTTP/1.1\r\nHost: x\r\n")
                return (try client.response(), client.closedByPeer())
            }
            #expect(response.status == 408)
            #expect(closed)
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        try await withServer(idleTimeoutMs: 200) { server, port in
            // One worker call: no wait for the test pool between connecting and the timeout.
            let (status, closed) = try await blocking { () throws -> (Int, Bool) in
                let client = try RawClient(port: port)
                return (try client.exchange(get(Self.running)).status, client.closedByPeer())
            }
            #expect(status == 200)
            #expect(closed)
        }
    }

    @Test func halfClosedClientStillGetsItsAnswers() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(Self.running) + get(Self.batch))
            client.shutdownWrite()
            #expect(try await client.response().status == 200)
            #expect(try await client.response().status == 200)
            #expect(try await client.closedByPeer())
        }
    }

    @Test func resetMidRequestCostsOnlyThatConnection() async throws {
        try await withServer { server, port in
            let steady = try await RawClient.connect(port: port)
            try await steady.send(get(Self.running))
            #expect(try await steady.response().status == 200)
            for _ in 0..<20 {
                let rude = try await RawClient.connect(port: port)
                try await rude.send("GET \(Self.running) HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")
                rude.reset()
                try await steady.send(get(Self.batch))
                #expect(try await steady.response().status == 200)
            }
            let fresh = try await RawClient.connect(port: port)
            try await fresh.send(get(Self.running))
            #expect(try await fresh.response().status == 200)
        }
    }

    /// By default one loop fewer than the processors (on two cores, one); asked for more, the
    /// connections are shared out among them and all served.
    @Test(arguments: [nil, 3] as [Int?])
    func manyClientsAtOnceAreAllServed(eventLoops: Int?) async throws {
        try await withServer(eventLoops: eventLoops) { server, port in
            #expect(server.http.loopCount == eventLoops ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)) - 1))
            let results = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var ok = 0
                        guard let client = try? await RawClient.connect(port: port) else { return 0 }
                        for _ in 0..<50 {
                            guard (try? await client.send(get(Self.batch))) != nil, let response = try? await client.response() else { break }
                            if response.status == 200 { ok += 1 }
                        }
                        return ok
                    }
                }
                return await group.reduce(0, +)
            }
            #expect(results == 16 * 50)
        }
    }

    /// With two loops, the two connections are on different loops.
    @Test(arguments: [nil, 2] as [Int?])
    func shutdownClosesIdleConnectionsAndFinishesRequestsInFlight(eventLoops: Int?) async throws {
        let mock = try startMock(eventLoops: eventLoops)
        let server = mock.server, port = mock.port
        let idle = try await RawClient.connect(port: port)
        let busy = try await RawClient.connect(port: port)
        try await idle.send(get(Self.running))
        #expect(try await idle.response().status == 200)
        try await busy.send("GET \(Self.running) HTTP/1.1\r\n")
        // The request's first bytes must have reached the server before it stops.
        #expect(try await waitUntil { server.http.partialRequestCount == 1 })
        // Begun here, not in a child task that a busy pool might start only after the reads
        // below have timed out; the reads wait on a Dispatch worker.
        let (stopped, finish) = AsyncStream<Void>.makeStream()
        server.shutdown(timeoutMs: 3000) { finish.finish() }
        let (idleClosed, response) = try await blocking { () throws -> (Bool, RawResponse) in
            let closed = idle.closedByPeer()
            try busy.send("Host: x\r\n\r\n")
            return (closed, try busy.response())
        }
        #expect(idleClosed)
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        for await _ in stopped {}
        #expect(server.http.connectionCount == 0)
        await #expect(throws: (any Error).self) { try await RawClient.connect(port: port) }
        await mock.stop()  // and the mock, whose release stops it, lives until here
    }
}
