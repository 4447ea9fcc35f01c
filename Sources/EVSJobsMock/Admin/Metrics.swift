import EVSJobs
import Synchronization

/// Counters for `GET /__admin/metrics`, in the Prometheus text format.
final class Metrics: Sendable {
    /// Upper bounds of the latency histogram, in seconds.
    static let buckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]

    private struct Key: Hashable {
        let route: String
        let status: Int
    }

    private struct State {
        var requests: [Key: Int] = [:]
        var bucketCounts = [Int](repeating: 0, count: Metrics.buckets.count)
        var count = 0
        var sum = 0.0
    }

    private let state = Mutex(State())

    func record(route: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[Key(route: route, status: status), default: 0] += 1
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
        for (key, count) in snapshot.requests.sorted(by: { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }) {
            lines.append("evs_mock_requests_total{route=\"\(key.route)\",status=\"\(key.status)\"} \(count)")
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
