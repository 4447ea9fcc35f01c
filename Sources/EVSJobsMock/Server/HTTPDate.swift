#if canImport(Glibc)
import Glibc
#endif
import EVSJobs
import Synchronization

/// The `Date` header's IMF-fixdate (RFC 9110 §5.6.7), from the system clock: the mock clock
/// drives job times, not the transport.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The text changes once a second; it is made once a second, not once a response.
    private static let cache = Mutex((second: -1, text: ""))

    static func now() -> String {
        let second = time(nil)
        return cache.withLock { cached in
            if cached.second != second {
                cached = (second, format(Int64(second) * 1000))
            }
            return cached.text
        }
    }

    static func format(_ ms: Int64) -> String {
        let f = APITime.fields(ms)
        var out: [UInt8] = Array(days[f.weekday].utf8)
        out.append(contentsOf: ", ".utf8)
        APITime.appendDigits(f.day, 2, &out)
        out.append(contentsOf: " \(months[f.month - 1]) ".utf8)
        APITime.appendDigits(f.year, 4, &out)
        out.append(32)
        APITime.appendDigits(f.hour, 2, &out)
        out.append(58)
        APITime.appendDigits(f.minute, 2, &out)
        out.append(58)
        APITime.appendDigits(f.second, 2, &out)
        out.append(contentsOf: " GMT".utf8)
        return String(decoding: out, as: UTF8.self)
    }
}
