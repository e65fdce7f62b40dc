import Foundation
import Testing
import TyndauCore

/// `OutboxStore`: enqueue-once keys, leased claims fenced by their claim token, retries, dead letters,
/// paused and disabled endpoints, and the personal notice's address looked up at claim time.
@Suite struct OutboxStoreContractTests {
    static let start = Fixture.now

    static func prepared(_ store: any TyndauStore, endpoints: [String] = ["tg", "hook"]) async throws {
        try await store.syncEndpoints(endpoints.map { Endpoint(name: $0, kind: "webhook", tags: ["public"]) })
    }

    static func message(_ key: String = "digest:2026-W49") -> OutgoingMessage {
        OutgoingMessage(messageKey: key, subject: "Апта", body: "Сәлем", language: .kk)
    }

    @Test(arguments: StoreFactory.all)
    func endpointsFollowConfigurationButStayDisabledUntilEnabled(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await store.syncEndpoints([Endpoint(name: "tg", kind: "telegram", tags: ["public", "kk"]), Endpoint(name: "hook", kind: "webhook")])
            #expect(try await store.endpointStates().map(\.endpoint) == [
                Endpoint(name: "hook", kind: "webhook"), Endpoint(name: "tg", kind: "telegram", tags: ["public", "kk"]),
            ])
            try await store.enqueue(Self.message(), endpointNames: ["tg"], now: Self.start)
            let claimed = try await store.claimDue(now: Self.start, lease: 60, limit: 5)
            try await store.apply(claimed.map {
                DeliveryReport(claimed: $0, attempts: [], partsSent: 0, resolution: .endpointGone(reason: "HTTP 410"), now: Self.start)
            })
            try await store.syncEndpoints([Endpoint(name: "tg", kind: "telegram", tags: ["public"])])
            let tg = try #require(try await store.endpointStates().first { $0.endpoint.name == "tg" })
            #expect(tg.endpoint.tags == ["public"] && tg.endpoint.disabledReason == "HTTP 410")
            try await store.enableEndpoint(name: "tg")
            #expect(try await store.endpointStates().first { $0.endpoint.name == "tg" }?.endpoint.disabledReason == nil)
            await #expect(throws: TyndauError.notFound("endpoint nowhere")) { try await store.enableEndpoint(name: "nowhere") }
        }
    }

    @Test(arguments: StoreFactory.all)
    func enqueuesOneDeliveryPerEndpointAndNeverTwiceForTheSameKey(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await Self.prepared(store)
            let first = try await store.enqueue(Self.message(), endpointNames: ["tg", "hook"], now: Self.start)
            #expect(first.map(\.endpointName) == ["tg", "hook"])
            #expect(first.allSatisfy { $0.id != nil && $0.status == .pending && $0.nextAttemptAt == Self.start })
            #expect(try await store.enqueue(Self.message(), endpointNames: ["tg", "hook"], now: Self.start).isEmpty)
            // Concurrent publishers of the same key still make one row per endpoint.
            let racing = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await store.enqueue(Self.message("notice:7"), endpointNames: ["tg", "hook"], now: Self.start).count }
                }
                return try await group.reduce(0, +)
            }
            #expect(racing == 2)
            try await store.enqueue([OutboxBatch(message: Self.message("digest:2026-W50"), endpointNames: ["hook"])], now: Self.start)
            try await store.enqueue([OutboxBatch(message: Self.message("digest:2026-W50"), endpointNames: ["hook"])], now: Self.start)
            #expect(try await store.countDeliveries(status: .pending) == 5)
            #expect(try await store.countDeliveries(status: nil) == 5)
            let stored = try #require(try await store.delivery(id: first[0].id!))
            #expect(stored.subject == "Апта" && stored.body == "Сәлем" && stored.language == .kk && stored.messageKey == "digest:2026-W49")
            #expect(try await store.deliveries(status: nil, limit: 2).map(\.messageKey) == ["digest:2026-W50", "notice:7"])
            #expect(try await store.delivery(id: 9999) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func claimsDueRowsOnceAndFencesALateWorkerAfterTheLeaseExpires(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await Self.prepared(store)
            try await store.enqueue(Self.message(), endpointNames: ["tg", "hook"], now: Self.start)
            let claimed = try await store.claimDue(now: Self.start, lease: 60, limit: 10)
            #expect(claimed.count == 2)
            #expect(claimed.allSatisfy { $0.delivery.status == .sending && $0.delivery.leaseUntil == Self.start.addingTimeInterval(60) })
            #expect(try await store.claimDue(now: Self.start.addingTimeInterval(30), lease: 60, limit: 10).isEmpty)
            let reclaimed = try await store.claimDue(now: Self.start.addingTimeInterval(61), lease: 60, limit: 10)
            #expect(Set(reclaimed.map(\.id)) == Set(claimed.map(\.id)))
            #expect(Set(reclaimed.map(\.claim)).isDisjoint(with: claimed.map(\.claim)))
            // The first worker's late writes are fenced off by the new claim.
            let stale = claimed[0]
            #expect(try await !store.recordPartSent(
                stale, attempt: DeliveryAttempt(deliveryID: stale.id, at: Self.start, part: 0, httpStatus: 200, outcome: .sent),
                partsSent: 1, remoteID: "late", leaseUntil: Self.start.addingTimeInterval(500)))
            try await store.apply([DeliveryReport(claimed: stale, attempts: [], partsSent: 1, resolution: .sent(remoteID: "1"), now: Self.start)])
            #expect(try await store.delivery(id: stale.id)?.status == .sending)
            let fresh = try #require(reclaimed.first { $0.id == stale.id })
            try await store.apply([DeliveryReport(claimed: fresh, attempts: [], partsSent: 1, resolution: .sent(remoteID: "7"), now: Self.start.addingTimeInterval(62))])
            let sent = try #require(try await store.delivery(id: stale.id))
            #expect(sent.status == .sent && sent.remoteID == "7" && sent.sentAt == Self.start.addingTimeInterval(62))
            #expect(sent.leaseUntil == nil && sent.partsSent == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func concurrentWorkersNeverClaimTheSameRow(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await Self.prepared(store, endpoints: ["e1", "e2", "e3", "e4"])
            for index in 0..<30 {
                try await store.enqueue(Self.message("m\(index)"), endpointNames: ["e1", "e2", "e3", "e4"], now: Self.start)
            }
            let claims = try await withThrowingTaskGroup(of: [ClaimedDelivery].self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.claimDue(now: Self.start, lease: 60, limit: 20) }
                }
                return try await group.reduce(into: [[ClaimedDelivery]]()) { $0.append($1) }
            }
            let ids = claims.flatMap { $0.map(\.id) }
            #expect(ids.count == 120)
            #expect(Set(ids).count == 120)
            #expect(try await store.countDeliveries(status: .sending) == 120)
        }
    }

    @Test(arguments: StoreFactory.all)
    func skipsDisabledAndPausedEndpointsAndRowsNotYetDue(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await Self.prepared(store, endpoints: ["tg", "hook", "gone"])
            try await store.enqueue(Self.message(), endpointNames: ["tg", "hook", "gone"], now: Self.start)
            try await store.enqueue(Self.message("later"), endpointNames: ["tg"], now: Self.start.addingTimeInterval(600))
            try await store.pauseEndpoint(name: "hook", until: Self.start.addingTimeInterval(30))
            // A shorter pause never cuts a longer one short.
            try await store.pauseEndpoint(name: "hook", until: Self.start.addingTimeInterval(10))
            #expect(try await store.endpointStates().first { $0.endpoint.name == "hook" }?.pausedUntil == Self.start.addingTimeInterval(30))
            let claimed = try await store.claimDue(now: Self.start, lease: 60, limit: 10)
            #expect(claimed.map(\.delivery.endpointName).sorted() == ["gone", "tg"])
            try await store.apply(claimed.filter { $0.delivery.endpointName == "gone" }.map {
                DeliveryReport(claimed: $0, attempts: [], partsSent: 0, resolution: .endpointGone(reason: "HTTP 410"), now: Self.start)
            })
            try await store.enqueue(Self.message("next"), endpointNames: ["gone"], now: Self.start)
            #expect(try await store.claimDue(now: Self.start.addingTimeInterval(29), lease: 60, limit: 10).isEmpty)
            let afterPause = try await store.claimDue(now: Self.start.addingTimeInterval(31), lease: 60, limit: 10)
            #expect(afterPause.map(\.delivery.endpointName) == ["hook"])
            let states = try await store.endpointStates()
            #expect(states.first { $0.endpoint.name == "gone" }?.endpoint.disabledReason == "HTTP 410")
            try await store.enableEndpoint(name: "gone")
            #expect(try await store.claimDue(now: Self.start.addingTimeInterval(32), lease: 60, limit: 10).map(\.delivery.endpointName) == ["gone"])
            #expect(try await store.claimDue(now: Self.start.addingTimeInterval(600), lease: 60, limit: 10).map(\.delivery.messageKey).contains("later"))
        }
    }

    @Test(arguments: StoreFactory.all)
    func recordsAttemptsRetriesDeadLettersAndAManualRetry(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await Self.prepared(store)
            try await store.enqueue(Self.message(), endpointNames: ["tg"], now: Self.start)
            var claimed = try await store.claimDue(now: Self.start, lease: 60, limit: 1)[0]
            let attempt = DeliveryAttempt(
                deliveryID: claimed.id, at: Self.start, part: 0, httpStatus: 503, latencyMs: 12, outcome: .retry,
                response: String(repeating: "ж", count: 3000))
            try await store.apply([DeliveryReport(
                claimed: claimed, attempts: [attempt], partsSent: 0, resolution: .retry(at: Self.start.addingTimeInterval(5), error: "HTTP 503"),
                now: Self.start)])
            var delivery = try #require(try await store.delivery(id: claimed.id))
            #expect(delivery.status == .pending && delivery.attempts == 1 && delivery.lastError == "HTTP 503")
            #expect(delivery.nextAttemptAt == Self.start.addingTimeInterval(5))
            let stored = try await store.attempts(deliveryID: claimed.id)
            #expect(stored.count == 1)
            #expect(stored[0].httpStatus == 503 && stored[0].latencyMs == 12 && stored[0].outcome == .retry && stored[0].id != nil)
            #expect(stored[0].response!.utf8.count <= 2048)
            #expect(try await store.claimDue(now: Self.start.addingTimeInterval(4), lease: 60, limit: 1).isEmpty)

            claimed = try await store.claimDue(now: Self.start.addingTimeInterval(5), lease: 60, limit: 1)[0]
            #expect(try await store.recordPartSent(
                claimed, attempt: DeliveryAttempt(deliveryID: claimed.id, at: Self.start, part: 0, httpStatus: 200, outcome: .sent),
                partsSent: 1, remoteID: "m1", leaseUntil: Self.start.addingTimeInterval(120)))
            #expect(try await store.delivery(id: claimed.id)?.leaseUntil == Self.start.addingTimeInterval(120))
            try await store.apply([DeliveryReport(claimed: claimed, attempts: [], partsSent: 1, resolution: .failed(error: "last", dead: true), now: Self.start)])
            delivery = try #require(try await store.delivery(id: claimed.id))
            #expect(delivery.status == .dead && delivery.partsSent == 1 && delivery.remoteID == "m1" && delivery.attempts == 2)
            #expect(try await store.attempts(deliveryID: claimed.id).map(\.outcome) == [.retry, .sent])
            #expect(try await store.deliveries(status: .dead, limit: 5).map(\.id) == [claimed.id])

            let retried = try await store.retry(id: claimed.id, now: Self.start.addingTimeInterval(100))
            #expect(retried.status == .pending && retried.attempts == 0 && retried.nextAttemptAt == Self.start.addingTimeInterval(100))
            #expect(try await store.auditEvents(subject: "delivery:\(claimed.id)", limit: 5).map(\.action) == ["delivery.retry"])
            await #expect(throws: TyndauError.self) { try await store.retry(id: claimed.id, now: Self.start) }
            await #expect(throws: TyndauError.notFound("delivery 9999")) { try await store.retry(id: 9999, now: Self.start) }
            // A refusal that is not the last try ends as failed, and can be retried too.
            claimed = try await store.claimDue(now: Self.start.addingTimeInterval(100), lease: 60, limit: 1)[0]
            try await store.apply([DeliveryReport(claimed: claimed, attempts: [], partsSent: 1, resolution: .failed(error: "HTTP 400", dead: false), now: Self.start)])
            #expect(try await store.delivery(id: claimed.id)?.status == .failed)
            #expect(try await store.retry(id: claimed.id, now: Self.start).status == .pending)
        }
    }

    @Test(arguments: StoreFactory.all)
    func deferredAndReleasedRowsGoBackWithoutCountingATry(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await Self.prepared(store)
            try await store.enqueue(Self.message(), endpointNames: ["tg", "hook"], now: Self.start)
            let claimed = try await store.claimDue(now: Self.start, lease: 60, limit: 2)
            try await store.apply([
                DeliveryReport(claimed: claimed[0], attempts: [], partsSent: 0, resolution: .released, now: Self.start),
                DeliveryReport(claimed: claimed[1], attempts: [], partsSent: 0, resolution: .deferred(until: Self.start.addingTimeInterval(30), note: "rate limit"), now: Self.start),
            ])
            let again = try await store.claimDue(now: Self.start, lease: 60, limit: 2)
            #expect(again.map(\.id) == [claimed[0].id])
            #expect(again[0].delivery.attempts == 0)
            #expect(try await store.delivery(id: claimed[1].id)?.lastError == "rate limit")
            #expect(try await store.claimDue(now: Self.start.addingTimeInterval(30), lease: 60, limit: 2).map(\.id) == [claimed[1].id])
            #expect(try await store.delivery(id: claimed[1].id)?.attempts == 0)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aPersonalNoticeGetsTheAskersAddressAtClaimTimeOnly(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await store.syncEndpoints([Endpoint(name: "mail", kind: "email"), Endpoint(name: "tg", kind: "telegram")])
            var question = Fixture.newQuestion()
            question.contact = AskerContact(email: "aigul@example.kz", telegramChatID: 5005, consent: true)
            let id = try #require(try await store.insert(question).id)
            let notice = OutgoingMessage(messageKey: "notice:\(id)", body: "Ответ готов", language: .ru, recipientQuestionID: id)
            let enqueued = try await store.enqueue(notice, endpointNames: ["mail", "tg"], now: Self.start)
            #expect(enqueued.allSatisfy { $0.recipientQuestionID == id && $0.recipient == nil })
            let claimed = try await store.claimDue(now: Self.start, lease: 60, limit: 5)
            let recipients = Dictionary(uniqueKeysWithValues: claimed.map { ($0.delivery.endpointName, $0.delivery.recipient) })
            #expect(recipients["mail"] == "aigul@example.kz")
            #expect(recipients["tg"] == "5005")
            #expect(try await store.delivery(id: claimed[0].id)?.recipient == nil)
            // Erased while a worker holds them: the rows stay for the worker's fenced writes but no longer
            // point at the asker, so the retry finds no address.
            try await store.eraseContact(questionID: id, actor: "office", now: Self.start)
            try await store.apply(claimed.map {
                DeliveryReport(claimed: $0, attempts: [], partsSent: 0, resolution: .retry(at: Self.start, error: "x"), now: Self.start)
            })
            let again = try await store.claimDue(now: Self.start, lease: 60, limit: 5)
            #expect(again.count == 2 && again.allSatisfy { $0.delivery.recipient == nil && $0.delivery.recipientQuestionID == nil })
        }
    }
}
