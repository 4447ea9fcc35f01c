// libFuzzer entry for the fixture decoder (Sources/EVSJobs/Fixtures/FixtureDecoder.swift), the
// JSON parser under it and the job renderer. Built by fuzz/run.sh into one module with
// Sources/EVSJobs/JSON/*.swift, APITime.swift, Jobs/*.swift, JobJSON.swift,
// Fixtures/FixtureDecoder*.swift, Fixtures/Identifiers.swift and Fixtures/FixtureProblem.swift.
//
// The whole input is one fixture file. Checks (each failure traps, so libFuzzer reports it):
//   * no Swift runtime trap or ASan error in parsing, decoding, rendering or problem messages;
//   * every problem names the file and a path in the document; no problems means every job, disk
//     and plan listed was decoded (disk ids reading back as written);
//   * every decoded job, rendered at several moments, is JSON that `JSONParser.parse` accepts again:
//     an object with the eight API fields in order, whose status, job_id, job_type, error_code,
//     fail_reason and entities (strings included, escapes and all) are the job's;
//   * a job's status never goes backwards in time (INIT, RUNNING, then SUCCESS or FAIL, and stays);
//   * `transitionTimes` are in order, each once, after t0.
// When the file decodes to jobs, it is decoded a second time by the same decoder (as a second file of
// the same set), to exercise the repeated-id checks and their messages.

/// Like `precondition`, but the message is printed in -O builds too (it names what went wrong).
@inline(__always)
private func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) {
    if !condition { fatalError(message(), line: line) }
}

/// Deterministic ids for jobs without `job_id` (the default generator is random, which would
/// make runs unreproducible). Alternates packed 32-hex ids and text ids.
private func counterIDs() -> () -> String {
    var next = 0
    return {
        next += 1
        return next % 2 == 0 ? String(repeating: "0", count: 24) + hex8(next) : "gen-\(next)"
    }
}

private func hex8(_ value: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 8 - text.count)) + text
}

private let apiKeys = ["status", "entities", "job_id", "job_type", "begin_time", "end_time", "error_code", "fail_reason"]

private func rank(_ status: JobStatus) -> Int {
    switch status {
    case .initializing: 0
    case .running: 1
    case .success, .fail: 2
    }
}

private func checkRendered(_ job: Job, at now: Int64) {
    let bytes = JobJSON.render(job, at: now)
    let value: JSONValue
    do {
        value = try JSONParser.parse(bytes)
    } catch {
        fatalError("rendered job does not parse: \(error): \(String(decoding: bytes, as: UTF8.self))")
    }
    guard case .object(let members) = value else { fatalError("rendered job is not an object") }
    expect(members.map(\.key) == apiKeys, "rendered keys \(members.map(\.key))")
    let state = job.state(at: now)
    expect(value["status"] == .string(state.status.rawValue), "rendered status differs from state")
    expect(value["job_id"] == .string(job.id), "rendered job_id differs: \(job.id)")
    expect(value["job_type"] == .string(job.spec.type.rawValue), "rendered job_type differs")
    // Strings survive the trip through the writer and the parser unchanged.
    expect(value["error_code"] == (state.errorCode.map(JSONValue.string) ?? .null), "rendered error_code differs")
    expect(value["fail_reason"] == (state.failReason.map(JSONValue.string) ?? .null), "rendered fail_reason differs")
    if job.spec.type.isBatch, !job.spec.subJobs.isEmpty {
        guard case .array(let subs) = value["entities"]?["sub_jobs"] else { fatalError("batch job without sub_jobs array") }
        expect(subs.count == job.spec.subJobs.count, "rendered \(subs.count) sub-jobs of \(job.spec.subJobs.count)")
        for sub in job.subJobs { checkRendered(sub, at: now) }
    } else {
        let entities = job.spec.entities
        var expected: [JSONMember] = []
        if let name = entities.name { expected.append(JSONMember("name", .string(name))) }
        if let size = entities.size { expected.append(JSONMember("size", .integer(size))) }
        if let id = job.spec.volumeID { expected.append(JSONMember("volume_id", .string(id))) }  // a createVolume job always has one
        if let type = entities.volumeType { expected.append(JSONMember("volume_type", .string(type))) }
        expect(value["entities"] == .object(expected), "rendered entities differ from the spec")
    }
}

private func checkJob(_ spec: JobSpec, t0: Int64) {
    let job = Job(spec: spec, t0: t0)
    let transitions = job.transitionTimes
    for (a, b) in zip(transitions, transitions.dropFirst()) {
        expect(a < b, "transitionTimes not strictly increasing: \(transitions)")
    }
    expect(transitions.allSatisfy { $0 > t0 }, "transition at or before t0: \(transitions)")

    // The moments around each transition, in increasing order.
    var moments: Set<Int64> = [t0 - 1, t0, t0 + 1]
    for time in transitions {
        moments.formUnion([time - 1, time, time + 1])
    }
    moments.insert((transitions.last ?? t0) + 86_400_000)
    var lastRank = -1
    var lastFinished: JobState?
    for now in moments.sorted() {
        let state = job.state(at: now)
        let r = rank(state.status)
        expect(r >= lastRank, "status went backwards to \(state.status) at \(now)")
        if let lastFinished { expect(state == lastFinished, "finished state changed at \(now)") }
        if state.status.isFinished { lastFinished = state }
        lastRank = r
        checkRendered(job, at: now)
    }
}

/// How many elements the document's list under `key` has (nil: no such list).
private func listCount(_ bytes: [UInt8], _ key: String) -> Int? {
    guard let document = try? JSONParser.parse(bytes), case .array(let elements) = document[key] else { return nil }
    return elements.count
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = FixtureDecoder(makeID: counterIDs())
    let specs = decoder.decode(file: "fuzz.json", bytes: bytes)
    for problem in decoder.problems {
        let text = "\(problem)"
        expect(text.hasPrefix("fuzz.json: "), "problem text \(text)")
        expect(problem.path != nil, "problem without a path: \(text)")
    }
    if decoder.problems.isEmpty, case .object = try? JSONParser.parse(bytes) {
        // A document without problems is a set of jobs, disks and plans, or one captured job;
        // nothing is silently lost: each disk and plan listed is decoded, ids as written.
        let lists = ["jobs", "volumes", "plans"].map { listCount(bytes, $0) }
        expect(!specs.isEmpty || (lists.contains { $0 != nil } && specs.count == lists[0] ?? 0), "no problems and no jobs")
        expect(decoder.volumes.count == lists[1] ?? 0, "disks lost: \(decoder.volumes.count) of \(lists[1] ?? 0)")
        expect(decoder.plans.count == lists[2] ?? 0, "plans lost: \(decoder.plans.count) of \(lists[2] ?? 0)")
        if let document = try? JSONParser.parse(bytes), case .array(let given)? = document["volumes"] {
            for (volume, element) in zip(decoder.volumes, given) {
                if case .string(let id)? = element["id"] { expect(volume.id == id, "disk id \(id) reads back as \(volume.id)") }
            }
        }
    }
    // t0: a time the store could use (2024-01-01), and the epoch.
    for t0: Int64 in [1_704_067_200_000, 0] {
        for spec in specs { checkJob(spec, t0: t0) }
    }
    _ = "\(FixtureError(decoder.problems))"

    if !specs.isEmpty {
        // The same document again, as another file of the set: its explicit ids are now repeats.
        let again = decoder.decode(file: "again.json", bytes: bytes)
        for problem in decoder.problems { _ = "\(problem)" }
        _ = again.count
    }
    return 0
}
