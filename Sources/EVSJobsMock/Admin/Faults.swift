import EVSJobs
import Synchronization

/// Misbehaviour on demand: rules that match EVS API requests and replace or spoil the answer.
public final class Faults: Sendable {
    public enum Action: Sendable, Equatable {
        case status(Int, body: JSONValue?)
        case delay(milliseconds: Int)
        case reset
        case close
        case malformed
    }

    public struct Match: Sendable, Equatable {
        public var projectID: String?
        public var jobID: String?
        public var method: String?
        public var pathPrefix: String?

        public init(projectID: String? = nil, jobID: String? = nil, method: String? = nil, pathPrefix: String? = nil) {
            self.projectID = projectID
            self.jobID = jobID
            self.method = method
            self.pathPrefix = pathPrefix
        }

        func matches(method: String, path: String, projectID: String?, jobID: String?) -> Bool {
            (self.projectID == nil || self.projectID == projectID) && (self.jobID == nil || self.jobID == jobID)
                && (self.method == nil || self.method == method) && (pathPrefix.map { path.hasPrefix($0) } ?? true)
        }
    }

    public struct Rule: Sendable {
        public let id: String
        public let match: Match
        public let action: Action
        /// How often it may still fire; nil: without limit.
        public var remaining: Int?
        public let probability: Double?
        public let seed: UInt64?
        public var fired = 0
        /// The state of its own random sequence (splitmix64), so a seed replays the same faults.
        var random: UInt64

        mutating func nextUnit() -> Double {
            random &+= 0x9E37_79B9_7F4A_7C15
            var z = random
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    private struct State {
        var rules: [Rule] = []
        var nextID = 1
    }

    private let state = Mutex(State())
    /// Rules in force at once, and the size of a status action's body: what faults may hold.
    public static let maxRules = 100
    public static let maxBodyBytes = 16 * 1024
    /// Rules in force, read without the lock on every request: none is the common case.
    private let ruleCount = Atomic<Int>(0)

    public init() {}

    /// Adds a rule; returns its id.
    public func add(match: Match, action: Action, times: Int?, probability: Double?, seed: UInt64?) -> String {
        state.withLock { state in
            let id = "fault-\(state.nextID)"
            state.nextID += 1
            var generator = SystemRandomNumberGenerator()
            state.rules.append(Rule(id: id, match: match, action: action, remaining: times, probability: probability,
                                    seed: seed, random: seed ?? generator.next()))
            ruleCount.store(state.rules.count, ordering: .relaxed)
            return id
        }
    }

    /// The action of the first rule that matches and fires, counting the firing.
    func fire(method: String, path: String, projectID: String?, jobID: Substring?) -> Action? {
        guard ruleCount.load(ordering: .relaxed) > 0 else { return nil }
        let jobID = jobID.map(String.init)
        return state.withLock { state in
            for index in state.rules.indices where state.rules[index].match.matches(method: method, path: path, projectID: projectID, jobID: jobID) {
                if state.rules[index].remaining == 0 { continue }
                if let probability = state.rules[index].probability, state.rules[index].nextUnit() >= probability { continue }
                state.rules[index].remaining = state.rules[index].remaining.map { $0 - 1 }
                state.rules[index].fired += 1
                return state.rules[index].action
            }
            return nil
        }
    }

    public var rules: [Rule] { state.withLock { $0.rules } }

    @discardableResult
    public func remove(id: String) -> Bool {
        state.withLock { state in
            let before = state.rules.count
            state.rules.removeAll { $0.id == id }
            ruleCount.store(state.rules.count, ordering: .relaxed)
            return state.rules.count < before
        }
    }

    /// Removes every rule, or those bound to one project.
    public func clear(projectID: String? = nil) {
        state.withLock { state in
            if let projectID { state.rules.removeAll { $0.match.projectID == projectID } } else { state.rules = [] }
            ruleCount.store(state.rules.count, ordering: .relaxed)
        }
    }
}
