import EVSJobs
import HTTP1

/// `/__admin/clock`, `/__admin/reset` and `/__admin/reload`.
extension AdminAPI {
    func clockResponse() -> HTTPResponse {
        .json(.ok, .object([
            JSONMember("mode", .string(clock.mode.rawValue)), JSONMember("now", .string(APITime.format(clock.now()))),
            JSONMember("scale", .double(clock.scale)),
        ]))
    }

    func setClock(_ body: [UInt8]) throws(APIError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["mode", "scale"])
        var mode: MockClock.Mode?
        if let text = try fields.string("mode") {
            guard let parsed = MockClock.Mode(rawValue: text) else {
                throw APIError.mock(.badRequest, MockCode.invalidField, "must be \"real\" or \"manual\"", path: JSONPath.root.appending("mode"))
            }
            mode = parsed
        }
        let scale = try fields.number("scale")
        if let scale, !MockClock.scales.contains(scale) {
            throw APIError.mock(.badRequest, MockCode.invalidField, "must be from \(MockClock.scales.lowerBound) to \(Int(MockClock.scales.upperBound))",
                             path: JSONPath.root.appending("scale"))
        }
        clock.set(mode: mode, scale: scale)
        return clockResponse()
    }

    func advanceClock(_ body: [UInt8]) throws(APIError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["ms"])
        let room = MockClock.latest - clock.now()
        guard let ms = try fields.integer("ms"), ms >= 0, ms <= room else {
            throw APIError.mock(.badRequest, MockCode.invalidField, "must be a whole number of milliseconds from 0 to \(room) (the year 9999 is the end of time here)",
                             path: JSONPath.root.appending("ms"))
        }
        clock.advance(by: ms)
        return clockResponse()
    }

    func reset(project: String?) -> HTTPResponse {
        let specs = fixtures.current.filter { project == nil || $0.projectID == project }
        if project == nil { engine.forgetAll() }
        let matches: ((Job) -> Bool)? = project.map { project in { $0.spec.projectID == project } }
        engine.track(store.replace(where: matches, with: specs, t0: clock.now()))
        journal.clear(projectID: project)
        faults.clear(projectID: project)
        return .json(.ok, .object([JSONMember("jobs", .integer(Int64(store.jobCount)))]))
    }

    func reload() throws(APIError) -> HTTPResponse {
        let specs: [JobSpec]
        do {
            specs = try fixtures.reload()
        } catch {
            throw APIError.mock(.badRequest, MockCode.fixturesInvalid, "the fixtures have \(error.count) problems; the old set stays in force",
                             extra: [JSONMember("problems", .array(error.lines.map(JSONValue.string)))])
        }
        engine.forgetAll()
        engine.track(store.replace(where: nil, with: specs, t0: clock.now()))
        return .json(.ok, .object([JSONMember("jobs", .integer(Int64(store.jobCount)))]))
    }
}
