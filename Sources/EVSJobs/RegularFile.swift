#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes files named on the command line or found in a fixture folder, but only
/// regular ones: a FIFO would block, and `/dev/zero` or `/dev/urandom` never end. Each read has a
/// size cap, and never holds more than the cap and one byte, even if the file grows meanwhile.
public enum RegularFile {
    /// Opened with O_NONBLOCK so that a FIFO never blocks the open itself; regular files ignore it.
    public static func read(_ path: String, cap: Int) throws(RegularFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .failed("cannot read", path: path) }
        defer { close(fd) }
        let size = try regularSize(fd)
        guard size <= cap else { throw .tooLarge(cap: cap, size: size) }
        // One byte beyond the expected size, to see the end (or that the file grew).
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var filled = 0
        while true {
            if filled == bytes.count {
                guard bytes.count <= cap else { throw .tooLarge(cap: cap, size: nil) }
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, cap + 1 - bytes.count)))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                // The buffer is never empty here: it holds at least one byte beyond `filled`.
                buffer.baseAddress.map { Glibc.read(fd, $0 + filled, buffer.count - filled) } ?? 0
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .failed("cannot read", path: nil)
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    /// Replaces the content of `path` (created with mode 0644 when missing). Refuses anything
    /// that is not a regular file; a FIFO without a reader fails at the open (ENXIO).
    public static func write(_ bytes: [UInt8], to path: String) throws(RegularFileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .failed("cannot write", path: path) }
        defer { close(fd) }
        _ = try regularSize(fd)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                buffer.baseAddress.map { Glibc.write(fd, $0 + written, buffer.count - written) } ?? 0
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .failed("cannot write", path: nil)
            }
            written += count
        }
    }

    /// The file's size, or the reason it is not a regular file.
    private static func regularSize(_ fd: Int32) throws(RegularFileError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .failed("cannot read", path: nil) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw RegularFileError(reason: "not a regular file (\(kind(info.st_mode)))") }
        return Int(info.st_size)
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a directory"
        case S_IFSOCK: "a socket"
        default: "of an unknown type"
        }
    }
}

/// Why a file was not read or written, in words fit to follow its name.
public struct RegularFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public var description: String { reason }

    static func tooLarge(cap: Int, size: Int?) -> RegularFileError {
        let limit = cap % (1 << 20) == 0 ? "\(cap >> 20) MiB" : "\(cap) bytes"
        return RegularFileError(reason: "larger than the \(limit) limit" + (size.map { " (\($0) bytes)" } ?? ""))
    }

    /// errno in words; for an open that failed with ENXIO (a FIFO without a reader, a socket),
    /// what `path` is instead.
    static func failed(_ what: String, path: String?) -> RegularFileError {
        let code = errno
        var info = stat()
        if code == ENXIO, let path, stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            return RegularFileError(reason: "not a regular file (\(RegularFile.kind(info.st_mode)))")
        }
        return RegularFileError(reason: "\(what): \(String(cString: strerror(code)))")
    }
}
