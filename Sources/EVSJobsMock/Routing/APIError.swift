import EVSJobs
import HTTP1

/// Everything a handler (or the gateway in front of it) can refuse: a status, a code, a message
/// and the envelope it comes in. `response(requestID:)` is the one place errors become bytes.
struct APIError: Error, Sendable {
    enum Envelope: Sendable {
        /// The EVS service's `{"error": {"message": ..., "code": ...}}`.
        case service
        /// The API gateway's `{"error_msg": ..., "error_code": ..., "request_id": ...}`.
        case gateway
        /// The mock's own: the service envelope with a `MOCK.*` code (see `MockCode`), plus the
        /// JSON path of a bad body member and any extra members.
        case mock
    }

    let status: HTTPStatus
    let code: String
    let message: String
    let envelope: Envelope
    var path: JSONPath?
    var extra: [JSONMember] = []
    /// The `Allow` header of a 405.
    var allow: String?
    /// The member the service envelope wraps: `error`, or `itemNotFound` for a disk that is not there.
    var wrapper = "error"

    static func service(_ status: HTTPStatus, _ code: String, _ message: String) -> APIError {
        APIError(status: status, code: code, message: message, envelope: .service)
    }

    static func gateway(_ status: HTTPStatus, _ code: String, _ message: String) -> APIError {
        APIError(status: status, code: code, message: message, envelope: .gateway)
    }

    static func mock(_ status: HTTPStatus, _ code: String, _ message: String, path: JSONPath? = nil, extra: [JSONMember] = []) -> APIError {
        APIError(status: status, code: code, message: message, envelope: .mock, path: path, extra: extra)
    }

    /// A protocol error or a fault of the mock's own, coded by its status (`MOCK.0400`).
    static func mock(_ status: HTTPStatus, _ message: String) -> APIError {
        mock(status, MockCode.status(status), message)
    }

    /// What `body` returns, or the `APIError` it throws (any other error is the mock's own fault: 500).
    static func rethrow<T>(_ body: () throws -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch let error as APIError {
            throw error
        } catch {
            throw mock(.internalServerError, "\(error)")
        }
    }

    func response(requestID: String) -> HTTPResponse {
        let members: [JSONMember]
        switch envelope {
        case .gateway:
            members = [JSONMember("error_msg", .string(message)), JSONMember("error_code", .string(code)), JSONMember("request_id", .string(requestID))]
        case .service, .mock:
            var error = [JSONMember("message", .string(message)), JSONMember("code", .string(code))]
            if let path { error.append(JSONMember("path", .string(path.description))) }
            members = [JSONMember(wrapper, .object(error + extra))]
        }
        var response = HTTPResponse.json(status, .object(members))
        if let allow { response.headers.add("Allow", allow) }
        return response
    }
}
