import Foundation
import Testing
import TyndauCore

/// `IntakeStore`: group-committed submissions, the duplicate window, the resident's progress page and
/// the golden-hour report.
@Suite struct IntakeStoreContractTests {
    static func submission(_ text: String, client: String? = "c1", at date: Date = Fixture.now, window: TimeInterval = 600, contact: AskerContact? = nil) -> IntakeSubmission {
        let question = Question(text: text, language: .ru, channel: .api, submittedAt: date)
        return IntakeSubmission(
            newQuestion: NewQuestion(question: question, contact: contact), clientKey: client, textKey: "k:" + text, duplicateWindow: window)
    }

    @Test(arguments: StoreFactory.all)
    func aBatchIsStoredAcknowledgedAuditedAndInOrder(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let receipts = try await store.submit((1...5).map { Self.submission("Вопрос номер \($0) про двор") }, now: Fixture.now)
            #expect(receipts.map(\.question.text) == (1...5).map { "Вопрос номер \($0) про двор" })
            #expect(receipts.allSatisfy { $0.question.status == .acknowledged && !$0.isDuplicate && !$0.hasContact })
            #expect(Set(receipts.compactMap(\.question.ticket)).count == 5)
            #expect(try await store.countQuestions(status: .acknowledged) == 5)
            let id = try #require(receipts[0].question.id)
            #expect(try await store.question(id: id)?.status == .acknowledged)
            let events = try await store.auditEvents(subject: "question:\(id)", limit: 5)
            #expect(events.map(\.details) == ["received → acknowledged"])
            #expect(events.first?.actor == "intake")
            #expect(try await store.submit([], now: Fixture.now).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func theSameClientAndTextWithinTheWindowGetTheFirstQuestionBack(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let contact = AskerContact(email: "a@example.kz", consent: true)
            let receipts = try await store.submit(
                [Self.submission("Одинаковый текст вопроса", contact: contact), Self.submission("Одинаковый текст вопроса")], now: Fixture.now)
            #expect(!receipts[0].isDuplicate && receipts[0].hasContact)
            #expect(receipts[1].isDuplicate && receipts[1].question.id == receipts[0].question.id && receipts[1].hasContact)
            let later = try await store.submit([Self.submission("Одинаковый текст вопроса")], now: Fixture.now.addingTimeInterval(599))
            #expect(later[0].isDuplicate && later[0].question.ticket == receipts[0].question.ticket)
            let otherClient = try await store.submit([Self.submission("Одинаковый текст вопроса", client: "c2")], now: Fixture.now)
            #expect(!otherClient[0].isDuplicate)
            let anonymousClient = try await store.submit(
                [Self.submission("Одинаковый текст вопроса", client: nil), Self.submission("Одинаковый текст вопроса", client: nil)], now: Fixture.now)
            #expect(anonymousClient.allSatisfy { !$0.isDuplicate })
            let afterWindow = try await store.submit([Self.submission("Одинаковый текст вопроса")], now: Fixture.now.addingTimeInterval(601))
            #expect(!afterWindow[0].isDuplicate)
            #expect(try await store.countQuestions(status: nil) == 5)
        }
    }

    /// One batch holding every kind of submission: each gets its own receipt, in batch order, exactly as
    /// if each had been stored alone one after the other (PostgreSQL stores the batch in a few multi-row
    /// statements, SQLite row by row), and every stored row keeps its fields, NULLs included.
    @Test(arguments: StoreFactory.all)
    func aMixedBatchAnswersEachSubmissionAsIfAlone(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let first = try await store.submit([Self.submission("Уже сохранённый вопрос о дворе", client: "m")], now: Fixture.now)[0]
            let limit = IntakeRateLimit(limit: 2, window: 3600)
            func limited(_ text: String) -> IntakeSubmission {
                var submission = Self.submission(text, client: "busy")
                submission.rateLimit = limit
                return submission
            }
            let contact = AskerContact(
                name: "Айгуль", phone: "+77011234567", email: nil, telegramChatID: 4242, telegramUsername: nil, consent: true,
                consentAt: Fixture.now, language: .kk)
            var detailed = Self.submission("Вопрос с контактом и адресом", client: "m", contact: contact)
            detailed.newQuestion.question.street = "Абая"
            detailed.newQuestion.question.house = nil
            detailed.newQuestion.question.category = .transport
            detailed.newQuestion.question.externalID = "ext-7"
            let batch = [
                Self.submission("Новый вопрос номер один", client: "m"),
                Self.submission("Уже сохранённый вопрос о дворе", client: "m"),  // a stored duplicate
                limited("Первый из лимита"),
                Self.submission("Новый вопрос номер один", client: "m"),  // a duplicate of the batch's first
                limited("Второй из лимита"),
                detailed,
                limited("Третий из лимита: отказ"),
                Self.submission("Без клиента", client: nil),
                Self.submission("Новый вопрос номер один", client: "other"),  // another client: new
                Self.submission("Пустой контакт", client: "m", contact: AskerContact()),
            ]
            let receipts = try await store.submit(batch, now: Fixture.now.addingTimeInterval(5))
            #expect(receipts.count == batch.count)
            #expect(receipts.map(\.isDuplicate) == [false, true, false, true, false, false, false, false, false, false])
            #expect(receipts.map(\.isStored) == [true, true, true, true, true, true, false, true, true, true])
            #expect(receipts[6].retryAfter == 3600 && receipts[6].question.id == nil)
            #expect(receipts[1].question.id == first.question.id && receipts[1].question.ticket == first.question.ticket)
            #expect(receipts[3].question.id == receipts[0].question.id)
            #expect(receipts.map(\.hasContact) == [false, false, false, false, false, true, false, false, false, false])
            // New questions: ids and tickets in batch order, acknowledged, each audited once.
            let fresh = [0, 2, 4, 5, 7, 8, 9].map { receipts[$0].question }
            let ids = fresh.compactMap(\.id)
            #expect(ids.count == 7 && ids == ids.sorted() && Set(ids).count == 7 && !ids.contains(first.question.id!))
            #expect(fresh.map(\.text) == [0, 2, 4, 5, 7, 8, 9].map { batch[$0].newQuestion.question.text })
            #expect(fresh.allSatisfy { $0.status == .acknowledged && $0.ticket != nil })
            for question in fresh {
                let stored = try #require(try await store.question(id: question.id!))
                #expect(stored.ticket == question.ticket && stored.text == question.text && stored.status == .acknowledged)
                #expect(try await store.auditEvents(subject: "question:\(question.id!)", limit: 5).map(\.details) == ["received → acknowledged"])
            }
            let storedDetailed = try #require(try await store.question(id: receipts[5].question.id!))
            #expect(storedDetailed.street == "Абая" && storedDetailed.house == nil && storedDetailed.category == .transport)
            #expect(storedDetailed.externalID == "ext-7" && storedDetailed.channel == .api)
            #expect(storedDetailed.submittedAt == Fixture.now)
            let storedPlain = try #require(try await store.question(id: receipts[0].question.id!))
            #expect(storedPlain.street == nil && storedPlain.category == nil && storedPlain.externalID == nil)
            #expect(try await store.countQuestions(status: nil) == 8)
            // The batch's fingerprints count afterwards: the same texts again are duplicates, the limit is full.
            let again = try await store.submit(
                [Self.submission("Вопрос с контактом и адресом", client: "m"), limited("Четвёртый из лимита")],
                now: Fixture.now.addingTimeInterval(10))
            #expect(again[0].isDuplicate && again[0].question.id == receipts[5].question.id && again[0].hasContact)
            #expect(again[1].retryAfter != nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func concurrentBatchesStoreEverySubmissionOnce(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for batch in 0..<6 {
                    group.addTask {
                        try await store.submit((0..<10).map { Self.submission("Пакет \(batch), вопрос \($0)", client: "c\(batch)") }, now: Fixture.now).count
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == 60)
            let stored = try await store.questions(QuestionQuery())
            #expect(stored.count == 60 && Set(stored.map(\.text)).count == 60 && Set(stored.compactMap(\.ticket)).count == 60)
        }
    }

    /// The rate limit is reserved in the storing transaction: concurrent transactions of one client (and
    /// the submissions inside one batch) cannot pass it together; other clients are not affected.
    @Test(arguments: StoreFactory.all)
    func concurrentSubmissionsOfOneClientStoreExactlyTheLimit(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let limit = IntakeRateLimit(limit: 10, window: 3600)
            func limited(_ text: String, client: String = "burst") -> IntakeSubmission {
                var submission = Self.submission(text, client: client)
                submission.rateLimit = limit
                return submission
            }
            // 25 single-submission transactions at once, plus one batch of 5 in the same burst.
            let receipts = try await withThrowingTaskGroup(of: [IntakeReceipt].self) { group in
                for index in 0..<25 {
                    group.addTask { try await store.submit([limited("Одновременный вопрос номер \(index)")], now: Fixture.now) }
                }
                group.addTask { try await store.submit((0..<5).map { limited("Вопрос из пакета \($0)") }, now: Fixture.now) }
                return try await group.reduce(into: [IntakeReceipt]()) { $0 += $1 }
            }
            #expect(receipts.count == 30)
            #expect(receipts.filter(\.isStored).count == 10)
            #expect(receipts.filter { !$0.isStored }.allSatisfy { $0.retryAfter == 3600 })
            #expect(try await store.countQuestions(status: nil) == 10)
            // One batch alone: its own earlier submissions count.
            let batch = try await store.submit((0..<4).map { limited("Другой житель, вопрос \($0)", client: "other") }, now: Fixture.now)
            #expect(batch.map(\.isStored) == [true, true, true, true])
            let over = try await store.submit(
                (0..<12).map { limited("Третий житель, вопрос \($0)", client: "third") }, now: Fixture.now)
            #expect(over.prefix(10).allSatisfy(\.isStored) && over.suffix(2).allSatisfy { $0.retryAfter == 3600 })
            // The window slides: 30 minutes later still limited (retry after the rest of the hour), after it free.
            let later = try await store.submit([limited("Через полчаса")], now: Fixture.now.addingTimeInterval(1800))
            #expect(later[0].retryAfter == 1800)
            let afterHour = try await store.submit([limited("Через час")], now: Fixture.now.addingTimeInterval(3600))
            #expect(afterHour[0].isStored)
            #expect(try await store.countQuestions(status: nil) == 25)
        }
    }

    /// The golden-hour acknowledgement commits with its question: every stored question with a contact has
    /// its `ack:q<id>` row (concurrent transactions and batches alike); duplicates and refused ones add none.
    @Test(arguments: StoreFactory.all)
    func aStoredQuestionAlwaysHasItsAcknowledgementRow(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await store.syncEndpoints([Endpoint(name: "residents-mail", kind: "email", tags: ["residents"])])
            let acknowledgement = IntakeAcknowledgement(endpointNames: ["residents-mail"]) { question in
                OutgoingMessage(
                    messageKey: "ack:q\(question.id ?? 0)", subject: question.ticket, body: "received \(question.ticket ?? "")",
                    language: .ru, recipientQuestionID: question.id)
            }
            func submission(_ index: Int, client: String) -> IntakeSubmission {
                var submission = Self.submission(
                    "Вопрос жителя номер \(index) о ремонте двора", client: client,
                    contact: AskerContact(email: "resident\(index)@example.kz", consent: true))
                submission.acknowledgement = acknowledgement
                submission.rateLimit = IntakeRateLimit(limit: 12)
                return submission
            }
            let receipts = try await withThrowingTaskGroup(of: [IntakeReceipt].self) { group in
                for index in 0..<10 { group.addTask { try await store.submit([submission(index, client: "a")], now: Fixture.now) } }
                group.addTask { try await store.submit((10..<16).map { submission($0, client: "a") }, now: Fixture.now) }
                group.addTask { try await store.submit([submission(0, client: "a"), submission(1, client: "b")], now: Fixture.now) }
                return try await group.reduce(into: [IntakeReceipt]()) { $0 += $1 }
            }
            let stored = receipts.filter { $0.isStored && !$0.isDuplicate }.map(\.question)
            #expect(stored.count == 13, "12 for client a (the limit), 1 for b")
            let deliveries = try await store.deliveries(status: nil, limit: 100)
            #expect(deliveries.count == stored.count)
            #expect(Set(deliveries.map(\.messageKey)) == Set(stored.map { "ack:q\($0.id!)" }))
            #expect(Set(deliveries.compactMap(\.recipientQuestionID)) == Set(stored.compactMap(\.id)))
            #expect(deliveries.allSatisfy { delivery in stored.contains { "received \($0.ticket!)" == delivery.body } })
            #expect(try await store.countQuestions(status: nil) == stored.count)
        }
    }

    @Test(arguments: StoreFactory.all)
    func progressShowsTheTopicMeetingItemAndAnswer(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            #expect(try await store.progress(ticket: "TRK-2026-000001") == nil)
            let (questions, topics, items) = try await AnswerStoreContractTests.meeting(store)
            let ticket = try #require(try await store.question(id: questions[0])?.ticket)
            var progress = try #require(try await store.progress(ticket: ticket.lowercased()))
            #expect(progress.question.id == questions[0])
            #expect(progress.topicTitle == "Вопрос 1 о Саина")
            #expect(progress.meeting?.week == AnswerStoreContractTests.week && progress.agendaItem?.topicID == topics[0])
            #expect(progress.answer == nil)
            try await store.recordAnswer(
                AnswerInput(text: "Готово", kind: .answered), week: AnswerStoreContractTests.week, itemID: items[0].id!, actor: "office",
                now: AnswerStoreContractTests.during)
            progress = try #require(try await store.progress(ticket: ticket))
            #expect(progress.answer?.text == "Готово")
            let loose = try await store.submit([Self.submission("Без темы пока")], now: Fixture.now)[0].question
            let looseTicket = try #require(loose.ticket)
            let bare = try #require(try await store.progress(ticket: looseTicket))
            #expect(bare.topicTitle == nil && bare.meeting == nil && bare.agendaItem == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func theGoldenHourCountsTriageWithinAndPastTheWindow(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            // Triage time is stamped by the database's clock, so this report runs on the real one.
            let now = Date()
            let submitted = try await store.submit([
                Self.submission("Давний, разобран поздно", client: "a", at: now.addingTimeInterval(-7200)),
                Self.submission("Свежий, разобран вовремя", client: "b", at: now.addingTimeInterval(-600)),
                Self.submission("Давний, ждёт", client: "c", at: now.addingTimeInterval(-10_800)),
                Self.submission("Свежий, ждёт", client: "d", at: now.addingTimeInterval(-300)),
            ], now: now)
            try await store.updateStatus(questionID: submitted[0].question.id!, to: .rejected, reason: "спам", actor: "office", now: Date())
            try await store.updateStatus(questionID: submitted[1].question.id!, to: .redirected, reason: "город", actor: "office", now: Date())
            let report = try await store.goldenHour(since: nil, now: now.addingTimeInterval(1), window: 3600, oldestLimit: 5)
            #expect(report.total == 4)
            #expect(report.triagedLate == 1 && report.triagedWithin == 1)
            #expect(report.pendingOverdue == 1 && report.pendingWithin == 1)
            #expect(report.pastWindow == 2 && report.windowMinutes == 60)
            #expect(report.oldestUntriaged.map(\.ticket) == [submitted[2].question.ticket!, submitted[3].question.ticket!])
            #expect(report.oldestUntriaged.first?.waitingMinutes == 180)
            let recent = try await store.goldenHour(since: now.addingTimeInterval(-3600), now: now, window: 3600, oldestLimit: 1)
            #expect(recent.total == 2 && recent.triagedWithin == 1 && recent.pendingWithin == 1)
            #expect(recent.oldestUntriaged.count == 1)
        }
    }
}
