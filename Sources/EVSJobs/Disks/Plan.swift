/// How the jobs a disk API starts will end: a rule that matches a job about to be started and
/// gives its timeline and outcome.
public struct Plan: Sendable, Equatable {
    /// `plan-N`, given when the rule is added.
    public var id = ""
    public var projectID: String?
    public var jobType: JobType?
    /// A glob (`*`, `?`) on the disk's name; a batch's sub-jobs are matched by their suffixed names.
    public var name: String?
    public var volumeID: String?
    /// The timing, without its outcome; nil: the default job timing.
    public var timing: Timeline?
    public var outcome: Outcome
    /// For a batch create: the sub-jobs (by position, from 0) that get `outcome`; the others
    /// succeed. Empty: every sub-job gets `outcome`.
    public var failSubJobs: [Int]
    /// How many more jobs it may plan; nil: without limit.
    public var remaining: Int?
    public var used = 0

    public init(projectID: String? = nil, jobType: JobType? = nil, name: String? = nil, volumeID: String? = nil,
                timing: Timeline? = nil, outcome: Outcome = .success, failSubJobs: [Int] = [], remaining: Int? = nil) {
        self.projectID = projectID
        self.jobType = jobType
        self.name = name
        self.volumeID = volumeID
        self.timing = timing
        self.outcome = outcome
        self.failSubJobs = failSubJobs
        self.remaining = remaining
    }

    func matches(project: String, type: JobType, name: String, volumeID: String?) -> Bool {
        (projectID == nil || projectID == project) && (jobType == nil || jobType == type)
            && (self.volumeID == nil || self.volumeID == volumeID) && (self.name.map { glob($0, matches: name) } ?? true)
    }

    /// The timeline of a job this plan gives `outcome`, the default timing filling in for none.
    func timeline(_ outcome: Outcome, defaultTiming: Scenario) -> Timeline {
        Self.timeline(timing, outcome, defaultTiming: defaultTiming)
    }

    static func timeline(_ timing: Timeline?, _ outcome: Outcome, defaultTiming: Scenario) -> Timeline {
        switch timing {
        case .scenario(let scenario)?:
            return .scenario(Scenario(initMs: scenario.initMs, runningMs: scenario.runningMs, outcome: outcome))
        case .polls(let polls, _)?:
            return .polls(PollScenario(initPolls: polls.initPolls, runningPolls: polls.runningPolls, outcome: outcome), PollProgress())
        default:
            return .scenario(Scenario(initMs: defaultTiming.initMs, runningMs: defaultTiming.runningMs, outcome: outcome))
        }
    }
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters and `?` one
/// (on UTF-8 bytes; no character classes). Linear in their lengths times the stars.
public func glob(_ pattern: String, matches text: String) -> Bool {
    let p = Array(pattern.utf8), t = Array(text.utf8)
    var pi = 0, ti = 0
    var star = -1, mark = 0
    while ti < t.count {
        if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == t[ti] {
            pi += 1
            ti += 1
        } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
            star = pi
            mark = ti
            pi += 1
        } else if star >= 0 {
            pi = star + 1
            mark += 1
            ti = mark
        } else {
            return false
        }
    }
    while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
    return pi == p.count
}
