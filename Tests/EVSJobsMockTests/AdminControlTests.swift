import EVSJobs
import EVSJobsMock
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The admin API under `/__admin`: the request journal, faults, health, metrics, the OpenAPI
/// document, `--no-admin` and the admin token, over real sockets.
@Suite struct AdminControlTests {
    /// RUNNING, visible in every project (default fixtures).
    static let running = "4010a32d535527910153552b492c0002"
    /// Another default job, visible in every project.
    static let other = "00000000000000000000000000000001"

    // MARK: - Journal

    @Test func journalRecordsEveryEVSRequestNewestLastWithSecretsMasked() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let secrets = "Authorization: Bearer top-secret\r\nX-Auth-Token: tok-123\r\nX-Custom: visible\r\n"
            #expect(try await client.exchange(get("/v1/pa/jobs/\(Self.running)", extra: secrets)).status == 200)
            #expect(try await client.exchange(get("/v1/pb/jobs/ffffffffffffffffffffffffffffffff")).status == 400)
            #expect(try await client.exchange(get("/nowhere")).status == 404)
            // Admin requests are not journalled.
            #expect(try await client.exchange(get("/__admin/health")).status == 200)
            #expect(try await client.exchange(get("/__admin/faults")).status == 200)

            let response = try await client.exchange(get("/__admin/requests"))
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json;charset=UTF-8")
            let document = try response.object()
            let entries = try Self.entries(document)
            try #require(entries.count == 3)
            #expect(document["total"] as? Int == 3)
            #expect(document["dropped"] as? Int == 0)
            #expect(entries.map { $0["path"] as? String } == ["/v1/pa/jobs/\(Self.running)", "/v1/pb/jobs/ffffffffffffffffffffffffffffffff", "/nowhere"])
            #expect(entries.map { $0["status"] as? Int } == [200, 400, 404])
            #expect(entries.map { $0["method"] as? String } == ["GET", "GET", "GET"])
            #expect(entries.map { $0["project_id"] as? String } == ["pa", "pb", nil])
            #expect(entries.map { $0["job_id"] as? String } == [Self.running, "ffffffffffffffffffffffffffffffff", nil])
            #expect(entries[2]["project_id"] is NSNull && entries[2]["job_id"] is NSNull)
            let ids = entries.compactMap { $0["id"] as? Int }
            #expect(ids.count == 3 && ids == ids.sorted() && Set(ids).count == 3)
            for entry in entries {
                #expect((entry["time"] as? String)?.hasSuffix("Z") == true)
                let duration = try #require(entry["duration_ms"] as? Double)
                #expect(duration >= 0)
            }
            let headers = try #require(entries[0]["headers"] as? [String: String])
            #expect(headers["Authorization"] == "***")
            #expect(headers["X-Auth-Token"] == "***")
            #expect(headers["X-Custom"] == "visible")
            #expect(headers["Host"] == "localhost")
            #expect(!response.text.contains("top-secret") && !response.text.contains("tok-123"))
        }
    }

    @Test func journalFiltersLimitAndCount() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let polls = [("pa", Self.running), ("pb", Self.running), ("pa", Self.other), ("pa", Self.running), ("pb", Self.other)]
            for (project, job) in polls {
                #expect(try await client.exchange(get("/v1/\(project)/jobs/\(job)")).status == 200)
            }

            let byProject = try await client.exchange(get("/__admin/requests?project_id=pa")).object()
            #expect(try Self.entries(byProject).map { $0["path"] as? String } == [
                "/v1/pa/jobs/\(Self.running)", "/v1/pa/jobs/\(Self.other)", "/v1/pa/jobs/\(Self.running)",
            ])
            #expect(byProject["total"] as? Int == 3)

            let byJob = try await client.exchange(get("/__admin/requests?job_id=\(Self.other)")).object()
            #expect(try Self.entries(byJob).map { $0["path"] as? String } == ["/v1/pa/jobs/\(Self.other)", "/v1/pb/jobs/\(Self.other)"])
            #expect(byJob["total"] as? Int == 2)

            let both = try await client.exchange(get("/__admin/requests?project_id=pb&job_id=\(Self.running)")).object()
            #expect(try Self.entries(both).map { $0["path"] as? String } == ["/v1/pb/jobs/\(Self.running)"])

            let limited = try await client.exchange(get("/__admin/requests?limit=2")).object()
            let newest = try Self.entries(limited)
            #expect(newest.map { $0["path"] as? String } == ["/v1/pa/jobs/\(Self.running)", "/v1/pb/jobs/\(Self.other)"])
            #expect(limited["total"] as? Int == 5)

            let count = { (query: String) async throws -> Int? in
                let response = try await client.exchange(get("/__admin/requests/count?\(query)"))
                #expect(response.status == 200)
                return try response.object()["count"] as? Int
            }
            #expect(try await count("job_id=\(Self.running)") == 3)
            #expect(try await count("job_id=\(Self.other)") == 2)
            #expect(try await count("project_id=pa") == 3)
            #expect(try await count("project_id=pb") == 2)
            #expect(try await count("project_id=nobody") == 0)
        }
    }

    @Test func deletingTheJournalEmptiesIt() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            for _ in 0..<3 { _ = try await client.exchange(get("/v1/p/jobs/\(Self.running)")) }
            #expect(try await Self.count(client) == 3)
            let deleted = try await client.exchange(get("/__admin/requests", method: "DELETE"))
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            #expect(try await Self.count(client) == 0)
            let listed = try await client.exchange(get("/__admin/requests")).object()
            #expect(try Self.entries(listed).isEmpty)
            #expect(listed["total"] as? Int == 0)
            // Recording goes on afterwards.
            _ = try await client.exchange(get("/v1/p/jobs/\(Self.running)"))
            #expect(try await Self.count(client) == 1)
        }
    }

    @Test(arguments: ["limit=0", "limit=x", "limit=-1", "limit="])
    func badLimitIs400(_ query: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let response = try await client.exchange(get("/__admin/requests?\(query)"))
            #expect(response.status == 400)
            #expect(try response.errorCode == "MOCK.1005")
        }
    }

    @Test func journalIsBoundedAndCountsWhatItDrops() async throws {
        try await withServer(journalSize: 5) { _, port in
            let client = try await RawClient.connect(port: port)
            for index in 1...8 {
                #expect(try await client.exchange(get("/v1/p\(index)/jobs/\(Self.running)")).status == 200)
            }
            let document = try await client.exchange(get("/__admin/requests")).object()
            let entries = try Self.entries(document)
            #expect(entries.count == 5)
            #expect(document["dropped"] as? Int == 3)
            #expect(document["total"] as? Int == 5)
            #expect(entries.map { $0["project_id"] as? String } == ["p4", "p5", "p6", "p7", "p8"])
            #expect(try await Self.count(client) == 5)
        }
    }

    // MARK: - Isolation between projects

    @Test func requestsOfOneProjectAreNotListedUnderAnother() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            _ = try await client.exchange(get("/v1/proj-p/jobs/\(Self.running)"))
            _ = try await client.exchange(get("/v1/proj-p/jobs/\(Self.other)"))
            _ = try await client.exchange(get("/v1/proj-q/jobs/\(Self.running)"))
            let q = try Self.entries(await client.exchange(get("/__admin/requests?project_id=proj-q")).object())
            #expect(q.count == 1)
            #expect(q.allSatisfy { $0["project_id"] as? String == "proj-q" })
            let p = try Self.entries(await client.exchange(get("/__admin/requests?project_id=proj-p")).object())
            #expect(p.count == 2)
            #expect(p.allSatisfy { $0["project_id"] as? String == "proj-p" })
            #expect(try await Self.count(client, "project_id=proj-q") == 1)
        }
    }

    @Test func aFaultBoundToOneProjectLeavesOthersAlone() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            _ = try await Self.addFault(client, #"{"match":{"project_id":"proj-p"},"action":{"status":503}}"#)
            #expect(try await client.exchange(get("/v1/proj-p/jobs/\(Self.running)")).status == 503)
            #expect(try await client.exchange(get("/v1/proj-q/jobs/\(Self.running)")).status == 200)
            #expect(try await client.exchange(get("/v1/proj-q/jobs/\(Self.other)")).status == 200)
            #expect(try await client.exchange(get("/v1/proj-p/jobs/\(Self.other)")).status == 503)
            let faults = try await Self.faultList(client)
            #expect(faults.first?["fired"] as? Int == 2)
        }
    }

    // MARK: - Faults

    @Test func statusFaultFiresExactlyTimesWithTheServiceBody() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let created = try await client.exchange(Self.withBody("POST", "/__admin/faults", #"{"match":{},"action":{"status":503},"times":2}"#))
            #expect(created.status == 201)
            let id = try #require(try created.object()["id"] as? String)
            #expect(!id.isEmpty)

            for _ in 0..<2 {
                let response = try await client.exchange(get("/v1/p/jobs/\(Self.running)"))
                #expect(response.status == 503)
                #expect(response.header("Content-Type") == "application/json;charset=UTF-8")
                let error = try #require(try response.object()["error"] as? [String: Any])
                #expect(error["code"] as? String == "EVS.2002")
                #expect((error["message"] as? String)?.isEmpty == false)
                #expect(Set(error.keys) == ["message", "code"])
            }
            let third = try await client.exchange(get("/v1/p/jobs/\(Self.running)"))
            #expect(third.status == 200)
            #expect(try third.object()["job_id"] as? String == Self.running)

            let faults = try await Self.faultList(client)
            try #require(faults.count == 1)
            #expect(faults[0]["id"] as? String == id)
            #expect(faults[0]["fired"] as? Int == 2)
            #expect(faults[0]["times_left"] as? Int == 0)
            // The journal holds what the client saw.
            let statuses = try Self.entries(await client.exchange(get("/__admin/requests")).object()).map { $0["status"] as? Int }
            #expect(statuses == [503, 503, 200])
        }
    }

    @Test func throttlingFaultHasTheGatewayShape() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            _ = try await Self.addFault(client, #"{"action":{"status":429},"times":1}"#)
            let response = try await client.exchange(get("/v1/p/jobs/\(Self.running)"))
            #expect(response.status == 429)
            let body = try response.object()
            #expect(body["error_code"] as? String == "APIGW.0308")
            #expect((body["error_msg"] as? String)?.isEmpty == false)
            let requestID = try #require(response.header("X-Request-Id"))
            #expect(body["request_id"] as? String == requestID)
            #expect(Set(body.keys) == ["error_msg", "error_code", "request_id"])
        }
    }

    @Test func customFaultBodyIsReturnedAsGiven() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let custom = #"{"error":{"code":"EVS.9999","message":"custom \"quoted\" ünïcode"},"extra":[1,2.5,true,null,{"k":"v"}]}"#
            _ = try await Self.addFault(client, #"{"action":{"status":502,"body":"# + custom + "}}")
            let response = try await client.exchange(get("/v1/p/jobs/\(Self.running)"))
            #expect(response.status == 502)
            let expected = try JSONSerialization.jsonObject(with: Data(custom.utf8)) as! NSObject
            #expect(try response.json() == expected)
        }
    }

    @Test func delayedAnswerNeverHoldsUpOtherConnections() async throws {
        try await withServer { server, port in
            let admin = try await RawClient.connect(port: port)
            _ = try await Self.addFault(admin, #"{"match":{"project_id":"slow"},"action":{"delay_ms":5000}}"#)
            let slow = try await RawClient.connect(port: port, timeout: 30)  // its answer comes after 5 s
            let started = ContinuousClock.now
            try await slow.send(get("/v1/slow/jobs/\(Self.running)"))
            // The server has taken the slow request in and holds its answer back.
            #expect(try await waitUntil { server.journal.entries(projectID: "slow").entries.count == 1 })

            let fast = try await RawClient.connect(port: port)
            let quick = try await fast.exchange(get("/v1/fast/jobs/\(Self.running)"))
            #expect(quick.status == 200)
            // Only meaningful while the delay has not run out: a loaded machine may take longer
            // than that to get here, and then the answer is rightly there.
            if ContinuousClock.now - started < .milliseconds(4000) {
                #expect(!slow.hasIncoming(), "the delayed answer arrived before the other connection's poll was answered")
            }

            let delayed = try await slow.response()
            let elapsed = ContinuousClock.now - started
            #expect(delayed.status == 200)
            #expect(try delayed.object()["job_id"] as? String == Self.running)
            #expect(elapsed >= .milliseconds(4900))
            // The journal's duration includes the injected delay.
            let entry = try #require(try Self.entries(await admin.exchange(get("/__admin/requests?project_id=slow")).object()).first)
            #expect((entry["duration_ms"] as? Double ?? 0) >= 5000)
            // The slow connection stays usable.
            #expect(try await slow.exchange(get("/v1/fast/jobs/\(Self.running)")).status == 200)
        }
    }

    @Test func resetFaultResetsAndTheServerGoesOn() async throws {
        try await withServer { _, port in
            let admin = try await RawClient.connect(port: port)
            _ = try await Self.addFault(admin, #"{"action":{"reset":true},"times":1}"#)
            let victim = try await RawClient.connect(port: port)
            try await victim.send(get("/v1/p/jobs/\(Self.running)"))
            #expect(try await victim.closedByPeer())
            let next = try await RawClient.connect(port: port)
            #expect(try await next.exchange(get("/v1/p/jobs/\(Self.running)")).status == 200)
            #expect(try await admin.exchange(get("/v1/p/jobs/\(Self.running)")).status == 200)
            let statuses = try Self.entries(await admin.exchange(get("/__admin/requests")).object()).map { $0["status"] as? Int }
            #expect(statuses == [0, 200, 200])
        }
    }

    @Test func closeFaultClosesWithoutAnswer() async throws {
        try await withServer { _, port in
            let admin = try await RawClient.connect(port: port)
            _ = try await Self.addFault(admin, #"{"action":{"close":true},"times":1}"#)
            let victim = try await RawClient.connect(port: port)
            try await victim.send(get("/v1/p/jobs/\(Self.running)"))
            #expect(try await victim.closedByPeer())
            let next = try await RawClient.connect(port: port)
            #expect(try await next.exchange(get("/v1/p/jobs/\(Self.running)")).status == 200)
        }
    }

    @Test func malformedFaultSendsBrokenJSONWithAnHonestLength() async throws {
        try await withServer { _, port in
            let admin = try await RawClient.connect(port: port)
            _ = try await Self.addFault(admin, #"{"action":{"malformed":true},"times":1}"#)
            let victim = try await RawClient.connect(port: port)
            try await victim.send(get("/v1/p/jobs/\(Self.running)", extra: "Connection: close\r\n"))
            let bytes = try await victim.readToEnd()
            let separator = try #require(Self.find([13, 10, 13, 10], in: bytes))
            let head = String(decoding: bytes[..<separator], as: UTF8.self)
            let body = Array(bytes[(separator + 4)...])
            #expect(head.hasPrefix("HTTP/1.1 200 "))
            let lengthLine = head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            let length = try #require(lengthLine.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) })
            #expect(length == body.count)
            #expect(!body.isEmpty)
            #expect((try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) == nil, "the body is valid JSON: \(String(decoding: body, as: UTF8.self))")
            // Once spent, the fault leaves polls alone.
            let healthy = try await admin.exchange(get("/v1/p/jobs/\(Self.running)"))
            #expect(healthy.status == 200)
            #expect((try? healthy.json()) != nil)
        }
    }

    @Test func faultsMatchOnMethodPathPrefixAndJobID() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            _ = try await Self.addFault(client, #"{"match":{"method":"HEAD"},"action":{"status":500}}"#)
            _ = try await Self.addFault(client, #"{"match":{"path_prefix":"/v1/pre"},"action":{"status":502}}"#)
            _ = try await Self.addFault(client, #"{"match":{"job_id":"00000000000000000000000000000001"},"action":{"status":504}}"#)

            #expect(try await client.exchange(get("/v1/p/jobs/\(Self.running)", method: "HEAD"), head: true).status == 500)
            #expect(try await client.exchange(get("/v1/p/jobs/\(Self.running)")).status == 200)
            #expect(try await client.exchange(get("/v1/prefixed/jobs/\(Self.running)")).status == 502)
            #expect(try await client.exchange(get("/v1/pre/jobs/\(Self.running)")).status == 502)
            #expect(try await client.exchange(get("/v1/xpre/jobs/\(Self.running)")).status == 200)
            #expect(try await client.exchange(get("/v1/p/jobs/\(Self.other)")).status == 504)
            #expect(try await client.exchange(get("/v1/q/jobs/\(Self.other)")).status == 504)
            #expect(try await client.exchange(get("/v1/q/jobs/\(Self.running)")).status == 200)

            let fired = try await Self.faultList(client).map { $0["fired"] as? Int }
            #expect(fired == [1, 2, 2])
        }
    }

    @Test func probabilisticFaultsReplayWithTheSameSeed() async throws {
        let first = try await Self.probabilityPattern()
        let second = try await Self.probabilityPattern()
        #expect(first.count == 40)
        #expect(first == second)
        #expect(first.contains(true), "no fault fired at probability 0.5")
        #expect(first.contains(false), "every request failed at probability 0.5")
    }

    @Test func faultsAreListedAndRemoved() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let a = try await Self.addFault(client, #"{"match":{"job_id":"00000000000000000000000000000001"},"action":{"status":503}}"#)
            let b = try await Self.addFault(client, #"{"match":{"project_id":"zzz","method":"GET"},"action":{"delay_ms":5},"times":3,"probability":0.25,"seed":7}"#)
            #expect(a != b)

            #expect(try await client.exchange(get("/v1/p/jobs/\(Self.other)")).status == 503)
            var faults = try await Self.faultList(client)
            try #require(faults.count == 2)
            #expect(faults.map { $0["id"] as? String } == [a, b])
            #expect(faults.map { $0["fired"] as? Int } == [1, 0])
            #expect(faults[0]["match"] as? [String: String] == ["job_id": Self.other])
            #expect((faults[0]["action"] as? [String: Any])?["status"] as? Int == 503)
            #expect(faults[1]["match"] as? [String: String] == ["project_id": "zzz", "method": "GET"])
            #expect((faults[1]["action"] as? [String: Any])?["delay_ms"] as? Int == 5)
            #expect(faults[1]["times_left"] as? Int == 3)
            #expect(faults[1]["probability"] as? Double == 0.25)
            #expect(faults[1]["seed"] as? Int == 7)

            let deleted = try await client.exchange(get("/__admin/faults/\(a)", method: "DELETE"))
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            faults = try await Self.faultList(client)
            #expect(faults.map { $0["id"] as? String } == [b])
            #expect(try await client.exchange(get("/v1/p/jobs/\(Self.other)")).status == 200)

            for unknown in [a, "fault-999", "nope"] {
                let missing = try await client.exchange(get("/__admin/faults/\(unknown)", method: "DELETE"))
                #expect(missing.status == 404)
                #expect(try missing.errorCode == "MOCK.1004")
            }

            _ = try await Self.addFault(client, #"{"action":{"status":500}}"#)
            #expect(try await Self.faultList(client).count == 2)
            let cleared = try await client.exchange(get("/__admin/faults", method: "DELETE"))
            #expect(cleared.status == 204)
            #expect(try await Self.faultList(client).isEmpty)
            #expect(try await client.exchange(get("/v1/p/jobs/\(Self.running)")).status == 200)
        }
    }

    @Test(arguments: [
        (#"{"action":{"status":200}}"#, "action.status"),
        (#"{"action":{"status":503,"delay_ms":100}}"#, "action"),
        (#"{"action":{"reset":true,"close":true}}"#, "action"),
        (#"{"action":{"delay_ms":10,"malformed":true}}"#, "action"),
        (#"{"action":{"status":503},"bogus":1}"#, "bogus"),
        (#"{"match":{"project":"p"},"action":{"status":503}}"#, "match.project"),
        (#"{"action":{"status":503},"probability":2}"#, "probability"),
        (#"{"action":{"status":503},"times":0}"#, "times"),
        (#"{"match":{}}"#, "action"),
    ])
    func invalidFaultIsRefusedAndNothingAdded(_ body: String, _ path: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let response = try await client.exchange(Self.withBody("POST", "/__admin/faults", body))
            #expect(response.status == 400)
            let error = try response.object()["error"] as? [String: Any]
            #expect(error?["code"] as? String == "MOCK.1001", "\(response.text)")
            #expect(error?["path"] as? String == path)
            #expect(try await Self.faultList(client).isEmpty, "a refused fault was added")
            #expect(try await client.exchange(get("/v1/p/jobs/\(Self.running)")).status == 200)
        }
    }

    // MARK: - Health, metrics, OpenAPI

    @Test func healthReportsUpJobsAndUptime() async throws {
        try await withServer { server, port in
            let client = try await RawClient.connect(port: port)
            let response = try await client.exchange(get("/__admin/health"))
            #expect(response.status == 200)
            let body = try response.object()
            #expect(body["status"] as? String == "UP")
            let jobs = try #require(body["jobs"] as? Int)
            #expect(jobs >= 1)
            #expect(jobs == server.store.jobCount)
            let uptime = try #require(body["uptime_ms"] as? Int)
            #expect(uptime >= 0)
        }
    }

    @Test func metricsArePrometheusText() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            for _ in 0..<3 { #expect(try await client.exchange(get("/v1/p/jobs/\(Self.running)")).status == 200) }
            #expect(try await client.exchange(get("/v1/p/jobs/ffffffffffffffffffffffffffffffff")).status == 400)
            let response = try await client.exchange(get("/__admin/metrics"))
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
            let lines = response.text.split(separator: "\n").map(String.init)
            func value(_ prefix: String) -> Double? {
                lines.first { $0.hasPrefix(prefix + " ") }.flatMap { Double($0.dropFirst(prefix.count + 1)) }
            }
            #expect(value(#"evs_mock_requests_total{route="job",status="200"}"#) == 3)
            #expect(value(#"evs_mock_requests_total{route="job",status="400"}"#) == 1)
            #expect(lines.contains("# TYPE evs_mock_requests_total counter"))
            #expect(lines.contains("# TYPE evs_mock_request_duration_seconds histogram"))
            let infinity = try #require(value(#"evs_mock_request_duration_seconds_bucket{le="+Inf"}"#))
            let count = try #require(value("evs_mock_request_duration_seconds_count"))
            let sum = try #require(value("evs_mock_request_duration_seconds_sum"))
            #expect(infinity == count)
            #expect(count >= 4)
            #expect(sum >= 0)
            let buckets = lines.filter { $0.hasPrefix("evs_mock_request_duration_seconds_bucket{") }
                .compactMap { Double($0.split(separator: " ").last ?? "") }
            #expect(buckets.count >= 2)
            #expect(buckets == buckets.sorted(), "histogram buckets must be cumulative")
            let runningJobs = try #require(value(#"evs_mock_jobs{status="RUNNING"}"#))
            #expect(runningJobs >= 1)
        }
    }

    @Test func openAPIDocumentIsServedAsInTheRepository() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let response = try await client.exchange(get("/__admin/openapi.json"))
            #expect(response.status == 200)
            let document = try response.object()
            #expect(document["openapi"] as? String == "3.0.3")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths["/v1/{project_id}/jobs/{job_id}"] != nil)
            #expect(paths["/__admin/faults"] != nil)
            let file = repositoryRoot.appendingPathComponent("Sources/EVSJobsMock/Resources/openapi.json")
            #expect(response.body == Array(try Data(contentsOf: file)))
        }
    }

    // MARK: - --no-admin and the admin token

    @Test func withoutAdminTheAdminPathsAreUnknown() async throws {
        try await withServer(admin: false) { _, port in
            let client = try await RawClient.connect(port: port)
            for path in ["/__admin/health", "/__admin/jobs", "/__admin/requests"] {
                let response = try await client.exchange(get(path))
                #expect(response.status == 404, "\(path)")
                let body = try response.object()
                #expect(body["error_code"] as? String == "APIGW.0101")
                #expect(body["request_id"] as? String == response.header("X-Request-Id"))
                let unknown = try await client.exchange(get("/no/such/path")).object()
                #expect(body["error_msg"] as? String == unknown["error_msg"] as? String)
            }
            #expect(try await client.exchange(Self.withBody("POST", "/__admin/faults", #"{"action":{"status":503}}"#)).status == 404)
            let poll = try await client.exchange(get("/v1/p/jobs/\(Self.running)"))
            #expect(poll.status == 200)
            #expect(try poll.object()["status"] as? String == "RUNNING")
        }
    }

    @Test func adminTokenGuardsTheAdminAPIOnly() async throws {
        try await withServer(adminToken: "s3cret") { _, port in
            let client = try await RawClient.connect(port: port)
            let missing = try await client.exchange(get("/__admin/health"))
            #expect(missing.status == 401)
            #expect(try missing.errorCode == "MOCK.0401")
            for wrong in ["Bearer nope", "Bearer s3cret2", "s3cret", "Basic czNjcmV0"] {
                let response = try await client.exchange(get("/__admin/health", extra: "Authorization: \(wrong)\r\n"))
                #expect(response.status == 401, "\(wrong)")
                #expect(try response.errorCode == "MOCK.0401")
            }
            // A refused request changes nothing.
            let refused = try await client.exchange(Self.withBody("POST", "/__admin/faults", #"{"action":{"status":503}}"#))
            #expect(refused.status == 401)
            let good = try await client.exchange(get("/__admin/health", extra: "Authorization: Bearer s3cret\r\n"))
            #expect(good.status == 200)
            #expect(try good.object()["status"] as? String == "UP")
            let poll = try await client.exchange(get("/v1/p/jobs/\(Self.running)"))
            #expect(poll.status == 200)
            let faults = try await client.exchange(get("/__admin/faults", extra: "Authorization: Bearer s3cret\r\n"))
            #expect(faults.status == 200)
            #expect((try faults.object()["faults"] as? [Any])?.isEmpty == true)
        }
    }

    // MARK: - Helpers

    /// A request with a JSON body.
    private static func withBody(_ method: String, _ path: String, _ body: String, extra: String = "") -> String {
        "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
    }

    private static func entries(_ document: [String: Any]) throws -> [[String: Any]] {
        try #require(document["requests"] as? [[String: Any]])
    }

    private static func count(_ client: RawClient, _ query: String = "") async throws -> Int? {
        let response = try await client.exchange(get("/__admin/requests/count" + (query.isEmpty ? "" : "?" + query)))
        #expect(response.status == 200)
        return try response.object()["count"] as? Int
    }

    /// Adds a fault, expecting 201 `{"id"}`; returns the id.
    private static func addFault(_ client: RawClient, _ body: String) async throws -> String {
        let response = try await client.exchange(withBody("POST", "/__admin/faults", body))
        try #require(response.status == 201, "adding \(body): \(response.status) \(response.text)")
        return try #require(try response.object()["id"] as? String)
    }

    private static func faultList(_ client: RawClient) async throws -> [[String: Any]] {
        let response = try await client.exchange(get("/__admin/faults"))
        #expect(response.status == 200)
        return try #require(try response.object()["faults"] as? [[String: Any]])
    }

    /// Which of 40 polls on a fresh server a seeded 50 % fault spoiled.
    private static func probabilityPattern() async throws -> [Bool] {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            _ = try await addFault(client, #"{"match":{},"action":{"status":503},"probability":0.5,"seed":42}"#)
            var pattern: [Bool] = []
            for _ in 0..<40 {
                let status = try await client.exchange(get("/v1/p/jobs/\(running)")).status
                #expect(status == 503 || status == 200)
                pattern.append(status == 503)
            }
            #expect(try await faultList(client).first?["fired"] as? Int == pattern.filter { $0 }.count)
            return pattern
        }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }
}
