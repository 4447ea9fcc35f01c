import Testing

@testable import EVSJobs

@Suite("APITime")
struct APITimeTests {
    /// Instants and their API form, checked against Python's datetime.
    static let known: [(Int64, String)] = [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_457_422_813_219, "2016-03-08T07:40:13.219Z"),
        (1_454_550_217_193, "2016-02-04T01:43:37.193Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (1_456_790_399_999, "2016-02-29T23:59:59.999Z"),
        (946_684_799_999, "1999-12-31T23:59:59.999Z"),
        (-2_203_891_200_000, "1900-03-01T00:00:00.000Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
        (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (1_700_000_000_007, "2023-11-14T22:13:20.007Z"),
    ]

    @Test(arguments: known)
    func formatsKnownInstants(ms: Int64, expected: String) {
        #expect(APITime.format(ms) == expected)
        var out: [UInt8] = [UInt8(ascii: "x")]
        APITime.append(ms, to: &out)
        #expect(text(out) == "x" + expected)
    }

    @Test(arguments: known)
    func parsesKnownInstants(ms: Int64, string: String) {
        #expect(APITime.parse(string) == ms)
    }

    @Test func fieldsOfKnownInstants() {
        #expect(APITime.fields(1_457_422_813_219) == APITime.Fields(
            year: 2016, month: 3, day: 8, hour: 7, minute: 40, second: 13, millisecond: 219, weekday: 2))
        #expect(APITime.fields(0).weekday == 4)  // a Thursday
        #expect(APITime.fields(-1).weekday == 3)
    }

    /// Each leap day exists, and the day after it is 1 March; 1900 and 2100 have no 29 February.
    @Test(arguments: [(2016, true), (2000, true), (2024, true), (1900, false), (2100, false), (2015, false)])
    func leapDays(year: Int, isLeap: Bool) throws {
        let feb28 = try #require(APITime.parse("\(year)-02-28T12:00:00.000Z"))
        let next = APITime.fields(feb28 + 86_400_000)
        #expect((next.month, next.day) == (isLeap ? (2, 29) : (3, 1)))
        #expect((APITime.parse("\(year)-02-29T12:00:00.000Z") != nil) == isLeap)
    }

    @Test func roundTripsAcrossTheWholeRange() {
        // About every 53 days plus an odd number of milliseconds, from year 0 to 9999.
        var failures: [Int64] = []
        var ms: Int64 = -62_167_219_200_000
        while ms <= 253_402_300_799_999 {
            if APITime.parse(APITime.format(ms)) != ms { failures.append(ms) }
            ms += 4_611_686_017
        }
        #expect(failures.isEmpty, "first failures: \(failures.prefix(5))")
    }

    @Test(arguments: [2000, 2016, 1900, 2100, 1969])
    func roundTripsEveryDayOfAYear(year: Int) throws {
        let start = try #require(APITime.parse("\(year)-01-01T00:00:00.000Z"))
        let days = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 366 : 365
        var previous = APITime.fields(start - 1)
        for day in 0...days {
            for offset: Int64 in [0, 1, 43_199_999, 86_399_999] {
                let ms = start + Int64(day) * 86_400_000 + offset
                #expect(APITime.parse(APITime.format(ms)) == ms)
            }
            // Consecutive days are consecutive dates.
            let fields = APITime.fields(start + Int64(day) * 86_400_000)
            let expectedWeekday = (previous.weekday + 1) % 7
            #expect(fields.weekday == expectedWeekday)
            #expect(fields.day == previous.day + 1 || (fields.day == 1 && (fields.month == previous.month % 12 + 1)))
            previous = fields
        }
        #expect(APITime.format(start + Int64(days) * 86_400_000) == "\(year + 1)-01-01T00:00:00.000Z")
    }

    @Test(arguments: [
        "2016-03-08T07:40:13Z",  // no fraction
        "2016-03-08T07:40:13.21Z",  // two fraction digits
        "2016-03-08T07:40:13.2190Z",  // four fraction digits
        "2016-03-08T07:40:13.219z",  // lowercase z
        "2016-03-08t07:40:13.219Z",  // lowercase t
        "2016-03-08 07:40:13.219Z",
        "2016-03-08T07:40:13.219",
        "2016-03-08T07:40:13.219+00:00",
        "2016-02-30T07:40:13.219Z",
        "2015-02-29T00:00:00.000Z",
        "1900-02-29T00:00:00.000Z",
        "2016-04-31T00:00:00.000Z",
        "2016-13-01T00:00:00.000Z",
        "2016-00-10T00:00:00.000Z",
        "2016-01-00T00:00:00.000Z",
        "2016-03-08T24:00:00.000Z",
        "2016-03-08T07:60:13.219Z",
        "2016-03-08T07:40:60.219Z",
        "2016-3-08T07:40:13.219Z",
        "+016-03-08T07:40:13.219Z",
        "2016-03-08T07:40:1a.219Z",
        "2016-03-08T07:40:13.-19Z",
        "",
        "1457422813219",
    ])
    func parseRejects(_ input: String) {
        #expect(APITime.parse(input) == nil)
    }
}
