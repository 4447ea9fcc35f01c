/// The API's JSON for a job: the eight fields in the order the service writes them.
public enum JobJSON {
    public static func render(_ job: Job, at now: Int64) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        append(job, at: now, to: &out)
        return out
    }

    /// Appends the job's JSON; `trailingMembers`, when given, appends members of its own (each
    /// `"key":value`, comma-separated) after the eight.
    public static func append(_ job: Job, at now: Int64, to out: inout [UInt8], trailingMembers: ((inout [UInt8]) -> Void)? = nil) {
        let state = job.state(at: now)
        out.append(UInt8(ascii: "{"))
        JSONWriter.appendKey("status", to: &out)
        JSONWriter.appendString(state.status.rawValue, to: &out)
        out.append(UInt8(ascii: ","))
        JSONWriter.appendKey("entities", to: &out)
        if job.spec.type.isBatch && !job.spec.subJobs.isEmpty {
            // A batch parent shows only its sub-jobs (the SDK model: other fields are not returned).
            JSONWriter.appendLiteral("{\"sub_jobs\":[", to: &out)
            for (offset, sub) in job.subJobs.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                append(sub, at: now, to: &out)
            }
            JSONWriter.appendLiteral("]}", to: &out)
        } else {
            appendEntities(job.spec.entities, volumeID: job.spec.packedVolumeID, to: &out)
        }
        out.append(UInt8(ascii: ","))
        JSONWriter.appendKey("job_id", to: &out)
        job.spec.jobID.appendJSON(to: &out)
        out.append(UInt8(ascii: ","))
        JSONWriter.appendKey("job_type", to: &out)
        JSONWriter.appendString(job.spec.type.rawValue, to: &out)
        out.append(UInt8(ascii: ","))
        JSONWriter.appendKey("begin_time", to: &out)
        appendTime(state.beginMs, to: &out)
        out.append(UInt8(ascii: ","))
        JSONWriter.appendKey("end_time", to: &out)
        if let end = state.endMs { appendTime(end, to: &out) } else { JSONWriter.appendLiteral("\"\"", to: &out) }
        out.append(UInt8(ascii: ","))
        JSONWriter.appendKey("error_code", to: &out)
        JSONWriter.appendOptional(state.errorCode, to: &out)
        out.append(UInt8(ascii: ","))
        JSONWriter.appendKey("fail_reason", to: &out)
        JSONWriter.appendOptional(state.failReason, to: &out)
        if let trailingMembers {
            out.append(UInt8(ascii: ","))
            trailingMembers(&out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func appendEntities(_ entities: Entities, volumeID: VolumeID?, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        func separator() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }
        if let name = entities.name {
            separator()
            JSONWriter.appendKey("name", to: &out)
            JSONWriter.appendString(name, to: &out)
        }
        if let size = entities.size {
            separator()
            JSONWriter.appendKey("size", to: &out)
            JSONWriter.appendInteger(size, to: &out)
        }
        if let volumeID {
            separator()
            JSONWriter.appendKey("volume_id", to: &out)
            volumeID.appendJSON(to: &out)
        }
        if let volumeType = entities.volumeType {
            separator()
            JSONWriter.appendKey("volume_type", to: &out)
            JSONWriter.appendString(volumeType, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func appendTime(_ ms: Int64, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        APITime.append(ms, to: &out)
        out.append(UInt8(ascii: "\""))
    }
}
