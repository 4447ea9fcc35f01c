#if canImport(Bytes)  // the fuzz scripts compile it into the same module
import Bytes
#endif

/// Milliseconds since 1970-01-01T00:00:00Z and the calendar arithmetic the API's time format
/// needs (proleptic Gregorian, UTC; Howard Hinnant's days-from-civil algorithm).
public enum APITime {
    public struct Fields: Sendable, Equatable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int
        /// 0 = Sunday.
        public var weekday: Int
    }

    public static func fields(_ ms: Int64) -> Fields {
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = Int(ms - days * 86_400_000)
        let (y, m, d) = civil(fromDays: days)
        return Fields(
            year: y, month: m, day: d,
            hour: msOfDay / 3_600_000, minute: msOfDay / 60_000 % 60, second: msOfDay / 1000 % 60,
            millisecond: msOfDay % 1000, weekday: Int(floorMod(days + 4, 7)))
    }

    /// `YYYY-MM-DDTHH:MM:SS.SSSZ`, always three fraction digits.
    public static func format(_ ms: Int64) -> String {
        var out: [UInt8] = []
        append(ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func append(_ ms: Int64, to out: inout [UInt8]) {
        ByteCursor.append(to: &out, bound: length) { write(ms, to: &$0) }
    }

    /// Bytes `write` puts.
    public static let length = 24

    /// The same text through a cursor with `length` bytes of room.
    public static func write(_ ms: Int64, to cursor: inout ByteCursor) {
        let f = fields(ms)
        cursor.putDigits(f.year, width: 4)
        cursor.put(UInt8(ascii: "-"))
        cursor.putDigits(f.month, width: 2)
        cursor.put(UInt8(ascii: "-"))
        cursor.putDigits(f.day, width: 2)
        cursor.put(UInt8(ascii: "T"))
        cursor.putDigits(f.hour, width: 2)
        cursor.put(UInt8(ascii: ":"))
        cursor.putDigits(f.minute, width: 2)
        cursor.put(UInt8(ascii: ":"))
        cursor.putDigits(f.second, width: 2)
        cursor.put(UInt8(ascii: "."))
        cursor.putDigits(f.millisecond, width: 3)
        cursor.put(UInt8(ascii: "Z"))
    }

    /// Reads exactly the format `format` writes; nil for anything else.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 24, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "."), b[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in b[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let millis = number(20..<23), (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = self.days(fromCivil: year, month, day)
        return days * 86_400_000 + Int64(hour * 3_600_000 + minute * 60_000 + second * 1000 + millis)
    }

    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `value` in exactly `width` decimal digits, zero-padded (the leading ones dropped if wider).
    public static func appendDigits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        let width = max(1, width)
        ByteCursor.append(to: &out, bound: width) { $0.putDigits(value, width: width) }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        a - floorDiv(a, b) * b
    }
}

extension APITime {
    /// The disk APIs' `YYYY-MM-DDTHH:MM:SS.SSSSSS`: UTC without a zone letter, six fraction
    /// digits (the mock's clock has milliseconds, so the last three are zeros).
    public static func appendVolumeTime(_ ms: Int64, to out: inout [UInt8]) {
        append(ms, to: &out)
        out.removeLast()
        out.append(contentsOf: "000".utf8)
    }

    public static func volumeTime(_ ms: Int64) -> String {
        var out: [UInt8] = []
        appendVolumeTime(ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads the disk APIs' form (fraction digits past the third are dropped) or the job form.
    public static func parseVolumeTime(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 26, !bytes.contains(UInt8(ascii: "Z")) else { return parse(text) }
        return parse(String(decoding: bytes.prefix(23), as: UTF8.self) + "Z")
    }
}
