import Foundation

/// What the metrics sampler reads from the database in one go: the outbox's depth and age, and the
/// questions left untriaged past the golden hour. Every engine answers it with a few indexed counts.
public struct OperationsCensus: Sendable, Hashable {
    /// Deliveries per status; every ``DeliveryStatus`` is present (0 when none).
    public var deliveries: [DeliveryStatus: Int]
    /// `createdAt` of the oldest `pending` delivery.
    public var oldestPendingCreatedAt: Date?
    /// The earliest `nextAttemptAt` among `pending` deliveries that are due (`nextAttemptAt <= now`).
    public var oldestDueAt: Date?
    /// Questions not yet triaged (`received`, `acknowledged`) submitted before `now - goldenHour`.
    public var untriagedPastGoldenHour: Int

    public init(deliveries: [DeliveryStatus: Int], oldestPendingCreatedAt: Date?, oldestDueAt: Date?, untriagedPastGoldenHour: Int) {
        var all: [DeliveryStatus: Int] = [:]
        for status in DeliveryStatus.allCases { all[status] = deliveries[status] ?? 0 }
        self.deliveries = all
        self.oldestPendingCreatedAt = oldestPendingCreatedAt
        self.oldestDueAt = oldestDueAt
        self.untriagedPastGoldenHour = untriagedPastGoldenHour
    }
}

/// The engine primitive behind ``OperationsCensus``.
public protocol OperationsCensusStore: Sendable {
    /// Counts as of `now`; `goldenHour` is the triage window (`intake.golden_hour_minutes`).
    func operationsCensus(now: Date, goldenHour: TimeInterval) async throws -> OperationsCensus

    /// The engine's name in metric labels (`sqlite`, `postgresql`).
    var engineName: String { get }
}
