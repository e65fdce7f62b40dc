import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore: OperationsCensusStore {
    public var engineName: String { "postgresql" }

    public func operationsCensus(now: Date, goldenHour: TimeInterval) async throws -> OperationsCensus {
        try await read { connection in
            var counts: [DeliveryStatus: Int] = [:]
            for row in try await connection.rows(#"SELECT "status", COUNT(*) AS "n" FROM "delivery" GROUP BY "status""#) {
                if let status = DeliveryStatus(rawValue: try row("status", as: String.self)) { counts[status] = try row.int("n") }
            }
            let pending = DeliveryStatus.pending.rawValue
            guard let row = try await connection.row(#"""
                SELECT
                  (SELECT MIN("createdAt") FROM "delivery" WHERE "status" = \#(pending)) AS "oldestPending",
                  (SELECT MIN("nextAttemptAt") FROM "delivery" WHERE "status" = \#(pending) AND "nextAttemptAt" <= \#(now))
                    AS "oldestDue",
                  (SELECT COUNT(*) FROM "question"
                    WHERE "status" IN ('received', 'acknowledged') AND "submittedAt" < \#(now.addingTimeInterval(-goldenHour)))
                    AS "untriaged"
                """#)
            else { throw TyndauError.databaseFailed("operations census returned no row") }
            return OperationsCensus(
                deliveries: counts, oldestPendingCreatedAt: try row("oldestPending", as: Date?.self),
                oldestDueAt: try row("oldestDue", as: Date?.self), untriagedPastGoldenHour: try row.int("untriaged"))
        }
    }
}
