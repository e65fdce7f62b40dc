import Foundation

/// A request-rate rule: at most `limit` requests per `interval` seconds for everything sharing `key`.
public struct RateRule: Sendable, Hashable {
    public var key: String
    public var limit: Int
    public var interval: TimeInterval

    public init(key: String, limit: Int, interval: TimeInterval) {
        self.key = key
        self.limit = limit
        self.interval = interval
    }
}

/// Spaces requests so each ``RateRule`` holds: at most `limit` requests per `interval` for everything
/// sharing a key. Requests reserve a slot in the future and wait for it; a service's announced wait
/// (``hold(key:until:)``) pushes the next slot out. Time comes from an injected `now`.
public actor RateLimiter {
    private var sent: [String: [Date]] = [:]
    private var holds: [String: Date] = [:]
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// Reserves the earliest slot that satisfies every rule and returns how long to wait for it, or
    /// `nil` (reserving nothing) when that is more than `maxWait` away.
    public func reserve(_ rules: [RateRule], maxWait: TimeInterval) -> TimeInterval? {
        guard !rules.isEmpty else { return 0 }
        let current = now()
        var slot = current
        for rule in rules {
            if let hold = holds[rule.key], hold > slot { slot = hold }
            let times = sent[rule.key] ?? []
            if times.count >= rule.limit {
                let boundary = times[times.count - rule.limit].addingTimeInterval(rule.interval)
                if boundary > slot { slot = boundary }
            }
        }
        let wait = slot.timeIntervalSince(current)
        guard wait <= maxWait else { return nil }
        for rule in rules {
            var times = sent[rule.key] ?? []
            times.append(slot)
            times.sort()
            if times.count > rule.limit { times.removeFirst(times.count - rule.limit) }
            sent[rule.key] = times
        }
        return wait
    }

    /// No request for `key` before `until` (a service said so).
    public func hold(key: String, until: Date) {
        if let existing = holds[key], existing >= until { return }
        holds[key] = until
    }
}
