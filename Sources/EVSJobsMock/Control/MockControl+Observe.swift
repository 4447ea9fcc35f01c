import EVSJobs

/// The request journal, faults, health and metrics.
extension MockControl {
    /// Entries in one page at most, and the bytes they may hold: a full journal is read in
    /// pages (`before`), never built into one answer of hundreds of megabytes.
    public static let maxPageEntries = 1000
    public static let maxPageBytes = 4 * 1024 * 1024

    /// One page of the journal, newest entries last.
    public struct JournalPage: Sendable {
        public let entries: [Journal.Entry]
        /// Entries that match in all.
        public let total: Int
        /// Entries dropped from the journal for room.
        public let dropped: Int
        /// What to pass as `before` for the page older than this one; nil: none is left.
        public let older: Int?
    }

    /// At most `limit` (and `maxPageEntries`) entries that match, older than entry `before`.
    public func requests(projectID: String?, jobID: String?, limit: Int?, before: Int?) -> JournalPage {
        let limit = min(limit ?? Self.maxPageEntries, Self.maxPageEntries)
        let page = journal.page(projectID: projectID, jobID: jobID, limit: limit, before: before, maxBytes: Self.maxPageBytes)
        return JournalPage(entries: page.entries, total: page.total, dropped: page.dropped, older: page.older)
    }

    /// Every entry that matches, oldest first.
    public func allRequests(projectID: String?, jobID: String?) -> [Journal.Entry] {
        journal.entries(projectID: projectID, jobID: jobID).entries
    }

    public func requestCount(projectID: String?, jobID: String?) -> Int {
        journal.count(projectID: projectID, jobID: jobID)
    }

    public func clearRequests() {
        journal.clear()
    }

    /// Installs a fault unless `Faults.maxRules` are in force already (the bound on what
    /// admin requests may hold); returns its id.
    public func addBoundedFault(match: Faults.Match, action: Faults.Action, times: Int?, probability: Double?,
                                seed: UInt64?) throws(ControlError) -> String {
        guard faults.rules.count < Faults.maxRules else { throw .tooManyFaults }
        return addFault(match: match, action: action, times: times, probability: probability, seed: seed)
    }

    /// Installs a fault, without a bound (the testing library's calls); returns its id.
    public func addFault(match: Faults.Match, action: Faults.Action, times: Int?, probability: Double?, seed: UInt64?) -> String {
        faults.add(match: match, action: action, times: times, probability: probability, seed: seed)
    }

    public var faultRules: [Faults.Rule] { faults.rules }

    public func removeFault(id: String) throws(ControlError) {
        guard faults.remove(id: id) else { throw .noSuchFault(id: id) }
    }

    public func clearFaults() {
        faults.clear()
    }

    public struct Health: Sendable, Equatable {
        /// Top-level jobs stored.
        public let jobs: Int
        public let uptimeMs: UInt64
    }

    public var health: Health {
        Health(jobs: store.jobCount, uptimeMs: Monotonic.nanos(since: startedNs) / 1_000_000)
    }

    /// The metrics in the Prometheus text format, the job counts caught up with the clock.
    public func metricsText() -> String {
        engine.catchUp()
        return metrics.text(jobsByStatus: store.countsByStatus)
    }
}
