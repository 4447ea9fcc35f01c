import Foundation
import Testing

@testable import EVSJobs

// Small helpers shared by the EVSJobs test files.

/// The instant of the API's RUNNING example: 2016-03-08T07:40:13.219Z.
let exampleT0: Int64 = 1_457_422_813_219

func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Parses `text` with the parser under test.
func parseJSON(_ text: String) throws -> JSONValue { try JSONParser.parse(utf8(text)) }

/// The syntax error `bytes` must cause; records an issue (and returns nil) when it parses.
func syntaxError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> JSONSyntaxError? {
    do {
        let value = try JSONParser.parse(bytes)
        Issue.record("expected a syntax error, parsed \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The member names of an object, in document order.
func keys(of value: JSONValue?) -> [String] {
    guard case .object(let members)? = value else { return [] }
    return members.map(\.key)
}

// MARK: - Job specs

func timedSpec(
    _ id: String, _ type: JobType = .createVolume, project: String? = nil, initMs: Int64, runningMs: Int64,
    outcome: Outcome = .success, entities: Entities = Entities()
) -> JobSpec {
    JobSpec(id: id, projectID: project, type: type, entities: entities,
            timeline: .scenario(Scenario(initMs: initMs, runningMs: runningMs, outcome: outcome)))
}

func batchSpec(_ id: String, _ type: JobType = .batchCreateVolume, project: String? = nil, subs: [JobSpec]) -> JobSpec {
    JobSpec(id: id, projectID: project, type: type, timeline: .derived, subJobs: subs)
}

func failure(_ code: String) -> Outcome { .fail(errorCode: code, failReason: "reason of \(code)") }

// MARK: - Fixtures

/// The package root, found from this file's location (Tests/EVSJobsTests/TestSupport.swift).
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let defaultFixtureDirectory: URL = packageRoot.appendingPathComponent("fixtures/default")

func defaultFixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: defaultFixtureDirectory.appendingPathComponent(name)))
}

/// Fixture sources from (file name, JSON text) pairs.
func sources(_ files: [(String, String)]) -> [FixtureSource] {
    files.map { FixtureSource(name: $0.0, bytes: utf8($0.1)) }
}

/// Decodes fixture files that must be valid.
func decodeFixtures(_ files: (String, String)...) throws -> [JobSpec] {
    try FixtureLoader.decode(sources(files))
}

/// The problems fixture files must cause; records an issue when they decode.
func fixtureProblems(_ files: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) -> [FixtureProblem] {
    do {
        let specs = try FixtureLoader.decode(sources(files))
        Issue.record("expected fixture problems, decoded \(specs.count) jobs", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.problems
    }
}

/// Wraps job objects (JSON text) in a `{"jobs": [...]}` document.
func jobsDocument(_ jobs: String...) -> String {
    #"{"jobs": ["# + jobs.joined(separator: ",\n") + "]}"
}

/// Every spec of a decoded set, sub-jobs included.
func flatten(_ specs: [JobSpec]) -> [JobSpec] {
    specs.flatMap { [$0] + $0.subJobs }
}
