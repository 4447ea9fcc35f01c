import Dispatch
import EVSJobs
@testable import EVSJobsMock
import HTTP1
import Synchronization
import Testing

/// The gateway called directly, on values: throttling under concurrent callers, its bounds,
/// and signature checks that need no socket.
@Suite struct GatewayTests {
    static func request(_ head: String) throws -> HTTPRequest {
        var decoder = RequestDecoder()
        decoder.append(Array(head.utf8))
        return try #require(try decoder.next())
    }

    /// Issue 10: two loops throttling one project read the time before the lock, and the later
    /// stamp of the other made `now - bucket.at` underflow (a trap). Threads, not tasks: this
    /// is a CPU race that must not wait on Swift's small pool.
    @Test func concurrentCallersOnOneProjectNeverCrashAndNeverExceedTheBurst() throws {
        let gateway = Gateway(options: GatewayOptions(rateLimit: 100))
        let request = try Self.request(get("/v1/p/jobs/x"))
        let allowed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<20_000 where gateway.check(request, projectID: "p") == nil {
                allowed.add(1, ordering: .relaxed)
            }
        }
        // 80,000 calls take far less than the 800 s that refilling them all would need.
        let passed = allowed.load(ordering: .relaxed)
        #expect(passed >= 100)
        #expect(passed < 80_000)
    }

    /// A fuzz of projects from several threads: random ids, some repeated, never a trap and
    /// never more buckets than the bound.
    @Test func bucketsStayBoundedWhateverProjectIDsArrive() throws {
        let gateway = Gateway(options: GatewayOptions(rateLimit: 5))
        let request = try Self.request(get("/v1/p/jobs/x"))
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var random = SystemRandomNumberGenerator()
            for index in 0..<10_000 {
                let project = index % 3 == 0 ? "hot" : "p\(thread)-\(random.next() as UInt32)"
                _ = gateway.check(request, projectID: project)
            }
        }
        #expect(gateway.bucketCount <= Gateway.maxBuckets)
        #expect(gateway.bucketCount > 0)
    }

    @Test func aScopeDateThatIsNotTheDayOfXSdkDateIsRefused() throws {
        let clock = ManualClock()
        let gateway = Gateway(options: AuthTests.keys, wallClock: clock)
        let good = try Self.request(AuthTests.Signer(scoped: true).head(AuthTests.job, at: clock.now()))
        #expect(gateway.verifySignature(good) == nil)
        // Signed correctly, but over a scope that names another day.
        let otherDay = try Self.request(AuthTests.Signer(scoped: true, scopeDay: "20200101").head(AuthTests.job, at: clock.now()))
        #expect(gateway.verifySignature(otherDay)?.hasPrefix("credential scope date 20200101 is not the day of x-sdk-date") == true)
    }
}
