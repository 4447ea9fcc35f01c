import EVSJobs
import HTTP1

/// `/__admin/clock`, `/__admin/reset` and `/__admin/reload`.
extension AdminAPI {
    func clockResponse() -> HTTPResponse {
        clockResponse(control.clockReading)
    }

    func clockResponse(_ reading: MockControl.ClockReading) -> HTTPResponse {
        .json(.ok, .object([
            JSONMember("mode", .string(reading.mode.rawValue)), JSONMember("now", .string(APITime.format(reading.now))),
            JSONMember("scale", .double(reading.scale)),
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
        return clockResponse(try APIError.control { () throws(ControlError) in try control.setClock(mode: mode, scale: scale) })
    }

    func advanceClock(_ body: [UInt8]) throws(APIError) -> HTTPResponse {
        let document = try parse(body)
        let fields = try Fields(document, allowed: ["ms"])
        let ms = try fields.integer("ms")
        return clockResponse(try APIError.control { () throws(ControlError) in try control.advanceClock(by: ms) })
    }

    func reset(project: String?) -> HTTPResponse {
        jobCountResponse(control.reset(project: project))
    }

    func reload() throws(APIError) -> HTTPResponse {
        jobCountResponse(try APIError.control { () throws(ControlError) in try control.reload() })
    }

    func jobCountResponse(_ count: Int) -> HTTPResponse {
        .json(.ok, .object([JSONMember("jobs", .integer(Int64(count)))]))
    }
}
