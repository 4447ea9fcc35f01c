import EVSJobs
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One JSON object per line on standard error: `time`, `level`, `message`, `label` and the
/// metadata, for CI log readers (`--log-format json`).
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level, message = event.message, extra = event.metadata
        var members = [
            JSONMember("time", .string(APITime.format(SystemClock().now()))),
            JSONMember("level", .string(level.rawValue)),
            JSONMember("message", .string(message.description)),
            JSONMember("label", .string(label)),
        ]
        for (key, value) in metadata.merging(extra ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            members.append(JSONMember(key, .string(value.description)))
        }
        var out = JSONWriter.encode(.object(members))
        out.append(10)
        _ = out.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
