import Foundation
import Logging
import Metrics
import TyndauCore

/// Refreshes the gauges whose truth is in the database — outbox depth by status, the age of the oldest
/// pending and the longest-due delivery, questions untriaged past the golden hour, whether the database
/// answers — from one ``OperationsCensus``. The `/metrics` listener calls it on each scrape, so the
/// numbers are as fresh as the scrape and several processes sharing one database report the same.
///
/// `now` is injected (the executable passes the wall clock), as everywhere time decides something.
public struct DatabaseMetricsSampler: Sendable {
    let store: any OperationsCensusStore
    let goldenHour: TimeInterval
    let now: @Sendable () -> Date
    let logger: Logger
    /// How long a scrape waits for the database before it reports `tyndau_database_up 0`.
    let timeout: Duration

    /// - Parameter goldenHourMinutes: `intake.golden_hour_minutes`.
    public init(
        store: any OperationsCensusStore, goldenHourMinutes: Int, now: @escaping @Sendable () -> Date, logger: Logger,
        timeout: Duration = .seconds(3)
    ) {
        self.timeout = timeout
        self.store = store
        self.goldenHour = TimeInterval(goldenHourMinutes * 60)
        self.now = now
        self.logger = logger
    }

    /// Reads the census and sets the gauges. A database that does not answer (within `timeout`) sets
    /// ``TyndauMetrics/databaseUp`` to 0 and leaves the other gauges at their last values.
    public func sample() async {
        let up = Gauge(label: TyndauMetrics.databaseUp, dimensions: [(TyndauMetrics.Label.engine, store.engineName)])
        let at = now()
        let (store, goldenHour) = (self.store, self.goldenHour)
        do {
            guard let result = await answer(within: timeout, { try await store.operationsCensus(now: at, goldenHour: goldenHour) }) else {
                throw TyndauError.databaseUnavailable(store.engineName, "no answer within \(timeout)")
            }
            let census = try result.get()
            for (status, count) in census.deliveries {
                Gauge(label: TyndauMetrics.outboxDeliveries, dimensions: [(TyndauMetrics.Label.status, status.rawValue)]).record(count)
            }
            Gauge(label: TyndauMetrics.outboxOldestPendingAge).record(Self.age(of: census.oldestPendingCreatedAt, at: at))
            Gauge(label: TyndauMetrics.outboxOldestDueAge).record(Self.age(of: census.oldestDueAt, at: at))
            Gauge(label: TyndauMetrics.untriagedPastGoldenHour).record(census.untriagedPastGoldenHour)
            up.record(1)
        } catch {
            up.record(0)
            logger.warning("metrics.sample-failed", metadata: ["error": "\(error)"])
        }
    }

    /// Seconds from `date` to `at`, 0 without a date (and never negative: clocks of two hosts may differ).
    static func age(of date: Date?, at: Date) -> Double {
        guard let date else { return 0 }
        return max(0, at.timeIntervalSince(date)).rounded()
    }
}
