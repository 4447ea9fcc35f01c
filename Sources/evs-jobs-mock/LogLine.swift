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
        var out: [UInt8] = []
        out.reserveCapacity(128 + message.utf8.count)
        APITime.append(timeMs, to: &out)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: level.rawValue.utf8)
        out.append(contentsOf: " [".utf8)
        out.append(contentsOf: label.utf8)
        out.append(contentsOf: "] ".utf8)
        if message.utf8.contains(where: { $0 < 0x20 }) {
            // One event, one line: control characters are escaped as in JSON, quotes left off.
            var quoted: [UInt8] = []
            JSONWriter.appendString(message, to: &quoted)
            out.append(contentsOf: quoted.dropFirst().dropLast())
        } else {
            out.append(contentsOf: message.utf8)
        }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: key.utf8)
            out.append(UInt8(ascii: "="))
            let text = value.description
            if text.isEmpty || text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x22 || $0 == 0x3D || $0 == 0x5C }) {
                JSONWriter.appendString(text, to: &out)
            } else {
                out.append(contentsOf: text.utf8)
            }
        }
        out.append(10)
        return out
    }

    /// Room for an access line written in one pass (a longer one is appended piece by piece).
    static let plainLineRoom = 1024

    /// An access line, as `text` or `json` would write its message and fields, appended to `out`.
    static func access(_ record: AccessRecord, timeMs: Int64, level: Logger.Level, label: String,
                       format: StandardErrorLogHandler.Format, to out: inout [UInt8]) {
        switch format {
        case .text:
            if let bound = record.plainTextBound, bound + APITime.length + label.utf8.count + 16 <= plainLineRoom {
                // Nearly every line: written on the stack in one pass, then appended once.
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: plainLineRoom) { room in
                    guard let base = room.baseAddress else { return }
                    var cursor = ByteCursor(base)
                    APITime.write(timeMs, to: &cursor)
                    cursor.put(UInt8(ascii: " "))
                    cursor.put(utf8: level.rawValue)
                    cursor.put(" [")
                    cursor.put(utf8: label)
                    cursor.put("] ")
                    record.writeText(to: &cursor)
                    cursor.put(10)
                    out.append(contentsOf: cursor.written)
                }
                return
            }
            APITime.append(timeMs, to: &out)
            out.append(UInt8(ascii: " "))
            JSONWriter.appendUTF8(level.rawValue, to: &out)
            JSONWriter.appendLiteral(" [", to: &out)
            JSONWriter.appendUTF8(label, to: &out)
            JSONWriter.appendLiteral("] ", to: &out)
            record.appendMessage(to: &out)
            record.appendTextFields(to: &out)
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
            out.append(UInt8(ascii: "}"))
        }
        out.append(10)
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
