import EVSJobs
import Foundation
import Testing

/// §1 of the endpoint: every answer the job API gives, over real sockets.
@Suite struct EndpointTests {
    static let scoped = """
        {"project_id": "proj-a", "jobs": [
          {"job_id": "a-job", "job_type": "createVolume", "entities": {"size": 10}, "scenario": {"init_ms": 100, "running_ms": 200}},
          {"job_id": "a-fail", "job_type": "extendVolume", "scenario": {"running_ms": 50, "outcome": "FAIL"}}
        ]}
        """

    @Test func apiExampleIsServedAsCaptured() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            for name in ["api-example-running", "api-example-batch"] {
                let file = repositoryRoot.appendingPathComponent("fixtures/default/\(name).json")
                let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! NSObject
                let id = (expected as! [String: Any])["job_id"] as! String
                try await client.send(get("/v1/any-project/jobs/\(id)"))
                let response = try await client.response()
                #expect(response.status == 200)
                #expect(try response.json() == expected)
            }
        }
    }

    @Test func fieldsComeInTheServiceOrder() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get("/v1/p/jobs/4010a32d535527910153552b492c0002"))
            let text = try await client.response().text
            let keys = ["\"status\"", "\"entities\"", "\"job_id\"", "\"job_type\"", "\"begin_time\"", "\"end_time\"", "\"error_code\"", "\"fail_reason\""]
            let positions = keys.compactMap { text.range(of: $0)?.lowerBound }
            #expect(positions.count == 8)
            #expect(positions == positions.sorted())
        }
    }

    @Test func everyResponseHasTheCommonHeaders() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            var ids: Set<String> = []
            for path in ["/v1/p/jobs/4010a32d535527910153552b492c0002", "/v1/p/jobs/nope", "/v1/p/jobs/", "/nowhere"] {
                try await client.send(get(path))
                let response = try await client.response()
                #expect(response.header("Content-Type") == "application/json;charset=UTF-8")
                #expect(response.header("Content-Length") == String(response.body.count))
                #expect(response.header("Date")?.hasSuffix(" GMT") == true)
                let id = try #require(response.header("X-Request-Id"))
                #expect(id.count == 32 && id.allSatisfy { "0123456789abcdef".contains($0) })
                ids.insert(id)
            }
            #expect(ids.count == 4)
        }
    }

    @Test func unknownJobIs400QueryJobFail() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get("/v1/p/jobs/ffffffffffffffffffffffffffffffff"))
            let response = try await client.response()
            #expect(response.status == 400)
            #expect(response.text == #"{"error":{"message":"query job fail.","code":"Common.0011"}}"#)
        }
    }

    @Test func jobOfAnotherProjectIsInvisible() async throws {
        try await withServer(fixtures: [Self.scoped]) { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get("/v1/proj-a/jobs/a-job"))
            #expect(try await client.response().status == 200)
            try await client.send(get("/v1/proj-b/jobs/a-job"))
            let response = try await client.response()
            #expect(response.status == 400)
            #expect(response.text.contains("query job fail."))
        }
    }

    @Test(arguments: ["/v1/p/jobs/", "/v1/p/jobs", "/v1/p/jobs?limit=1"])
    func emptyJobIDIs400NoJobsFound(path: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(path))
            let response = try await client.response()
            #expect(response.status == 400)
            #expect(response.text == #"{"error":{"message":"No jobs found.","code":"Common.0011"}}"#)
        }
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "PATCH"])
    func otherMethodsAre405WithAllow(method: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get("/v1/p/jobs/4010a32d535527910153552b492c0002", method: method, extra: "Content-Length: 0\r\n"))
            let response = try await client.response()
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD")
            let body = try #require(try response.json() as? [String: Any])
            let error = try #require(body["error"] as? [String: Any])
            #expect(error["code"] as? String == "MOCK.0405")
        }
    }

    @Test(arguments: ["/", "/v3/p/jobs/x", "/v2//jobs/x", "/v1//jobs/x", "/v1/p/jobs/x/extra", "/v1/p/job/x", "/__adminx"])
    func otherPathsAreTheGateway404(path: String) async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get(path))
            let response = try await client.response()
            #expect(response.status == 404)
            let body = try #require(try response.json() as? [String: Any])
            #expect(body["error_code"] as? String == "APIGW.0101")
            #expect(body["error_msg"] as? String == "The API does not exist or has not been published in the environment")
            #expect(body["request_id"] as? String == response.header("X-Request-Id"))
        }
    }

    @Test func headHasTheHeadersOfGetAndNoBody() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            let path = "/v1/p/jobs/21917a8d52a19b040152a9f2f1eb003e"
            try await client.send(get(path))
            let full = try await client.response()
            try await client.send(get(path, method: "HEAD"))
            let head = try await client.response(head: true)
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("Content-Length") == String(full.body.count))
            #expect(head.header("Content-Type") == full.header("Content-Type"))
            // Had a body been sent, it would now be read as the next response.
            try await client.send(get(path))
            #expect(try await client.response().body == full.body)
        }
    }

    @Test func percentEncodedIDsAreDecoded() async throws {
        try await withServer { _, port in
            let client = try await RawClient.connect(port: port)
            try await client.send(get("/v1/p/jobs/%34010a32d535527910153552b492c0002"))
            #expect(try await client.response().status == 200)
            try await client.send(get("/v1/p/jobs/%zz"))
            #expect(try await client.response().status == 400)
        }
    }

    @Test func timedJobMovesWithTheClock() async throws {
        try await withServer(fixtures: [Self.scoped]) { server, port in
            let clock = server.clock
            let client = try await RawClient.connect(port: port)
            func poll(_ id: String) async throws -> [String: Any] {
                try await client.send(get("/v1/proj-a/jobs/\(id)"))
                return try #require(try await client.response().json() as? [String: Any])
            }
            let first = try await poll("a-job")
            #expect(first["status"] as? String == "INIT")
            #expect(first["end_time"] as? String == "")
            #expect(first["error_code"] is NSNull)
            clock.advance(by: 100)
            #expect(try await poll("a-job")["status"] as? String == "RUNNING")
            clock.advance(by: 199)
            #expect(try await poll("a-job")["status"] as? String == "RUNNING")
            clock.advance(by: 1)
            let done = try await poll("a-job")
            #expect(done["status"] as? String == "SUCCESS")
            #expect(done["end_time"] as? String == APITime.format(clock.now()))
            #expect(done["begin_time"] as? String == APITime.format(clock.now() - 300))
            #expect((done["entities"] as? [String: Any])?["size"] as? Int == 10)
            let failed = try await poll("a-fail")
            #expect(failed["status"] as? String == "FAIL")
            #expect(failed["error_code"] as? String == "EVS.2024")
            #expect(failed["fail_reason"] as? String == "volume is error!")
        }
    }
}
