import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A job as `GET /v1/{project_id}/jobs/{job_id}` returns it.
public struct Job: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case initializing = "INIT", running = "RUNNING", success = "SUCCESS", fail = "FAIL"
        public var isFinished: Bool { self == .success || self == .fail }
    }

    public struct Entities: Codable, Sendable, Equatable {
        public var name: String?
        public var size: Int?
        public var volumeID: String?
        public var volumeType: String?
        /// Only on batch jobs (`batchCreateVolume`, `bulkDeleteVolume`).
        public var subJobs: [Job]?

        enum CodingKeys: String, CodingKey {
            case name, size, volumeID = "volume_id", volumeType = "volume_type", subJobs = "sub_jobs"
        }
    }

    public var jobID: String
    public var status: Status
    public var jobType: String
    public var beginTime: String
    /// `""` until the job has finished.
    public var endTime: String
    public var errorCode: String?
    public var failReason: String?
    public var entities: Entities

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id", status, jobType = "job_type", beginTime = "begin_time", endTime = "end_time"
        case errorCode = "error_code", failReason = "fail_reason", entities
    }
}

public enum JobPollerError: Error, Equatable {
    /// An answer other than 200; `body` is the error envelope as text.
    case httpStatus(Int, body: String)
    case notHTTP
    /// `maxPolls` polls and the job still had not finished; `last` is the last job seen, if any.
    case gaveUp(last: Job?)
}

/// Polls EVS jobs of one project.
public struct JobPoller: Sendable {
    public var baseURL: URL
    public var projectID: String
    public var session: URLSession
    /// Answers that count as "try again at the next poll" rather than as a failure.
    public var retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    public init(baseURL: URL, projectID: String, session: URLSession = .shared) {
        self.baseURL = baseURL
        self.projectID = projectID
        self.session = session
    }

    /// One `GET /v1/{project_id}/jobs/{job_id}`.
    public func fetchJob(_ jobID: String) async throws -> Job {
        let url = baseURL.appendingPathComponent("v1").appendingPathComponent(projectID)
            .appendingPathComponent("jobs").appendingPathComponent(jobID)
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw JobPollerError.notHTTP }
        guard http.statusCode == 200 else {
            throw JobPollerError.httpStatus(http.statusCode, body: String(decoding: data, as: UTF8.self))
        }
        return try JSONDecoder().decode(Job.self, from: data)
    }

    /// Polls until the job is SUCCESS or FAIL and returns it; a FAIL is a result, not an error.
    /// Calls `onPoll` with every job seen and `sleep` between polls (a real caller sleeps a few
    /// seconds there). A retryable status counts as a poll and is tried again after `sleep`.
    public func waitForCompletion(jobID: String, maxPolls: Int = 60,
                                  onPoll: (Job) -> Void = { _ in },
                                  sleep: () async throws -> Void) async throws -> Job {
        var last: Job?
        for poll in 1...max(1, maxPolls) {
            do {
                let job = try await fetchJob(jobID)
                onPoll(job)
                if job.status.isFinished { return job }
                last = job
            } catch JobPollerError.httpStatus(let status, _) where retryableStatuses.contains(status) {
                // Fall through to the next poll.
            }
            if poll < maxPolls { try await sleep() }
        }
        throw JobPollerError.gaveUp(last: last)
    }
}
