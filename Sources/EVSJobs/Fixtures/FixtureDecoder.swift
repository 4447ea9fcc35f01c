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
    var file = ""
    /// Where each id was first defined: ids visible in every project, ids of one project, and
    /// the first project-scoped use of each id (which clashes with a global one).
    private var globalIDs: [JobID: Location] = [:]
    private var scopedIDs: [ScopedID: Location] = [:]
    private var anyScopedID: [JobID: Location] = [:]
    var files: [String] = []
    /// Disks and plans of the documents decoded so far, and the disk ids seen.
    public internal(set) var volumes: [Volume] = []
    public internal(set) var plans: [Plan] = []
    var volumeIDs: Set<VolumeKey> = []

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
    public static let maxDurationMs: Int64 = 10_000_000_000_000
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
        if document["jobs"] != nil || document["volumes"] != nil || document["plans"] != nil {
            checkKeys(members, allowed: ["jobs", "volumes", "plans", "project_id"], at: root)
            let project = projectID(document["project_id"], at: root.appending("project_id"))
            disks(of: document, at: root, project: project)
            if document["jobs"] == nil { return [] }
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

    // MARK: - Ids seen so far, and problems

    /// The job's id, checked for repeats; `owner` is the path of the job that holds it.
    mutating func jobID(_ value: JSONValue?, of owner: JSONPath, project: String?) -> JobID? {
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

    mutating func checkKeys(_ members: [JSONMember], allowed: [String], at path: JSONPath, note: String? = nil) {
        for member in members where !allowed.contains(member.key) {
            let hint = note.map { " (\($0))" } ?? " (expected one of: \(allowed.joined(separator: ", ")))"
            problem(path.appending(member.key), "unknown key\(hint)")
        }
    }

    func tooManySubJobs(_ count: Int) -> String {
        "at most \(Self.maxSubJobs) sub-jobs in one batch (the service batches at most \(Self.maxSubJobs) disks), got \(count)"
    }

    /// Path and reason are built only for the problems kept: a body of 350,000 bad jobs is
    /// counted, not described.
    func problem(_ path: @autoclosure () -> JSONPath?, _ reason: @autoclosure () -> String) {
        found.count += 1
        if found.kept.count < Self.maxProblems { found.kept.append(FixtureProblem(file: file, path: path(), reason: reason())) }
    }

    func describe(_ value: JSONValue) -> String {
        let text = String(decoding: JSONWriter.encode(value), as: UTF8.self)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
