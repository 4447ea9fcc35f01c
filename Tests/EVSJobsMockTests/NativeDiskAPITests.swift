import EVSJobs
@testable import EVSJobsMock
import HTTP1
import Testing

/// The native (Cinder) disk paths that otcextensions, openstacksdk and gophertelekomcloud's
/// block storage packages use, the update of name and description, tags, and the metadata bound.
@Suite struct NativeDiskAPITests {
    typealias Harness = DiskAPITests.Harness
    static let p = DiskAPITests.project

    /// Status and raw body: the Cinder answers of 202 have none.
    static func raw(_ harness: Harness, _ method: String, _ target: String, _ body: String = "") -> (Int, [UInt8]) {
        let request = HTTPRequest(method: method, target: target, body: Array(body.utf8))
        let response = harness.api.respond(to: request, match: ServiceAPI.routes.match(method: method, path: request.path), requestID: "r")
        return (response.status.code, response.body)
    }

    @Test(arguments: ["v2", "v3"])
    func aNativeFlowCreatesExtendsAndDeletes(_ version: String) throws {
        let harness = Harness()
        let created = try harness.send("POST", "/\(version)/\(Self.p)/volumes",
                                       #"{"volume": {"name": "n", "availability_zone": "eu-de-01", "size": 10, "volume_type": "SSD"}}"#)
        #expect(created.status == 202)
        #expect(created.json["volume"]?["status"]?.asString == "creating")
        let id = try #require(created.json["volume"]?["id"]?.asString)
        #expect(harness.store.jobCount == 1)
        harness.clock.advance(by: 300)
        #expect(try harness.disk(id, path: "volumes")["status"]?.asString == "available")
        let extended = Self.raw(harness, "POST", "/\(version)/\(Self.p)/volumes/\(id)/action", #"{"os-extend": {"new_size": 30}}"#)
        #expect(extended.0 == 202)
        #expect(extended.1.isEmpty)
        #expect(try harness.disk(id)["status"]?.asString == "extending")
        harness.clock.advance(by: 300)
        #expect(try harness.disk(id)["size"]?.asInt == 30)
        #expect(Self.raw(harness, "POST", "/\(version)/\(Self.p)/volumes/\(id)/action", #"{"os-extend": {"new_size": 20}}"#).0 == 400)
        let deleted = Self.raw(harness, "DELETE", "/\(version)/\(Self.p)/volumes/\(id)?cascade=False")
        #expect(deleted.0 == 202)
        #expect(deleted.1.isEmpty)
        harness.clock.advance(by: 300)
        #expect(try harness.send("GET", "/\(version)/\(Self.p)/volumes/\(id)").status == 404)
        #expect(harness.store.jobCount == 3)
    }

    @Test func updateRenamesInAnyStatusAndRefusesBadBodies() throws {
        let harness = Harness()
        let (_, id) = try harness.createDisk(name: "old")
        let renamed = try harness.send("PUT", "/v2/\(Self.p)/cloudvolumes/\(id)", #"{"volume": {"name": "new", "description": "d"}}"#)
        #expect(renamed.status == 200)
        #expect(renamed.json["volume"]?["name"]?.asString == "new")
        #expect(renamed.json["volume"]?["status"]?.asString == "creating")
        #expect(try harness.send("PUT", "/v3/\(Self.p)/volumes/\(id)", #"{"volume": {"description": "e"}}"#).status == 200)
        #expect(try harness.disk(id)["description"]?.asString == "e")
        let cases = [(#"{"volume": {}}"#, "EVS.1001"), (#"{"name": "x"}"#, "EVS.1001"), (#"{"volume": {"name": 5}}"#, "EVS.1018"),
                     ("{\"volume\": {\"name\": \"\(String(repeating: "n", count: 256))\"}}", "EVS.1003"), ("[", "EVS.1052")]
        for (body, code) in cases {
            let answer = try harness.send("PUT", "/v2/\(Self.p)/cloudvolumes/\(id)", body)
            #expect(answer.status == 400)
            #expect(answer.errorCode == code, "\(body)")
        }
        #expect(try harness.disk(id)["name"]?.asString == "new")
        #expect(try harness.send("PUT", "/v2/other/cloudvolumes/\(id)", #"{"volume": {"name": "x"}}"#).status == 404)
    }

    @Test func tagsAreListedAsKeyValuePairs() throws {
        let harness = Harness()
        let created = try harness.create(#""availability_zone": "az", "volume_type": "SAS", "size": 10, "tags": {"team": "a", "env": "ci"}"#)
        let id = try #require(harness.list().json["volumes"]?.asArray?.first?["id"]?.asString)
        #expect(created.status == 200)
        let tags = try harness.send("GET", "/v3/\(Self.p)/os-vendor-volumes/\(id)/tags")
        #expect(tags.json == JSONValue.object([JSONMember("tags", .array([
            .object([JSONMember("key", .string("team")), JSONMember("value", .string("a"))]),
            .object([JSONMember("key", .string("env")), JSONMember("value", .string("ci"))]),
        ]))]))
        #expect(try harness.send("GET", "/v3/\(Self.p)/os-vendor-volumes/nope/tags").status == 404)
    }

    @Test func metadataOverTwoKiBIsRefused() throws {
        let harness = Harness()
        let value = String(repeating: "m", count: 2100)
        let answer = try harness.create(#""availability_zone": "az", "volume_type": "SAS", "size": 10, "metadata": {"k": "\#(value)"}"#)
        #expect(answer.status == 400)
        #expect(answer.errorCode == "EVS.1005")
        #expect(harness.disks.count == 0)
        #expect(try harness.create(#""availability_zone": "az", "volume_type": "SAS", "size": 10, "metadata": {"k": "v"}"#).status == 200)
    }
}
