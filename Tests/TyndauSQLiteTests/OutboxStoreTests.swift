import Foundation
import GRDB
import Testing
import TyndauCore
@testable import TyndauSQLite

@Suite struct OutboxStoreTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func database(endpoints: [String] = ["tg", "hook"]) async throws -> SQLiteStore {
        let database = try SQLiteStore.inMemory()
        try await database.syncEndpoints(endpoints.map { Endpoint(name: $0, kind: "webhook", tags: ["public"]) })
        return database
    }

    func message(_ key: String = "digest:2026-W49") -> OutgoingMessage {
        OutgoingMessage(messageKey: key, subject: "Апта", body: "Сәлем", language: .kk)
    }

    @Test func enqueuesOneDeliveryPerEndpointAndNeverTwiceForTheSameKey() async throws {
        let database = try await database()
        let first = try await database.enqueue(message(), endpointNames: ["tg", "hook"], now: start)
        #expect(first.count == 2)
        let again = try await database.enqueue(message(), endpointNames: ["tg", "hook"], now: start)
        #expect(again.isEmpty)
        #expect(try await database.countDeliveries(status: .pending) == 2)
    }

    @Test func enqueueingInsideACallersTransactionRollsBackWithIt() async throws {
        let database = try await database()
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            _ = try await database.enqueue(message(), endpointNames: ["tg"], now: start) { db in
                var event = AuditEvent(at: start, actor: "test", action: "answer.record", subject: "answer:1", details: "x")
                try event.insert(db)
                throw Boom()
            }
        }
        #expect(try await database.countDeliveries(status: nil) == 0)
        let (_, inserted) = try await database.enqueue(message(), endpointNames: ["tg"], now: start) { db in
            var event = AuditEvent(at: start, actor: "test", action: "answer.record", subject: "answer:1", details: "x")
            try event.insert(db)
        }
        #expect(inserted.count == 1)
        #expect(try await database.auditEvents(subject: "answer:1", limit: 5).count == 1)
    }

    /// A resident's notices (erasure, access requests, a deleted question's SET NULL) are found through
    /// the `recipientQuestionID` index, not by scanning the outbox.
    @Test func aResidentsNoticesAreFoundThroughTheRecipientIndex() async throws {
        let database = try await database()
        #expect(SQLiteStore.knownMigrations.contains("outbox-recipient-v1"))
        let plan = try await database.reader.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM delivery WHERE recipientQuestionID IN (?, ?) ORDER BY id", arguments: [1, 2])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("delivery_on_recipientQuestionID") }, "\(plan)")
    }

    @Test func claimsDueRowsOnceAndReclaimsThemWhenTheLeaseExpires() async throws {
        let database = try await database()
        try await database.enqueue(message(), endpointNames: ["tg", "hook"], now: start)
        let claimed = try await database.claimDue(now: start, lease: 60, limit: 10)
        #expect(claimed.count == 2)
        #expect(claimed.allSatisfy { $0.delivery.status == .sending })
        #expect(try await database.claimDue(now: start.addingTimeInterval(30), lease: 60, limit: 10).isEmpty)
        let reclaimed = try await database.claimDue(now: start.addingTimeInterval(61), lease: 60, limit: 10)
        #expect(reclaimed.count == 2)
        // The first worker's late result is fenced off by the new claim.
        let stale = DeliveryReport(claimed: claimed[0], attempts: [], partsSent: 1, resolution: .sent(remoteID: "1"), now: start)
        try await database.apply([stale])
        #expect(try await database.delivery(id: claimed[0].id)?.status == .sending)
        let fresh = DeliveryReport(claimed: reclaimed.first { $0.id == claimed[0].id }!, attempts: [], partsSent: 1, resolution: .sent(remoteID: "7"), now: start)
        try await database.apply([fresh])
        let sent = try #require(try await database.delivery(id: claimed[0].id))
        #expect(sent.status == .sent)
        #expect(sent.remoteID == "7")
    }

    @Test func skipsDisabledAndPausedEndpointsAndFutureRows() async throws {
        let database = try await database(endpoints: ["tg", "hook", "gone"])
        try await database.enqueue(message(), endpointNames: ["tg", "hook", "gone"], now: start)
        try await database.enqueue(message("later"), endpointNames: ["tg"], now: start.addingTimeInterval(600))
        try await database.pauseEndpoint(name: "hook", until: start.addingTimeInterval(30))
        let claimed = try await database.claimDue(now: start, lease: 60, limit: 10)
        try await database.apply(claimed.filter { $0.delivery.endpointName == "gone" }.map {
            DeliveryReport(claimed: $0, attempts: [], partsSent: 0, resolution: .endpointGone(reason: "HTTP 410"), now: start)
        })
        #expect(claimed.map(\.delivery.endpointName).sorted() == ["gone", "tg"])
        try await database.enqueue(message("next"), endpointNames: ["gone"], now: start)
        let afterPause = try await database.claimDue(now: start.addingTimeInterval(31), lease: 60, limit: 10)
        #expect(afterPause.map(\.delivery.endpointName) == ["hook"])
        let states = try await database.endpointStates()
        #expect(states.first { $0.endpoint.name == "gone" }?.endpoint.disabledReason == "HTTP 410")
        try await database.enableEndpoint(name: "gone")
        #expect(try await database.claimDue(now: start.addingTimeInterval(32), lease: 60, limit: 10).map(\.delivery.endpointName) == ["gone"])
    }

    @Test func recordsAttemptsRetriesDeadLettersAndManualRetry() async throws {
        let database = try await database()
        try await database.enqueue(message(), endpointNames: ["tg"], now: start)
        var claimed = try await database.claimDue(now: start, lease: 60, limit: 1)[0]
        let attempt = DeliveryAttempt(deliveryID: claimed.id, at: start, part: 0, httpStatus: 503, latencyMs: 12, outcome: .retry, response: String(repeating: "ж", count: 3000))
        try await database.apply([DeliveryReport(claimed: claimed, attempts: [attempt], partsSent: 0, resolution: .retry(at: start.addingTimeInterval(5), error: "HTTP 503"), now: start)])
        var delivery = try #require(try await database.delivery(id: claimed.id))
        #expect(delivery.status == .pending)
        #expect(delivery.attempts == 1)
        #expect(delivery.lastError == "HTTP 503")
        let stored = try await database.attempts(deliveryID: claimed.id)
        #expect(stored.count == 1)
        #expect(stored[0].response!.utf8.count <= 2048)
        #expect(try await database.claimDue(now: start.addingTimeInterval(4), lease: 60, limit: 1).isEmpty)

        claimed = try await database.claimDue(now: start.addingTimeInterval(5), lease: 60, limit: 1)[0]
        #expect(try await database.recordPartSent(claimed, attempt: DeliveryAttempt(deliveryID: claimed.id, at: start, part: 0, httpStatus: 200, outcome: .sent), partsSent: 1, remoteID: "m1", leaseUntil: start.addingTimeInterval(120)))
        try await database.apply([DeliveryReport(claimed: claimed, attempts: [], partsSent: 1, resolution: .failed(error: "last", dead: true), now: start)])
        delivery = try #require(try await database.delivery(id: claimed.id))
        #expect(delivery.status == .dead)
        #expect(delivery.partsSent == 1)
        #expect(delivery.remoteID == "m1")

        let retried = try await database.retry(id: claimed.id, now: start.addingTimeInterval(100))
        #expect(retried.status == .pending)
        #expect(retried.attempts == 0)
        await #expect(throws: TyndauError.self) { try await database.retry(id: claimed.id, now: start) }
    }

    @Test func deferredAndReleasedRowsGoBackWithoutCountingATry() async throws {
        let database = try await database()
        try await database.enqueue(message(), endpointNames: ["tg", "hook"], now: start)
        let claimed = try await database.claimDue(now: start, lease: 60, limit: 2)
        try await database.apply([
            DeliveryReport(claimed: claimed[0], attempts: [], partsSent: 0, resolution: .released, now: start),
            DeliveryReport(claimed: claimed[1], attempts: [], partsSent: 0, resolution: .deferred(until: start.addingTimeInterval(30), note: nil), now: start),
        ])
        let again = try await database.claimDue(now: start, lease: 60, limit: 2)
        #expect(again.map(\.id) == [claimed[0].id])
        #expect(again[0].delivery.attempts == 0)
        #expect(try await database.claimDue(now: start.addingTimeInterval(30), lease: 60, limit: 2).map(\.id) == [claimed[1].id])
    }

    @Test func migrationIsRegistered() throws {
        #expect(SQLiteStore.knownMigrations.contains("v2-outbox"))
    }
}
