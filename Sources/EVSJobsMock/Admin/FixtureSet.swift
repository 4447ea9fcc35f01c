import EVSJobs
import Synchronization

/// The fixtures in force: what `reset` restores, and what `reload` reads again.
public final class FixtureSet: Sendable {
    /// Files and directories to read again; nil: the documents given at start (or built in).
    let paths: [String]?
    let sources: [FixtureSource]
    private let contents: Mutex<FixtureContents>
    /// Top-level jobs per fixture file, as first loaded.
    let counts: [(file: String, jobs: Int)]

    /// Reads and decodes everything; throws every problem found.
    init(paths: [String]?, sources: [FixtureSource]?) throws(FixtureError) {
        self.paths = paths
        self.sources = sources ?? FixtureLoader.defaultSources
        let decoded = try FixtureLoader.decodeContents(Self.documents(paths: paths, sources: self.sources))
        contents = Mutex(decoded)
        counts = decoded.counts
    }

    var current: FixtureContents { contents.withLock { $0 } }

    /// Reads the fixtures again; on success they replace the set, else nothing changes.
    func reload() throws(FixtureError) -> FixtureContents {
        let decoded = try FixtureLoader.decodeContents(Self.documents(paths: paths, sources: sources))
        contents.withLock { $0 = decoded }
        return decoded
    }

    /// The files under `paths` as they are now, or else the documents given.
    private static func documents(paths: [String]?, sources: [FixtureSource]) throws(FixtureError) -> [FixtureSource] {
        guard let paths else { return sources }
        return try FixtureLoader.read(paths: paths)
    }
}
