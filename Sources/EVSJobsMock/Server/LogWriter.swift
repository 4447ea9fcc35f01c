import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Log lines for a file descriptor (standard error), written by a background queue so that an
/// event loop never waits on a slow reader: a line is appended to a bounded buffer, which is
/// written out at most 50 ms later, and at once by `flush()` (the command calls it before it
/// exits). A line that does not fit is dropped and counted; the next write says how many.
public final class LogWriter: Sendable {
    /// The writer of the command line's log handler.
    public static let standardError = LogWriter(fileDescriptor: 2)
    /// Bytes buffered at most; past it lines are dropped.
    public static let defaultCapacity = 1 << 20
    let capacity: Int
    /// How long a line may wait in the buffer.
    let delayMs: Int

    private struct State {
        var pending: [UInt8]
        var dropped = 0
        var scheduled = false
    }

    private let state: Mutex<State>
    private let droppedTotal = Atomic<Int>(0)
    private let fileDescriptor: Int32
    private let queue = DispatchQueue(label: "evs-jobs-mock.log-writer")
    /// The buffer being written; touched only on `queue`.
    private nonisolated(unsafe) var writing: [UInt8]

    init(fileDescriptor: Int32, capacity: Int = LogWriter.defaultCapacity, delayMs: Int = 50) {
        self.fileDescriptor = fileDescriptor
        self.delayMs = delayMs
        self.capacity = capacity
        var pending: [UInt8] = []
        pending.reserveCapacity(capacity)
        state = Mutex(State(pending: pending))
        writing = []
        writing.reserveCapacity(capacity)
    }

    /// Lines dropped since start because the buffer was full.
    public var dropped: Int { droppedTotal.load(ordering: .relaxed) }

    /// Appends one line, which `write` appends to the buffer it is given (newline included).
    /// The line is built under the writer's lock, straight into the buffer: no copy, no
    /// allocation while the buffer has room.
    public func append(_ write: (inout [UInt8]) -> Void) {
        let schedule = state.withLock { state -> Bool in
            let before = state.pending.count
            write(&state.pending)
            if state.pending.count > capacity {
                state.pending.removeSubrange(before...)
                state.dropped += 1
                droppedTotal.add(1, ordering: .relaxed)
            }
            guard !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
        if schedule {
            queue.asyncAfter(deadline: .now() + .milliseconds(delayMs)) { [self] in writeOut() }
        }
    }

    /// Writes out everything buffered now, and waits for it.
    public func flush() {
        queue.sync { writeOut() }
    }

    /// On `queue`: takes the buffer (leaving the spare in its place) and writes it.
    private func writeOut() {
        let dropped = state.withLock { state -> Int in
            swap(&state.pending, &writing)
            state.scheduled = false
            defer { state.dropped = 0 }
            return state.dropped
        }
        if dropped > 0 {
            let note = "log: \(dropped) lines were dropped while standard error was slow\n"
            writeAll(Array(note.utf8))
        }
        writeAll(writing)
        writing.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // the descriptor is gone or not writable: the rest is dropped, never retried forever
                }
            }
        }
    }
}
