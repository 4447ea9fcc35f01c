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
        let loaded = try paths.map { paths throws(FixtureError) in try FixtureLoader.read(paths: paths) } ?? self.sources
        let decoded = try FixtureLoader.decodeCounting(loaded)
        specs = Mutex(decoded.specs)
        counts = decoded.counts
    }

    var current: [JobSpec] { specs.withLock { $0 } }

    /// Reads the fixtures again; on success they replace the set, else nothing changes.
    func reload() throws(FixtureError) -> [JobSpec] {
        let loaded = try paths.map { paths throws(FixtureError) in try FixtureLoader.read(paths: paths) } ?? sources
        let decoded = try FixtureLoader.decode(loaded)
        specs.withLock { $0 = decoded }
        return decoded
    }
}
