import EVSJobs
import EVSJobsMock
import Foundation
import Testing

/// Issue 13 over a socket: the disk APIs behind the gateway, the journal and the metrics, and
/// bodies too large to read, which change nothing.
@Suite struct DiskLiveTests {
    static let create = #"{"volume": {"availability_zone": "eu-de-01", "volume_type": "SSD", "size": 10, "name": "live", "count": 2}}"#

    @Test func aFlowOverTheWireIsJournaledAndCounted() async throws {
        try await withServer(fixtures: []) { server, port in
            let created = try await RawClient.connect(port: port)
            let answer = try await created.exchange(post("/v2.1/p/cloudvolumes", Self.create))
            #expect(answer.status == 200)
            let body = try #require(try answer.json() as? [String: Any])
            let ids = try #require(body["volume_ids"] as? [String])
            #expect(ids.count == 2)
            let job = try #require(body["job_id"] as? String)
            #expect(try await created.exchange(get("/v1/p/jobs/\(job)")).status == 200)
            server.control.clock.advance(by: 3000)
            let shown = try await created.exchange(get("/v2/p/cloudvolumes/\(ids[0])"))
            let volume = try #require((try shown.json() as? [String: Any])?["volume"] as? [String: Any])
            #expect(volume["status"] as? String == "available")
            #expect(volume["name"] as? String == "live-0001")
            #expect(try await created.exchange(get("/v2/q/cloudvolumes/\(ids[0])")).status == 404)
            let journal = server.control.allRequests(projectID: "p", jobID: nil)
            #expect(journal.map(\.status) == [200, 200, 200])
            #expect(server.control.metricsText().contains(#"evs_mock_requests_total{route="disk",status="200"} 2"#))
        }
    }

    /// A body past the 1 MiB limit is a 413 before any handler runs: nothing is created.
    @Test(arguments: ["/v2/p/cloudvolumes", "/v2.1/p/cloudvolumes", "/v2/p/cloudvolumes/x/action", "/v2/p/volumes"])
    func aHugeBodyIs413AndCreatesNothing(_ path: String) async throws {
        try await withServer(fixtures: []) { server, port in
            let filler = String(repeating: " ", count: (1 << 20) + 1)
            let client = try await RawClient.connect(port: port)
            let request = "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(filler.utf8.count + 2)\r\n\r\n{\(filler)}"
            #expect(try await client.exchange(request).status == 413)
            #expect(server.control.disks.count == 0)
            #expect(server.store.jobCount == 0)
            let other = try await RawClient.connect(port: port)
            #expect(try await other.exchange(post("/v2/p/cloudvolumes", Self.create)).status == 200)
        }
    }
}
