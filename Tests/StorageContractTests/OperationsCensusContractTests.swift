import Foundation
import Testing
import TyndauCore

/// `OperationsCensusStore`: the numbers behind the outbox and golden-hour gauges of `/metrics`.
@Suite struct OperationsCensusContractTests {
    @Test(arguments: StoreFactory.all)
    func countsTheOutboxByStatusItsOldestPendingAndDueRowsAndTheQuestionsPastTheGoldenHour(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let start = Fixture.now
            let empty = try await store.operationsCensus(now: start, goldenHour: 3600)
            #expect(empty.deliveries == Dictionary(uniqueKeysWithValues: DeliveryStatus.allCases.map { ($0, 0) }))
            #expect(empty.oldestPendingCreatedAt == nil && empty.oldestDueAt == nil && empty.untriagedPastGoldenHour == 0)
            #expect(["sqlite", "postgresql"].contains(store.engineName))

            try await OutboxStoreContractTests.prepared(store)
            try await store.enqueue(OutboxStoreContractTests.message("digest:1"), endpointNames: ["tg", "hook"], now: start)
            try await store.enqueue(OutboxStoreContractTests.message("digest:2"), endpointNames: ["hook"], now: start.addingTimeInterval(600))
            // The first two are claimed: "tg" is sent, "hook" is retried an hour later (pending, not due).
            let claimed = try await store.claimDue(now: start, lease: 60, limit: 2)
            #expect(claimed.count == 2)
            try await store.apply(claimed.map { row in
                let resolution: DeliveryResolution =
                    row.delivery.endpointName == "tg" ? .sent(remoteID: nil) : .retry(at: start.addingTimeInterval(3600), error: "HTTP 503")
                return DeliveryReport(claimed: row, attempts: [], partsSent: 0, resolution: resolution, now: start)
            })
            let census = try await store.operationsCensus(now: start.addingTimeInterval(1200), goldenHour: 3600)
            #expect(census.deliveries[.pending] == 2 && census.deliveries[.sent] == 1 && census.deliveries[.dead] == 0)
            #expect(census.oldestPendingCreatedAt == start)
            #expect(census.oldestDueAt == start.addingTimeInterval(600))
            let early = try await store.operationsCensus(now: start.addingTimeInterval(300), goldenHour: 3600)
            #expect(early.oldestDueAt == nil, "the retried row waits for its time, the newer one is not due yet")
            #expect(early.oldestPendingCreatedAt == start)

            // Two questions waiting past the hour, one inside it, one triaged.
            let submitted = try await store.submit([
                IntakeStoreContractTests.submission("Давно ждёт ответа", client: "a", at: start.addingTimeInterval(-7200)),
                IntakeStoreContractTests.submission("Тоже давно ждёт", client: "b", at: start.addingTimeInterval(-5400)),
                IntakeStoreContractTests.submission("Разобран давно уже", client: "c", at: start.addingTimeInterval(-9000)),
                IntakeStoreContractTests.submission("Только что пришёл", client: "d", at: start.addingTimeInterval(-60)),
            ], now: start)
            try await store.updateStatus(questionID: submitted[2].question.id!, to: .rejected, reason: "спам", actor: "office", now: Date())
            #expect(try await store.operationsCensus(now: start, goldenHour: 3600).untriagedPastGoldenHour == 2)
            #expect(try await store.operationsCensus(now: start, goldenHour: 6000).untriagedPastGoldenHour == 1)
        }
    }
}
