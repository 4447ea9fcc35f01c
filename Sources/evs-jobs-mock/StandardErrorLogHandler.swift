import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Log lines on standard error, as text (message first, then metadata) or one JSON object per
/// line (`--log-format json`, for CI log readers). Each line goes out in one write(2).
struct StandardErrorLogHandler: LogHandler {
    enum Format {
        case text, json
    }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = event.metadata ?? [:]
        if !metadata.isEmpty { all.merge(metadata) { event, _ in event } }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let timeMs = Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
        let render = format == .json ? LogLine.json : LogLine.text
        let line = render(timeMs, event.level, label, event.message.description, all)
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // standard error is gone or full: the line is dropped, never retried forever
                }
            }
        }
    }
}
