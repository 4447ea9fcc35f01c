import EVSJobs
import HTTP1

/// The control plane under `/__admin`: jobs at run time, the clock, reset and reload, the request
/// journal, faults, health, metrics and the OpenAPI document. A rejected request changes nothing.
/// The routes are in `AdminAPI+Routes.swift`; the handlers in the files beside it.
/// Each handler reads its request, calls `MockControl` and renders what it returns.
struct AdminAPI: Sendable {
    let control: MockControl
    let token: String?

    var metrics: Metrics { control.metrics }

    /// Whether `path` is the admin API's: `/__admin` and all below it.
    static func owns(_ path: String) -> Bool {
        path == "/__admin" || path.hasPrefix("/__admin/")
    }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        do throws(APIError) {
            return try answer(request)
        } catch {
            return error.response(requestID: "")
        }
    }

    private func answer(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        if let token, !Self.bears(token, request.headers["Authorization"]) {
            throw APIError.mock(.unauthorized, "this admin API needs Authorization: Bearer <admin token>")
        }
        let match = Self.routes.match(method: request.method, path: request.path)
        if case .malformedPath = match {
            throw APIError.mock(.badRequest, MockCode.badQuery, "malformed percent-encoding in the request path")
        }
        // A query that cannot be decoded is refused before the route is looked at.
        let query = try Query(request.query)
        switch match {
        case .found(let handler, let parameters):
            return try APIError.rethrow { try handler(self, AdminCall(request: request, parameters: parameters, query: query)) }
        case .methodNotAllowed(let allowed, _):
            let allow = allowed.joined(separator: ", ")
            var error = APIError.mock(.methodNotAllowed, MockCode.status(.methodNotAllowed), "use \(allow) here",
                                      extra: [JSONMember("allow", .string(allow))])
            error.allow = allow
            throw error
        case .notFound, .malformedPath:
            throw APIError.mock(.notFound, "no admin route \(request.path)")
        }
    }

    /// `Authorization: Bearer <token>`, the scheme in any case (RFC 9110 §11.1), the token
    /// compared in constant time.
    static func bears(_ token: String, _ authorization: String?) -> Bool {
        guard let authorization, let space = authorization.firstIndex(of: " ") else { return false }
        let scheme = authorization[..<space].lowercasedASCII()
        let credentials = authorization[space...].trimmingOWS()
        return Digest.sameSecret(String(credentials), token) && scheme == "bearer"
    }

    func parse(_ body: [UInt8]) throws(APIError) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw APIError.mock(.badRequest, MockCode.notJSON, "the body is not JSON: \(error)", path: error.path)
        }
    }
}

/// One admin request as a handler sees it: the request, the route's captures and the query.
struct AdminCall: Sendable {
    let request: HTTPRequest
    let parameters: Parameters
    let query: Query
}
