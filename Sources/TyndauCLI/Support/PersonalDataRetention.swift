import Foundation
import Logging
import TyndauCore

/// The retention limit for `tyndau worker` and `tyndau serve`: once an hour, erases the personal data
/// of questions closed more than `privacy.retention_days` ago (the rule and its audit text are
/// `PersonalDataRights.purgeExpired`). Safe with several processes: a row erased by one is simply not
/// found by the next.
struct PersonalDataRetention: Sendable {
    var rights: PersonalDataRights
    var days: Int
    var logger: Logger
    var now: @Sendable () -> Date = WallClock.now

    /// `nil` when `privacy.retention_days` is not set: personal data is then kept until erased on request.
    init?(_ configuration: TyndauConfiguration, database: any TyndauStore, logger: Logger) {
        guard let days = configuration.privacy.retentionDays else { return nil }
        self.rights = ResidentsCommand.rights(database)
        self.days = days
        self.logger = logger
    }

    /// One pass: returns how many questions were purged and the rows erased.
    @discardableResult
    func runOnce() async throws -> (questions: Int, erased: PersonalDataErasureCount) {
        let result = try await rights.purgeExpired(retentionDays: days, now: now())
        if result.questions > 0 {
            logger.notice("personal data past its retention period erased", metadata: [
                "tyndau.privacy.questions": "\(result.questions)",
                "tyndau.privacy.erased": "\(PersonalDataRights.summary(result.erased))",
            ])
        }
        return result
    }

    /// Repeats ``runOnce()`` every `interval` until cancelled; a failed pass is logged and retried.
    func run(interval: Duration = .seconds(3600)) async {
        while !Task.isCancelled {
            do {
                try await runOnce()
            } catch {
                logger.error("retention pass failed", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
