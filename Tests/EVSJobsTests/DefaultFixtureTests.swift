import Foundation
import Testing

@testable import EVSJobs

@Suite("Default fixture set")
struct DefaultFixtureTests {
    static let builtInPrefix = "(built-in) "

    @Test func decodesWithoutProblems() throws {
        let specs = try FixtureLoader.decode(FixtureLoader.defaultSources)
        #expect(!specs.isEmpty)
    }

    @Test func coversEveryJobType() throws {
        let specs = try FixtureLoader.decode(FixtureLoader.defaultSources)
        let types = Set(flatten(specs).map(\.type))
        #expect(types == Set(JobType.allCases))
        #expect(types.count == 7)
    }

    @Test(arguments: ["4010a32d535527910153552b492c0002", "21917a8d52a19b040152a9f2f1eb003e"])
    func holdsTheAPIExamples(id: String) throws {
        let specs = try FixtureLoader.decode(FixtureLoader.defaultSources)
        let spec = try #require(specs.first { $0.id == id })
        #expect(spec.projectID == nil)
        if case .frozen = spec.timeline {} else { Issue.record("\(id) is not frozen: \(spec.timeline)") }
    }

    @Test func idsAreUniqueAndNamesAreBuiltIn() throws {
        let ids = flatten(try FixtureLoader.decode(FixtureLoader.defaultSources)).map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(FixtureLoader.defaultSources.allSatisfy { $0.name.hasPrefix(Self.builtInPrefix) })
    }

    @Test func embeddedBytesEqualTheFiles() throws {
        for source in FixtureLoader.defaultSources {
            let name = String(source.name.dropFirst(Self.builtInPrefix.count))
            #expect(source.bytes == (try defaultFixtureBytes(name)), "\(name) differs from fixtures/default/\(name)")
        }
    }

    @Test func everyJSONFileIsEmbedded() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: defaultFixtureDirectory.path)
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
        let embedded = FixtureLoader.defaultSources.map { String($0.name.dropFirst(Self.builtInPrefix.count)) }
        #expect(!files.isEmpty)
        #expect(embedded.sorted() == files.sorted())
    }

    @Test func readingTheDirectoryGivesTheSameJobs() throws {
        let fromDisk = try FixtureLoader.load(paths: [defaultFixtureDirectory.path])
        let builtIn = try FixtureLoader.decode(FixtureLoader.defaultSources)
        #expect(fromDisk == builtIn)
    }
}

extension DefaultFixtureTests {
    /// A person polling by hand, seconds after start, still finds jobs RUNNING: one that
    /// succeeds and one that fails, each after ten minutes.
    @Test func someJobsRunTenMinutesForPollingByHand() throws {
        let specs = try FixtureLoader.decode(FixtureLoader.defaultSources)
        var outcomes: [Outcome] = []
        for spec in specs where spec.type == .createVolume {
            if case .scenario(let scenario) = spec.timeline, scenario.runningMs >= 600_000 { outcomes.append(scenario.outcome) }
        }
        #expect(outcomes.contains(.success))
        #expect(outcomes.contains { if case .fail = $0 { true } else { false } })
    }
}

extension DefaultFixtureTests {
    /// The README's table of built-in jobs names every one of them, sub-jobs too.
    @Test func theReadmeNamesEveryBuiltInJob() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for spec in flatten(try FixtureLoader.decode(FixtureLoader.defaultSources)) {
            #expect(readme.contains("`\(spec.id)`"), "README.md lacks the built-in job \(spec.id)")
        }
    }
}
