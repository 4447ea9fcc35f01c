@testable import EVSJobsMock
import Testing

/// The connection's decisions on values: a manual clock (plain nanosecond readings), no socket,
/// no sleeping.
@Suite struct ConnectionStateTests {
    typealias Action = ConnectionState.Action

    static let ms: UInt64 = 1_000_000
    /// A request timeout of 1 s, an idle timeout of 5 s, 256 KiB of unsent answers at most.
    static let timeouts = ConnectionState.Timeouts(requestMs: 1000, idleMs: 5000, maxPendingOutput: 256 * 1024)
    static let second: UInt64 = 1000 * ms
    static let t0: UInt64 = 100 * second

    /// `#expect` cannot take a mutating call on the state.
    static func expect<T: Equatable>(_ actual: T, _ expected: T, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual == expected, sourceLocation: sourceLocation)
    }

    static func plain(at now: UInt64 = t0) -> ConnectionState {
        ConnectionState(now: now, tls: false, timeouts: timeouts)
    }

    /// Bytes arrive at `now` and a loop answers `requests` complete ones, `partial` bytes left.
    static func receive(_ state: inout ConnectionState, at now: UInt64, requests: Int = 0, keepAlive: Bool = true,
                        partial: Bool, written: Int = 100, unsent: Int = 0) -> [Action] {
        Self.expect(state.bytesReceived(at: now), true)
        for index in 0..<requests {
            #expect(state.takesRequest(unsent: 0))
            _ = state.answering(keepAliveRequested: keepAlive)
            state.requestDecoded(at: now, partialFollows: partial && index == requests - 1)
        }
        return state.answersQueued(at: now, partialRequest: partial, written: requests > 0 ? written : 0, unsent: unsent)
    }

    @Test func requestTimeoutRunsFromTheFirstByteAndACRLFTrickleCannotExtendIt() {
        var state = Self.plain()
        Self.expect(state.started(), [.armTimer(at: Self.t0 + 5 * Self.second)])
        let first = Self.t0 + Self.second
        Self.expect(Self.receive(&state, at: first, partial: true), [.countRequestInProgress, .armTimer(at: first + Self.second)])
        // A CRLF every 300 ms: the deadline stays where the first byte put it.
        for step in 1...3 {
            Self.expect(Self.receive(&state, at: first + UInt64(step) * 300 * Self.ms, partial: true), [])
        }
        Self.expect(state.timerFired(at: first + Self.second, handshaking: false),
                    [.sendTimeout, .closeAfterWriting(linger: true), .armTimer(at: first + 2 * Self.second)])
        Self.expect(state.bytesReceived(at: first + Self.second + 1), false)  // nothing more is read
        // The peer does not take the 408 within another request timeout.
        Self.expect(state.timerFired(at: first + 2 * Self.second, handshaking: false), [.closeNow])
        Self.expect(state.connectionClosed(), [.uncountRequestInProgress])
        Self.expect(state.timerFired(at: first + 3 * Self.second, handshaking: false), [])
    }

    @Test func idleTimeoutRunsFromTheLastByte() {
        var state = Self.plain()
        _ = state.started()
        let answered = Self.t0 + 2 * Self.second
        Self.expect(Self.receive(&state, at: answered, requests: 1, partial: false), [])
        #expect(state.requestStarted == nil)
        // The first deadline has passed the connection by: the timer moves to the new one.
        Self.expect(state.timerFired(at: Self.t0 + 5 * Self.second, handshaking: false),
                    [.armTimer(at: answered + 5 * Self.second)])
        Self.expect(state.timerFired(at: answered + 5 * Self.second, handshaking: false), [.closeNow])
    }

    @Test func aDelayedAnswerPausesBothTimeouts() {
        var state = Self.plain()
        _ = state.started()
        Self.expect(state.bytesReceived(at: Self.t0), true)
        #expect(state.takesRequest(unsent: 0))
        state.answerDelayed("req-1")
        #expect(!state.takesRequest(unsent: 0))
        #expect(!state.sendsContinue)
        state.requestDecoded(at: Self.t0, partialFollows: true)  // the next request has begun
        Self.expect(state.answersQueued(at: Self.t0, partialRequest: true, written: 0, unsent: 0),
                    [.countRequestInProgress, .pauseReading])
        // Past both deadlines: the timer only re-arms itself.
        let late = Self.t0 + 7 * Self.second
        Self.expect(state.timerFired(at: late, handshaking: false), [.armTimer(at: late + 5 * Self.second)])
        #expect(state.outputDrained().isEmpty)
        Self.expect(state.delayedAnswerReady("req-0", at: late), false)  // not the one waited for
        Self.expect(state.delayedAnswerReady("req-1", at: late), true)
        #expect(state.lastActivity == late)
        #expect(state.delayedAnswerWritten() == [.resumeReading, .answerRequests])
        Self.expect(state.afterDelayedAnswer(at: late), [])
    }

    @Test func aTLSHandshakeNotDoneWithinTheRequestTimeoutIsClosedOn() {
        var state = ConnectionState(now: Self.t0, tls: true, timeouts: Self.timeouts)
        Self.expect(state.started(), [.armTimer(at: Self.t0 + Self.second)])
        Self.expect(state.timerFired(at: Self.t0 + Self.second, handshaking: true), [.closeNow])
    }

    @Test func aHalfClosedPeerIsClosedOnOnceItsAnswersAreOut() {
        var idle = Self.plain()
        _ = idle.started()
        let now = Self.t0 + Self.second
        Self.expect(idle.peerHalfClosed(at: now), [.closeAfterWriting(linger: false), .armTimer(at: now + Self.second)])

        var waiting = Self.plain()
        _ = waiting.started()
        Self.expect(waiting.bytesReceived(at: Self.t0), true)
        waiting.answerDelayed("req-1")
        waiting.requestDecoded(at: Self.t0, partialFollows: false)
        Self.expect(waiting.answersQueued(at: Self.t0, partialRequest: false, written: 0, unsent: 0), [.pauseReading])
        Self.expect(waiting.peerHalfClosed(at: now), [])  // the delayed answer goes out first
        Self.expect(waiting.delayedAnswerReady("req-1", at: now), true)
        Self.expect(waiting.answering(keepAliveRequested: true), true)
        #expect(waiting.delayedAnswerWritten() == [.resumeReading, .answerRequests])
        Self.expect(waiting.afterDelayedAnswer(at: now), [.closeAfterWriting(linger: false), .armTimer(at: now + Self.second)])
    }

    @Test func shutdownClosesAnIdleConnectionAtOnce() {
        var state = Self.plain()
        _ = state.started()
        Self.expect(state.shutdownBegun(partialRequest: false), [.closeAfterWriting(linger: false)])
        Self.expect(state.bytesReceived(at: Self.t0 + 1), false)
        Self.expect(state.timerFired(at: Self.t0 + 5 * Self.second, handshaking: false), [.closeNow])
    }

    @Test func shutdownFinishesARequestInProgress() {
        var state = Self.plain()
        _ = state.started()
        Self.expect(Self.receive(&state, at: Self.t0, partial: true),
                    [.countRequestInProgress, .armTimer(at: Self.t0 + Self.second)])
        Self.expect(state.shutdownBegun(partialRequest: true), [])
        let now = Self.t0 + 100 * Self.ms
        Self.expect(state.bytesReceived(at: now), true)
        #expect(state.takesRequest(unsent: 0))
        Self.expect(state.answering(keepAliveRequested: true), false)  // answered with Connection: close
        state.requestDecoded(at: now, partialFollows: false)
        #expect(!state.takesRequest(unsent: 0))
        Self.expect(state.answersQueued(at: now, partialRequest: false, written: 100, unsent: 0),
                    [.uncountRequestInProgress, .closeAfterWriting(linger: false)])
        #expect(state.timerDeadline == Self.t0 + Self.second)  // the earlier deadline stands
    }

    @Test func unsentAnswersOf256KiBStopReading() {
        let limit = 256 * 1024
        var state = Self.plain()
        _ = state.started()
        Self.expect(state.bytesReceived(at: Self.t0), true)
        #expect(state.takesRequest(unsent: limit - 1))
        #expect(!state.takesRequest(unsent: limit))
        // The socket took everything at once: no "drained" will come, so resume on a later turn.
        Self.expect(state.answersQueued(at: Self.t0, partialRequest: false, written: limit, unsent: 0),
                    [.pauseReading, .resumeLater])
        #expect(state.resumedLater() == [.resumeReading, .answerRequests])
        // The socket holds the answers back: wait for it to drain.
        Self.expect(state.answersQueued(at: Self.t0, partialRequest: false, written: 10, unsent: limit), [.pauseReading])
        #expect(state.outputDrained() == [.resumeReading, .answerRequests])
        Self.expect(state.connectionClosed(), [])
        #expect(state.resumedLater().isEmpty)
    }

    @Test func deadlinesOnlyMoveTheTimerEarlier() {
        var state = Self.plain()
        Self.expect(state.started(), [.armTimer(at: Self.t0 + 5 * Self.second)])
        // An earlier request deadline moves the timer.
        Self.expect(Self.receive(&state, at: Self.t0, partial: true),
                    [.countRequestInProgress, .armTimer(at: Self.t0 + Self.second)])
        #expect(state.timerDeadline == Self.t0 + Self.second)
        // A later one (the next request, begun after the first was answered) does not.
        let later = Self.t0 + 500 * Self.ms
        Self.expect(Self.receive(&state, at: later, requests: 1, partial: true), [])
        #expect(state.timerDeadline == Self.t0 + Self.second)
        // When the timer fires early for that request it re-arms at the real deadline.
        Self.expect(state.timerFired(at: Self.t0 + Self.second, handshaking: false), [.armTimer(at: later + Self.second)])
    }

    @Test func aRequestThatAsksToCloseStopsTheConnection() {
        var state = Self.plain()
        _ = state.started()
        Self.expect(Self.receive(&state, at: Self.t0, requests: 1, keepAlive: false, partial: false),
                    [.closeAfterWriting(linger: true), .armTimer(at: Self.t0 + Self.second)])
        #expect(state.outputDrained().isEmpty)
    }
}
