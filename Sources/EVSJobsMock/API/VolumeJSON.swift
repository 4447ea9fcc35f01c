import EVSJobs

/// A disk as the disk APIs show it: the fields the clients read, in the order of the service's
/// example for one disk (`evs_04_2011`) or for a list (`evs_04_2005`); times as
/// `YYYY-MM-DDTHH:MM:SS.SSSSSS`; what the mock does not model is `null`.
enum VolumeJSON {
    /// The order of the one-disk page's example, then the fields it leaves out.
    static let oneOrder = [
        "attachments", "links", "availability_zone", "os-vol-host-attr:host", "encrypted", "multiattach", "updated_at",
        "os-volume-replication:extended_status", "replication_status", "snapshot_id", "id", "size", "user_id",
        "os-vol-tenant-attr:tenant_id", "volume_image_metadata", "os-vol-mig-status-attr:migstat", "metadata", "tags", "status",
        "description", "source_volid", "consistencygroup_id", "os-vol-mig-status-attr:name_id", "name", "bootable", "created_at",
        "volume_type", "service_type", "dedicated_storage_id", "dedicated_storage_name", "shareable", "enterprise_project_id",
    ]

    /// The order of the list page's example, then the fields it leaves out.
    static let listOrder = [
        "attachments", "availability_zone", "bootable", "created_at", "description", "id", "links", "metadata", "tags", "name",
        "os-vol-host-attr:host", "volume_image_metadata", "os-vol-mig-status-attr:migstat", "os-vol-mig-status-attr:name_id",
        "os-vol-tenant-attr:tenant_id", "os-volume-replication:extended_status", "replication_status", "multiattach", "size",
        "snapshot_id", "status", "updated_at", "user_id", "volume_type", "service_type", "dedicated_storage_id",
        "dedicated_storage_name", "encrypted", "shareable", "source_volid", "consistencygroup_id", "enterprise_project_id",
    ]

    /// The user the mock's disks belong to (the service shows the creating user's id).
    static let userID = "6d07e0a1c3b94e6fa52c0b1f6e6d3a11"

    static func render(_ volume: Volume, project: String, base: String, order: [String]) -> JSONValue {
        let fields = self.fields(volume, project: project, base: base)
        return .object(order.compactMap { key in fields[key].map { JSONMember(key, $0) } })
    }

    private static func fields(_ volume: Volume, project: String, base: String) -> [String: JSONValue] {
        let text = { (flag: Bool) in JSONValue.string(flag ? "true" : "false") }
        let path = "/\(project)/volumes/\(volume.id)"
        let encrypted = volume.metadata.contains { $0.key == "__system__encrypted" && $0.value == .string("1") }
        return [
            "attachments": .array([]),
            "links": .array([
                .object([JSONMember("href", .string(base + "/v2" + path)), JSONMember("rel", .string("self"))]),
                .object([JSONMember("href", .string(base + path)), JSONMember("rel", .string("bookmark"))]),
            ]),
            "availability_zone": .string(volume.availabilityZone),
            "os-vol-host-attr:host": .string("\(volume.availabilityZone)#\(volume.volumeType)"),
            "encrypted": .bool(encrypted),
            "multiattach": .bool(volume.multiattach),
            "updated_at": .string(APITime.volumeTime(volume.updatedAt)),
            "os-volume-replication:extended_status": .null,
            "replication_status": .string("disabled"),
            "snapshot_id": .null,
            "id": .string(volume.id),
            "size": .integer(volume.size),
            "user_id": .string(userID),
            "os-vol-tenant-attr:tenant_id": .string(volume.projectID ?? project),
            "volume_image_metadata": volume.bootable ? .object([]) : .null,
            "os-vol-mig-status-attr:migstat": .null,
            "metadata": .object(volume.metadata),
            "tags": .object(volume.tags),
            "status": .string(volume.status),
            "description": volume.description.map(JSONValue.string) ?? .null,
            "source_volid": .null,
            "consistencygroup_id": .null,
            "os-vol-mig-status-attr:name_id": .null,
            "name": .string(volume.name),
            "bootable": text(volume.bootable),
            "created_at": .string(APITime.volumeTime(volume.createdAt)),
            "volume_type": .string(volume.volumeType),
            "service_type": .string("EVS"),
            "dedicated_storage_id": .null,
            "dedicated_storage_name": .null,
            "shareable": text(volume.multiattach),
            "enterprise_project_id": .string("0"),
        ]
    }
}
