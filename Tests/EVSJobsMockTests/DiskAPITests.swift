import EVSJobs
@testable import EVSJobsMock
import HTTP1
import Testing

/// The disk APIs (issue 13) on request values: create, expand, retype, delete, show and list,
/// their refusals, and plans. No socket, no sleep: time moves only by `ManualClock.advance(by:)`.
@Suite struct DiskAPITests {
    static let project = "0123456789abcdef0123456789abcdef"
    static let p = project

    /// An answer: the status code and the body parsed.
    struct Answer {
        let status: Int
        let json: JSONValue

        /// The code of the service's error envelope (`{"error": {"message", "code"}}`).
        var errorCode: String? { json["error"]?["code"]?.asString }
    }

    /// One service: a job store, a manual clock, the scenario engine, the disks (INIT 100 ms,
    /// RUNNING 200 ms) and the EVS API over them.
    struct Harness {
        let store = JobStore()
        let clock = ManualClock(1_700_000_000_000)
        let engine: ScenarioEngine
        let disks: Disks
        let api: ServiceAPI

        init() {
            engine = ScenarioEngine(store: store, clock: clock)
            disks = Disks(jobs: store, engine: engine, clock: clock, defaultTiming: Scenario(initMs: 100, runningMs: 200))
            api = ServiceAPI(store: store, clock: clock, disks: disks)
        }

        func send(_ method: String, _ target: String, _ body: String? = nil) throws -> Answer {
            let request = HTTPRequest(method: method, target: target, body: Array((body ?? "").utf8))
            let response = api.respond(to: request, match: ServiceAPI.routes.match(method: method, path: request.path), requestID: "req-1")
            let json = try JSONParser.parse(response.body)
            return Answer(status: response.status.code, json: json)
        }

        // MARK: Shortcuts

        func create(_ volume: String, version: String = "v2", project: String = DiskAPITests.project) throws -> Answer {
            try send("POST", "/\(version)/\(project)/cloudvolumes", #"{"volume": {\#(volume)}}"#)
        }

        /// Creates a disk on /v2.1 and returns its job and disk ids.
        func createDisk(name: String, size: Int = 20, type: String = "SSD", zone: String = "eu-de-01",
                        project: String = DiskAPITests.project) throws -> (jobID: String, volumeID: String) {
            let answer = try create(#""availability_zone": "\#(zone)", "volume_type": "\#(type)", "size": \#(size), "name": "\#(name)""#,
                                    version: "v2.1", project: project)
            try #require(answer.status == 200, "create failed: \(answer.json)")
            let jobID = try #require(answer.json["job_id"]?.asString)
            let ids = try #require(answer.json["volume_ids"]?.asArray)
            try #require(ids.count == 1)
            return (jobID, try #require(ids[0].asString))
        }

        /// A disk created and settled `available`.
        func availableDisk(name: String = "data", size: Int = 20, type: String = "SSD") throws -> String {
            let (_, id) = try createDisk(name: name, size: size, type: type)
            clock.advance(by: 301)
            try #require(try disk(id)["status"]?.asString == "available")
            return id
        }

        /// GET of the job (counts a read).
        func job(_ id: String, project: String = DiskAPITests.project) throws -> JSONValue {
            let answer = try send("GET", "/v1/\(project)/jobs/\(id)")
            try #require(answer.status == 200, "job \(id): \(answer.status) \(answer.json)")
            return answer.json
        }

        /// The `volume` of a one-disk GET.
        func disk(_ id: String, path: String = "cloudvolumes") throws -> JSONValue {
            let answer = try send("GET", "/v2/\(DiskAPITests.project)/\(path)/\(id)")
            try #require(answer.status == 200, "disk \(id): \(answer.status) \(answer.json)")
            return try #require(answer.json["volume"])
        }

        func list(_ query: String = "", path: String = "cloudvolumes/detail", project: String = DiskAPITests.project) throws -> Answer {
            try send("GET", "/v2/\(project)/\(path)" + (query.isEmpty ? "" : "?" + query))
        }

        func listCount() throws -> Int64? {
            try list().json["count"]?.asInt
        }

        func extend(_ id: String, to size: String, version: String = "v2") throws -> Answer {
            try send("POST", "/\(version)/\(DiskAPITests.project)/cloudvolumes/\(id)/action", #"{"os-extend": {"new_size": \#(size)}}"#)
        }

        func retype(_ id: String, to type: String) throws -> Answer {
            try send("POST", "/v2/\(DiskAPITests.project)/volumes/\(id)/retype", #"{"os-retype": {"new_type": "\#(type)"}}"#)
        }

        func delete(_ id: String) throws -> Answer {
            try send("DELETE", "/v2/\(DiskAPITests.project)/cloudvolumes/\(id)")
        }

        /// Adds a plan from its admin JSON.
        @discardableResult
        func addPlan(_ json: String) throws -> Plan {
            var decoder = FixtureDecoder()
            let plan = decoder.decodePlanRequest(try JSONParser.parse(Array(json.utf8)))
            try #require(decoder.error == nil, "plan problems: \(String(describing: decoder.error))")
            let decoded = try #require(plan)
            return try #require(disks.plans.add(decoded))
        }
    }

    static func isJobID(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func isVolumeID(_ text: String?) -> Bool {
        guard let text else { return false }
        return (try? Regex(#"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"#).wholeMatch(in: text)) != nil
    }

    // MARK: 1. Create

    @Test(arguments: ["v2", "v2.1", "v3"])
    func createStartsACreateVolumeJob(_ version: String) throws {
        let h = Harness()
        let answer = try h.create(#""availability_zone": "eu-de-01", "volume_type": "SSD", "size": 40, "name": "data""#, version: version)
        #expect(answer.status == 200)
        let jobID = try #require(answer.json["job_id"]?.asString)
        #expect(Self.isJobID(jobID), "job id \(jobID)")
        if version == "v2.1" {
            #expect(answer.json.memberKeys == ["job_id", "volume_ids"])
        } else {
            #expect(answer.json.memberKeys == ["job_id"])
        }

        // The job is there at once, in INIT.
        let job = try h.job(jobID)
        #expect(job["status"]?.asString == "INIT")
        #expect(job["job_id"]?.asString == jobID)
        #expect(job["job_type"]?.asString == "createVolume")
        let entities = try #require(job["entities"])
        #expect(entities.memberKeys == ["name", "size", "volume_id", "volume_type"])
        #expect(entities["name"]?.asString == "data")
        #expect(entities["size"]?.asInt == 40)
        #expect(entities["volume_type"]?.asString == "SSD")
        let volumeID = try #require(entities["volume_id"]?.asString)
        #expect(Self.isVolumeID(volumeID), "volume id \(volumeID)")
        if version == "v2.1" {
            #expect(answer.json["volume_ids"] == .array([.string(volumeID)]))
        }

        var disk = try h.disk(volumeID)
        #expect(disk["id"]?.asString == volumeID)
        #expect(disk["status"]?.asString == "creating")
        #expect(disk["name"]?.asString == "data")
        #expect(disk["size"]?.asInt == 40)
        #expect(disk["volume_type"]?.asString == "SSD")
        #expect(disk["availability_zone"]?.asString == "eu-de-01")

        h.clock.advance(by: 150)
        #expect(try h.job(jobID)["status"]?.asString == "RUNNING")
        #expect(try h.disk(volumeID)["status"]?.asString == "creating")

        h.clock.advance(by: 151)
        let done = try h.job(jobID)
        #expect(done["status"]?.asString == "SUCCESS")
        #expect(done["error_code"] == .null)
        disk = try h.disk(volumeID)
        #expect(disk["status"]?.asString == "available")
        #expect(disk["size"]?.asInt == 40)
        #expect(h.store.jobCount == 1)
    }

    // MARK: 2. Batch create

    @Test func countThreeIsABatchOfThreeSubJobs() throws {
        let h = Harness()
        let answer = try h.create(#""availability_zone": "eu-de-01", "volume_type": "SAS", "size": 10, "name": "name", "count": 3"#, version: "v2.1")
        #expect(answer.status == 200)
        let jobID = try #require(answer.json["job_id"]?.asString)
        #expect(Self.isJobID(jobID))
        let volumeIDs = try #require(answer.json["volume_ids"]?.asArray).map(\.asString)
        #expect(volumeIDs.count == 3)

        let parent = try h.job(jobID)
        #expect(parent["job_type"]?.asString == "batchCreateVolume")
        #expect(parent["status"]?.asString == "INIT")
        let subJobs = try #require(parent["entities"]?["sub_jobs"]?.asArray)
        try #require(subJobs.count == 3)
        var subVolumeIDs: [String?] = []
        for (offset, sub) in subJobs.enumerated() {
            let name = "name-000\(offset + 1)"
            #expect(sub["job_type"]?.asString == "createVolume")
            #expect(sub["entities"]?["name"]?.asString == name)
            #expect(sub["entities"]?["size"]?.asInt == 10)
            #expect(sub["entities"]?["volume_type"]?.asString == "SAS")
            subVolumeIDs.append(sub["entities"]?["volume_id"]?.asString)
            let subID = try #require(sub["job_id"]?.asString)
            #expect(Self.isJobID(subID))
            #expect(subID != jobID)
            // Each sub-job is readable by its own id.
            let own = try h.job(subID)
            #expect(own["job_id"]?.asString == subID)
            #expect(own["job_type"]?.asString == "createVolume")
            #expect(own["entities"]?["name"]?.asString == name)
            #expect(own["entities"]?["volume_id"]?.asString == volumeIDs[offset])
        }
        #expect(subVolumeIDs == volumeIDs)
        #expect(Set(volumeIDs.compactMap { $0 }).count == 3)

        let list = try h.list()
        #expect(list.json["count"]?.asInt == 3)
        let names = try #require(list.json["volumes"]?.asArray).map { $0["name"]?.asString }
        #expect(Set(names) == ["name-0001", "name-0002", "name-0003"])
        let ids = volumeIDs.compactMap { $0 }
        #expect(try ids.map { try h.disk($0)["status"]?.asString } == ["creating", "creating", "creating"])

        h.clock.advance(by: 301)
        #expect(try h.job(jobID)["status"]?.asString == "SUCCESS")
        #expect(try ids.map { try h.disk($0)["status"]?.asString } == ["available", "available", "available"])
        #expect(h.store.jobCount == 1)
    }

    // MARK: 3. Bad create bodies

    struct BadCreate: Sendable, CustomTestStringConvertible {
        let label: String
        let body: String
        let code: String
        var testDescription: String { "\(label) → \(code)" }

        init(_ label: String, _ code: String, body: String) {
            self.label = label
            self.body = body
            self.code = code
        }

        /// A body whose volume is the valid base plus `extra` members.
        init(_ label: String, _ code: String, volume extra: String) {
            self.init(label, code, body: #"{"volume": {"availability_zone": "eu-de-01", "volume_type": "SSD", \#(extra)}}"#)
        }
    }

    static let elevenTags = "{" + (0...10).map { #""k\#($0)": "v""# }.joined(separator: ", ") + "}"

    static let badCreates: [BadCreate] = [
        BadCreate("invalid JSON", "EVS.1052", body: #"{"volume": {"size": 20"#),
        BadCreate("body an array", "EVS.1052", body: #"[{"volume": {"availability_zone": "eu-de-01", "volume_type": "SSD", "size": 20}}]"#),
        BadCreate("no volume", "EVS.1008", body: #"{"bssParam": {"chargingMode": "postPaid"}}"#),
        BadCreate("volume a string", "EVS.1009", body: #"{"volume": "SSD"}"#),
        BadCreate("no availability_zone", "EVS.2083", body: #"{"volume": {"volume_type": "SSD", "size": 20}}"#),
        BadCreate("no volume_type", "EVS.2083", body: #"{"volume": {"availability_zone": "eu-de-01", "size": 20}}"#),
        BadCreate("unknown volume_type", "EVS.1020", body: #"{"volume": {"availability_zone": "eu-de-01", "volume_type": "NVME", "size": 20}}"#),
        BadCreate("size a string", "EVS.1018", volume: #""size": "20""#),
        BadCreate("size 9", "EVS.1010", volume: #""size": 9"#),
        BadCreate("size 32769", "EVS.1010", volume: #""size": 32769"#),
        BadCreate("size 0 from an image", "EVS.1010", volume: #""size": 0, "imageRef": "img-1""#),
        BadCreate("size 1025 from an image", "EVS.1010", volume: #""size": 1025, "imageRef": "img-1""#),
        BadCreate("count 0", "EVS.1021", volume: #""size": 20, "count": 0"#),
        BadCreate("count 101", "EVS.1021", volume: #""size": 20, "count": 101"#),
        BadCreate("count a string", "EVS.1018", volume: #""size": 20, "count": "2""#),
        // 128 two-byte characters: 256 bytes.
        BadCreate("name of 256 bytes", "EVS.1003", volume: #""size": 20, "name": "\#(String(repeating: "é", count: 128))""#),
        BadCreate("description of 256 bytes", "EVS.1004", volume: #""size": 20, "description": "\#(String(repeating: "d", count: 256))""#),
        BadCreate("imageRef and snapshot_id", "EVS.1016", volume: #""size": 20, "imageRef": "img-1", "snapshot_id": "snap-1""#),
        BadCreate("multiattach a string", "EVS.1054", volume: #""size": 20, "multiattach": "yes""#),
        BadCreate("11 tags", "EVS.1061", volume: #""size": 20, "tags": \#(elevenTags)"#),
        BadCreate("a tag key with a space", "EVS.1062", volume: #""size": 20, "tags": {"my key": "v"}"#),
    ]

    @Test(arguments: badCreates)
    func badCreateBodyIsRefusedAndCreatesNothing(_ bad: BadCreate) throws {
        let h = Harness()
        let jobsBefore = h.store.jobCount
        let answer = try h.send("POST", "/v2/\(Self.p)/cloudvolumes", bad.body)
        #expect(answer.status == 400)
        #expect(answer.errorCode == bad.code)
        #expect(answer.json.memberKeys == ["error"])
        #expect(answer.json["error"]?.memberKeys == ["message", "code"])
        #expect(h.store.jobCount == jobsBefore)
        #expect(h.disks.count == 0)
        #expect(try h.listCount() == 0)
    }

    /// The same refusals are given on /v2.1 and /v3.
    @Test(arguments: ["v2.1", "v3"])
    func badCreateOnOtherVersions(_ version: String) throws {
        let h = Harness()
        let answer = try h.create(#""availability_zone": "eu-de-01", "volume_type": "SSD", "size": 9"#, version: version)
        #expect(answer.status == 400)
        #expect(answer.errorCode == "EVS.1010")
        #expect(h.store.jobCount == 0)
        #expect(try h.listCount() == 0)
    }

    @Test func boundaryCreatesAreAccepted() throws {
        let h = Harness()
        for volume in [
            #""availability_zone": "eu-de-01", "volume_type": "SATA", "size": 10"#,
            #""availability_zone": "eu-de-01", "volume_type": "GPSSD2", "size": 32768"#,
            #""availability_zone": "eu-de-01", "volume_type": "ESSD2", "size": 1, "imageRef": "img-1""#,
            #""availability_zone": "eu-de-01", "volume_type": "ESSD", "size": 20, "name": "\#(String(repeating: "n", count: 255))""#,
            #""availability_zone": "eu-de-01", "volume_type": "SSD", "size": 20, "tags": {"key_1": "v-1"}, "multiattach": true"#,
        ] {
            let answer = try h.create(volume)
            #expect(answer.status == 200, "\(volume): \(answer.json)")
        }
        #expect(h.store.jobCount == 5)
        #expect(try h.listCount() == 5)
    }

    @Test func decimalSizeIsCutToWholeGB() throws {
        let h = Harness()
        let answer = try h.create(#""availability_zone": "eu-de-01", "volume_type": "SSD", "size": 120.7, "name": "frac""#, version: "v2.1")
        #expect(answer.status == 200)
        let jobID = try #require(answer.json["job_id"]?.asString)
        let volumeID = try #require(answer.json["volume_ids"]?.asArray?.first?.asString)
        #expect(try h.job(jobID)["entities"]?["size"]?.asInt == 120)
        #expect(try h.disk(volumeID)["size"]?.asInt == 120)
    }

    // MARK: 4. Expand

    @Test(arguments: ["v2", "v2.1"])
    func expandGrowsTheDisk(_ version: String) throws {
        let h = Harness()
        let id = try h.availableDisk(size: 20)
        let answer = try h.extend(id, to: "30", version: version)
        #expect(answer.status == 200)
        #expect(answer.json.memberKeys == ["job_id"])
        let jobID = try #require(answer.json["job_id"]?.asString)
        #expect(Self.isJobID(jobID))
        let job = try h.job(jobID)
        #expect(job["job_type"]?.asString == "extendVolume")
        #expect(job["status"]?.asString == "INIT")
        #expect(job["entities"]?["size"]?.asInt == 30)
        #expect(job["entities"]?["volume_id"]?.asString == id)

        var disk = try h.disk(id)
        #expect(disk["status"]?.asString == "extending")
        #expect(disk["size"]?.asInt == 20)

        h.clock.advance(by: 301)
        #expect(try h.job(jobID)["status"]?.asString == "SUCCESS")
        disk = try h.disk(id)
        #expect(disk["status"]?.asString == "available")
        #expect(disk["size"]?.asInt == 30)
    }

    @Test(arguments: ["v2", "v2.1"])
    func expandRefusals(_ version: String) throws {
        let h = Harness()
        let id = try h.availableDisk(size: 20)
        let jobs = h.store.jobCount
        for (size, code) in [("10", "EVS.1015"), ("20", "EVS.1015"), ("32769", "EVS.1010"), (#""30""#, "EVS.1018")] {
            let answer = try h.extend(id, to: size, version: version)
            #expect(answer.status == 400, "new_size \(size)")
            #expect(answer.errorCode == code, "new_size \(size)")
        }
        let noExtend = try h.send("POST", "/\(version)/\(Self.p)/cloudvolumes/\(id)/action", #"{"os-reset_status": {"status": "available"}}"#)
        #expect(noExtend.status == 400)
        #expect(noExtend.errorCode == "EVS.1011")
        #expect(h.store.jobCount == jobs)
        let disk = try h.disk(id)
        #expect(disk["status"]?.asString == "available")
        #expect(disk["size"]?.asInt == 20)
    }

    @Test func expandingACreatingDiskIsRefused() throws {
        let h = Harness()
        let (_, id) = try h.createDisk(name: "new")
        let jobs = h.store.jobCount
        let answer = try h.extend(id, to: "40")
        #expect(answer.status == 400)
        #expect(answer.errorCode == "EVS.1064")
        #expect(h.store.jobCount == jobs)
        #expect(try h.disk(id)["status"]?.asString == "creating")
    }

    @Test(arguments: ["v2", "v2.1"])
    func expandingAnUnknownDiskIs404(_ version: String) throws {
        let h = Harness()
        let missing = "3f0b6a52-3c1a-4d4e-9f59-2d1f1c0a9b77"
        let answer = try h.extend(missing, to: "40", version: version)
        #expect(answer.status == 404)
        #expect(answer.json.memberKeys == ["itemNotFound"])
        let body = try #require(answer.json["itemNotFound"])
        #expect(body.memberKeys == ["message", "code"])
        #expect(body["message"]?.asString == "Volume \(missing) could not be found.")
        #expect(body["code"]?.asString == "EVS.1002")
        #expect(h.store.jobCount == 0)
    }

    // MARK: 5. Retype

    @Test func retypeChangesTheType() throws {
        let h = Harness()
        let id = try h.availableDisk(type: "SSD")
        let answer = try h.retype(id, to: "ESSD")
        #expect(answer.status == 202)
        #expect(answer.json.memberKeys == ["job_id"])
        let jobID = try #require(answer.json["job_id"]?.asString)
        #expect(Self.isJobID(jobID))
        let job = try h.job(jobID)
        #expect(job["job_type"]?.asString == "retypeVolume")
        #expect(job["entities"]?["volume_id"]?.asString == id)
        #expect(job["entities"]?["volume_type"]?.asString == "ESSD")

        var disk = try h.disk(id)
        #expect(disk["status"]?.asString == "retyping")
        #expect(disk["volume_type"]?.asString == "SSD")

        h.clock.advance(by: 301)
        #expect(try h.job(jobID)["status"]?.asString == "SUCCESS")
        disk = try h.disk(id)
        #expect(disk["status"]?.asString == "available")
        #expect(disk["volume_type"]?.asString == "ESSD")
    }

    @Test func retypeRefusals() throws {
        let h = Harness()
        let id = try h.availableDisk(type: "SSD")
        let jobs = h.store.jobCount
        let same = try h.retype(id, to: "SSD")
        #expect(same.status == 400)
        #expect(same.errorCode == "EVS.2087")
        let unknown = try h.retype(id, to: "TURBO")
        #expect(unknown.status == 400)
        #expect(unknown.errorCode == "EVS.1020")
        let noRetype = try h.send("POST", "/v2/\(Self.p)/volumes/\(id)/retype", #"{"new_type": "ESSD"}"#)
        #expect(noRetype.status == 400)
        #expect(noRetype.errorCode == "EVS.2108")
        #expect(h.store.jobCount == jobs)
        let disk = try h.disk(id)
        #expect(disk["status"]?.asString == "available")
        #expect(disk["volume_type"]?.asString == "SSD")
    }

    // MARK: 6. Delete

    @Test func deleteRemovesTheDisk() throws {
        let h = Harness()
        let id = try h.availableDisk()
        let keep = try h.availableDisk(name: "keep")
        let answer = try h.delete(id)
        #expect(answer.status == 200)
        #expect(answer.json.memberKeys == ["job_id"])
        let jobID = try #require(answer.json["job_id"]?.asString)
        #expect(Self.isJobID(jobID))
        let job = try h.job(jobID)
        #expect(job["job_type"]?.asString == "deleteVolume")
        #expect(job["entities"]?["volume_id"]?.asString == id)
        #expect(try h.disk(id)["status"]?.asString == "deleting")

        let jobs = h.store.jobCount
        let again = try h.delete(id)
        #expect(again.status == 400)
        #expect(again.errorCode == "EVS.1046")
        #expect(h.store.jobCount == jobs)

        h.clock.advance(by: 301)
        #expect(try h.job(jobID)["status"]?.asString == "SUCCESS")
        for path in ["/v2/\(Self.p)/cloudvolumes/\(id)", "/v2/\(Self.p)/os-vendor-volumes/\(id)",
                     "/v2/\(Self.p)/volumes/\(id)", "/v3/\(Self.p)/volumes/\(id)"] {
            let gone = try h.send("GET", path)
            #expect(gone.status == 404, "\(path)")
            #expect(gone.json["itemNotFound"]?["code"]?.asString == "EVS.1002", "\(path)")
            #expect(gone.json["itemNotFound"]?["message"]?.asString == "Volume \(id) could not be found.", "\(path)")
        }
        let list = try h.list()
        #expect(list.json["count"]?.asInt == 1)
        #expect(list.json["volumes"]?.asArray?.map { $0["id"]?.asString } == [keep])
        // Deleting it again: it is not there.
        #expect(try h.delete(id).status == 404)
    }

    @Test func everyOneDiskPathShowsTheDisk() throws {
        let h = Harness()
        let id = try h.availableDisk(name: "shown")
        var bodies: [JSONValue] = []
        for path in ["/v2/\(Self.p)/cloudvolumes/\(id)", "/v2/\(Self.p)/os-vendor-volumes/\(id)",
                     "/v2/\(Self.p)/volumes/\(id)", "/v3/\(Self.p)/volumes/\(id)"] {
            let answer = try h.send("GET", path)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.json["volume"]?["id"]?.asString == id, "\(path)")
            #expect(answer.json["volume"]?["name"]?.asString == "shown", "\(path)")
            bodies.append(answer.json)
        }
        #expect(bodies.count == 4)
        #expect(bodies.allSatisfy { $0 == bodies[0] })
    }

    @Test func deletingACreatingDiskIsRefused() throws {
        let h = Harness()
        let (_, id) = try h.createDisk(name: "young")
        let answer = try h.delete(id)
        #expect(answer.status == 400)
        #expect(answer.errorCode == "EVS.1046")
        #expect(h.store.jobCount == 1)
    }

    // MARK: 7. Projects

    @Test func anotherProjectCannotSeeOrActOnTheDisk() throws {
        let h = Harness()
        let id = try h.availableDisk(name: "mine")
        let jobs = h.store.jobCount
        let other = "other"
        for (method, path, body) in [
            ("GET", "/v2/\(other)/cloudvolumes/\(id)", nil),
            ("GET", "/v2/\(other)/volumes/\(id)", nil),
            ("GET", "/v3/\(other)/volumes/\(id)", nil),
            ("POST", "/v2/\(other)/cloudvolumes/\(id)/action", #"{"os-extend": {"new_size": 40}}"#),
            ("POST", "/v2/\(other)/volumes/\(id)/retype", #"{"os-retype": {"new_type": "ESSD"}}"#),
            ("DELETE", "/v2/\(other)/cloudvolumes/\(id)", nil),
        ] as [(String, String, String?)] {
            let answer = try h.send(method, path, body)
            #expect(answer.status == 404, "\(method) \(path)")
            #expect(answer.json["itemNotFound"]?["code"]?.asString == "EVS.1002", "\(method) \(path)")
        }
        let list = try h.list(project: other)
        #expect(list.json["count"]?.asInt == 0)
        #expect(list.json["volumes"] == .array([]))
        #expect(h.store.jobCount == jobs)
        let disk = try h.disk(id)
        #expect(disk["status"]?.asString == "available")
        #expect(disk["size"]?.asInt == 20)
    }

    // MARK: 8. List

    /// d1..d4 available (d1, d2 in eu-de-01; d3, d4 in eu-de-02), d5 creating in eu-de-01.
    static func fiveDisks(_ h: Harness) throws -> [String: String] {
        var ids: [String: String] = [:]
        for (name, zone) in [("d1", "eu-de-01"), ("d2", "eu-de-01"), ("d3", "eu-de-02"), ("d4", "eu-de-02")] {
            ids[name] = try h.createDisk(name: name, zone: zone).volumeID
            h.clock.advance(by: 1)
        }
        h.clock.advance(by: 301)
        ids["d5"] = try h.createDisk(name: "d5", zone: "eu-de-01").volumeID
        return ids
    }

    static func names(_ answer: Answer) -> [String?]? {
        answer.json["volumes"]?.asArray?.map { $0["name"]?.asString }
    }

    @Test func listPagesNewestFirst() throws {
        let h = Harness()
        let ids = try Self.fiveDisks(h)

        let all = try h.list()
        #expect(all.status == 200)
        #expect(all.json.memberKeys == ["count", "volumes"])
        #expect(all.json["count"]?.asInt == 5)
        #expect(Self.names(all) == ["d5", "d4", "d3", "d2", "d1"])
        #expect(all.json["volumes_links"] == nil)

        let first = try h.list("limit=2")
        #expect(first.json["count"]?.asInt == 5)
        #expect(Self.names(first) == ["d5", "d4"])
        let links = try #require(first.json["volumes_links"]?.asArray)
        try #require(links.count == 1)
        #expect(links[0]["rel"]?.asString == "next")
        let d4 = try #require(ids["d4"])
        #expect(links[0]["href"]?.asString == "http://localhost/v2/\(Self.p)/volumes/detail?limit=2&marker=\(d4)")

        // Following the links walks every disk once.
        var seen = Self.names(first) ?? []
        var next = links[0]["href"]?.asString
        var pages = 1
        while let href = next, pages < 10 {
            let target = String(href.dropFirst("http://localhost".count))
            let page = try h.send("GET", target)
            #expect(page.status == 200)
            #expect(page.json["count"]?.asInt == 5)
            seen += Self.names(page) ?? []
            next = page.json["volumes_links"]?.asArray?.first?["href"]?.asString
            pages += 1
        }
        #expect(seen == ["d5", "d4", "d3", "d2", "d1"])
        #expect(pages == 3)

        #expect(try Self.names(h.list("limit=2&offset=2")) == ["d3", "d2"])
        #expect(try h.list("limit=2&offset=2").json["volumes_links"] != nil)
        let tail = try h.list("limit=2&offset=3")
        #expect(Self.names(tail) == ["d2", "d1"])
        #expect(tail.json["volumes_links"] == nil)
        #expect(try Self.names(h.list("offset=4")) == ["d1"])
        #expect(try Self.names(h.list("offset=5")) == [])
        #expect(try h.list("offset=5").json["count"]?.asInt == 5)

        let afterD4 = try h.list("marker=\(d4)")
        #expect(afterD4.json["count"]?.asInt == 5)
        #expect(Self.names(afterD4) == ["d3", "d2", "d1"])
        #expect(afterD4.json["volumes_links"] == nil)
        let d2 = try #require(ids["d2"])
        #expect(try h.list("marker=\(d4)&limit=2").json["volumes_links"]?.asArray?.first?["href"]?.asString
            == "http://localhost/v2/\(Self.p)/volumes/detail?limit=2&marker=\(d2)")

        // /v2/{p}/volumes/detail answers the same.
        let other = try h.list("limit=2", path: "volumes/detail")
        #expect(other.json == first.json)
    }

    @Test func listFilters() throws {
        let h = Harness()
        _ = try Self.fiveDisks(h)

        let byName = try h.list("name=d3")
        #expect(byName.json["count"]?.asInt == 1)
        #expect(Self.names(byName) == ["d3"])
        let creating = try h.list("status=creating")
        #expect(creating.json["count"]?.asInt == 1)
        #expect(Self.names(creating) == ["d5"])
        let available = try h.list("status=available")
        #expect(available.json["count"]?.asInt == 4)
        #expect(Self.names(available) == ["d4", "d3", "d2", "d1"])
        let zone = try h.list("availability_zone=eu-de-02")
        #expect(zone.json["count"]?.asInt == 2)
        #expect(Self.names(zone) == ["d4", "d3"])
        let both = try h.list("availability_zone=eu-de-01&status=available")
        #expect(Self.names(both) == ["d2", "d1"])
        let paged = try h.list("status=available&limit=1&offset=1")
        #expect(paged.json["count"]?.asInt == 4)
        #expect(Self.names(paged) == ["d3"])
        #expect(paged.json["volumes_links"] != nil)
        let none = try h.list("name=d1&availability_zone=eu-de-02")
        #expect(none.json["count"]?.asInt == 0)
        #expect(Self.names(none) == [])
        #expect(try h.list("name=nobody").json["count"]?.asInt == 0)
    }

    @Test(arguments: ["limit=0", "limit=1001", "limit=x", "limit=-1"])
    func badLimitIsRefused(_ query: String) throws {
        let h = Harness()
        _ = try h.createDisk(name: "one")
        let answer = try h.list(query)
        #expect(answer.status == 400)
        #expect(answer.errorCode == "EVS.1023")
    }

    @Test func limitThousandIsAccepted() throws {
        let h = Harness()
        _ = try h.createDisk(name: "one")
        let answer = try h.list("limit=1000")
        #expect(answer.status == 200)
        #expect(answer.json["count"]?.asInt == 1)
    }

    @Test func unknownMarkerIsRefused() throws {
        let h = Harness()
        _ = try h.createDisk(name: "one")
        let answer = try h.list("marker=3f0b6a52-3c1a-4d4e-9f59-2d1f1c0a9b77")
        #expect(answer.status == 400)
        #expect(answer.errorCode == "EVS.1024")
    }

    // MARK: 9. Plans

    static let doomedPlan = #"{"job_type": "createVolume", "name": "doomed*", "scenario": {"outcome": "FAIL", "error_code": "EVS.2024", "fail_reason": "volume is error!"}, "times": 1}"#

    @Test func planFailsTheNextMatchingCreateOnce() throws {
        let h = Harness()
        let plan = try h.addPlan(Self.doomedPlan)
        #expect(plan.id == "plan-1")
        #expect(plan.remaining == 1)

        // A name the glob does not match is not planned.
        let fine = try h.createDisk(name: "fine")
        let doomed = try h.createDisk(name: "doomed-1")
        h.clock.advance(by: 301)
        #expect(try h.job(fine.jobID)["status"]?.asString == "SUCCESS")
        #expect(try h.disk(fine.volumeID)["status"]?.asString == "available")

        let failed = try h.job(doomed.jobID)
        #expect(failed["status"]?.asString == "FAIL")
        #expect(failed["error_code"]?.asString == "EVS.2024")
        #expect(failed["fail_reason"]?.asString == "volume is error!")
        #expect(try h.disk(doomed.volumeID)["status"]?.asString == "error")

        // Used up: the next matching create succeeds.
        let second = try h.createDisk(name: "doomed-2")
        h.clock.advance(by: 301)
        #expect(try h.job(second.jobID)["status"]?.asString == "SUCCESS")
        #expect(try h.disk(second.volumeID)["status"]?.asString == "available")
        let rule = try #require(h.disks.plans.rules.first)
        #expect(rule.used == 1)
        #expect(rule.remaining == 0)

        // A disk in error may be deleted.
        #expect(try h.delete(doomed.volumeID).status == 200)
    }

    @Test func failedExtendLeavesErrorExtending() throws {
        let h = Harness()
        let id = try h.availableDisk(size: 20)
        try h.addPlan(#"{"job_type": "extendVolume", "scenario": {"outcome": "FAIL", "error_code": "EVS.2030", "fail_reason": "extend failed"}}"#)
        let jobID = try #require(try h.extend(id, to: "50").json["job_id"]?.asString)
        #expect(try h.disk(id)["status"]?.asString == "extending")
        h.clock.advance(by: 301)
        let job = try h.job(jobID)
        #expect(job["status"]?.asString == "FAIL")
        #expect(job["error_code"]?.asString == "EVS.2030")
        let disk = try h.disk(id)
        #expect(disk["status"]?.asString == "error_extending")
        #expect(disk["size"]?.asInt == 20)
        // error_extending is one of the statuses a disk may be deleted from.
        #expect(try h.delete(id).status == 200)
    }

    @Test func failedRetypeKeepsTheOldType() throws {
        let h = Harness()
        let id = try h.availableDisk(type: "SAS")
        try h.addPlan(#"{"job_type": "retypeVolume", "scenario": {"outcome": "FAIL", "error_code": "EVS.2031", "fail_reason": "retype failed"}}"#)
        let answer = try h.retype(id, to: "GPSSD")
        #expect(answer.status == 202)
        let jobID = try #require(answer.json["job_id"]?.asString)
        #expect(try h.disk(id)["status"]?.asString == "retyping")
        h.clock.advance(by: 301)
        #expect(try h.job(jobID)["status"]?.asString == "FAIL")
        let disk = try h.disk(id)
        #expect(disk["status"]?.asString == "available")
        #expect(disk["volume_type"]?.asString == "SAS")
    }

    @Test func failedDeleteLeavesErrorDeleting() throws {
        let h = Harness()
        let id = try h.availableDisk()
        try h.addPlan(#"{"job_type": "deleteVolume", "scenario": {"outcome": "FAIL", "error_code": "EVS.2032", "fail_reason": "delete failed"}}"#)
        let jobID = try #require(try h.delete(id).json["job_id"]?.asString)
        h.clock.advance(by: 301)
        let job = try h.job(jobID)
        #expect(job["status"]?.asString == "FAIL")
        #expect(job["error_code"]?.asString == "EVS.2032")
        #expect(try h.disk(id)["status"]?.asString == "error_deleting")
        let list = try h.list()
        #expect(list.json["count"]?.asInt == 1)
        #expect(list.json["volumes"]?.asArray?.first?["status"]?.asString == "error_deleting")
        // A disk in error_deleting is not deleted again.
        let jobs = h.store.jobCount
        let again = try h.delete(id)
        #expect(again.errorCode == "EVS.2020")
        #expect(h.store.jobCount == jobs)
    }

    @Test func batchPlanFailsOnlyTheNamedSubJob() throws {
        let h = Harness()
        try h.addPlan(#"{"job_type": "batchCreateVolume", "fail_sub_jobs": [1], "scenario": {"outcome": "FAIL", "error_code": "EVS.2024", "fail_reason": "volume is error!"}}"#)
        let answer = try h.create(#""availability_zone": "eu-de-01", "volume_type": "SSD", "size": 10, "name": "batch", "count": 3"#, version: "v2.1")
        #expect(answer.status == 200)
        let jobID = try #require(answer.json["job_id"]?.asString)
        let volumeIDs = try #require(answer.json["volume_ids"]?.asArray).compactMap(\.asString)
        try #require(volumeIDs.count == 3)
        h.clock.advance(by: 301)

        let parent = try h.job(jobID)
        #expect(parent["status"]?.asString == "FAIL")
        #expect(parent["error_code"]?.asString == "EVS.2024")
        #expect(parent["fail_reason"]?.asString == "volume is error!")
        let subs = try #require(parent["entities"]?["sub_jobs"]?.asArray)
        #expect(subs.map { $0["status"]?.asString } == ["SUCCESS", "FAIL", "SUCCESS"])
        #expect(subs[1]["error_code"]?.asString == "EVS.2024")
        #expect(subs[0]["error_code"] == .null)
        #expect(try volumeIDs.map { try h.disk($0)["status"]?.asString } == ["available", "error", "available"])
        #expect(try volumeIDs.map { try h.disk($0)["name"]?.asString } == ["batch-0001", "batch-0002", "batch-0003"])
    }

    @Test func pollPlanEndsAfterPollsNotTime() throws {
        let h = Harness()
        try h.addPlan(#"{"job_type": "createVolume", "scenario": {"init_polls": 0, "running_polls": 2}}"#)
        let (jobID, id) = try h.createDisk(name: "polled")
        h.clock.advance(by: 60_000)
        #expect(try h.disk(id)["status"]?.asString == "creating")
        #expect(try h.job(jobID)["status"]?.asString == "RUNNING")
        h.clock.advance(by: 60_000)
        #expect(try h.disk(id)["status"]?.asString == "creating")
        #expect(try h.job(jobID)["status"]?.asString == "RUNNING")
        // The second poll finished it.
        #expect(try h.disk(id)["status"]?.asString == "available")
        #expect(try h.job(jobID)["status"]?.asString == "SUCCESS")
    }

    @Test func volumeIDPlanMatchesOnlyThatDisk() throws {
        let h = Harness()
        let target = try h.availableDisk(name: "target", size: 20)
        let bystander = try h.availableDisk(name: "bystander", size: 20)
        try h.addPlan(#"{"volume_id": "\#(target)", "scenario": {"outcome": "FAIL", "error_code": "EVS.2030", "fail_reason": "planned"}}"#)

        let bystanderJob = try #require(try h.extend(bystander, to: "30").json["job_id"]?.asString)
        let targetJob = try #require(try h.extend(target, to: "30").json["job_id"]?.asString)
        // A create is not that disk's operation either.
        let fresh = try h.createDisk(name: "fresh")
        h.clock.advance(by: 301)

        #expect(try h.job(bystanderJob)["status"]?.asString == "SUCCESS")
        #expect(try h.disk(bystander)["size"]?.asInt == 30)
        #expect(try h.disk(bystander)["status"]?.asString == "available")
        #expect(try h.job(targetJob)["status"]?.asString == "FAIL")
        #expect(try h.job(targetJob)["fail_reason"]?.asString == "planned")
        #expect(try h.disk(target)["status"]?.asString == "error_extending")
        #expect(try h.job(fresh.jobID)["status"]?.asString == "SUCCESS")

        // Its delete is that disk's operation too.
        let deleteJob = try #require(try h.delete(target).json["job_id"]?.asString)
        h.clock.advance(by: 301)
        #expect(try h.job(deleteJob)["status"]?.asString == "FAIL")
        #expect(try h.disk(target)["status"]?.asString == "error_deleting")
    }

    // MARK: 10. Field order

    @Test func oneDiskFieldsComeInThePagesOrder() throws {
        let h = Harness()
        let id = try h.availableDisk(name: "ordered")
        let disk = try h.disk(id)
        let keys = disk.memberKeys
        #expect(Array(keys.prefix(3)) == ["attachments", "links", "availability_zone"])
        #expect(keys == VolumeJSON.oneOrder)
        #expect(keys.count == 32)
        let created = try #require(disk["created_at"]?.asString)
        #expect(try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$"#).wholeMatch(in: created) != nil, "\(created)")
        #expect(created == "2023-11-14T22:13:20.000000")
        #expect(disk["links"]?.asArray?.first?["href"]?.asString == "http://localhost/v2/\(Self.p)/volumes/\(id)")
        #expect(disk["os-vol-tenant-attr:tenant_id"]?.asString == Self.p)
        #expect(disk["bootable"]?.asString == "false")
        #expect(disk["shareable"]?.asString == "false")
    }

    @Test func listItemFieldsComeInTheListPagesOrder() throws {
        let h = Harness()
        _ = try h.availableDisk(name: "ordered")
        let list = try h.list()
        let item = try #require(list.json["volumes"]?.asArray?.first)
        let keys = item.memberKeys
        #expect(Array(keys.prefix(4)) == ["attachments", "availability_zone", "bootable", "created_at"])
        #expect(keys == VolumeJSON.listOrder)
        let created = try #require(item["created_at"]?.asString)
        #expect(try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$"#).wholeMatch(in: created) != nil, "\(created)")
        let updated = try #require(item["updated_at"]?.asString)
        #expect(try Regex(#"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$"#).wholeMatch(in: updated) != nil, "\(updated)")
    }
}

// MARK: - Reading JSON values

extension JSONValue {
    var asString: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var asInt: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }

    var asArray: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// An object's keys in order (empty for anything else).
    fileprivate var memberKeys: [String] {
        if case .object(let members) = self { return members.map(\.key) }
        return []
    }
}
