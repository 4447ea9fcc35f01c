import HTTP1

/// The codes of the mock's own errors, which no real service answer carries.
enum MockCode {
    /// A request body that is not JSON.
    static let notJSON = "MOCK.1000"
    /// A body member missing, of the wrong type or out of range.
    static let invalidField = "MOCK.1001"
    static let jobIDTaken = "MOCK.1002"
    static let noSuchJob = "MOCK.1003"
    static let noSuchFault = "MOCK.1004"
    /// A path or query that cannot be decoded, or a bad query parameter.
    static let badQuery = "MOCK.1005"
    static let fixturesInvalid = "MOCK.1006"
    static let jobFinished = "MOCK.1007"
    static let subJob = "MOCK.1008"
    static let ambiguousJob = "MOCK.1009"
    static let tooManyFaults = "MOCK.1010"
    static let noSuchPlan = "MOCK.1011"
    static let tooManyPlans = "MOCK.1012"

    /// `MOCK.0<status>`: an error that the status alone describes.
    static func status(_ status: HTTPStatus) -> String {
        let digits = String(status.code)
        return "MOCK." + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
