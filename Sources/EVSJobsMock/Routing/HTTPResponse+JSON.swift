import EVSJobs
import HTTP1

extension HTTPResponse {
    /// The one content type every answer of the API has.
    static let jsonContentType = "application/json;charset=UTF-8"

    /// A JSON answer from bytes already written.
    static func json(_ status: HTTPStatus, _ body: [UInt8]) -> HTTPResponse {
        var headers = HTTPHeaders(capacity: 6)
        headers.add("Content-Type", jsonContentType)
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    static func json(_ status: HTTPStatus, _ value: JSONValue) -> HTTPResponse {
        json(status, JSONWriter.encode(value))
    }
}
