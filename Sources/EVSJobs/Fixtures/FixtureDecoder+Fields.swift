// The fields a job is made of: entities, job type, ids, strings.

extension FixtureDecoder {
    mutating func entities(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> Entities {
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

    mutating func jobType(_ value: JSONValue?, at path: @autoclosure () -> JSONPath, parent: JobType?) -> JobType? {
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

    mutating func projectID(_ value: JSONValue?, at path: @autoclosure () -> JSONPath) -> String? {
        guard let value else { return nil }
        return identifier(value, at: path())
    }

    /// Ids go in URL paths: 1 to 128 characters that need no percent-encoding (RFC 3986 unreserved).
    mutating func identifier(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> String? {
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

    mutating func string(_ value: JSONValue, at path: @autoclosure () -> JSONPath) -> String? {
        guard case .string(let text) = value else {
            problem(path(), "must be a string, got \(value.kindName)")
            return nil
        }
        return text
    }

}
