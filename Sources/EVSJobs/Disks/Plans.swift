import Synchronization

/// The plans in force, first match wins, in the order they were added.
public final class Plans: Sendable {
    private struct State {
        var rules: [Plan] = []
        var nextID = 1
    }

    private let state = Mutex(State())
    /// Plans in force at once: what a peer may make the mock hold.
    public static let maxRules = 100

    public init(_ plans: [Plan] = []) {
        replace(project: nil, with: plans)
    }

    /// Adds a plan unless `maxRules` are in force; returns it with its id.
    public func add(_ plan: Plan) -> Plan? {
        state.withLock { state in
            guard state.rules.count < Self.maxRules else { return nil }
            return Self.append(plan, to: &state)
        }
    }

    private static func append(_ plan: Plan, to state: inout State) -> Plan {
        var plan = plan
        plan.id = "plan-\(state.nextID)"
        state.nextID += 1
        state.rules.append(plan)
        return plan
    }

    public var rules: [Plan] { state.withLock { $0.rules } }

    @discardableResult
    public func remove(id: String) -> Bool {
        state.withLock { state in
            let before = state.rules.count
            state.rules.removeAll { $0.id == id }
            return state.rules.count < before
        }
    }

    /// Puts back `plans` (a fixture set's) in place of all plans, or of one project's.
    public func replace(project: String?, with plans: [Plan]) {
        state.withLock { state in
            if let project { state.rules.removeAll { $0.projectID == project } } else { state.rules = [] }
            for plan in plans where project == nil || plan.projectID == project {
                _ = Self.append(plan, to: &state)
            }
        }
    }

    /// The first plan in force that matches, counted as used.
    func take(project: String, type: JobType, name: String, volumeID: String?) -> Plan? {
        state.withLock { state in
            for index in state.rules.indices where state.rules[index].remaining != 0 {
                guard state.rules[index].matches(project: project, type: type, name: name, volumeID: volumeID) else { continue }
                state.rules[index].remaining = state.rules[index].remaining.map { $0 - 1 }
                state.rules[index].used += 1
                return state.rules[index]
            }
            return nil
        }
    }
}
