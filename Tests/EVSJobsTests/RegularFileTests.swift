import Foundation
import Testing

@testable import EVSJobs

#if canImport(Glibc)
import Glibc
#endif

/// Files that are not regular ones are refused by name and kind, never read: a FIFO would block,
/// `/dev/zero` never ends. Reads stop one byte beyond the cap, whatever the file claims its size is.
@Suite struct RegularFileTests {
    /// A fresh folder holding a FIFO `fifo`, a file `small` of 100 bytes, a folder `folder` and a
    /// symlink `zero` to /dev/zero.
    func withFiles(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("regular-file-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(mkfifo(directory + "/fifo", 0o600) == 0)
        try Data(repeating: 65, count: 100).write(to: URL(fileURLWithPath: directory + "/small"))
        try FileManager.default.createDirectory(atPath: directory + "/folder", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: directory + "/zero", withDestinationPath: "/dev/zero")
        try body(directory)
    }

    func reason(_ path: String, cap: Int = 1 << 20) -> String? {
        do {
            _ = try RegularFile.read(path, cap: cap)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func readsRegularFilesUpToTheCap() throws {
        try withFiles { directory in
            let small = try RegularFile.read(directory + "/small", cap: 100)
            #expect(small == [UInt8](repeating: 65, count: 100))
            #expect(reason(directory + "/small", cap: 99) == "larger than the 99 bytes limit (100 bytes)")
            #expect(reason(directory + "/missing") == "cannot read: No such file or directory")
        }
    }

    @Test func refusesWhatIsNotARegularFile() throws {
        try withFiles { directory in
            #expect(reason(directory + "/fifo") == "not a regular file (a FIFO)")
            #expect(reason("/dev/zero") == "not a regular file (a character device)")
            #expect(reason("/dev/urandom") == "not a regular file (a character device)")
            #expect(reason(directory + "/zero") == "not a regular file (a character device)")
            #expect(reason(directory + "/folder") == "not a regular file (a directory)")
        }
    }

    /// /proc files are regular but claim a size of 0: the read is bounded by the cap, not by fstat.
    @Test func aFileLargerThanItsClaimedSizeStopsAtTheCap() {
        #expect(reason("/proc/self/status", cap: 16) == "larger than the 16 bytes limit")
        #expect(reason("/proc/self/status", cap: 1 << 20) == nil)
    }

    @Test func writesOnlyRegularFiles() throws {
        try withFiles { directory in
            try RegularFile.write(Array("replaced".utf8), to: directory + "/small")
            try RegularFile.write(Array("new".utf8), to: directory + "/new")
            let replaced = try RegularFile.read(directory + "/small", cap: 100), new = try RegularFile.read(directory + "/new", cap: 100)
            #expect(replaced == Array("replaced".utf8) && new == Array("new".utf8))
            // No reader: the open fails (ENXIO), and the kind is named.
            #expect(throws: RegularFileError(reason: "not a regular file (a FIFO)")) { try RegularFile.write([1], to: directory + "/fifo") }
            #expect(throws: RegularFileError(reason: "not a regular file (a character device)")) { try RegularFile.write([1], to: "/dev/null") }
            #expect(throws: RegularFileError(reason: "not a regular file (a character device)")) { try RegularFile.write([1], to: directory + "/zero") }
        }
    }

    @Test func fixtureFolderEntriesThatAreNotRegularFilesAreProblems() throws {
        try withFiles { directory in
            try FileManager.default.createSymbolicLink(atPath: directory + "/zero.json", withDestinationPath: "/dev/zero")
            let error = try #require(throws: FixtureError.self) { try FixtureLoader.read(paths: [directory, "/dev/urandom"]) }
            #expect(error.problems.map(\.description) == [
                "\(directory)/zero.json: not a regular file (a character device)",
                "/dev/urandom: not a regular file (a character device)",
            ])
        }
    }
}
