@testable import EVSJobsMock
import HTTP1
import Testing

/// The route table on values: what matches, what is 404, what is 405 and with which `Allow`.
@Suite struct RouterTests {
    static let table: Router<String> = {
        var router = Router<String>()
        router.add(["GET"], "/things", "list")
        router.add(["POST"], "/things", "create")
        router.add(["GET", "HEAD"], "/things/{id}", "show")
        router.add(["DELETE"], "/things/{id}", "delete")
        router.add(["POST"], "/things/{id}/poke", "poke")
        return router
    }()

    static func found(_ method: String, _ path: String) -> (String, Parameters)? {
        if case .found(let handler, let parameters) = table.match(method: method, path: path) { return (handler, parameters) }
        return nil
    }

    static func allowed(_ method: String, _ path: String) -> [String]? {
        if case .methodNotAllowed(let allowed, _) = table.match(method: method, path: path) { return allowed }
        return nil
    }

    static func isNotFound(_ path: String) -> Bool {
        if case .notFound = table.match(method: "GET", path: path) { return true }
        return false
    }

    @Test func rowsMatchByMethodAndPath() {
        #expect(Self.found("GET", "/things")?.0 == "list")
        #expect(Self.found("POST", "/things")?.0 == "create")
        #expect(Self.found("HEAD", "/things/7")?.0 == "show")
        #expect(Self.found("DELETE", "/things/7")?.0 == "delete")
        #expect(Self.found("POST", "/things/7/poke")?.1["id"] == "7")
    }

    @Test func parametersArePercentDecoded() {
        #expect(Self.found("GET", "/things/a%20b%2Fc")?.1 == Parameters(values: ["id": "a b/c"]))
        #expect(Self.found("GET", "/things/x")?.1["absent"] == "")
    }

    @Test func wrongMethodIs405WithTheTableMethodsInOrder() {
        #expect(Self.allowed("PUT", "/things") == ["GET", "POST"])
        #expect(Self.allowed("POST", "/things/7") == ["GET", "HEAD", "DELETE"])
        #expect(Self.allowed("GET", "/things/7/poke") == ["POST"])
        #expect(Self.table.match(method: "PUT", path: "/things/7").parameters?["id"] == "7")
    }

    @Test(arguments: ["/", "/thing", "/things/7/poke/more", "/things/7/prod", "/things//poke", "/other/7", "*"])
    func pathsOutsideTheTableAre404(_ path: String) {
        #expect(Self.isNotFound(path))
    }

    @Test func aTrailingSlashIsAnEmptyLastParameter() {
        #expect(Self.found("GET", "/things/")?.1["id"] == "")
    }

    @Test func aMalformedEscapeIsNoPath() {
        guard case .malformedPath = Self.table.match(method: "GET", path: "/things/%zz") else {
            Issue.record("expected malformedPath")
            return
        }
    }

    /// Both versions of the job path, and the two spellings of an empty job id.
    @Test(arguments: ["v1", "v2"])
    func theJobTableReadsBothVersions(_ version: String) {
        func parameters(_ path: String) -> Parameters? {
            if case .found(_, let parameters) = ServiceAPI.routes.match(method: "GET", path: path) { return parameters }
            return nil
        }
        #expect(parameters("/\(version)/p1/jobs/j%201") == Parameters(values: ["project_id": "p1", "job_id": "j 1"]))
        #expect(parameters("/\(version)/p1/jobs/")?["job_id"] == "")
        #expect(parameters("/\(version)/p1/jobs") == Parameters(values: ["project_id": "p1"]))
        #expect(parameters("/\(version)//jobs/j") == nil)
        guard case .methodNotAllowed(let allowed, _) = ServiceAPI.routes.match(method: "POST", path: "/\(version)/p1/jobs/j") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["GET", "HEAD"])
    }

    /// The admin table keeps the `Allow` lists the hand-written routes had.
    @Test(arguments: [
        ("/__admin/jobs", "GET, POST"), ("/__admin/jobs/x", "GET, DELETE"), ("/__admin/jobs/x/advance", "POST"),
        ("/__admin/jobs/x/finish", "POST"), ("/__admin/clock", "GET, POST"), ("/__admin/clock/advance", "POST"),
        ("/__admin/reset", "POST"), ("/__admin/reload", "POST"), ("/__admin/requests", "GET, DELETE"),
        ("/__admin/requests/count", "GET"), ("/__admin/faults", "GET, POST, DELETE"), ("/__admin/faults/f1", "DELETE"),
        ("/__admin/health", "GET, HEAD"), ("/__admin/metrics", "GET"), ("/__admin/openapi.json", "GET"),
    ])
    func adminAllowLists(path: String, allow: String) {
        guard case .methodNotAllowed(let allowed, _) = AdminAPI.routes.match(method: "PATCH", path: path) else {
            Issue.record("expected 405 for \(path)")
            return
        }
        #expect(allowed.joined(separator: ", ") == allow)
    }
}
