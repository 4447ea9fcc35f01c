import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn`, with the few members of Foundation's `Process`
/// the tests use. Foundation's `Process.run()` on Linux (Swift 6.3.1) copies the whole 256-byte
/// `d_name` of each `/proc/self/fd` entry and crashes when one sits at the end of readdir's
/// buffer (swift-corelibs-foundation pull request 5472): under load it took down 3 runs in 5.
final class ChildProcess: @unchecked Sendable {
    enum TerminationReason: Equatable {
        case exit
        case uncaughtSignal
    }

    var executableURL: URL?
    var arguments: [String] = []
    /// nil: this process's environment.
    var environment: [String: String]?
    var currentDirectoryURL: URL?
    /// A `Pipe` or a `FileHandle`; nil: this process's own.
    var standardInput: Any?
    var standardOutput: Any?
    var standardError: Any?

    private(set) var processIdentifier: pid_t = 0
    /// The raw `waitpid` status once the child is reaped.
    private let reaped = Mutex<Int32?>(nil)

    struct SpawnError: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "posix_spawn: \(String(cString: strerror(code)))" }
    }

    func run() throws {
        let path = executableURL?.path ?? "/bin/false"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentCloses: [FileHandle] = []
        for (target, stream, childReads) in [(Int32(0), standardInput, true), (1, standardOutput, false), (2, standardError, false)] {
            if let pipe = stream as? Pipe {
                let child = childReads ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, child.fileDescriptor, target)
                parentCloses.append(child)
            } else if let handle = stream as? FileHandle {
                // `FileHandle.nullDevice` has no descriptor (-1) in corelibs Foundation.
                if handle.fileDescriptor >= 0 {
                    posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, target)
                } else {
                    posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
                }
            }
        }
        // The child keeps 0, 1 and 2 only: a pipe's write end left open in another child would
        // hold back the end of file its reader waits for.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        if let directory = currentDirectoryURL?.path, let addChdir = Self.addChdir {
            _ = directory.withCString { addChdir(&actions, $0) }
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let environment = self.environment ?? ProcessInfo.processInfo.environment
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // As Process does: the child starts with no signal blocked (a Dispatch worker blocks
        // some) and the stop signals at their defaults.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), stops = sigset_t()
        sigemptyset(&none)
        sigemptyset(&stops)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGPIPE, SIGQUIT] { sigaddset(&stops, signal) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &stops)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnError(code: code) }
        processIdentifier = pid
        for handle in parentCloses { try? handle.close() }
    }

    var isRunning: Bool {
        guard processIdentifier > 0, reaped.withLock({ $0 }) == nil else { return false }
        var status: Int32 = 0
        let result = waitpid(processIdentifier, &status, WNOHANG)
        if result == processIdentifier { reaped.withLock { $0 = status } }
        return result == 0
    }

    func waitUntilExit() {
        guard processIdentifier > 0 else { return }
        while reaped.withLock({ $0 }) == nil {
            var status: Int32 = 0
            let result = waitpid(processIdentifier, &status, 0)
            if result == processIdentifier {
                reaped.withLock { $0 = status }
            } else if result < 0, errno != EINTR {
                usleep(1000)  // reaped by another caller: its status arrives in a moment
            }
        }
    }

    func terminate() { signal(SIGTERM) }
    func interrupt() { signal(SIGINT) }

    /// Never to pid 0 (the whole process group): a child that was not started gets nothing.
    func signal(_ number: Int32) {
        if processIdentifier > 0 { kill(processIdentifier, number) }
    }

    /// As `Process` reports it: the exit status, or the signal that ended the child; -1 before
    /// it has ended.
    var terminationStatus: Int32 {
        guard let status = reaped.withLock({ $0 }) else { return -1 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    /// `.uncaughtSignal` also before it has ended, so that no test mistakes that for a clean exit.
    var terminationReason: TerminationReason {
        guard let status = reaped.withLock({ $0 }) else { return .uncaughtSignal }
        return status & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    /// glibc 2.34 and 2.29 have these; the Glibc module does not declare them.
    private static let addCloseFrom: AddCloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
    private static let addChdir: AddChdir? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }
}
