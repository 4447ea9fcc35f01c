import EVSJobs
import HTTP1

/// The disk APIs: bodies read and checked as the service's pages describe (a request that
/// breaks a rule is refused with the page's `EVS.*` code and starts nothing), then `Disks`.
extension ServiceAPI {
    func createVolumes(_ call: ServiceCall, version: String) throws(APIError) -> HTTPResponse {
        let request = try Self.createRequest(call.request.body)
        let started = try Self.refused { () throws(DiskRefusal) in try disks.create(project: call.projectID, request) }
        var members = [JSONMember("job_id", .string(started.jobID))]
        // Huawei's v2.1 adds the disks' ids (and an order id, which pay-per-use disks have not).
        if version == "v2.1" { members.append(JSONMember("volume_ids", .array(started.volumeIDs.map(JSONValue.string)))) }
        return .json(.ok, .object(members))
    }

    func volumeAction(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        Self.jobAnswer(.ok, try extend(call))
    }

    /// The `extendVolume` job an `os-extend` body starts.
    private func extend(_ call: ServiceCall) throws(APIError) -> String {
        let body = try Self.object(call.request.body)
        guard case .object? = body["os-extend"] else { throw DiskError.noExtendRequest }
        let size = try Self.wholeNumber(body["os-extend"]?["new_size"], missing: DiskError.invalidSize)
        guard size >= 1 else { throw DiskError.invalidSize }
        return try Self.refused { () throws(DiskRefusal) in try disks.extend(project: call.projectID, volumeID: call.volumeID, newSize: size) }
    }

    func retypeVolume(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        let body = try Self.object(call.request.body)
        guard case .string(let type)? = body["os-retype"]?["new_type"] else { throw DiskError.retypeBody }
        guard Volume.types.contains(type) else { throw DiskError.invalidVolumeType }
        return Self.jobAnswer(.accepted, try Self.refused { () throws(DiskRefusal) in
            try disks.retype(project: call.projectID, volumeID: call.volumeID, newType: type)
        })
    }

    func deleteVolume(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        Self.jobAnswer(.ok, try delete(call))
    }

    private func delete(_ call: ServiceCall) throws(APIError) -> String {
        try Self.refused { () throws(DiskRefusal) in try disks.delete(project: call.projectID, volumeID: call.volumeID) }
    }

    func showVolume(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        guard let volume = disks.volume(project: call.projectID, id: call.volumeID) else { throw DiskError.notFound(call.volumeID) }
        let body = VolumeJSON.render(volume, project: call.projectID, base: Self.base(call.request), order: VolumeJSON.oneOrder)
        return .json(.ok, .object([JSONMember("volume", body)]))
    }

    /// `PUT`: `{"volume": {"name"?, "description"?}}` renames the disk or changes its description
    /// (both absent, or the body not of that shape: 400 `EVS.1001`); 200 with the disk.
    func updateVolume(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        let body = try Self.object(call.request.body)
        guard case .object? = body["volume"] else { throw DiskError.nullVolume }
        let name = try Self.text(body["volume"]?["name"], allowEmpty: true)
        let description = try Self.text(body["volume"]?["description"], allowEmpty: true)
        guard name != nil || description != nil else { throw DiskError.nullVolume }
        guard (name?.utf8.count ?? 0) <= Volume.maxTextBytes else { throw DiskError.invalidName }
        guard (description?.utf8.count ?? 0) <= Volume.maxTextBytes else { throw DiskError.invalidDescription }
        let volume = try Self.refused { () throws(DiskRefusal) in
            try disks.update(project: call.projectID, volumeID: call.volumeID, name: name, description: description)
        }
        let rendered = VolumeJSON.render(volume, project: call.projectID, base: Self.base(call.request), order: VolumeJSON.oneOrder)
        return .json(.ok, .object([JSONMember("volume", rendered)]))
    }

    /// `{"tags": [{"key", "value"}]}`, as gophertelekomcloud's tag API reads them.
    func volumeTags(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        guard let volume = disks.volume(project: call.projectID, id: call.volumeID) else { throw DiskError.notFound(call.volumeID) }
        let tags = volume.tags.map { JSONValue.object([JSONMember("key", .string($0.key)), JSONMember("value", $0.value)]) }
        return .json(.ok, .object([JSONMember("tags", .array(tags))]))
    }

    // MARK: The native (Cinder) API

    /// `POST /v2/{p}/volumes`: one disk, 202 with the disk (`creating`); its job is started as
    /// by the EVS API (plans apply) but not named.
    func cinderCreate(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        var request = try Self.createRequest(call.request.body)
        request.count = 1
        let started = try Self.refused { () throws(DiskRefusal) in try disks.create(project: call.projectID, request) }
        guard let id = started.volumeIDs.first, let volume = disks.volume(project: call.projectID, id: id) else {
            throw DiskError.submitFailed
        }
        let body = VolumeJSON.render(volume, project: call.projectID, base: Self.base(call.request), order: VolumeJSON.oneOrder)
        return .json(.accepted, .object([JSONMember("volume", body)]))
    }

    /// `os-extend` on the Cinder path: 202 without a body.
    func cinderAction(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        _ = try extend(call)
        return HTTPResponse(status: .accepted)
    }

    /// 202 without a body; `cascade` and other query parameters are accepted and ignored.
    func cinderDelete(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        _ = try delete(call)
        return HTTPResponse(status: .accepted)
    }

    /// Pages are at most `maxPage` disks; `volumes_links` names the next page when there is one.
    func listVolumes(_ call: ServiceCall) throws(APIError) -> HTTPResponse {
        let query: Query
        do {
            query = try Query(call.request.query)
        } catch {
            throw DiskError.badQuery
        }
        func value(_ name: String) -> String? { query.values[name].flatMap { $0.isEmpty ? nil : $0 } }
        var limit = Self.maxPage
        if let text = query.values["limit"] {
            guard let given = Int(text), (1...Self.maxPage).contains(given) else { throw DiskError.invalidLimit }
            limit = given
        }
        var offset = 0
        if let text = query.values["offset"] {
            guard let given = Int(text), given >= 0 else { throw DiskError.invalidRequest }
            offset = given
        }
        if let key = value("sort_key"), !["id", "status", "size", "created_at"].contains(key) { throw DiskError.evs("EVS.1039", "invalid sort_key!") }
        if let direction = value("sort_dir"), !["asc", "desc"].contains(direction) { throw DiskError.evs("EVS.1040", "invalid sort_dir!") }
        let filter = Disks.Filter(name: value("name"), status: value("status"), availabilityZone: value("availability_zone"))
        let page = try Self.refused { () throws(DiskRefusal) in
            try disks.list(project: call.projectID, filter: filter, limit: limit, offset: offset, marker: value("marker"))
        }
        let base = Self.base(call.request)
        var members = [
            JSONMember("count", .integer(Int64(page.count))),
            JSONMember("volumes", .array(page.volumes.map { VolumeJSON.render($0, project: call.projectID, base: base, order: VolumeJSON.listOrder) })),
        ]
        if page.more, let last = page.volumes.last {
            let href = "\(base)/v2/\(call.projectID)/volumes/detail?limit=\(limit)&marker=\(last.id)"
            members.append(JSONMember("volumes_links", .array([.object([JSONMember("href", .string(href)), JSONMember("rel", .string("next"))])])))
        }
        return .json(.ok, .object(members))
    }

    /// Disks one list answer holds at most (the service's own maximum).
    static let maxPage = 1000

    // MARK: Reading bodies

    /// A create body: `{"volume": {...}}`, other members (Huawei's `bssParam`, `server_id`, ...) ignored.
    static func createRequest(_ bytes: [UInt8]) throws(APIError) -> Disks.CreateRequest {
        let body = try object(bytes)
        guard let volume = body["volume"], volume != .null else { throw DiskError.noCreateRequest }
        guard case .object = volume else { throw DiskError.invalidVolumeForCreate }
        let zone = try text(volume["availability_zone"])
        let type = try text(volume["volume_type"])
        guard let zone, let type else { throw DiskError.zoneAndTypeRequired }
        guard zone.utf8.count <= Volume.maxTextBytes else { throw DiskError.invalidZone }
        guard Volume.types.contains(type) else { throw DiskError.invalidVolumeType }
        var sources: [String] = []
        for key in ["imageRef", "snapshot_id", "backup_id"] where try text(volume[key]) != nil { sources.append(key) }
        guard sources.count <= 1 else { throw DiskError.oneSourceOnly }
        let fromImage = sources == ["imageRef"], fromBackup = sources == ["backup_id"]
        // From a backup the size may be left out: the mock's backups hold 10 GB.
        let size = volume["size"] == nil && fromBackup ? 10 : try wholeNumber(volume["size"], missing: DiskError.invalidSize)
        guard (fromImage ? Volume.imageSizes : Volume.dataSizes).contains(size) else { throw DiskError.invalidSize }
        let count = volume["count"] == nil ? 1 : try wholeNumber(volume["count"], missing: DiskError.invalidCount)
        guard Volume.counts.contains(count) else { throw DiskError.invalidCount }
        if count > 1, fromBackup { throw DiskError.noBatchFromBackup }
        let name = try text(volume["name"], allowEmpty: true) ?? ""
        guard name.utf8.count <= Volume.maxTextBytes else { throw DiskError.invalidName }
        let description = try text(volume["description"], allowEmpty: true)
        guard (description?.utf8.count ?? 0) <= Volume.maxTextBytes else { throw DiskError.invalidDescription }
        var multiattach = false
        switch volume["multiattach"] {
        case nil, .null?: break
        case .bool(let flag)?: multiattach = flag
        default: throw DiskError.invalidShareable
        }
        return Disks.CreateRequest(name: name, description: description, size: size, volumeType: type, availabilityZone: zone,
                                   count: Int(count), bootable: fromImage, multiattach: multiattach,
                                   metadata: try metadata(volume["metadata"]), tags: try tags(volume["tags"]))
    }

    /// The body as a JSON object, else EVS.1052.
    static func object(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
        guard let value = try? JSONParser.parse(bytes), case .object = value else { throw DiskError.invalidBody }
        return value
    }

    /// A string member: nil when absent, null or (unless `allowEmpty`) empty; another kind is EVS.1018.
    static func text(_ value: JSONValue?, allowEmpty: Bool = false) throws(APIError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty && !allowEmpty ? nil : text
        default: throw DiskError.wrongType
        }
    }

    /// A number of GB or disks; a fraction is cut off, as the pages say the service does.
    static func wholeNumber(_ value: JSONValue?, missing: APIError) throws(APIError) -> Int64 {
        switch value {
        case nil, .null?: throw missing
        case .integer(let number)?: return number
        case .double(let number)?:
            guard number.isFinite, abs(number) < 1e15 else { throw missing }
            return Int64(number)
        default: throw DiskError.wrongType
        }
    }

    /// Metadata: an object of strings, at most `Volume.maxMetadataBytes` as JSON.
    static func metadata(_ value: JSONValue?) throws(APIError) -> [JSONMember] {
        switch value {
        case nil, .null?: return []
        case .object(let members)?:
            for member in members { guard case .string = member.value else { throw DiskError.wrongType } }
            guard let value, JSONWriter.encode(value).count <= Volume.maxMetadataBytes else { throw DiskError.metadataTooLarge }
            return members
        default: throw DiskError.wrongType
        }
    }

    /// Tags: at most 10; keys of 1 to 36 and values of 0 to 43 letters, digits, `-` and `_`.
    static func tags(_ value: JSONValue?) throws(APIError) -> [JSONMember] {
        guard let value, value != .null else { return [] }
        guard case .object(let members) = value else { throw DiskError.invalidTag }
        // Counted first: the check of each tag is then bounded. The parser refuses repeated keys.
        guard members.count <= 10 else { throw DiskError.tooManyTags }
        for member in members {
            guard case .string(let text) = member.value, tagText(member.key, 1...36), tagText(text, 0...43) else { throw DiskError.invalidTag }
        }
        return members
    }

    private static func tagText(_ text: String, _ lengths: ClosedRange<Int>) -> Bool {
        lengths.contains(text.count) && text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
    }

    // MARK: Answers

    /// `{"job_id"}`.
    static func jobAnswer(_ status: HTTPStatus, _ jobID: String) -> HTTPResponse {
        .json(status, .object([JSONMember("job_id", .string(jobID))]))
    }

    /// What `operation` returns, or its refusal as the service answers it.
    static func refused<T>(_ operation: () throws(DiskRefusal) -> T) throws(APIError) -> T {
        do {
            return try operation()
        } catch {
            throw DiskError.refusal(error)
        }
    }

    /// `http://` and the `Host` the client used, for `links`.
    static func base(_ request: HTTPRequest) -> String {
        "http://" + (request.headers["Host"] ?? "localhost")
    }
}
