import Bytes
import EVSJobs
import EVSJobsMock
import Logging

/// One log line as bytes, newline included, without I/O: `--log-format text` or `json`.
/// Times are UTC with milliseconds, computed without the C library's locale or time zone.
enum LogLine {
    /// `2026-12-01T22:13:17.123Z info [evs-jobs-mock] GET /v1/p/jobs/x 200 0.412ms duration_ms=0.412 status=200`:
    /// the message first, then the metadata sorted by key; a value with a space, a quote, an
    /// `=` or a control character, or an empty one, is written as a JSON string.
    static func text(timeMs: Int64, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> [UInt8] {
        let fields = metadata.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value.description) }
        let bound = LogText.bound(message) + fields.reduce(0) { $0 + $1.key.utf8.count + LogText.bound($1.value) + 2 }
        var out: [UInt8] = []
        ByteCursor.append(to: &out, bound: head(label) + bound + 1) { line in
            putHead(timeMs: timeMs, level: level, label: label, to: &line)
            LogText.putMessage(message, to: &line)
            for field in fields {
                line.put(UInt8(ascii: " "))
                line.put(utf8: field.key)
                line.put(UInt8(ascii: "="))
                LogText.putValue(field.value, to: &line)
            }
            line.put(10)
        }
        return out
    }

    /// An access line, as `text` or `json` would write its message and fields, appended to `out`.
    static func access(_ record: AccessRecord, timeMs: Int64, level: Logger.Level, label: String,
                       format: StandardErrorLogHandler.Format, to out: inout [UInt8]) {
        switch format {
        case .text:
            // Written in one pass (on the stack, for all but very long paths), then appended once.
            ByteCursor.append(to: &out, bound: head(label) + record.textBound + 1) { line in
                putHead(timeMs: timeMs, level: level, label: label, to: &line)
                record.writeText(to: &line)
                line.put(10)
            }
        case .json:
            JSONWriter.appendLiteral(#"{"time":""#, to: &out)
            APITime.append(timeMs, to: &out)
            JSONWriter.appendLiteral(#"","level":"#, to: &out)
            JSONWriter.appendString(level.rawValue, to: &out)
            JSONWriter.appendLiteral(#","message":"#, to: &out)
            record.appendJSONMessage(to: &out)
            JSONWriter.appendLiteral(#","label":"#, to: &out)
            JSONWriter.appendString(label, to: &out)
            record.appendJSONFields(to: &out)
            JSONWriter.appendLiteral("}\n", to: &out)
        }
    }

    /// Bytes `putHead` takes at most.
    private static func head(_ label: String) -> Int {
        APITime.length + label.utf8.count + 16
    }

    /// `2026-12-01T22:13:17.123Z info [label] `.
    private static func putHead(timeMs: Int64, level: Logger.Level, label: String, to line: inout ByteCursor) {
        APITime.write(timeMs, to: &line)
        line.put(UInt8(ascii: " "))
        line.put(utf8: level.rawValue)
        line.put(" [")
        line.put(utf8: label)
        line.put("] ")
    }

    /// `{"time":...,"level":...,"message":...,"label":...}` and then the metadata sorted by key,
    /// integers, finite doubles and booleans as JSON numbers and booleans.
    static func json(timeMs: Int64, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> [UInt8] {
        var members = [
            JSONMember("time", .string(APITime.format(timeMs))),
            JSONMember("level", .string(level.rawValue)),
            JSONMember("message", .string(message)),
            JSONMember("label", .string(label)),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            members.append(JSONMember(key, jsonValue(value)))
        }
        var out = JSONWriter.encode(.object(members))
        out.append(10)
        return out
    }

    static func jsonValue(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let value):
            switch value {
            case let number as any BinaryInteger: Int64(exactly: number).map(JSONValue.integer) ?? .string(value.description)
            case let number as Double where number.isFinite: .double(number)
            case let flag as Bool: .bool(flag)
            default: .string(value.description)
            }
        case .array(let values): .array(values.map(jsonValue))
        case .dictionary(let values): .object(values.sorted { $0.key < $1.key }.map { JSONMember($0.key, jsonValue($0.value)) })
        }
    }
}
