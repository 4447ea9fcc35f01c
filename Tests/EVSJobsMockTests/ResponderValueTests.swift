@testable import EVSJobsMock
import EVSJobsMockTesting
import HTTP1
import Testing

/// Answers through `MockResponder.reply(to:requestID:)`, the server's one entry point, on
/// request values: no socket is written to or read.
@Suite struct ResponderValueTests {
    /// The mock's responder (the server is started but never called).
    static func responder(_ mock: EVSMock) throws -> MockResponder {
        try #require(mock.server.http.responder as? MockResponder)
    }

    /// The response a reply carries, the deferred work run here.
    static func response(_ reply: Reply) -> HTTPResponse? {
        switch reply {
        case .response(let response), .delayed(let response, _): return response
        case .deferred(let work): return work()
        case .reset, .close: return nil
        }
    }

    static func ask(_ responder: MockResponder, _ method: String, _ target: String, body: String = "") -> (Int, String, String?) {
        let request = HTTPRequest(method: method, target: target, body: Array(body.utf8))
        guard let response = response(responder.reply(to: request, requestID: "req-1")) else { return (0, "", nil) }
        return (response.status.code, String(decoding: response.body, as: UTF8.self), response.headers["Allow"])
    }

    /// Adds job j1 in project p, running for a second, through the admin API.
    static func addJob(_ responder: MockResponder) -> (Int, String, String?) {
        ask(responder, "POST", "/__admin/jobs",
            body: #"{"project_id": "p", "job_id": "j1", "job_type": "createVolume", "scenario": {"init_ms": 0, "running_ms": 1000}}"#)
    }

    @Test func jobAnswersAndRefusals() async throws {
        let mock = try startMock()
        let responder = try Self.responder(mock)
        let added = Self.addJob(responder)
        let job = Self.ask(responder, "GET", "/v2/p/jobs/j1")
        let empty = Self.ask(responder, "GET", "/v1/p/jobs/")
        let missing = Self.ask(responder, "GET", "/v1/p/jobs/nope")
        let wrongMethod = Self.ask(responder, "DELETE", "/v1/p/jobs/j1")
        let unknown = Self.ask(responder, "GET", "/v1/p/volumes")
        let malformed = Self.ask(responder, "GET", "/v1/p/jobs/%zz")
        await mock.stop()

        #expect(added.0 == 201)
        #expect(job.0 == 200)
        #expect(job.1.hasPrefix(#"{"status":"RUNNING""#))
        #expect(empty.0 == 400)
        #expect(empty.1 == #"{"error":{"message":"No jobs found.","code":"Common.0011"}}"#)
        #expect(missing.1 == #"{"error":{"message":"query job fail.","code":"Common.0011"}}"#)
        #expect(wrongMethod.0 == 405)
        #expect(wrongMethod.2 == "GET, HEAD")
        #expect(wrongMethod.1 == #"{"error":{"message":"method DELETE is not allowed here; use GET or HEAD","code":"MOCK.0405"}}"#)
        #expect(unknown.0 == 404)
        #expect(unknown.1 == #"{"error_msg":"The API does not exist or has not been published in the environment","error_code":"APIGW.0101","request_id":"req-1"}"#)
        #expect(malformed.0 == 400)
        #expect(malformed.1 == #"{"error":{"message":"malformed percent-encoding in the request path","code":"MOCK.0400"}}"#)
    }

    @Test func adminAnswersAndRefusals() async throws {
        let mock = try startMock()
        let responder = try Self.responder(mock)
        let added = Self.addJob(responder)
        let shown = Self.ask(responder, "GET", "/__admin/jobs/j1")
        let wrongMethod = Self.ask(responder, "PUT", "/__admin/jobs")
        let unknown = Self.ask(responder, "GET", "/__admin/nothing")
        let badField = Self.ask(responder, "POST", "/__admin/clock", body: #"{"mode": "slow"}"#)
        let noFault = Self.ask(responder, "DELETE", "/__admin/faults/f9")
        let health = Self.ask(responder, "HEAD", "/__admin/health")
        await mock.stop()

        #expect(added.0 == 201)
        #expect(shown.0 == 200)
        #expect(shown.1.hasPrefix(#"{"status":"RUNNING""#))
        #expect(shown.1.hasSuffix(#","error_code":null,"fail_reason":null,"project_id":"p"}"#))
        #expect(wrongMethod.0 == 405)
        #expect(wrongMethod.2 == "GET, POST")
        #expect(wrongMethod.1 == #"{"error":{"message":"use GET, POST here","code":"MOCK.0405","allow":"GET, POST"}}"#)
        #expect(unknown.1 == #"{"error":{"message":"no admin route /__admin/nothing","code":"MOCK.0404"}}"#)
        #expect(badField.0 == 400)
        #expect(badField.1 == #"{"error":{"message":"must be \"real\" or \"manual\"","code":"MOCK.1001","path":"mode"}}"#)
        #expect(noFault.1 == #"{"error":{"message":"no fault \"f9\"","code":"MOCK.1004"}}"#)
        #expect(health.0 == 200)
    }

    @Test func gatewayRefusalsUseItsEnvelope() async throws {
        let mock = try startMock(gateway: GatewayOptions(auth: .token))
        let responder = try Self.responder(mock)
        let refused = Self.ask(responder, "GET", "/v1/p/jobs/j1")
        await mock.stop()
        #expect(refused.0 == 401)
        #expect(refused.1 == #"{"error_msg":"Incorrect IAM authentication information: x-auth-token not found","error_code":"APIGW.0301","request_id":"req-1"}"#)
    }

    @Test func undecodableRequestsGetTheMockEnvelope() async throws {
        let mock = try startMock()
        let response = try Self.responder(mock).respond(to: HTTPDecodeError(.badRequest, "bad request line"), requestID: "r")
        await mock.stop()
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":{"message":"bad request line","code":"MOCK.0400"}}"#)
    }
}
