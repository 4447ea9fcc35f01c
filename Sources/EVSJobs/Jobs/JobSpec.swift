/// A job as a fixture or an admin request describes it, before it is stored.
public struct JobSpec: Sendable, Equatable {
    public var jobID: JobID
    /// nil: visible under every project id.
    public var projectID: String?
    public var type: JobType
    public var entities: Entities
    public var timeline: Timeline
    public var subJobs: [JobSpec]

    public var id: String {
        get { jobID.description }
        set { jobID = JobID(newValue) }
    }

    public init(id: String, projectID: String? = nil, type: JobType, entities: Entities = Entities(), timeline: Timeline = .scenario(Scenario()), subJobs: [JobSpec] = []) {
        self.init(jobID: JobID(id), projectID: projectID, type: type, entities: entities, timeline: timeline, subJobs: subJobs)
    }

    public init(jobID: JobID, projectID: String? = nil, type: JobType, entities: Entities = Entities(), timeline: Timeline = .scenario(Scenario()), subJobs: [JobSpec] = []) {
        self.jobID = jobID
        self.projectID = projectID
        self.type = type
        self.entities = entities
        self.timeline = timeline
        self.subJobs = subJobs
    }
}

extension JobSpec {
    /// The `volume_id` the API shows. A `createVolume` job always names its volume (clients read
    /// `entities.volume_id` of a successful one): the one given, or one derived from the job's
    /// project and id, the same on every start and reload. Derived when rendered, so that a
    /// million stored jobs hold no volume id text they were not given.
    public var volumeID: String? { packedVolumeID?.description }

    /// The same, packed: what the renderer writes without making a String.
    var packedVolumeID: VolumeID? {
        entities.packedVolumeID ?? (type == .createVolume ? VolumeID(derivedVolumeID(forJob: jobID, project: projectID)) : nil)
    }
}
