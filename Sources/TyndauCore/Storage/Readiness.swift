import Foundation

/// Whether a process may take traffic: its database answers and holds exactly the migrations this
/// build knows. `/ready` of `tyndau serve` and of `tyndau worker`'s probe listener ask it; `/health`
/// (liveness) does not touch the database.
public struct ReadinessReport: Sendable, Equatable {
    /// Why the store is not ready. The public answer names only the code; details go to the log.
    public enum Problem: Sendable, Equatable {
        /// The query did not answer (connection refused, timed out, file unreadable).
        case unreachable
        /// Migrations this build knows are missing from the database (run `tyndau db migrate`).
        case migrationsPending([String])
        /// The database records migrations this build does not know (a newer Tyndau wrote it).
        case unknownMigrations([String])

        /// Stable machine-readable code: `database-unreachable`, `migrations-pending`, `database-too-new`.
        public var code: TyndauError.Code {
            switch self {
            case .unreachable: .databaseUnreachable
            case .migrationsPending: .migrationsPending
            case .unknownMigrations: .databaseTooNew
            }
        }
    }

    /// `nil` when ready.
    public var problem: Problem?
    /// How many migrations the database holds (0 when unreachable).
    public var appliedMigrations: Int
    /// The driver's message when unreachable: for the log only (it may name hosts), never for the response.
    public var detail: String?

    public var isReady: Bool { problem == nil }

    public init(problem: Problem?, appliedMigrations: Int, detail: String? = nil) {
        self.problem = problem
        self.appliedMigrations = appliedMigrations
        self.detail = detail
    }

    /// Compares what the database holds with what this build knows.
    public static func compare(applied: [String], known: [String]) -> ReadinessReport {
        let appliedSet = Set(applied)
        let knownSet = Set(known)
        let unknown = applied.filter { !knownSet.contains($0) }
        if !unknown.isEmpty { return ReadinessReport(problem: .unknownMigrations(unknown), appliedMigrations: applied.count) }
        let missing = known.filter { !appliedSet.contains($0) }
        if !missing.isEmpty { return ReadinessReport(problem: .migrationsPending(missing), appliedMigrations: applied.count) }
        return ReadinessReport(problem: nil, appliedMigrations: applied.count)
    }
}

extension TyndauStore {
    /// Asks the database for its migrations, giving up after `timeout` (a PostgreSQL pool that cannot
    /// connect would otherwise keep the probe waiting far longer than a load balancer does).
    public func readiness(timeout: Duration = .seconds(3)) async -> ReadinessReport {
        await ReadinessReport.probe(known: Self.knownMigrations, timeout: timeout) { try await self.appliedMigrations() }
    }
}

extension ReadinessReport {
    /// Runs `applied` and compares its answer with `known`; a failure or no answer within `timeout`
    /// is `unreachable`. The query runs on its own task, so a driver that ignores cancellation cannot
    /// hold the answer past the timeout.
    public static func probe(
        known: [String], timeout: Duration, applied: @escaping @Sendable () async throws -> [String]
    ) async -> ReadinessReport {
        switch await answer(within: timeout, applied) {
        case .success(let applied): return compare(applied: applied, known: known)
        case .failure(let error): return ReadinessReport(problem: .unreachable, appliedMigrations: 0, detail: "\(error)")
        case nil: return ReadinessReport(problem: .unreachable, appliedMigrations: 0, detail: "no answer within \(timeout)")
        }
    }
}

/// Runs `body` on its own task and returns its result, or `nil` when it has not answered within
/// `timeout` (it is left to finish on its own: a driver that ignores cancellation cannot hold the
/// caller). Readiness and the metrics sampler use it so a database that does not answer costs a probe
/// or a scrape seconds, not minutes.
public func answer<T: Sendable>(within timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
    let query = Task { try await body() }
    return await withCheckedContinuation { continuation in
        let first = FirstAnswer<Result<T, any Error>?>(continuation)
        let timer = Task {
            try? await Task.sleep(for: timeout)
            first.resume(nil)
        }
        Task {
            first.resume(await query.result)
            timer.cancel()
        }
    }
}

/// Resumes a continuation with whichever answer comes first and ignores the rest.
private final class FirstAnswer<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Value, Never>?

    init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = continuation }

    func resume(_ value: Value) {
        let waiting = lock.withLock { () -> CheckedContinuation<Value, Never>? in
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: value)
    }
}
