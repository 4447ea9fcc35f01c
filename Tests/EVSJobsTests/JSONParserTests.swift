import Foundation
import Testing

@testable import EVSJobs

@Suite("JSONParser: valid documents")
struct JSONParserValidTests {
    @Test func nestedDocumentKeepsMemberOrder() throws {
        let value = try parseJSON(#"""
            {
              "zeta": [1, {"b": true, "a": null}],
              "alpha": "s",
              "mid": {},
              "empty": [],
              "f": false
            }
            """#)
        #expect(value == .object([
            JSONMember("zeta", .array([.integer(1), .object([JSONMember("b", .bool(true)), JSONMember("a", .null)])])),
            JSONMember("alpha", .string("s")),
            JSONMember("mid", .object([])),
            JSONMember("empty", .array([])),
            JSONMember("f", .bool(false)),
        ]))
        #expect(keys(of: value) == ["zeta", "alpha", "mid", "empty", "f"])
        #expect(value["alpha"] == .string("s"))
        #expect(value["missing"] == nil)
    }

    @Test(arguments: [
        ("null", JSONValue.null), ("true", .bool(true)), ("false", .bool(false)), (#""""#, .string("")),
        (" \t\r\n 7 \n", .integer(7)), ("[]", .array([])), ("{}", .object([])),
    ])
    func topLevelScalarsAndWhitespace(input: String, expected: JSONValue) throws {
        #expect(try parseJSON(input) == expected)
    }

    @Test func escapes() throws {
        let value = try parseJSON(#"["\" \\ \/ \b \f \n \r \t", "\u0041\u00e9\u4E2D", "\u0000"]"#)
        #expect(value == .array([
            .string("\" \\ / \u{8} \u{C} \n \r \t"),
            .string("Aé中"),
            .string("\u{0}"),
        ]))
    }

    @Test(arguments: [
        (#""\uD83D\uDE00""#, "😀"),
        (#""\ud83d\ude00""#, "😀"),
        (#""x\uD834\uDD1Ey""#, "x𝄞y"),
        (#""\uDBFF\uDFFF""#, "\u{10FFFF}"),
    ])
    func surrogatePairs(input: String, expected: String) throws {
        #expect(try parseJSON(input) == .string(expected))
    }

    @Test func rawUTF8PassesThrough() throws {
        #expect(try parseJSON(#"{"név": "磁盘 😀"}"#) == .object([JSONMember("név", .string("磁盘 😀"))]))
    }

    @Test func byteOrderMarkIsIgnored() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + utf8(#"{"a":1}"#)) == .object([JSONMember("a", .integer(1))]))
    }

    @Test(arguments: [
        ("0", JSONValue.integer(0)),
        ("-0", .integer(0)),
        ("42", .integer(42)),
        ("-17", .integer(-17)),
        ("9223372036854775807", .integer(.max)),
        ("-9223372036854775808", .integer(.min)),
        // Too big for 64 bits: a double.
        ("9223372036854775808", .double(9_223_372_036_854_775_808)),
        ("1.0", .double(1)),
        ("1.5", .double(1.5)),
        ("-2.25", .double(-2.25)),
        ("1e2", .double(100)),
        ("1E+2", .double(100)),
        ("25e-1", .double(2.5)),
        ("2.5E-3", .double(0.0025)),
        ("0.5", .double(0.5)),
    ])
    func numbers(input: String, expected: JSONValue) throws {
        #expect(try parseJSON(input) == expected)
        #expect(try parseJSON("[\(input)]") == .array([expected]))
    }

    @Test func integerAndDoubleAreDistinct() throws {
        #expect(try parseJSON("1") != parseJSON("1.0"))
        #expect(try parseJSON("100") != parseJSON("1e2"))
    }

    @Test func negativeZeroDoubleKeepsItsSign() throws {
        guard case .double(let value) = try parseJSON("-0.0") else {
            Issue.record("-0.0 is not a double")
            return
        }
        #expect(value == 0 && value.sign == .minus)
    }

    @Test func nestingUpToMaxDepthIsAccepted() throws {
        let depth = JSONParser.maxDepth
        var expected = JSONValue.array([])
        for _ in 1..<depth { expected = .array([expected]) }
        #expect(try parseJSON(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) == expected)
        let objects = String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        #expect(throws: Never.self) { try parseJSON(objects) }
    }

    @Test func writerOutputParsesBack() throws {
        let value = try parseJSON(#"{"s":"q\"b\\n\n\t\u0001é","n":[1,-2,null,true],"o":{"k":{}}}"#)
        #expect(try JSONParser.parse(JSONWriter.encode(value)) == value)
    }
}

/// A document that must be refused, and what the error must say.
struct SyntaxErrorCase: Sendable, CustomTestStringConvertible {
    let name: String
    let input: [UInt8]
    let reason: String
    let line: Int
    /// nil: the column is not checked.
    let column: Int?
    let path: String

    init(_ name: String, _ input: String, reason: String, line: Int = 1, column: Int?, path: String = "$") {
        self.init(name, utf8(input), reason: reason, line: line, column: column, path: path)
    }

    init(_ name: String, _ input: [UInt8], reason: String, line: Int = 1, column: Int?, path: String = "$") {
        self.name = name
        self.input = input
        self.reason = reason
        self.line = line
        self.column = column
        self.path = path
    }

    var testDescription: String { name }
}

@Suite("JSONParser: errors")
struct JSONParserErrorTests {
    static let cases: [SyntaxErrorCase] = [
        .init("trailing comma in array", "[1, 2,]", reason: "unexpected character ']'", column: 7, path: "[2]"),
        .init("trailing comma in object", "{\n  \"a\": 1,\n}", reason: "expected a member name in double quotes", line: 3, column: 1),
        .init("trailing comma in nested object", #"{"jobs": [{"job_id": "a",}]}"#, reason: "expected a member name", column: 26, path: "jobs[0]"),
        .init("duplicate key", "{\n  \"a\": 1,\n  \"a\": 2\n}", reason: "duplicate key \"a\"", line: 3, column: nil, path: "a"),
        .init("duplicate key deep", #"{"jobs": [{"job_id": "a", "job_id": "b"}]}"#, reason: "duplicate key \"job_id\"", column: nil, path: "jobs[0].job_id"),
        .init("leading zero", "[01]", reason: "leading zero", column: 3, path: "[0]"),
        .init("negative leading zero", #"{"n": -007}"#, reason: "leading zero", column: 9, path: "n"),
        .init("control character", "[\"a\tb\"]", reason: "control character 0x9 in string", column: 4, path: "[0]"),
        .init("newline in string", "{\"k\": \"a\nb\"}", reason: "control character 0xA", column: 9, path: "k"),
        .init("invalid UTF-8", utf8("[\"a") + [0xFF] + utf8("b\"]"), reason: "not valid UTF-8", column: nil, path: "[0]"),
        .init("overlong UTF-8", utf8("{\"k\": \"") + [0xC0, 0x80] + utf8("\"}"), reason: "not valid UTF-8", column: nil, path: "k"),
        .init("UTF-8 encoded surrogate", utf8("[\"") + [0xED, 0xA0, 0x80] + utf8("\"]"), reason: "not valid UTF-8", column: nil, path: "[0]"),
        .init("unterminated string", "{\n  \"a\": \"abc", reason: "unterminated string", line: 2, column: 12, path: "a"),
        .init("unterminated array", "[1, 2", reason: "expected ',' or ']' in array", column: 6),
        .init("unterminated object", #"{"a": 1"#, reason: "expected ',' or '}' in object", column: 8),
        .init("unterminated after colon", #"{"a":"#, reason: "unexpected end of input", column: 6, path: "a"),
        .init("empty document", "", reason: "unexpected end of input", column: 1),
        .init("whitespace only", "  \n ", reason: "unexpected end of input", line: 2, column: 2),
        .init("trailing garbage", "{} x", reason: "unexpected data after the JSON value", column: 4),
        .init("second value", "[1]\n[2]", reason: "unexpected data after the JSON value", line: 2, column: 1),
        .init("missing colon", #"{"a" 1}"#, reason: "expected ':'", column: 6),
        .init("unquoted key", "{a: 1}", reason: "expected a member name in double quotes", column: 2),
        .init("single quotes", "['a']", reason: "unexpected character", column: 2, path: "[0]"),
        .init("double comma", "[1,,2]", reason: "unexpected character ','", column: 4, path: "[1]"),
        .init("bad literal", "[tru]", reason: "invalid literal (expected true)", column: 2, path: "[0]"),
        .init("NaN", "NaN", reason: "unexpected character 'N'", column: 1),
        .init("plus sign", "+1", reason: "unexpected character '+'", column: 1),
        .init("bare fraction", ".5", reason: "unexpected character '.'", column: 1),
        .init("lone minus", "-", reason: "malformed number", column: 2),
        .init("missing fraction digits", "1.", reason: "malformed number", column: 3),
        .init("missing exponent digits", "1e+", reason: "malformed number", column: 4),
        .init("number out of range", "1e400", reason: "number out of range", column: 6),
        .init("invalid escape", #"["\x"]"#, reason: "invalid escape", column: 5, path: "[0]"),
        .init("invalid hex escape", #"["\u12G4"]"#, reason: #"invalid \u escape"#, column: 7, path: "[0]"),
        .init("truncated hex escape", #""\u12"#, reason: #"truncated \u escape"#, column: 4),
        .init("lone high surrogate", #"["\uD83D"]"#, reason: "unpaired surrogate", column: nil, path: "[0]"),
        .init("high surrogate then letter", #"["\uD83Dx"]"#, reason: "unpaired surrogate", column: nil, path: "[0]"),
        .init("high surrogate then non-low", #"["\uD83D\u0041"]"#, reason: "unpaired surrogate", column: nil, path: "[0]"),
        .init("lone low surrogate", #"["\uDE00"]"#, reason: "unpaired surrogate", column: nil, path: "[0]"),
        .init("comment", "[1] // no", reason: "unexpected data after the JSON value", column: 5),
        .init("error deep in a fixture", #"{"jobs": [{}, {}, {}, {"scenario": {"running_ms": -}}]}"#,
              reason: "malformed number", column: nil, path: "jobs[3].scenario.running_ms"),
        .init("multi-byte characters count as one column", "[\"é😀\", x]", reason: "unexpected character 'x'", column: 8, path: "[1]"),
    ]

    @Test(arguments: cases)
    func refused(_ testCase: SyntaxErrorCase) throws {
        let error = try #require(syntaxError(testCase.input))
        #expect(error.reason.contains(testCase.reason), "reason: \(error.reason)")
        #expect(error.line == testCase.line)
        if let column = testCase.column { #expect(error.column == column) }
        #expect(error.path.description == testCase.path)
        #expect(error.description == "line \(error.line) column \(error.column): \(error.reason)")
    }

    @Test func nestingDeeperThanMaxDepthIsRefused() throws {
        let depth = JSONParser.maxDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let error = try #require(syntaxError(utf8(arrays)))
        #expect(error.reason.contains("nesting deeper than \(JSONParser.maxDepth)"))
        #expect(error.path.components == Array(repeating: .index(0), count: JSONParser.maxDepth))

        let objects = String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
        let objectError = try #require(syntaxError(utf8(objects)))
        #expect(objectError.reason.contains("nesting deeper"))
        #expect(objectError.path.components.count == JSONParser.maxDepth)
    }

    @Test func veryDeepNestingFailsWithoutCrashing() throws {
        let error = try #require(syntaxError(utf8(String(repeating: "[", count: 100_000))))
        #expect(error.reason.contains("nesting deeper"))
    }

    @Test func escapedKeysAreComparedAfterUnescaping() throws {
        let error = try #require(syntaxError(utf8(#"{"ab": 1, "a\u0062": 2}"#)))
        #expect(error.reason == "duplicate key \"ab\"")
        #expect(error.path.description == "ab")
    }

    @Test func canonicallyEquivalentButDifferentKeysAreNotDuplicates() throws {
        // "\u00e9" and "e\u0301" are different member names (RFC 8259 §8.3 compares code units),
        // though Swift's String == treats them as equal.
        let value = try parseJSON(#"{"\u00e9": 1, "e\u0301": 2}"#)
        guard case .object(let members) = value else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(members.map { Array($0.key.unicodeScalars) } == [["\u{E9}"], ["e", "\u{301}"]])
    }

    @Test func byteOrderMarkIsNotAColumn() throws {
        // Editors do not show the BOM, so the column should be the same as without it.
        let plain = try #require(syntaxError(utf8("[1,]")))
        let marked = try #require(syntaxError([0xEF, 0xBB, 0xBF] + utf8("[1,]")))
        #expect(plain.column == 4)
        #expect(marked.column == plain.column)
    }
}

@Suite("JSONPath")
struct JSONPathTests {
    @Test func rootIsDollar() {
        #expect(JSONPath.root.description == "$")
        #expect(JSONPath().description == "$")
    }

    @Test func keysAndIndexes() {
        let path = JSONPath.root.appending("jobs").appending(3).appending("scenario").appending("running_ms")
        #expect(path.description == "jobs[3].scenario.running_ms")
        #expect(path.components == [.key("jobs"), .index(3), .key("scenario"), .key("running_ms")])
    }

    @Test(arguments: [
        (JSONPath.root.appending(0), "[0]"),
        (JSONPath.root.appending(0).appending("a"), "[0].a"),
        (JSONPath.root.appending("a").appending(1).appending(2), "a[1][2]"),
        (JSONPath.root.appending("a b"), #"["a b"]"#),
        (JSONPath.root.appending("x").appending("y.z"), #"x["y.z"]"#),
        (JSONPath.root.appending("x").appending(""), #"x[""]"#),
        (JSONPath.root.appending("q\"k"), #"["q\"k"]"#),
        (JSONPath.root.appending("Snake_Case9"), "Snake_Case9"),
    ])
    func description(path: JSONPath, expected: String) {
        #expect(path.description == expected)
    }

    @Test func appendingDoesNotChangeTheOriginal() {
        let base = JSONPath.root.appending("jobs")
        _ = base.appending(1)
        #expect(base.description == "jobs")
    }
}
