import Foundation
import Testing
import TyndauCore

/// `tyndau db copy` between every pair of engines (`StoreFactory.all` × `StoreFactory.all`): the target
/// answers every question exactly as the source did, ids and counters included.
@Suite struct StoreCopyContractTests {
    /// A week's worth of everything: questions with and without contacts, topics and an office decision,
    /// an agenda with answers and a closed meeting, a published digest and notice, attempts, bot state.
    static func populate(_ store: any TyndauStore) async throws {
        let (questions, topics, items) = try await AnswerStoreContractTests.meeting(store)
        try await store.renameTopic(topics[2], title: "Мусор во дворе дома 5", actor: "office", now: AnswerStoreContractTests.before)
        try await store.recordAnswer(
            AnswerInput(text: "Заменим до конца года", kind: .commitment, responsible: "ЖКХ", dueDate: "2026-12-28"),
            week: AnswerStoreContractTests.week, itemID: items[0].id!, actor: "office", now: AnswerStoreContractTests.during)
        _ = try await store.closeMeeting(week: AnswerStoreContractTests.week, actor: "office", now: AnswerStoreContractTests.during)
        try await store.syncEndpoints([Endpoint(name: "site", kind: "webhook", tags: ["public", "ru"]), Endpoint(name: "mail", kind: "email")])
        _ = try await store.publishMeeting(week: AnswerStoreContractTests.week, batches: [
            OutboxBatch(message: OutgoingMessage(messageKey: "digest", subject: "Итоги", body: "Итоги встречи", language: .ru), endpointNames: ["site"]),
            OutboxBatch(message: OutgoingMessage(messageKey: "notice", body: "Ответ", recipientQuestionID: questions[0]), endpointNames: ["mail"]),
        ], now: AnswerStoreContractTests.during)
        let claimed = try await store.claimDue(now: AnswerStoreContractTests.during, lease: 60, limit: 5)
        try await store.apply(claimed.map {
            DeliveryReport(
                claimed: $0,
                attempts: [DeliveryAttempt(deliveryID: $0.id, at: AnswerStoreContractTests.during, part: 0, httpStatus: 503, latencyMs: 9, outcome: .retry, response: "busy")],
                partsSent: 0, resolution: .retry(at: AnswerStoreContractTests.during.addingTimeInterval(30), error: "HTTP 503"),
                now: AnswerStoreContractTests.during)
        })
        _ = try await store.submit([IntakeStoreContractTests.submission("Живой вопрос с формы", client: "c1")], now: Fixture.now)
        try await store.saveBotOffset(901, bot: "bot", now: Fixture.now)
        _ = try await store.storeBotQuestion(
            BotStoreContractTests.botQuestion("Из телеграма", message: 3, media: [BotMedia(kind: .photo, fileID: "f1", fileUniqueID: "u1", messageID: 3)]),
            now: Fixture.now)
        _ = try await store.recordBotConsent(chatKey: "tgc_a", chatID: 77, language: .kk, now: Fixture.now)
        try await store.setSeriesSettings(["duration_minutes": "90"], actor: "office", now: Fixture.now)
        // A topic made and merged away: its id is used up, so the counter runs ahead of the largest id.
        let extra = try #require(try await store.insert(Fixture.newQuestion("Лишний вопрос", phone: nil)).id)
        let made = try await store.saveGrouping(
            [TopicAssignment(topicID: nil, questionIDs: [extra], facts: TopicStoreContractTests.facts("Лишняя тема"))],
            actor: "grouper", now: Fixture.now)
        try await store.mergeTopics(into: topics[2], from: made[0], actor: "office", now: Fixture.now)
        // Office accounts (one of them disabled) and two live sessions.
        let admin = try await store.addUser(UserStoreContractTests.user("Zhanna", role: .admin), actor: "cli", now: Fixture.now)
        let clerk = try await store.addUser(UserStoreContractTests.user("aigerim"), actor: "cli", now: Fixture.now)
        _ = try await store.addUser(UserStoreContractTests.user("bolat"), actor: "cli", now: Fixture.now)
        try await store.setUserDisabled(name: "bolat", disabled: true, actor: "office:zhanna", now: Fixture.now)
        try await store.createSession(UserStoreContractTests.session(Self.sessionDigests[0], for: admin))
        try await store.createSession(UserStoreContractTests.session(Self.sessionDigests[1], for: clerk, lasting: 600))
    }

    static let sessionDigests = ["5e55a1", "5e55b2"]

    /// What a store answers, through the Core protocols only, as JSON per aspect. Timestamps are
    /// compared to the millisecond: the interchange form carries milliseconds (SQLite's precision).
    static func observe(_ store: any TyndauStore) async throws -> [String: String] {
        struct Item: Encodable {
            var item: AgendaItem
            var topic: Topic
            var question: String
            var askers: Int
            var answer: Answer?
            var commitment: Commitment?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            // Half a microsecond of slack absorbs Double's rounding of microsecond timestamps.
            try container.encode(Int64((date.timeIntervalSince1970 * 1000 + 0.0005).rounded(.down)))
        }
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }

        var observed: [String: String] = [:]
        let questions = try await store.questions(QuestionQuery())
        observed["questions"] = try json(questions)
        var contacts: [AskerContact?] = []
        var media: [[BotMedia]] = []
        for question in questions {
            contacts.append(try await store.contact(questionID: question.id!))
            media.append(try await store.botMedia(questionID: question.id!))
        }
        observed["contacts"] = try json(contacts)
        observed["botMedia"] = try json(media)
        observed["topics"] = try json(try await store.topicOverviews(states: nil))
        observed["decisions"] = try json(try await store.topicDecisions(topicID: nil))
        observed["agenda"] = try json(try await store.answeredItems(week: AnswerStoreContractTests.week).map {
            Item(item: $0.item, topic: $0.topic, question: $0.question, askers: $0.askers, answer: $0.answer, commitment: $0.commitment)
        })
        observed["commitments"] = try json(try await store.commitments(dueBefore: nil, openOnly: false))
        let deliveries = try await store.deliveries(status: nil, limit: 1000)
        observed["deliveries"] = try json(deliveries)
        var attempts: [[DeliveryAttempt]] = []
        for delivery in deliveries { attempts.append(try await store.attempts(deliveryID: delivery.id!)) }
        observed["attempts"] = try json(attempts)
        observed["endpoints"] = try json(try await store.endpointStates())
        observed["audit"] = try json(try await store.auditEvents(subject: nil, limit: 10_000))
        observed["botOffset"] = try json(try await store.botOffset(bot: "bot"))
        observed["settings"] = try json(try await store.seriesSettings())
        observed["officeUsers"] = try json(try await store.officeUsers())
        struct Session: Encodable {
            var digest, user, csrf: String
            var createdAt, lastSeenAt, expiresAt: Date
        }
        var sessions: [Session?] = []
        for digest in sessionDigests {
            sessions.append(try await store.activeSession(tokenDigest: digest, now: Fixture.now, idleTimeout: 3_600).map {
                Session(digest: $0.tokenDigest, user: $0.user.name, csrf: $0.csrfToken, createdAt: $0.createdAt,
                        lastSeenAt: $0.lastSeenAt, expiresAt: $0.expiresAt)
            })
        }
        observed["officeSessions"] = try json(sessions)
        return observed
    }

    @Test(arguments: StoreFactory.all, StoreFactory.all)
    func aCopyAnswersEverythingAsTheSourceDidAndRefusesToRunTwice(_ from: StoreFactory, _ to: StoreFactory) async throws {
        try await from.withStore { source in
            try await to.withStore { target in
                let reading = try #require(source as? any TableCopying, "\(from.engine) cannot be copied")
                let writing = try #require(target as? any TableCopying, "\(to.engine) cannot be copied into")
                try await Self.populate(source)
                let report = try await StoreCopy(batchSize: 4).run(from: reading, to: writing)
                #expect(report.totalRows > 50)
                let original = try await Self.observe(source)
                let copied = try await Self.observe(target)
                for aspect in original.keys.sorted() {
                    #expect(copied[aspect] == original[aspect], "\(aspect) differs after copying \(from.engine) → \(to.engine)")
                }
                #expect(copied["botOffset"] == "901")
                #expect(try await target.officeUsers().map(\.name) == ["aigerim", "bolat", "Zhanna"])
                #expect(try await target.activeSession(tokenDigest: Self.sessionDigests[1], now: Fixture.now, idleTimeout: 60)?.user.name == "aigerim")
                // Names stay unique in any case after the copy, and new accounts get fresh ids.
                await #expect(throws: TyndauError.conflict("user ZHANNA")) {
                    try await target.addUser(UserStoreContractTests.user("ZHANNA"), actor: "cli", now: Fixture.now)
                }
                let maxUser = try #require(try await source.officeUsers().compactMap(\.id).max())
                #expect(try await target.addUser(UserStoreContractTests.user("dana"), actor: "cli", now: Fixture.now).id! > maxUser)
                // Work goes on where the source left off: no id is handed out twice.
                let maxTopic = try #require(try await source.topicOverviews(states: nil).compactMap(\.summary.topic.id).max())
                let maxQuestion = try #require(try await source.questions(QuestionQuery()).compactMap(\.id).max())
                let next = try await target.insert(Fixture.newQuestion("После переезда", phone: nil))
                #expect(next.id! > maxQuestion)
                let topic = try await target.saveGrouping(
                    [TopicAssignment(topicID: nil, questionIDs: [next.id!], facts: TopicStoreContractTests.facts("Новая тема"))],
                    actor: "grouper", now: Fixture.now)
                #expect(topic[0] > maxTopic + 1, "the merged-away topic's id was handed out again")
                // A second copy into the now non-empty target is refused.
                await #expect(throws: TyndauError.self) { _ = try await StoreCopy().run(from: reading, to: writing) }
            }
        }
    }

    /// Issue 17, faults on purpose: `tyndau db copy` stopped by SIGTERM cancels the copy. Cancelled after
    /// its first batches, it must leave the target as it found it — empty, ready for another run — on
    /// every engine: all or nothing. (Before, the cancelled task's clean-up was itself cancelled, and a
    /// signal killed the process outright, leaving half the tables filled.)
    @Test(arguments: StoreFactory.all, StoreFactory.all)
    func aCancelledCopyLeavesTheTargetEmpty(_ from: StoreFactory, _ to: StoreFactory) async throws {
        try await from.withStore { source in
            try await to.withStore { target in
                let reading = try #require(source as? any TableCopying)
                let writing = try #require(target as? any TableCopying)
                try await Self.populate(source)
                let copying = Task {
                    try await StoreCopy(batchSize: 2).run(from: reading, to: writing, rowsCopied: { rows in
                        if rows >= 10 { withUnsafeCurrentTask { $0?.cancel() } }
                    })
                }
                await #expect(throws: (any Error).self) { _ = try await copying.value }
                let snapshot = try await writing.openCopySnapshot()
                for table in try await writing.tablesToCopy() {
                    #expect(try await snapshot.count(table) == 0, "\(table.name) after a cancelled copy")
                }
                try await snapshot.close()
                // And the copy simply runs again.
                let report = try await StoreCopy(batchSize: 50).run(from: reading, to: writing)
                #expect(report.totalRows > 50)
            }
        }
    }
}
