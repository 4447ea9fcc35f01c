import EVSJobs
import HTTP1

/// The JSON shapes errors come in, and the one content type every answer has.
enum ErrorBodies {
    static let contentType = "application/json;charset=UTF-8"

    /// The EVS service's envelope: `{"error": {"message": ..., "code": ...}}`.
    static func service(_ status: HTTPStatus, message: String, code: String) -> HTTPResponse {
        var body: [UInt8] = []
        body.append(contentsOf: "{\"error\":{\"message\":".utf8)
        JSONWriter.appendString(message, to: &body)
        body.append(contentsOf: ",\"code\":".utf8)
        JSONWriter.appendString(code, to: &body)
        body.append(contentsOf: "}}".utf8)
        return json(status, body)
    }

    /// The API gateway's envelope: `{"error_msg": ..., "error_code": ..., "request_id": ...}`.
    static func gateway(_ status: HTTPStatus, message: String, code: String, requestID: String) -> HTTPResponse {
        var body: [UInt8] = []
        body.append(contentsOf: "{\"error_msg\":".utf8)
        JSONWriter.appendString(message, to: &body)
        body.append(contentsOf: ",\"error_code\":".utf8)
        JSONWriter.appendString(code, to: &body)
        body.append(contentsOf: ",\"request_id\":".utf8)
        JSONWriter.appendString(requestID, to: &body)
        body.append(UInt8(ascii: "}"))
        return json(status, body)
    }

    /// Errors of the mock's own (protocol errors, wrong method): the service envelope with a
    /// `MOCK.0<status>` code, which no real service answer carries.
    static func mock(_ status: HTTPStatus, message: String) -> HTTPResponse {
        let digits = String(status.code)
        return service(status, message: message, code: "MOCK." + String(repeating: "0", count: max(0, 4 - digits.count)) + digits)
    }

    static func json(_ status: HTTPStatus, _ body: [UInt8]) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}
