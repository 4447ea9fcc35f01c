/// Turns parsed fixture documents into job specs, collecting every problem with its path.
/// One decoder reads a whole fixture set, so that an id repeated across files is caught.
public struct FixtureDecoder {
    /// The first `maxProblems` problems found; `problemCount` counts them all.
    public var problems: [FixtureProblem] { found.kept }
    public var problemCount: Int { found.count }
    /// A reference, so that reporting a problem needs no exclusive access to the decoder and
    /// its message can be built lazily from the decoder's own state.
    private let found = Found()

    private final class Found {
        var kept: [FixtureProblem] = []
        var count = 0
    }
    private var file = ""
    /// Where each id was first defined: ids visible in every project, ids of one project, and
    /// the first project-scoped use of each id (which clashes with a global one).
    private var globalIDs: [JobID: Location] = [:]
    private var scopedIDs: [ScopedID: Location] = [:]
    private var anyScopedID: [JobID: Location] = [:]
    private var files: [String] = []

    private struct ScopedID: Hashable {
        let project: String
        let id: JobID
    }

    /// Kept as parts, and written out only for a message.
    private struct Location {
        let file: Int
        /// The job holding the id.
        let owner: JSONPath
    }
    private var makeID: () -> String

    static let jobKeys = ["job_id", "project_id", "job_type", "entities", "scenario", "sub_jobs", "status", "begin_time", "end_time", "error_code", "fail_reason"]
    static let capturedKeys = ["status", "entities", "job_id", "job_type", "begin_time", "end_time", "error_code", "fail_reason"]
    static let entityKeys = ["name", "size", "volume_id", "volume_type"]
    static let scenarioKeys = ["init_ms", "running_ms", "init_polls", "running_polls", "outcome", "error_code", "fail_reason"]
    /// Most reads a poll-counted phase may take.
    static let maxPolls: Int64 = 1_000_000_000
    static let frozenKeys = ["begin_time", "end_time", "error_code", "fail_reason"]
    /// Longest scenario phase: about 300 years, far below overflow.
    static let maxDurationMs: Int64 = 10_000_000_000_000
    /// Disk sizes in GB, as the service allows them.
    public static let sizes: ClosedRange<Int64> = 1...32768
    /// Sub-jobs one batch may hold: the service batches at most 100 disks.
    public static let maxSubJobs = 100
    /// Problems kept with their messages; past that they are only counted, so that a file of
    /// 200,000 bad jobs costs neither minutes nor gigabytes to report.
    public static let maxProblems = 100

    /// Every problem found so far, nil when there is none.
    public var error: FixtureError? {
        problemCount == 0 ? nil : FixtureError(problems, omitted: problemCount - problems.count)
    }

    public init(makeID: @escaping () -> String = generateJobID) {
        self.makeID = makeID
    }

    /// Decodes one file's bytes; problems are added to `problems`.
    public mutating func decode(file: String, bytes: [UInt8]) -> [JobSpec] {
        self.file = file
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            problem(error.path, "invalid JSON: \(error)")
            return []
        }
        return decode(file: file, document: document)
    }

    /// An admin request's jobs: one JOB, or `{"jobs": [...], "project_id"?}`. Never the
    /// captured form: a JOB with a frozen `status` is a JOB.
    public mutating func decodeRequest(_ document: JSONValue) -> [JobSpec] {
        if document["jobs"] != nil { return decode(file: "request body", document: document) }
        file = "request body"
        files.append(file)
        return job(document, at: .root, project: nil, parent: nil).map { [$0] } ?? []
    }

    public mutating func decode(file: String, document: JSONValue) -> [JobSpec] {
        self.file = file
        files.append(file)
        let root = JSONPath.root
        guard case .object(let members) = document else {
            problem(root, "expected an object: {\"jobs\": [...]} or a captured job response, got \(document.kindName)")
            return []
        }
        if document["jobs"] != nil {
            checkKeys(members, allowed: ["jobs", "project_id"], at: root)
            let project = projectID(document["project_id"], at: root.appending("project_id"))
            guard case .array(let elements) = document["jobs"] else {
                problem(root.appending("jobs"), "must be an array of jobs, got \(document["jobs"]?.kindName ?? "nothing")")
                return []
            }
            if project == nil {
                globalIDs.reserveCapacity(globalIDs.count + elements.count)
            } else {
                scopedIDs.reserveCapacity(scopedIDs.count + elements.count)
            }
            let jobsPath = root.appending("jobs")
            var specs: [JobSpec] = []
            specs.reserveCapacity(elements.count)
            for (offset, element) in elements.enumerated() {
                if let spec = job(element, at: jobsPath.appending(offset), project: project, parent: nil) { specs.append(spec) }
            }
            return specs
        }
        if document["status"] != nil {
            return captured(document, at: root, parent: nil).map { [$0] } ?? []
        }
        problem(root, "expected {\"jobs\": [...]} or a captured job response with \"status\" and \"job_id\"")
        return []
    }

    // MARK: - The JOB form

    private mutating func job(_ value: JSONValue, at path: JSONPath, project fileProject: String?, parent: JobType?) -> JobSpec? {
        guard case .object(let members) = value else {
            problem(path, "a job must be an object, got \(value.kindName)")
            return nil
        }
        let before = problemCount
        checkKeys(members, allowed: Self.jobKeys, at: path)
        if parent != nil {
            for key in ["project_id", "sub_jobs"] where value[key] != nil {
                problem(path.appending(key), "not allowed on a sub-job (sub-jobs belong to their parent's project and cannot nest)")
            }
        }
        let project = value["project_id"] != nil ? projectID(value["project_id"], at: path.appending("project_id")) : fileProject
        let type = jobType(value["job_type"], at: path.appending("job_type"), parent: parent)
        // A missing id is made only for a job that is otherwise valid.
        let id = value["job_id"] == nil ? nil : jobID(value["job_id"], of: path, project: project)
        var entities = Entities()
        if let raw = value["entities"] {
            entities = self.entities(raw, at: path.appending("entities"))
        }
        var subJobs: [JobSpec] = []
        if let raw = value["sub_jobs"], parent == nil {
            if let type, !type.isBatch {
                problem(path.appending("sub_jobs"), "only batchCreateVolume and bulkDeleteVolume jobs have sub_jobs, this is \(type.rawValue)")
            } else if case .array(let elements) = raw, elements.count > Self.maxSubJobs {
                problem(path.appending("sub_jobs"), tooManySubJobs(elements.count))
            } else if case .array(let elements) = raw {
                subJobs = elements.enumerated().compactMap { offset, element in
                    job(element, at: path.appending("sub_jobs").appending(offset), project: project, parent: type ?? .batchCreateVolume)
                }
            } else {
                problem(path.appending("sub_jobs"), "must be an array of jobs, got \(raw.kindName)")
            }
        }
        let timeline = self.timeline(value, at: path, type: type, hasSubJobs: value["sub_jobs"] != nil)
        if case .derived = timeline, value["entities"] != nil {
            problem(path.appending("entities"), "a batch job with sub_jobs shows only its sub_jobs; put entities on the sub-jobs")
        }
        guard problemCount == before, let type, let timeline, let id = id ?? jobID(nil, of: path, project: project) else { return nil }
        return JobSpec(jobID: id, projectID: project, type: type, entities: named(entities, type, id: id, project: project), timeline: timeline, subJobs: subJobs)
    }

    private mutating func timeline(_ value: JSONValue, at path: JSONPath, type: JobType?, hasSubJobs: Bool) -> Timeline? {
        if let status = value["status"] {
            if value["scenario"] != nil {
                problem(path.appending("scenario"), "a job has either a scenario or a frozen status, not both")
            }
            return frozen(value, status: status, at: path, captured: false)
        }
        for key in Self.frozenKeys where value[key] != nil {
            problem(path.appending(key), "only allowed with a frozen \"status\" (a timed job's times come from its scenario)")
        }
        if let type, type.isBatch {
            if value["scenario"] != nil {
                problem(path.appending("scenario"), "a batch job's state follows its sub_jobs; give the sub-jobs scenarios instead")
            }
            if !hasSubJobs || value["sub_jobs"] == .array([]) {
                problem(path.appending("sub_jobs"), "a batch job needs at least one sub-job (or a frozen \"status\")")
            }
            return .derived
        }
        guard let raw = value["scenario"] else { return .scenario(Scenario()) }
        return scenario(raw, at: path.appending("scenario"))
    }

    /// A timed scenario, or one counted in reads; never both.
    private mutating func scenario(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> Timeline? {
        guard case .object(let members) = value else {
            problem(path(), "must be an object, got \(value.kindName)")
            return nil
        }
        checkKeys(members, allowed: Self.scenarioKeys, at: path())
        var outcome = Outcome.success
        if let raw = value["outcome"], raw != .string("SUCCESS") {
            if raw == .string("FAIL") {
                let code = value["error_code"].flatMap { string($0, at: path().appending("error_code")) }
                let reason = value["fail_reason"].flatMap { string($0, at: path().appending("fail_reason")) }
                outcome = .failure(errorCode: code, failReason: reason)
            } else {
                problem(path().appending("outcome"), "must be \"SUCCESS\" or \"FAIL\", got \(describe(raw))")
            }
        }
        if outcome == .success {
            for key in ["error_code", "fail_reason"] where value[key] != nil {
                problem(path().appending(key), "only allowed with \"outcome\": \"FAIL\"")
            }
        }
        let timed = ["init_ms", "running_ms"].filter { value[$0] != nil }
        let counted = ["init_polls", "running_polls"].filter { value[$0] != nil }
        if !counted.isEmpty {
            for key in timed {
                problem(path().appending(key), "a scenario is either timed (init_ms, running_ms) or counted in reads (init_polls, running_polls), not both")
            }
            var polls = PollScenario(outcome: outcome)
            if let raw = value["init_polls"] { polls.initPolls = Int(count(raw, at: path().appending("init_polls")) ?? 0) }
            if let raw = value["running_polls"] { polls.runningPolls = Int(count(raw, at: path().appending("running_polls")) ?? 0) }
            return .polls(polls, PollProgress())
        }
        var scenario = Scenario(outcome: outcome)
        if let raw = value["init_ms"] { scenario.initMs = duration(raw, at: path().appending("init_ms")) ?? 0 }
        if let raw = value["running_ms"] { scenario.runningMs = duration(raw, at: path().appending("running_ms")) ?? 0 }
        return .scenario(scenario)
    }

    private mutating func count(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> Int64? {
        guard case .integer(let reads) = value, reads >= 0, reads <= Self.maxPolls else {
            problem(path(), "must be a whole number of reads from 0 to \(Self.maxPolls), got \(describe(value))")
            return nil
        }
        return reads
    }

    // MARK: - Frozen states and captured responses

    private mutating func frozen(_ value: JSONValue, status raw: JSONValue, at path: JSONPath, captured: Bool) -> Timeline? {
        let status: JobStatus?
        if case .string(let text) = raw, let parsed = JobStatus(rawValue: text) {
            status = parsed
        } else {
            problem(path.appending("status"), "must be one of INIT, RUNNING, SUCCESS, FAIL, got \(describe(raw))")
            status = nil
        }
        var state = FrozenState(status: status ?? .initializing)
        if let raw = value["begin_time"] {
            state.beginMs = time(raw, at: path.appending("begin_time"), allowEmpty: false)
        }
        if let raw = value["end_time"] {
            state.endGiven = true
            state.endMs = time(raw, at: path.appending("end_time"), allowEmpty: true)
            if state.endMs != nil, let status, !status.isFinished, !captured {
                problem(path.appending("end_time"), "a job in \(status.rawValue) has no end_time (use \"\" or leave it out)")
            }
        }
        if let begin = state.beginMs, let end = state.endMs, end < begin {
            problem(path.appending("end_time"), "is before begin_time (\(APITime.format(end)) < \(APITime.format(begin)))")
        }
        for key in ["error_code", "fail_reason"] {
            guard let raw = value[key] else { continue }
            let text: String?
            if raw == .null { text = nil } else { text = string(raw, at: path.appending(key)) }
            if key == "error_code" { state.errorCode = text } else { state.failReason = text }
            if text != nil, let status, status != .fail, !captured {
                problem(path.appending(key), "only a FAIL job has \(key)")
            }
        }
        if status == .fail, !captured {
            state.errorCode = state.errorCode ?? Outcome.defaultErrorCode
            state.failReason = state.failReason ?? Outcome.defaultFailReason
        }
        return status == nil ? nil : .frozen(state)
    }

    /// A response captured from the real API, served as it is.
    private mutating func captured(_ value: JSONValue, at path: JSONPath, parent: JobType?) -> JobSpec? {
        guard case .object(let members) = value else {
            problem(path, "a captured job must be an object, got \(value.kindName)")
            return nil
        }
        let before = problemCount
        checkKeys(members, allowed: Self.capturedKeys, at: path)
        if value["job_id"] == nil { problem(path.appending("job_id"), "missing (a captured response has its job_id)") }
        let type = jobType(value["job_type"], at: path.appending("job_type"), parent: parent)
        let id = jobID(value["job_id"], of: path, project: nil)
        var entities = Entities()
        var subJobs: [JobSpec] = []
        if let raw = value["entities"] {
            let entitiesPath = path.appending("entities")
            if case .object(let members) = raw, let subs = raw["sub_jobs"] {
                if parent != nil || !(type?.isBatch ?? true) {
                    problem(entitiesPath.appending("sub_jobs"), "only a batch job's entities hold sub_jobs")
                } else if case .array(let elements) = subs, elements.count > Self.maxSubJobs {
                    problem(entitiesPath.appending("sub_jobs"), tooManySubJobs(elements.count))
                } else if case .array(let elements) = subs {
                    subJobs = elements.enumerated().compactMap { offset, element in
                        captured(element, at: entitiesPath.appending("sub_jobs").appending(offset), parent: type ?? .batchCreateVolume)
                    }
                } else {
                    problem(entitiesPath.appending("sub_jobs"), "must be an array, got \(subs.kindName)")
                }
                checkKeys(members, allowed: ["sub_jobs"], at: entitiesPath, note: "a batch job's entities hold only sub_jobs")
            } else {
                entities = self.entities(raw, at: entitiesPath)
            }
        }
        let timeline = value["status"].flatMap { frozen(value, status: $0, at: path, captured: true) }
        if value["status"] == nil { problem(path.appending("status"), "missing") }
        guard problemCount == before, let type, let timeline, let id else { return nil }
        return JobSpec(jobID: id, projectID: nil, type: type, entities: named(entities, type, id: id, project: nil), timeline: timeline, subJobs: subJobs)
    }

    // MARK: - Fields

    private mutating func entities(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> Entities {
        guard case .object(let members) = value else {
            problem(path(), "must be an object, got \(value.kindName)")
            return Entities()
        }
        checkKeys(members, allowed: Self.entityKeys, at: path(), note: value["sub_jobs"] != nil ? "sub_jobs go at the job's top level" : nil)
        var entities = Entities()
        entities.name = value["name"].flatMap { string($0, at: path().appending("name")) }
        entities.volumeID = value["volume_id"].flatMap { string($0, at: path().appending("volume_id")) }
        entities.volumeType = value["volume_type"].flatMap { string($0, at: path().appending("volume_type")) }
        if let raw = value["size"] {
            // Real disks hold 1 to 32768 GB, and the Go SDK decodes size as an int32.
            if case .integer(let size) = raw, Self.sizes.contains(size) {
                entities.size = size
            } else {
                problem(path().appending("size"), "must be a whole number of GB from \(Self.sizes.lowerBound) to \(Self.sizes.upperBound), got \(describe(raw))")
            }
        }
        return entities
    }

    private mutating func jobType(_ value: JSONValue?, at path: @autoclosure () -> JSONPath, parent: JobType?) -> JobType? {
        guard let value else {
            if let parent { return parent.defaultSubJobType }
            problem(path(), "missing (one of \(JobType.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        guard case .string(let text) = value, let type = JobType(rawValue: text) else {
            problem(path(), "must be one of \(JobType.allCases.map(\.rawValue).joined(separator: ", ")), got \(describe(value))")
            return nil
        }
        if parent != nil, type.isBatch {
            problem(path(), "a sub-job cannot be a batch job (\(type.rawValue))")
            return nil
        }
        return type
    }

    /// The job's id, checked for repeats; `owner` is the path of the job that holds it.
    private mutating func jobID(_ value: JSONValue?, of owner: JSONPath, project: String?) -> JobID? {
        let id: String
        if let value {
            guard let text = identifier(value, at: owner.appending("job_id")) else { return nil }
            id = text
        } else {
            id = makeID()
        }
        let location = Location(file: files.count - 1, owner: owner)
        let earlier: Location?
        let key = JobID(id)
        if let project {
            earlier = globalIDs[key] ?? scopedIDs[ScopedID(project: project, id: key)]
            if earlier == nil {
                scopedIDs[ScopedID(project: project, id: key)] = location
                if anyScopedID[key] == nil { anyScopedID[key] = location }
            }
        } else {
            earlier = globalIDs[key] ?? anyScopedID[key]
            if earlier == nil { globalIDs[key] = location }
        }
        if let earlier {
            let scope = project.map { "project \"\($0)\"" } ?? "every project"
            problem(owner.appending("job_id"), "duplicate job_id \"\(id)\" in \(scope): already defined at \(files[earlier.file]): \(earlier.owner.appending("job_id"))")
        }
        return key
    }

    private mutating func projectID(_ value: JSONValue?, at path: @autoclosure () -> JSONPath) -> String? {
        guard let value else { return nil }
        return identifier(value, at: path())
    }

    /// Ids go in URL paths: 1 to 128 characters that need no percent-encoding (RFC 3986 unreserved).
    private mutating func identifier(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> String? {
        guard case .string(let text) = value else {
            problem(path(), "must be a string, got \(value.kindName)")
            return nil
        }
        let unreserved = text.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte | 0x20 >= 97 && byte | 0x20 <= 122) || "-._~".utf8.contains(byte)
        }
        guard (1...128).contains(text.utf8.count), unreserved else {
            problem(path(), "must be 1 to 128 characters from A-Z a-z 0-9 - . _ ~, got \(describe(value))")
            return nil
        }
        return text
    }

    private mutating func duration(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> Int64? {
        guard case .integer(let ms) = value, ms >= 0, ms <= Self.maxDurationMs else {
            problem(path(), "must be a whole number of milliseconds from 0 to \(Self.maxDurationMs), got \(describe(value))")
            return nil
        }
        return ms
    }

    private mutating func time(_ value: JSONValue, at path: @autoclosure () -> JSONPath, allowEmpty: Bool) -> Int64? {
        if allowEmpty, value == .string("") { return nil }
        guard case .string(let text) = value, let ms = APITime.parse(text) else {
            problem(path(), "must be a UTC time like \"2016-03-08T07:40:13.219Z\"\(allowEmpty ? " or \"\"" : ""), got \(describe(value))")
            return nil
        }
        return ms
    }

    private mutating func string(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> String? {
        guard case .string(let text) = value else {
            problem(path(), "must be a string, got \(value.kindName)")
            return nil
        }
        return text
    }

    private mutating func checkKeys(_ members: [JSONMember], allowed: [String], at path: JSONPath, note: String? = nil) {
        for member in members where !allowed.contains(member.key) {
            let hint = note.map { " (\($0))" } ?? " (expected one of: \(allowed.joined(separator: ", ")))"
            problem(path.appending(member.key), "unknown key\(hint)")
        }
    }

    /// A `createVolume` job always names its volume (clients read `entities.volume_id` of a
    /// successful one): the one given, or one derived from the job's project and id, so that it
    /// is the same on every start and reload.
    private func named(_ entities: Entities, _ type: JobType, id: JobID, project: String?) -> Entities {
        guard type == .createVolume, entities.volumeID == nil else { return entities }
        var named = entities
        named.volumeID = volumeID(forJob: id, project: project)
        return named
    }

    private func tooManySubJobs(_ count: Int) -> String {
        "at most \(Self.maxSubJobs) sub-jobs in one batch (the service batches at most \(Self.maxSubJobs) disks), got \(count)"
    }

    /// Path and reason are built only for the problems kept: a body of 350,000 bad jobs is
    /// counted, not described.
    private func problem(_ path: @autoclosure () -> JSONPath?, _ reason: @autoclosure () -> String) {
        found.count += 1
        if found.kept.count < Self.maxProblems { found.kept.append(FixtureProblem(file: file, path: path(), reason: reason())) }
    }

    private func describe(_ value: JSONValue) -> String {
        let text = String(decoding: JSONWriter.encode(value), as: UTF8.self)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}

/// 32 random lowercase hex digits, like the real service's job ids.
public func generateJobID() -> String {
    hexText(randomBytes(16), dashesAt: [])
}

/// A UUID in lowercase, the form the service gives volume ids, derived from a job's project and
/// id (RFC 9562 version 8, "custom": two 64-bit FNV-1a hashes of them, differently seeded).
public func volumeID(forJob id: JobID, project: String?) -> String {
    var text = Array((project ?? "").utf8)
    text.append(0)
    id.append(to: &text)
    var bytes: [UInt8] = []
    for seed: UInt64 in [0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142] {
        var hash = seed
        for byte in text { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        withUnsafeBytes(of: hash.bigEndian) { bytes.append(contentsOf: $0) }
    }
    bytes[6] = bytes[6] & 0x0F | 0x80  // version 8
    bytes[8] = bytes[8] & 0x3F | 0x80  // the RFC 9562 variant
    return hexText(bytes, dashesAt: [4, 6, 8, 10])
}

/// Eight bytes per draw from the system's generator (one system call each).
private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 7)
    while bytes.count < count { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
    return Array(bytes.prefix(count))
}

/// Lowercase hex, with a `-` before the bytes at `dashesAt`.
private func hexText(_ bytes: [UInt8], dashesAt: Set<Int>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2 + dashesAt.count)
    for (offset, byte) in bytes.enumerated() {
        if dashesAt.contains(offset) { out.append(UInt8(ascii: "-")) }
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
