import Foundation
import Logging
import TyndauCore

/// The one place `tyndau` reads the wall clock. Every command, and every service `serve` and `worker`
/// start, takes its `now` from here; the libraries never read the clock themselves.
///
/// `TYNDAU_NOW` (an ISO 8601 instant, e.g. `2026-12-03T14:00:05Z`) starts the clock at that instant at
/// process start, and it runs on at the real pace: a test can run a server "during" a meeting without
/// waiting for it. Production leaves it unset; `serve` and `worker` log a warning when it is set.
enum WallClock {
    /// The variable that sets the clock.
    static let variable = "TYNDAU_NOW"

    /// Seconds added to the system clock: zero unless `TYNDAU_NOW` is set.
    static let offset: TimeInterval = {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else { return 0 }
        guard let start = ISODate.parse(value) else {
            FileHandle.standardError.write(Data("\(variable)=\(value): expected an ISO 8601 instant such as 2026-12-03T14:00:00Z\n".utf8))
            exit(64)  // EX_USAGE
        }
        return start.timeIntervalSince(Date())
    }()

    /// A long-running process says so when its clock is not the system's.
    static func warnIfSet(_ logger: Logger) {
        guard offset != 0 else { return }
        logger.warning("the clock is set by \(variable): it reads \(ISO8601DateFormatter().string(from: now())), not the system time")
    }

    /// The current instant.
    @Sendable static func now() -> Date { Date(timeIntervalSinceNow: offset) }
}
