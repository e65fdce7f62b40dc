import Foundation
import GRDB
import TyndauCore

extension SQLiteStore: OperationsCensusStore {
    public var engineName: String { "sqlite" }

    public func operationsCensus(now: Date, goldenHour: TimeInterval) async throws -> OperationsCensus {
        try await reader.read { db in
            var counts: [DeliveryStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM delivery GROUP BY status") {
                if let status = DeliveryStatus(rawValue: row["status"] ?? "") { counts[status] = row["n"] }
            }
            let oldestPending = try Date.fetchOne(
                db, sql: "SELECT MIN(createdAt) FROM delivery WHERE status = ?", arguments: [DeliveryStatus.pending.rawValue])
            let oldestDue = try Date.fetchOne(
                db, sql: "SELECT MIN(nextAttemptAt) FROM delivery WHERE status = ? AND nextAttemptAt <= ?",
                arguments: [DeliveryStatus.pending.rawValue, now])
            let untriaged = try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM question WHERE status IN ('received', 'acknowledged') AND submittedAt < ?",
                arguments: [now.addingTimeInterval(-goldenHour)]) ?? 0
            return OperationsCensus(
                deliveries: counts, oldestPendingCreatedAt: oldestPending, oldestDueAt: oldestDue, untriagedPastGoldenHour: untriaged)
        }
    }
}
