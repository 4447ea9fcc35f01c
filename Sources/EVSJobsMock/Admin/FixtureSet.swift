import EVSJobs
import Synchronization

/// The fixtures in force: what `reset` restores, and what `reload` reads again.
public final class FixtureSet: Sendable {
    /// Files and directories to read again; nil: the documents given at start (or built in).
    let paths: [String]?
    let sources: [FixtureSource]
    private let specs: Mutex<[JobSpec]>
    /// Top-level jobs per fixture file, as first loaded.
    let counts: [(file: String, jobs: Int)]

    /// Reads and decodes everything; throws every problem found.
    init(paths: [String]?, sources: [FixtureSource]?) throws(FixtureError) {
        self.paths = paths
        self.sources = sources ?? FixtureLoader.defaultSources
        let decoded = try FixtureLoader.decodeCounting(Self.documents(paths: paths, sources: self.sources))
        specs = Mutex(decoded.specs)
        counts = decoded.counts
    }

    var current: [JobSpec] { specs.withLock { $0 } }

    /// Reads the fixtures again; on success they replace the set, else nothing changes.
    func reload() throws(FixtureError) -> [JobSpec] {
        let decoded = try FixtureLoader.decode(Self.documents(paths: paths, sources: sources))
        specs.withLock { $0 = decoded }
        return decoded
    }

    /// The files under `paths` as they are now, or else the documents given.
    private static func documents(paths: [String]?, sources: [FixtureSource]) throws(FixtureError) -> [FixtureSource] {
        guard let paths else { return sources }
        return try FixtureLoader.read(paths: paths)
    }
}
