import Dispatch
import EVSJobs
@testable import EVSJobsMock
import EVSJobsMockTesting
import Foundation
import HTTP1
import Sockets
import Testing

/// Issue 10, through a live server: admin work off the event loops, 100 Continue, a stalled
/// handshake, queries that cannot be decoded, ambiguous ids, the admin token, journal pages and
/// fault bounds. Socket waits run on Dispatch workers (`blocking`), never on the test pool.
@Suite struct HostilePeerTests {
    static let job = "4010a32d535527910153552b492c0002"

    static func object(_ response: RawResponse) throws -> [String: Any] {
        try #require(try response.json() as? [String: Any], "not a JSON object: \(response.text)")
    }

    static func errorCode(_ response: RawResponse) throws -> String? {
        (try object(response)["error"] as? [String: Any])?["code"] as? String
    }

    /// With the work queue held, an admin request waits and a poll on the same (only) event
    /// loop is answered: admin work never runs on a loop.
    @Test func adminWorkWaitsOnTheWorkQueueWhilePollsAreServed() async throws {
        let mock = try EVSMock.start { $0.http.eventLoops = 1 }
        let gate = DispatchSemaphore(value: 0)
        mock.server.http.workQueue.async { gate.wait() }
        let port = mock.port
        let (poll, adminWaited, admin) = try await blocking { () throws -> (Int, Bool, Int) in
            let adminClient = try RawClient(port: port)
            try adminClient.send(get("/__admin/health"))
            let pollClient = try RawClient(port: port)
            let poll = try pollClient.exchange(get("/v1/p/jobs/\(Self.job)")).status
            let waited = !adminClient.hasIncoming()
            gate.signal()
            return (poll, waited, try adminClient.response().status)
        }
        #expect(poll == 200)
        #expect(adminWaited)
        #expect(admin == 200)
        await mock.stop()
    }

    /// curl waits a second for `100 Continue` before sending an admin body.
    @Test func expectContinueGetsOneHundredBeforeTheBody() async throws {
        let mock = try EVSMock.start()
        let port = mock.port
        let body = #"{"job_id": "continued", "job_type": "createVolume"}"#
        let (interim, final) = try await blocking { () throws -> (String, Int) in
            let client = try RawClient(port: port)
            try client.send("POST /__admin/jobs HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            let interim = try client.response()
            try client.send(body)
            return (interim.statusLine, try client.response().status)
        }
        #expect(interim == "HTTP/1.1 100 Continue")
        #expect(final == 201)
        #expect(mock.jobJSON("continued") != nil)
        await mock.stop()
    }

    /// A TLS handshake that never comes is closed at the request timeout, not after two of them.
    @Test func aStalledTLSHandshakeClosesAtTheRequestTimeout() async throws {
        let tls = try TLSContext.selfSigned(certificateOut: nil)
        let mock = try EVSMock.start {
            $0.http.tls = tls
            $0.http.httpsPort = 0
            $0.http.requestTimeoutMs = 2000
        }
        let port = try #require(mock.server.http.tlsAddress?.port)
        let (closed, seconds) = try await blocking { () throws -> (Bool, Double) in
            let started = ContinuousClock.now
            let client = try RawClient(port: port, timeout: 10)
            let closed = client.closedByPeer()
            let elapsed = ContinuousClock.now - started
            return (closed, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        #expect(closed)
        // Two timeouts would be 4 s; one is 2 s plus the timer's slack.
        #expect(seconds >= 1.9)
        #expect(seconds < 3.5)
        await mock.stop()
    }

    /// `reset?project_id=suiteC%ZZ` dropped the parameter and reset every project.
    @Test(arguments: ["%ZZ", "%C3%28", "%", "%4"])
    func anUndecodableQueryIsA400AndChangesNothing(_ bad: String) async throws {
        let mock = try EVSMock.start()
        try mock.addJobs(#"{"project_id": "suiteC", "jobs": [{"job_id": "mine", "job_type": "createVolume"}]}"#)
        let port = mock.port
        let statuses = try await blocking { () throws -> [Int] in
            let client = try RawClient(port: port)
            return try [
                client.exchange(get("/__admin/reset?project_id=suiteC\(bad)", method: "POST")).status,
                client.exchange(get("/__admin/jobs?project_id=\(bad)")).status,
                client.exchange(get("/__admin/requests?job_id=\(bad)")).status,
                client.exchange(get("/__admin/requests/count?project_id=a&job_id=\(bad)")).status,
            ]
        }
        #expect(statuses == [400, 400, 400, 400])
        #expect(mock.jobJSON("mine", project: "suiteC") != nil)
        await mock.stop()
    }

    @Test func anIdInTwoProjectsNeedsAProjectOnAdminRoutes() async throws {
        let mock = try EVSMock.start()
        try mock.addJobs(#"{"project_id": "p2", "jobs": [{"job_id": "twice", "job_type": "createVolume"}]}"#)
        try mock.addJobs(#"{"project_id": "p1", "jobs": [{"job_id": "twice", "job_type": "deleteVolume"}]}"#)
        let port = mock.port
        let (ambiguous, named) = try await blocking { () throws -> (RawResponse, RawResponse) in
            let client = try RawClient(port: port)
            return (try client.exchange(get("/__admin/jobs/twice")), try client.exchange(get("/__admin/jobs/twice?project_id=p1")))
        }
        #expect(ambiguous.status == 409)
        #expect(try Self.errorCode(ambiguous) == "MOCK.1009")
        #expect((try Self.object(ambiguous)["error"] as? [String: Any])?["projects"] as? [String] == ["p1", "p2"])
        #expect(named.status == 200)
        #expect(try Self.object(named)["job_type"] as? String == "deleteVolume")
        await mock.stop()
    }

    @Test func theBearerSchemeIsCaseInsensitiveAndTheTokenExact() async throws {
        let mock = try EVSMock.start { $0.adminToken = "s3cret" }
        let port = mock.port
        let statuses = try await blocking { () throws -> [Int] in
            let client = try RawClient(port: port)
            return try ["Bearer s3cret", "bearer s3cret", "BEARER  s3cret", "Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "Bearers3cret"].map {
                try client.exchange(get("/__admin/health", extra: "Authorization: \($0)\r\n")).status
            }
        }
        #expect(statuses == [200, 200, 200, 401, 401, 401, 401])
        await mock.stop()
    }

    /// A journal is read in pages: newest last, `before` naming where the next older page ends.
    @Test func theJournalIsReadInPages() async throws {
        let mock = try EVSMock.start()
        let port = mock.port
        let responses = try await blocking { () throws -> [RawResponse] in
            let client = try RawClient(port: port)
            for index in 0..<5 { _ = try client.exchange(get("/v1/p/jobs/page-\(index)")) }
            let first = try client.exchange(get("/__admin/requests?limit=2"))
            let before = try Self.object(first)["before"] as? Int ?? -1
            let second = try client.exchange(get("/__admin/requests?limit=2&before=\(before)"))
            let third = try client.exchange(get("/__admin/requests?limit=2&before=\(try Self.object(second)["before"] as? Int ?? -1)"))
            return [first, second, third]
        }
        let pages = try responses.map(Self.object)
        let paths = pages.map { (($0["requests"] as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String } }
        #expect(paths == [["/v1/p/jobs/page-3", "/v1/p/jobs/page-4"], ["/v1/p/jobs/page-1", "/v1/p/jobs/page-2"], ["/v1/p/jobs/page-0"]])
        #expect(pages.map { $0["total"] as? Int } == [5, 5, 5])
        #expect(pages[2]["before"] is NSNull)
        await mock.stop()
    }

    @Test func faultsAreBoundedInNumberAndBodySize() async throws {
        let mock = try EVSMock.start()
        let port = mock.port
        let (large, statuses) = try await blocking { () throws -> (Int, [Int]) in
            let client = try RawClient(port: port)
            let text = String(repeating: "x", count: Faults.maxBodyBytes)
            let large = try client.exchange(post("/__admin/faults", #"{"action": {"status": 500, "body": {"t": "\#(text)"}}}"#)).status
            let statuses = try (0...Faults.maxRules).map { _ in
                try client.exchange(post("/__admin/faults", #"{"action": {"status": 503}}"#)).status
            }
            return (large, statuses)
        }
        #expect(large == 400)
        #expect(statuses == Array(repeating: 201, count: Faults.maxRules) + [409])
        await mock.stop()
    }
}

extension HostilePeerTests {
    /// Metrics count jobs as they change; a scrape right after the clock moves sees the move.
    @Test func metricsFollowTheClockAtOnce() async throws {
        let mock = try EVSMock.start(fixtures: [#"{"jobs": [{"job_id": "m1", "job_type": "createVolume", "scenario": {"running_ms": 1000}}]}"#])
        let port = mock.port
        let (before, after) = try await blocking { () throws -> (String, String) in
            let client = try RawClient(port: port)
            let before = try client.exchange(get("/__admin/metrics")).text
            _ = try client.exchange(post("/__admin/clock/advance", #"{"ms": 1000}"#))
            return (before, try client.exchange(get("/__admin/metrics")).text)
        }
        #expect(before.contains(#"evs_mock_jobs{status="RUNNING"} 1"#))
        #expect(before.contains(#"evs_mock_jobs{status="SUCCESS"} 0"#))
        #expect(after.contains(#"evs_mock_jobs{status="RUNNING"} 0"#))
        #expect(after.contains(#"evs_mock_jobs{status="SUCCESS"} 1"#))
        await mock.stop()
    }

    /// A FIFO named *.json appearing in the fixture folder blocked an event loop for ever on
    /// reload; now the reload is a 400 naming it, and polls go on.
    @Test func reloadingAFolderWithAFIFOIsA400AndPollsGoOn() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try #"{"jobs": [{"job_id": "kept", "job_type": "createVolume"}]}"#.write(to: folder.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        let mock = try EVSMock.start { $0.fixturePaths = [folder.path] }
        let fifo = folder.appendingPathComponent("z.json").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let port = mock.port
        let (reload, poll) = try await blocking { () throws -> (RawResponse, Int) in
            let client = try RawClient(port: port)
            let reload = try client.exchange(get("/__admin/reload", method: "POST"))
            return (reload, try client.exchange(get("/v1/p/jobs/kept")).status)
        }
        #expect(reload.status == 400)
        #expect(reload.text.contains("z.json: not a regular file (a FIFO)"), "\(reload.text)")
        #expect(poll == 200)
        await mock.stop()
    }
}

/// The journal's bounds, on values.
@Suite struct JournalBoundsTests {
    static func request(_ path: String) -> HTTPRequest {
        HTTPRequest(method: "GET", target: path, version: .http1_1, headers: HTTPHeaders([("Host", "localhost")]))
    }

    /// 10 k requests with 16 KB paths made a 332 MB journal.
    @Test func bytesAreBoundedAsWellAsEntries() {
        let journal = Journal(capacity: 10_000, maxBytes: 1024 * 1024)
        let path = "/v1/p/jobs/" + String(repeating: "a", count: 16 * 1024)
        for _ in 0..<1_000 { journal.record(time: 0, request: Self.request(path), projectID: "p", jobID: nil, status: 400, durationMs: 0) }
        let (entries, dropped) = journal.entries()
        #expect(entries.count < 70)
        #expect(entries.count > 50)
        #expect(entries.count + dropped == 1_000)
        #expect(entries.last?.id == 1_000)
    }

    @Test func entriesAreBoundedAndTheOldestGoFirst() {
        let journal = Journal(capacity: 3)
        for index in 0..<5_000 { journal.record(time: 0, request: Self.request("/v1/p/jobs/\(index)"), projectID: "p", jobID: nil, status: 200, durationMs: 0) }
        #expect(journal.entries().entries.map(\.path) == ["/v1/p/jobs/4997", "/v1/p/jobs/4998", "/v1/p/jobs/4999"])
        #expect(journal.entries().dropped == 4_997)
        #expect(journal.count(projectID: "p") == 3)
    }

    @Test func aPageStopsAtItsByteBoundButTakesAtLeastOneEntry() {
        let journal = Journal(capacity: 100)
        for index in 0..<10 { journal.record(time: 0, request: Self.request("/v1/p/jobs/\(index)"), projectID: "p", jobID: nil, status: 200, durationMs: 0) }
        let page = journal.page(projectID: nil, jobID: nil, limit: 100, before: nil, maxBytes: 1)
        #expect(page.entries.map(\.id) == [10])
        #expect(page.older == 10)
        #expect(page.total == 10)
    }
}

/// Issue 11, on values: the job API answered without a socket.
@Suite struct JobsAPIValueTests {
    static func answer(_ path: String, method: String = "GET") -> HTTPResponse {
        let store = JobStore()
        store.insert([JobSpec(id: "j1", type: .deleteVolume, timeline: .scenario(Scenario(initMs: 0, runningMs: 10)))], t0: 0)
        let match = ServiceAPI.routes.match(method: method, path: path)
        let clock = ManualClock(5)
        let disks = Disks(jobs: store, engine: ScenarioEngine(store: store, clock: clock), clock: clock)
        return ServiceAPI(store: store, clock: clock, disks: disks).respond(to: HTTPRequest(method: method, target: path), match: match, requestID: "r")
    }

    /// Huawei's Terraform provider polls EVS snapshot jobs on /v2: the same answers as /v1.
    @Test(arguments: ["/p/jobs/j1", "/p/jobs/nope", "/p/jobs/", "/p/jobs"])
    func vTwoAnswersAsVOne(_ rest: String) {
        let one = Self.answer("/v1" + rest), two = Self.answer("/v2" + rest)
        #expect(two.status == one.status)
        #expect(two.body == one.body)
        #expect(Self.answer("/v2" + rest, method: "POST").status == .methodNotAllowed)
    }

    @Test func theV2JobIsServed() {
        let response = Self.answer("/v2/p/jobs/j1")
        #expect(response.status == .ok)
        #expect(String(decoding: response.body, as: UTF8.self).hasPrefix(#"{"status":"RUNNING""#))
    }
}
