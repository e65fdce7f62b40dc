import Foundation

/// When to try a failed delivery again: a schedule of waits (default 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h, 14 h, 20 h, 24 h), each stretched or shrunk by up to `jitter` (±10 %) so a recovering service
/// is not hit by every retry at once. A server's own wait wins when it is longer (and always for 429).
/// After the last wait, the delivery is dead.
public struct RetryPolicy: Sendable, Hashable {
    public static let defaultSchedule: [TimeInterval] = [5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400]

    public var schedule: [TimeInterval]
    public var jitter: Double
    /// The longest server-requested wait honoured (a `Retry-After` of a week is clamped to this).
    public var maxServerWait: TimeInterval

    public init(schedule: [TimeInterval] = RetryPolicy.defaultSchedule, jitter: Double = 0.1, maxServerWait: TimeInterval = 86_400) {
        self.schedule = schedule
        self.jitter = jitter
        self.maxServerWait = maxServerWait
    }

    /// The wait before the next try after `failures` earlier failed tries (this one included: 1 = first
    /// failure), or `nil` when the schedule is exhausted. `random` is in 0..<1.
    public func delay(afterFailures failures: Int, serverWait: TimeInterval?, rateLimited: Bool, random: Double) -> TimeInterval? {
        guard failures >= 1, failures <= schedule.count else { return nil }
        let base = schedule[failures - 1]
        let jittered = base * (1 + jitter * (2 * random - 1))
        guard let serverWait else { return jittered }
        let honoured = min(max(serverWait, 0), maxServerWait)
        if rateLimited { return max(honoured, 1) }
        return max(jittered, honoured)
    }
}

/// Parses durations written in configuration: `5s`, `5m`, `2h`, `1d` or a number of seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last else { return nil }
        let multipliers: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let multiplier = multipliers[unit], let value = Double(trimmed.dropLast()), value >= 0 {
            return value * multiplier
        }
        if let value = Double(trimmed), value >= 0 { return value }
        return nil
    }
}
