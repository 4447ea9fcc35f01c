import EVSJobs

/// Plans: how the jobs the disk APIs start will end.
extension MockControl {
    /// Adds a plan from its JSON (`POST /__admin/plans`), unless it has problems or
    /// `Plans.maxRules` are in force.
    public func addPlan(_ document: [UInt8]) throws(ControlError) -> Plan {
        var decoder = FixtureDecoder()
        let plan = decoder.decodePlanRequest(try Self.parse(document))
        if let error = decoder.error { throw .invalidPlan(error) }
        guard let plan, let added = disks.plans.add(plan) else { throw .tooManyPlans }
        return added
    }

    /// The plans in force, of one project (and those of every project) or all.
    public func plans(project: String?) -> [Plan] {
        disks.plans.rules.filter { project == nil || $0.projectID == nil || $0.projectID == project }
    }

    public func removePlan(id: String) throws(ControlError) {
        guard disks.plans.remove(id: id) else { throw .noSuchPlan(id: id) }
    }

    /// Removes every plan, or one project's; the fixtures' plans come back with a reset.
    public func clearPlans(project: String?) {
        disks.plans.replace(project: project, with: [])
    }
}
