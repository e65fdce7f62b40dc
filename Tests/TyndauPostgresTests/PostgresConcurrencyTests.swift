import Foundation
import Testing
import TyndauCore
@testable import TyndauPostgres

/// What several processes on one PostgreSQL server rely on: migrations under a lock, tickets from a
/// shared sequence, outbox claims that never overlap, one-time publication, serialised office work.
/// Two `PostgresStore` instances (two pools) stand for two processes.
@Suite(.enabled(if: TestServer.available, "TYNDAU_TEST_POSTGRES_URL is not set"))
struct PostgresConcurrencyTests {
    static let base = Date(timeIntervalSince1970: 1_780_000_000)

    static func question(_ index: Int, channel: Channel = .api, at date: Date = base) -> Question {
        Question(
            text: "Вопрос \(index): когда отремонтируют дорогу на улице Абая?", language: .ru, category: .transport,
            street: "Абая", house: "\(index)", channel: channel, submittedAt: date
        )
    }

    @Test func migrationsAreRecordedAndAReopenAppliesNothing() async throws {
        try await TestServer.withFreshDatabase { location in
            let first = try await PostgresStore.open(location)
            #expect(try await first.appliedMigrations() == PostgresStore.knownMigrations)
            await first.close()
            let second = try await PostgresStore.open(location)
            #expect(try await second.appliedMigrations() == PostgresStore.knownMigrations)
            await second.close()
        }
    }

    /// A resident's notices are looked up by "recipientQuestionID" (erasure, access requests, the
    /// ON DELETE SET NULL of a deleted question): the column is indexed, as on SQLite.
    @Test func theOutboxIsIndexedByRecipient() async throws {
        try await TestServer.withStore { database in
            let definitions = try await database.read { connection in
                try await connection.values(#"SELECT "indexdef" FROM "pg_indexes" WHERE "tablename" = 'delivery'"#, as: String.self)
            }
            #expect(definitions.contains { $0.contains("delivery_on_recipientQuestionID") && $0.contains("(\"recipientQuestionID\")") }, "\(definitions)")
        }
    }

    @Test func processesStartingTogetherMigrateOnce() async throws {
        try await TestServer.withFreshDatabase { location in
            let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
                for _ in 0..<4 { group.addTask { try await PostgresStore.open(location) } }
                var stores: [PostgresStore] = []
                for try await store in group { stores.append(store) }
                return stores
            }
            for store in stores {
                #expect(try await store.appliedMigrations() == PostgresStore.knownMigrations)
            }
            for store in stores { await store.close() }
        }
    }

    @Test func aDatabaseFromANewerVersionIsRefused() async throws {
        try await TestServer.withFreshDatabase { location in
            let store = try await PostgresStore.open(location)
            try await store.write { connection in
                try await connection.run(#"INSERT INTO "tyndau_migrations" ("identifier", "position") VALUES ('v99-from-the-future', 99)"#)
            }
            await store.close()
            await #expect(throws: TyndauError.self) {
                let reopened = try await PostgresStore.open(location)
                await reopened.close()
            }
            do {
                let reopened = try await PostgresStore.open(location)
                await reopened.close()
            } catch let error as TyndauError {
                #expect(error.code == .databaseTooNew)
            }
        }
    }

    @Test func ticketsStayUniqueAcrossTwoProcesses() async throws {
        try await TestServer.withFreshDatabase { location in
            let one = try await PostgresStore.open(location)
            let two = try await PostgresStore.open(location)
            let tickets = try await withThrowingTaskGroup(of: [String].self) { group in
                for store in [one, two] {
                    group.addTask {
                        var tickets: [String] = []
                        for index in 0..<40 {
                            let stored = try await store.insert(NewQuestion(question: Self.question(index)))
                            tickets.append(stored.ticket ?? "")
                        }
                        return tickets
                    }
                }
                var all: [String] = []
                for try await part in group { all += part }
                return all
            }
            #expect(tickets.count == 80)
            #expect(Set(tickets).count == 80)
            #expect(tickets.allSatisfy { $0.range(of: #"^TRK-2026-\d{6}$"#, options: .regularExpression) != nil })
            #expect(try await one.countQuestions(status: nil) == 80)
            await one.close()
            await two.close()
        }
    }

    @Test func twoWorkersClaimingAtOnceNeverGetTheSameDelivery() async throws {
        try await TestServer.withFreshDatabase { location in
            let one = try await PostgresStore.open(location)
            let two = try await PostgresStore.open(location)
            try await one.syncEndpoints([Endpoint(name: "sink-a", kind: "webhook"), Endpoint(name: "sink-b", kind: "webhook")])
            let now = Self.base
            for index in 0..<150 {
                try await one.enqueue(
                    OutgoingMessage(messageKey: "m\(index)", body: "body \(index)"), endpointNames: ["sink-a", "sink-b"], now: now)
            }
            let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for store in [one, two, one, two] {
                    group.addTask {
                        var ids: [Int64] = []
                        while true {
                            let batch = try await store.claimDue(now: now, lease: 60, limit: 7)
                            if batch.isEmpty { return ids }
                            ids += batch.map(\.id)
                        }
                    }
                }
                var all: [[Int64]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            let all = claims.flatMap { $0 }
            #expect(all.count == 300)
            #expect(Set(all).count == 300)
            #expect(try await one.countDeliveries(status: .sending) == 300)
            await one.close()
            await two.close()
        }
    }

    @Test func anExpiredLeaseIsTakenOverAndTheOldClaimIsFencedOut() async throws {
        try await TestServer.withStore { store in
            try await store.syncEndpoints([Endpoint(name: "sink", kind: "webhook")])
            let now = Self.base
            try await store.enqueue(OutgoingMessage(messageKey: "digest:2026-W22", body: "text"), endpointNames: ["sink"], now: now)
            let first = try #require(try await store.claimDue(now: now, lease: 30, limit: 10).first)
            #expect(try await store.claimDue(now: now.addingTimeInterval(10), lease: 30, limit: 10).isEmpty)
            let second = try #require(try await store.claimDue(now: now.addingTimeInterval(31), lease: 30, limit: 10).first)
            #expect(second.id == first.id)
            #expect(second.claim != first.claim)
            let attempt = DeliveryAttempt(deliveryID: first.id, at: now.addingTimeInterval(32), part: 0, outcome: .sent)
            #expect(try await store.recordPartSent(first, attempt: attempt, partsSent: 1, remoteID: "x", leaseUntil: now.addingTimeInterval(90)) == false)
            try await store.apply([
                DeliveryReport(claimed: first, attempts: [], partsSent: 1, resolution: .sent(remoteID: "late"), now: now.addingTimeInterval(33))
            ])
            #expect(try await store.delivery(id: first.id)?.status == .sending)
            try await store.apply([
                DeliveryReport(claimed: second, attempts: [], partsSent: 1, resolution: .sent(remoteID: "r1"), now: now.addingTimeInterval(34))
            ])
            let done = try #require(try await store.delivery(id: first.id))
            #expect(done.status == .sent)
            #expect(done.remoteID == "r1")
        }
    }

    /// Builds a closed meeting with one answered topic, ready to publish.
    static func closedMeeting(_ store: PostgresStore) async throws -> ISOWeek {
        let week = try #require(ISOWeek(year: 2026, week: 23))
        let starts = week.date(weekday: 4).addingTimeInterval(15 * 3600)
        _ = try await store.insert(NewQuestion(
            question: question(1, at: starts.addingTimeInterval(-86_400 * 3)),
            contact: AskerContact(email: "a@example.kz", consent: true, consentAt: base, language: .ru)))
        #expect(try await store.makeSingleQuestionTopics(actor: "test", now: starts.addingTimeInterval(-86_400)) == 1)
        let meeting = Meeting(week: week, startsAt: starts, durationMinutes: 60, timeZone: "Asia/Almaty")
        try await store.saveAgenda(
            AgendaRecord(
                meeting: meeting,
                items: [AgendaItem(meetingID: 0, topicID: 1, position: 1, block: .landscapingUtilities, startOffsetMinutes: 5, minutes: 10, why: "askers")],
                writtenAnswers: []),
            actor: "test", now: starts.addingTimeInterval(-3600))
        let item = try #require(try await store.agendaItems(week: week).first)
        try await store.recordAnswer(
            AnswerInput(text: "Отремонтируем в июле", kind: .answered), week: week, itemID: item.id!, actor: "test",
            now: starts.addingTimeInterval(600))
        _ = try await store.closeMeeting(week: week, actor: "test", now: starts.addingTimeInterval(3600))
        return week
    }

    @Test func aClosedMeetingIsPublishedOnceWhenTwoProcessesRace() async throws {
        try await TestServer.withFreshDatabase { location in
            let one = try await PostgresStore.open(location)
            let two = try await PostgresStore.open(location)
            try await one.syncEndpoints([Endpoint(name: "site", kind: "webhook"), Endpoint(name: "mail", kind: "email")])
            let week = try await Self.closedMeeting(one)
            #expect(try await two.meetingsAwaitingPublication().map(\.week) == [week])
            let batch = OutboxBatch(message: OutgoingMessage(messageKey: "digest:\(week)", body: "digest"), endpointNames: ["site", "mail"])
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for store in [one, two, one, two] {
                    group.addTask { try await store.publishMeeting(week: week, batches: [batch], now: Self.base) }
                }
                var results: [Bool] = []
                for try await result in group { results.append(result) }
                return results
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await one.countDeliveries(status: nil) == 2)
            #expect(try await two.meetingsAwaitingPublication().isEmpty)
            await one.close()
            await two.close()
        }
    }

    @Test func autocloseInTwoWorkersClosesTheMeetingOnce() async throws {
        try await TestServer.withFreshDatabase { location in
            let one = try await PostgresStore.open(location)
            let two = try await PostgresStore.open(location)
            let week = try #require(ISOWeek(year: 2026, week: 24))
            let starts = week.date(weekday: 4).addingTimeInterval(15 * 3600)
            _ = try await one.insert(NewQuestion(question: Self.question(1, at: starts.addingTimeInterval(-86_400 * 3))))
            _ = try await one.makeSingleQuestionTopics(actor: "test", now: starts.addingTimeInterval(-86_400))
            try await one.saveAgenda(
                AgendaRecord(
                    meeting: Meeting(week: week, startsAt: starts, durationMinutes: 60, timeZone: "Asia/Almaty"),
                    items: [AgendaItem(meetingID: 0, topicID: 1, position: 1, block: .landscapingUtilities, startOffsetMinutes: 5, minutes: 10, why: "x")],
                    writtenAnswers: []),
                actor: "test", now: starts.addingTimeInterval(-3600))
            let outcomes = await withTaskGroup(of: String.self) { group in
                for store in [one, two] {
                    group.addTask {
                        do {
                            let closure = try await store.closeMeeting(week: week, actor: "system:autoclose", now: starts.addingTimeInterval(7200))
                            return "closed \(closure.returnedToQueue)"
                        } catch let error as TyndauError {
                            return error.code.rawValue
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var outcomes: [String] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes.sorted()
            }
            #expect(outcomes == ["closed 1", "meeting-closed"])
            // The question went back to the queue exactly once: one audit event scheduled → grouped.
            let events = try await one.auditEvents(subject: "question:1", limit: 50).filter { $0.details == "scheduled → grouped" }
            #expect(events.count == 1)
            await one.close()
            await two.close()
        }
    }

    @Test func twoAgendaBuildsOfANewWeekAtOnceBothSucceedOneAfterTheOther() async throws {
        try await TestServer.withFreshDatabase { location in
            let one = try await PostgresStore.open(location)
            let two = try await PostgresStore.open(location)
            let week = try #require(ISOWeek(year: 2026, week: 25))
            let starts = week.date(weekday: 4).addingTimeInterval(15 * 3600)
            for index in 0..<6 {
                _ = try await one.insert(NewQuestion(question: Self.question(index, at: starts.addingTimeInterval(-86_400 * 3))))
            }
            _ = try await one.makeSingleQuestionTopics(actor: "test", now: starts.addingTimeInterval(-86_400))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (store, topics) in [(one, [Int64(1), 2, 3]), (two, [Int64(4), 5])] {
                    group.addTask {
                        let items = topics.enumerated().map { offset, topic in
                            AgendaItem(meetingID: 0, topicID: topic, position: offset + 1, block: .landscapingUtilities, startOffsetMinutes: 5, minutes: 10, why: "x")
                        }
                        try await store.saveAgenda(
                            AgendaRecord(
                                meeting: Meeting(week: week, startsAt: starts, durationMinutes: 60, timeZone: "Asia/Almaty"),
                                items: items, writtenAnswers: []),
                            actor: "test", now: starts.addingTimeInterval(-3600))
                    }
                }
                try await group.waitForAll()
            }
            // Whichever came second replaced the first: the agenda is one build, the topics' states agree with it.
            let items = try await one.agendaItems(week: week)
            #expect(items.count == 2 || items.count == 3)
            let scheduled = try await one.topicOverviews(states: [.scheduled]).compactMap(\.summary.topic.id).sorted()
            #expect(scheduled == items.map(\.topicID).sorted())
            #expect(try await one.countQuestions(status: .scheduled) == items.count)
            await one.close()
            await two.close()
        }
    }

    @Test func theSameSubmissionSentToTwoServersAtOnceIsStoredOnce() async throws {
        try await TestServer.withFreshDatabase { location in
            let one = try await PostgresStore.open(location)
            let two = try await PostgresStore.open(location)
            let receipts = try await withThrowingTaskGroup(of: IntakeReceipt.self) { group in
                for store in [one, two, one, two] {
                    group.addTask {
                        let submission = IntakeSubmission(
                            newQuestion: NewQuestion(question: Self.question(7, channel: .web)), clientKey: "client-1", textKey: "text-7")
                        return try await store.submit([submission], now: Self.base)[0]
                    }
                }
                var receipts: [IntakeReceipt] = []
                for try await receipt in group { receipts.append(receipt) }
                return receipts
            }
            #expect(receipts.filter { !$0.isDuplicate }.count == 1)
            #expect(Set(receipts.map(\.question.ticket)).count == 1)
            #expect(try await one.countQuestions(status: nil) == 1)
            await one.close()
            await two.close()
        }
    }

    @Test func aBatchImportRunTwiceStoresEachRowOnce() async throws {
        try await TestServer.withStore { store in
            let batch = (0..<25).map { NewQuestion(question: Self.question($0, channel: .import), sourceKey: "ext:\($0)") }
            let first = try await store.insert(batch: batch)
            #expect(first.inserted.count == 25)
            let again = try await store.insert(batch: batch)
            #expect(again.inserted.isEmpty)
            #expect(again.alreadyPresent == 25)
            #expect(try await store.countQuestions(status: nil) == 25)
        }
    }

    @Test func theOfficeLockIsExclusiveAcrossConnections() async throws {
        try await TestServer.withFreshDatabase { location in
            let one = try await PostgresStore.open(location)
            let two = try await PostgresStore.open(location)
            let (heldStream, signalHeld) = AsyncStream.makeStream(of: Void.self)
            let (releaseStream, releaseHolder) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await one.write { connection in
                    let got = try await PostgresStore.tryLock(.office, connection)
                    #expect(got)
                    signalHeld.yield()
                    for await _ in releaseStream { break }
                }
            }
            for await _ in heldStream { break }
            let whileHeld = try await two.write { connection in try await PostgresStore.tryLock(.office, connection) }
            #expect(whileHeld == false)
            releaseHolder.yield()
            try await holder.value
            let afterwards = try await two.write { connection in try await PostgresStore.tryLock(.office, connection) }
            #expect(afterwards)
            await one.close()
            await two.close()
        }
    }

    @Test func tlsRequiredAgainstAServerWithoutTLSFailsAtOnceWithoutThePassword() async throws {
        try await TestServer.withFreshDatabase { fresh in
            var location = fresh
            location.password = Secret("hunter2-secret")
            location.tlsMode = .require
            location.connectTimeoutSeconds = 5
            do {
                let store = try await PostgresStore.open(location)
                await store.close()
                // The test server may have TLS on; then requiring it must work.
            } catch let error as TyndauError {
                #expect(error.code == .databaseUnavailable)
                #expect(!"\(error)".contains("hunter2-secret"))
                #expect(!error.arguments.joined().contains("hunter2-secret"))
                #expect(error.arguments.first?.contains("***") == true)
            }
            location.tlsMode = .disable
            let plain = try await PostgresStore.open(location)
            #expect(try await plain.appliedMigrations() == PostgresStore.knownMigrations)
            await plain.close()
        }
    }

    @Test func anUnreachableServerIsReportedAtOnce() async throws {
        var location = try TestServer.server
        location.port = 1
        location.password = Secret("hunter2-secret")
        let started = ContinuousClock.now
        do {
            let store = try await PostgresStore.open(location)
            await store.close()
            Issue.record("opened a database on port 1")
        } catch let error as TyndauError {
            #expect(error.code == .databaseUnavailable)
            #expect(!error.arguments.joined().contains("hunter2-secret"))
        }
        // Alone this takes milliseconds; the bound only tells "reported at once" from the pool's minute of
        // retries, with room for a loaded machine running the whole suite in parallel.
        #expect(ContinuousClock.now - started < .seconds(45))
    }
}

@Suite(.enabled(if: TestServer.available, "TYNDAU_TEST_POSTGRES_URL is not set"))
struct PostgresErrorTests {
    @Test func aRefusedStatementIsATyndauErrorWithoutTheStoredValues() async throws {
        try await TestServer.withStore { store in
            // A mark for a topic that does not exist: the foreign key refuses it.
            do {
                try await store.setAgendaMark(AgendaMark(week: ISOWeek(year: 2026, week: 30)!, topicID: 4242, kind: .pin, actor: "t", at: Date()))
                Issue.record("stored a mark for a missing topic")
            } catch let error as TyndauError {
                #expect(error.code == .databaseFailed)
                #expect(error.arguments.first?.hasPrefix("23503") == true)
                #expect(error.arguments.first?.contains("4242") == false)
            }
        }
    }

    @Test func aClosedStoreReportsTheDatabaseUnavailable() async throws {
        try await TestServer.withFreshDatabase { location in
            let store = try await PostgresStore.open(location)
            await store.close()
            do {
                _ = try await store.countQuestions(status: nil)
                Issue.record("queried a closed store")
            } catch let error as TyndauError {
                #expect(error.code == .databaseUnavailable)
            }
        }
    }
}
