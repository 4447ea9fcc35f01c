import EVSJobsMock
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Log lines on standard error, as text (message first, then metadata) or one JSON object per
/// line (`--log-format json`, for CI log readers), through `LogWriter.standardError`: a bounded
/// buffer written by a background queue, so that no event loop waits on a slow reader. An
/// access line (`AccessRecord`) is written straight into that buffer, fields and all.
struct StandardErrorLogHandler: LogHandler {
    enum Format {
        case text, json
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var writer = LogWriter.standardError

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let timeMs = Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
        if metadata.isEmpty, let eventMetadata = event.metadata, eventMetadata.count == 1, let only = eventMetadata.first,
           only.key == AccessRecord.key, case .stringConvertible(let value) = only.value, let record = value as? AccessRecord {
            let (format, level, label) = (self.format, event.level, self.label)
            writer.append { out in LogLine.access(record, timeMs: timeMs, level: level, label: label, format: format, to: &out) }
            return
        }
        var all = event.metadata ?? [:]
        if !metadata.isEmpty { all.merge(metadata) { event, _ in event } }
        let render = format == .json ? LogLine.json : LogLine.text
        let line = render(timeMs, event.level, label, event.message.description, all)
        writer.append { $0.append(contentsOf: line) }
    }
}
