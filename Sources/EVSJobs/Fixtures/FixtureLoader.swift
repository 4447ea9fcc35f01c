#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One fixture document: where it came from and its bytes.
public struct FixtureSource: Sendable {
    public let name: String
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// What a fixture set holds.
public struct FixtureContents: Sendable {
    public var jobs: [JobSpec]
    public var volumes: [Volume]
    public var plans: [Plan]
    /// Top-level jobs per source.
    public var counts: [(file: String, jobs: Int)]

    public init(jobs: [JobSpec] = [], volumes: [Volume] = [], plans: [Plan] = [], counts: [(file: String, jobs: Int)] = []) {
        self.jobs = jobs
        self.volumes = volumes
        self.plans = plans
        self.counts = counts
    }
}

/// Reads fixture files and directories and decodes them as one set: all of it loads, or none.
public enum FixtureLoader {
    /// The set served when no `--fixtures` is given, compiled into the binary so that it works
    /// from any working directory and in a container. The same files are in `fixtures/default/`.
    public static var defaultSources: [FixtureSource] {
        [
            FixtureSource(name: "(built-in) api-example-batch.json", bytes: PackageResources.api_example_batch_json),
            FixtureSource(name: "(built-in) api-example-running.json", bytes: PackageResources.api_example_running_json),
            FixtureSource(name: "(built-in) disks.json", bytes: PackageResources.disks_json),
            FixtureSource(name: "(built-in) timed-jobs.json", bytes: PackageResources.timed_jobs_json),
            FixtureSource(name: "(built-in) watch-by-hand.json", bytes: PackageResources.watch_by_hand_json),
        ]
    }

    /// Decodes every source's jobs; throws every problem found if any source is bad.
    public static func decode(_ sources: [FixtureSource], makeID: @escaping () -> String = generateJobID) throws(FixtureError) -> [JobSpec] {
        try decodeContents(sources, makeID: makeID).jobs
    }

    /// Everything the sources hold: jobs, disks and plans.
    public static func decodeContents(_ sources: [FixtureSource], makeID: @escaping () -> String = generateJobID) throws(FixtureError)
        -> FixtureContents
    {
        var decoder = FixtureDecoder(makeID: makeID)
        var specs: [JobSpec] = []
        var counts: [(file: String, jobs: Int)] = []
        for source in sources {
            let decoded = decoder.decode(file: source.name, bytes: source.bytes)
            counts.append((source.name, decoded.count))
            if specs.isEmpty { specs = decoded } else { specs.append(contentsOf: decoded) }
        }
        if let error = decoder.error { throw error }
        return FixtureContents(jobs: specs, volumes: decoder.volumes, plans: decoder.plans, counts: counts)
    }

    /// Reads each path: a file, or a directory whose `*.json` files are read in name order.
    public static func read(paths: [String]) throws(FixtureError) -> [FixtureSource] {
        var sources: [FixtureSource] = []
        var problems: [FixtureProblem] = []
        for path in paths {
            do {
                sources += try read(path: path)
            } catch {
                problems.append(error)
            }
        }
        guard problems.isEmpty else { throw FixtureError(problems) }
        return sources
    }

    public static func load(paths: [String]) throws(FixtureError) -> [JobSpec] {
        try decode(read(paths: paths))
    }

    private static func read(path: String) throws(FixtureProblem) -> [FixtureSource] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw FixtureProblem(file: path, path: nil, reason: "cannot read: \(errorText())") }
        guard info.st_mode & S_IFMT == S_IFDIR else { return [try readFile(path)] }
        guard let directory = opendir(path) else { throw FixtureProblem(file: path, path: nil, reason: "cannot list: \(errorText())") }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".json"), !name.hasPrefix(".") { names.append(name) }
        }
        guard !names.isEmpty else { throw FixtureProblem(file: path, path: nil, reason: "directory holds no *.json files") }
        let base = path.hasSuffix("/") ? path : path + "/"
        var sources: [FixtureSource] = []
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            sources.append(try readFile(base + name))
        }
        return sources
    }

    /// The most a fixture file may hold. A million benchmark jobs (bench/bench.py) take 113 MB.
    public static let maximumFileSize = 256 << 20

    /// Only a regular file: a FIFO or a device named *.json is a problem, not a hang.
    private static func readFile(_ path: String) throws(FixtureProblem) -> FixtureSource {
        do {
            return FixtureSource(name: path, bytes: try RegularFile.read(path, cap: maximumFileSize))
        } catch {
            throw FixtureProblem(file: path, path: nil, reason: error.reason)
        }
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}

extension FixtureProblem: Error {}
