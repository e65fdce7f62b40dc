import Foundation

/// Per-key limit on counted events: at most `limit` in any sliding `window` (wrong office tokens per
/// address). The intake's own limit is reserved in the database instead (``IntakeRateLimit``).
///
/// Shared by every request of one process, so an actor. State is in memory only (per process,
/// forgotten on restart); the clock is injected so tests move time instead of sleeping.
public actor SubmissionRateLimiter {
    /// The answer to "may this client submit now?".
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Over the limit: try again after this many whole seconds.
        case limited(retryAfter: Int)
    }

    private let limit: Int
    private let window: TimeInterval
    private let now: @Sendable () -> Date
    /// Accepted submissions per client key, oldest first, none older than the window.
    private var log: [String: [Date]] = [:]
    private var lastSweep: Date

    /// `limit` 0 allows everything.
    public init(limit: Int, window: TimeInterval = 3600, now: @escaping @Sendable () -> Date) {
        self.limit = limit
        self.window = window
        self.now = now
        self.lastSweep = now()
    }

    /// Whether `client` may submit now; does not count the attempt.
    public func check(_ client: String) -> Decision {
        guard limit > 0 else { return .allowed }
        let current = now()
        sweepIfDue(current)
        let recent = (log[client] ?? []).filter { current.timeIntervalSince($0) < window }
        log[client] = recent.isEmpty ? nil : recent
        guard recent.count >= limit, let oldest = recent.first else { return .allowed }
        let wait = window - current.timeIntervalSince(oldest)
        return .limited(retryAfter: max(1, Int(wait.rounded(.up))))
    }

    /// Counts one accepted submission of `client`.
    public func record(_ client: String) {
        guard limit > 0 else { return }
        log[client, default: []].append(now())
    }

    /// Drops clients with nothing inside the window, at most once per window, so memory stays
    /// proportional to the clients of the last hour.
    private func sweepIfDue(_ current: Date) {
        guard current.timeIntervalSince(lastSweep) >= window else { return }
        lastSweep = current
        log = log.filter { _, dates in dates.contains { current.timeIntervalSince($0) < window } }
    }
}
