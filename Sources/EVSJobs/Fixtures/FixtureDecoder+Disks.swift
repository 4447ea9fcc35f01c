// Disks and plans as fixtures (`"volumes"`, `"plans"` beside `"jobs"`) and admin requests write them.

extension FixtureDecoder {
    static let volumeKeys = ["id", "project_id", "name", "description", "size", "volume_type", "availability_zone", "status",
                             "bootable", "multiattach", "metadata", "created_at"]
    static let planKeys = ["project_id", "job_type", "name", "volume_id", "scenario", "fail_sub_jobs", "times"]
    /// A fixture disk's `created_at` when it gives none: the moment it is stored.
    public static let createdWhenStored = Int64.min

    mutating func volume(_ value: JSONValue, at path: JSONPath, project fileProject: String?) -> Volume? {
        guard case .object(let members) = value else {
            problem(path, "a disk must be an object, got \(value.kindName)")
            return nil
        }
        let before = problemCount
        checkKeys(members, allowed: Self.volumeKeys, at: path)
        let project = value["project_id"] != nil ? projectID(value["project_id"], at: path.appending("project_id")) : fileProject
        let id = value["id"].flatMap { identifier($0, at: path.appending("id")) } ?? generateVolumeID()
        if !volumeIDs.insert(VolumeKey(project: project, id: id)).inserted {
            problem(path.appending("id"), "duplicate disk id \"\(id)\" in \(project.map { "project \"\($0)\"" } ?? "every project")")
        }
        let name = value["name"].flatMap { text($0, at: path.appending("name")) } ?? ""
        let description = value["description"].flatMap { text($0, at: path.appending("description")) }
        var size: Int64 = 0
        if case .integer(let given)? = value["size"], Volume.imageSizes.lowerBound...Volume.dataSizes.upperBound ~= given {
            size = given
        } else {
            problem(path.appending("size"), "must be a whole number of GB from 1 to \(Volume.dataSizes.upperBound), got \(value["size"].map(describe) ?? "nothing")")
        }
        let type = oneOf(value["volume_type"], Volume.types, at: path.appending("volume_type")) ?? "SAS"
        let zone = value["availability_zone"].flatMap { text($0, at: path.appending("availability_zone")) } ?? "eu-de-01"
        let status = oneOf(value["status"], Volume.statuses, at: path.appending("status")) ?? "available"
        let bootable = flag(value["bootable"], at: path.appending("bootable"))
        let multiattach = flag(value["multiattach"], at: path.appending("multiattach"))
        var metadata: [JSONMember] = []
        if let raw = value["metadata"] {
            if case .object(let pairs) = raw, pairs.allSatisfy({ if case .string = $0.value { true } else { false } }) {
                metadata = pairs
            } else {
                problem(path.appending("metadata"), "must be an object of strings, got \(describe(raw))")
            }
        }
        var createdAt = Self.createdWhenStored
        if let raw = value["created_at"] {
            if case .string(let text) = raw, let ms = APITime.parseVolumeTime(text) {
                createdAt = ms
            } else {
                problem(path.appending("created_at"), "must be a time like 2016-02-03T02:19:11.723797, got \(describe(raw))")
            }
        }
        guard problemCount == before else { return nil }
        return Volume(id: id, projectID: project, name: name, description: description, size: size, volumeType: type,
                      availabilityZone: zone, status: status, bootable: bootable, multiattach: multiattach, metadata: metadata,
                      createdAt: createdAt)
    }

    /// A plan of a fixture, or of an admin request (`project` nil, `path` the root).
    public mutating func plan(_ value: JSONValue, at path: JSONPath, project fileProject: String?) -> Plan? {
        guard case .object(let members) = value else {
            problem(path, "a plan must be an object, got \(value.kindName)")
            return nil
        }
        let before = problemCount
        checkKeys(members, allowed: Self.planKeys, at: path)
        var plan = Plan()
        plan.projectID = value["project_id"] != nil ? projectID(value["project_id"], at: path.appending("project_id")) : fileProject
        if let raw = value["job_type"] {
            let types: [JobType] = [.createVolume, .batchCreateVolume, .extendVolume, .retypeVolume, .deleteVolume]
            plan.jobType = oneOf(raw, types.map(\.rawValue), at: path.appending("job_type")).flatMap(JobType.init(rawValue:))
        }
        plan.name = value["name"].flatMap { text($0, at: path.appending("name")) }
        plan.volumeID = value["volume_id"].flatMap { identifier($0, at: path.appending("volume_id")) }
        if let raw = value["scenario"], let timeline = scenario(raw, at: path.appending("scenario")) {
            switch timeline {
            case .scenario(let scenario): plan.outcome = scenario.outcome
            case .polls(let polls, _): plan.outcome = polls.outcome
            default: break
            }
            let timed = ["init_ms", "running_ms", "init_polls", "running_polls"].contains { raw[$0] != nil }
            plan.timing = timed ? timeline : nil
        }
        if let raw = value["fail_sub_jobs"] {
            let range = 0..<Self.maxSubJobs
            if case .array(let elements) = raw, elements.count <= Self.maxSubJobs,
               let offsets = Optional(elements.compactMap { element -> Int? in
                   if case .integer(let offset) = element, range.contains(Int(clamping: offset)) { return Int(offset) }
                   return nil
               }), offsets.count == elements.count {
                plan.failSubJobs = offsets
            } else {
                problem(path.appending("fail_sub_jobs"), "must be an array of sub-job positions from 0 to \(Self.maxSubJobs - 1), got \(describe(raw))")
            }
            if plan.jobType != .batchCreateVolume {
                problem(path.appending("fail_sub_jobs"), "only for \"job_type\": \"batchCreateVolume\"")
            }
        }
        if let raw = value["times"] {
            if case .integer(let times) = raw, times >= 1, times <= Int64(Int32.max) {
                plan.remaining = Int(times)
            } else {
                problem(path.appending("times"), "must be a whole number from 1 to \(Int32.max), got \(describe(raw))")
            }
        }
        return problemCount == before ? plan : nil
    }

    /// An admin request's plan.
    public mutating func decodePlanRequest(_ document: JSONValue) -> Plan? {
        file = "request body"
        files.append(file)
        return plan(document, at: .root, project: nil)
    }

    mutating func disks(of document: JSONValue, at root: JSONPath, project: String?) {
        for (key, isVolumes) in [("volumes", true), ("plans", false)] {
            guard let raw = document[key] else { continue }
            guard case .array(let elements) = raw else {
                problem(root.appending(key), "must be an array, got \(raw.kindName)")
                continue
            }
            for (offset, element) in elements.enumerated() {
                let path = root.appending(key).appending(offset)
                if isVolumes {
                    if let volume = volume(element, at: path, project: project) { volumes.append(volume) }
                } else if let plan = plan(element, at: path, project: project) {
                    plans.append(plan)
                }
            }
        }
    }

    private mutating func text(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> String? {
        guard let text = string(value, at: path()) else { return nil }
        guard text.utf8.count <= Volume.maxTextBytes else {
            problem(path(), "at most \(Volume.maxTextBytes) bytes, got \(text.utf8.count)")
            return nil
        }
        return text
    }

    private mutating func oneOf(_ value: JSONValue?, _ allowed: [String], at path: @autoclosure () -> JSONPath) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value, allowed.contains(text) else {
            problem(path(), "must be one of \(allowed.joined(separator: ", ")), got \(describe(value))")
            return nil
        }
        return text
    }

    private mutating func flag(_ value: JSONValue?, at path: @autoclosure () -> JSONPath) -> Bool {
        guard let value else { return false }
        guard case .bool(let flag) = value else {
            problem(path(), "must be true or false, got \(describe(value))")
            return false
        }
        return flag
    }
}

struct VolumeKey: Hashable {
    let project: String?
    let id: String
}
