import EVSJobs
import Synchronization

/// Counters for `GET /__admin/metrics`, in the Prometheus text format.
final class Metrics: Sendable {
    /// Upper bounds of the latency histogram, in seconds.
    static let buckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]

    /// What a request is counted under.
    enum Route: Int, CaseIterable {
        case job, disk, admin, other

        var name: String { String(describing: self) }
    }

    /// Statuses counted apart; any other is counted as 0 (none is: statuses are three digits).
    static let statuses = 1000

    private struct State {
        /// By route, then status: counted without hashing a key per request.
        var requests = [Int](repeating: 0, count: Route.allCases.count * Metrics.statuses)
        var bucketCounts = [Int](repeating: 0, count: Metrics.buckets.count)
        var count = 0
        var sum = 0.0
    }

    private let state = Mutex(State())

    func record(route: Route, status: Int, seconds: Double) {
        let status = (0..<Self.statuses).contains(status) ? status : 0
        state.withLock { state in
            state.requests[route.rawValue * Self.statuses + status] += 1
            if let bucket = Self.buckets.firstIndex(where: { seconds <= $0 }) { state.bucketCounts[bucket] += 1 }
            state.count += 1
            state.sum += seconds
        }
    }

    func text(jobsByStatus: [JobStatus: Int]) -> String {
        let snapshot = state.withLock { $0 }
        var lines = [
            "# HELP evs_mock_requests_total Requests answered, by route (job, disk, admin, other) and status (0: no answer, a reset or close fault).",
            "# TYPE evs_mock_requests_total counter",
        ]
        for route in Route.allCases.sorted(by: { $0.name < $1.name }) {
            for status in 0..<Self.statuses where snapshot.requests[route.rawValue * Self.statuses + status] > 0 {
                let count = snapshot.requests[route.rawValue * Self.statuses + status]
                lines.append("evs_mock_requests_total{route=\"\(route.name)\",status=\"\(status)\"} \(count)")
            }
        }
        lines += [
            "# HELP evs_mock_request_duration_seconds Time to answer a request, injected delays included.",
            "# TYPE evs_mock_request_duration_seconds histogram",
        ]
        var cumulative = 0
        for (bound, count) in zip(Self.buckets, snapshot.bucketCounts) {
            cumulative += count
            lines.append("evs_mock_request_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)")
        }
        lines += [
            "evs_mock_request_duration_seconds_bucket{le=\"+Inf\"} \(snapshot.count)",
            "evs_mock_request_duration_seconds_sum \(snapshot.sum)",
            "evs_mock_request_duration_seconds_count \(snapshot.count)",
            "# HELP evs_mock_log_lines_dropped_total Log lines dropped because standard error did not keep up.",
            "# TYPE evs_mock_log_lines_dropped_total counter",
            "evs_mock_log_lines_dropped_total \(LogWriter.standardError.dropped)",
            "# HELP evs_mock_jobs Stored top-level jobs by their status now.",
            "# TYPE evs_mock_jobs gauge",
        ]
        for status in JobStatus.allCases {
            lines.append("evs_mock_jobs{status=\"\(status.rawValue)\"} \(jobsByStatus[status] ?? 0)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
