import Foundation
import Testing
import TyndauCore

/// `AnswerStore`: answers during the meeting, closing it, commitments, notices and the one-time publication.
@Suite struct AnswerStoreContractTests {
    static let week = AgendaStoreContractTests.week
    static let start = AgendaStoreContractTests.start
    static let before = AgendaStoreContractTests.before
    static let during = start.addingTimeInterval(600)

    /// Three single-question topics on the week's agenda. The first asker left an e-mail with consent,
    /// the second a phone only, the third nothing.
    static func meeting(_ store: any TyndauStore) async throws -> (questions: [Question.ID], topics: [Topic.ID], items: [AgendaItem]) {
        let contacts: [AskerContact?] = [
            AskerContact(name: "Айгуль", email: "aigul@example.kz", consent: true, language: .kk),
            AskerContact(phone: "+77011234567", consent: true),
            nil,
        ]
        var questions: [Question.ID] = []
        for (index, contact) in contacts.enumerated() {
            var question = AgendaStoreContractTests.question("Вопрос \(index + 1) о Саина", phone: nil, at: Double(index) * 60)
            question.contact = contact
            questions.append(try #require(try await store.insert(question).id))
        }
        _ = try await store.makeSingleQuestionTopics(actor: "test", now: before)
        var topics: [Topic.ID] = []
        for id in questions { topics.append(try #require(try await store.question(id: id)?.topicID)) }
        try await store.saveAgenda(AgendaStoreContractTests.record(items: topics), actor: "test", now: before)
        return (questions, topics, try await store.agendaItems(week: week))
    }

    @Test(arguments: StoreFactory.all)
    func answersAreRecordedReplacedAndValidated(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, topics, items) = try await Self.meeting(store)
            let first = try await store.recordAnswer(
                AnswerInput(text: " Фонари заменят ", kind: .commitment, responsible: "ЖКХ", dueDate: "2026-12-20"),
                week: Self.week, itemID: items[0].id!, actor: "office", now: Self.during)
            #expect(first.answer?.text == "Фонари заменят" && first.answer?.kind == .commitment && first.answer?.isFinal == false)
            #expect(first.commitment?.responsible == "ЖКХ" && first.commitment?.dueDate == "2026-12-20" && first.commitment?.topicID == topics[0])
            #expect(first.question == "Вопрос 1 о Саина" && first.askers == 1 && first.topic.id == topics[0])
            // Recording again replaces the answer; a plain answer drops the commitment.
            let replaced = try await store.recordAnswer(
                AnswerInput(text: "Уже заменили", kind: .answered), week: Self.week, itemID: items[0].id!, actor: "office", now: Self.during)
            #expect(replaced.answer?.id == first.answer?.id && replaced.answer?.text == "Уже заменили" && replaced.commitment == nil)
            await #expect(throws: TyndauError.validation(["due": "field.required", "responsible": "field.required"])) {
                try await store.recordAnswer(AnswerInput(text: "Обещание", kind: .commitment), week: Self.week, itemID: items[1].id!, actor: "office", now: Self.during)
            }
            await #expect(throws: TyndauError.self) {
                try await store.recordAnswer(AnswerInput(text: "x", kind: .answered), week: Self.week, itemID: 9999, actor: "office", now: Self.during)
            }
            await #expect(throws: TyndauError.notFound("meeting 2026-W50")) {
                try await store.recordAnswer(AnswerInput(text: "x", kind: .answered), week: ISOWeek("2026-W50")!, itemID: items[0].id!, actor: "office", now: Self.during)
            }
            let answered = try await store.answeredItems(week: Self.week)
            #expect(answered.map(\.item.id) == items.map(\.id))
            #expect(answered.map { $0.answer != nil } == [true, false, false])
            #expect(try await store.auditEvents(subject: "agendaItem:\(items[0].id!)", limit: 5).map(\.action) == ["answer.record", "answer.record"])
        }
    }

    @Test(arguments: StoreFactory.all)
    func closingMakesAnswersFinalAndReturnsUnansweredTopicsToTheQueue(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (questions, topics, items) = try await Self.meeting(store)
            await #expect(throws: TyndauError.meetingNotStarted(Self.week)) {
                _ = try await store.closeMeeting(week: Self.week, actor: "office", now: Self.before)
            }
            #expect(try await store.openMeetings().map(\.week) == [Self.week])
            try await store.recordAnswer(
                AnswerInput(text: "Заменим", kind: .commitment, responsible: "ЖКХ", dueDate: "2026-12-20"),
                week: Self.week, itemID: items[0].id!, actor: "office", now: Self.during)
            try await store.recordAnswer(
                AnswerInput(text: "Перенаправлено", kind: .redirected, redirectedTo: "Акимат города"),
                week: Self.week, itemID: items[1].id!, actor: "office", now: Self.during)
            // Drafts of a live meeting are not commitments yet.
            #expect(try await store.commitments(dueBefore: nil, openOnly: false).isEmpty)

            let closure = try await store.closeMeeting(week: Self.week, actor: "office", now: Self.during)
            #expect(closure.answered == 2 && closure.returnedToQueue == 1)
            #expect(closure.meeting.state == .closed && closure.meeting.closedAt == Self.during)
            #expect(try await store.meeting(week: Self.week)?.state == .closed)
            #expect(try await store.openMeetings().isEmpty)
            #expect(try await store.question(id: questions[0])?.status == .answered)
            #expect(try await store.question(id: questions[1])?.status == .redirected)
            #expect(try await store.question(id: questions[2])?.status == .grouped)
            #expect(try await store.agendaTopic(id: topics[0])?.state == .answered)
            #expect(try await store.agendaTopic(id: topics[1])?.state == .closed)
            #expect(try await store.agendaTopic(id: topics[2])?.state == .open)
            #expect(try await store.answeredItems(week: Self.week).compactMap(\.answer).allSatisfy(\.isFinal))

            await #expect(throws: TyndauError.meetingClosed(Self.week)) {
                try await store.recordAnswer(AnswerInput(text: "Поздно", kind: .answered), week: Self.week, itemID: items[2].id!, actor: "office", now: Self.during)
            }
            await #expect(throws: TyndauError.meetingClosed(Self.week)) {
                _ = try await store.closeMeeting(week: Self.week, actor: "office", now: Self.during)
            }
            await #expect(throws: TyndauError.agendaFrozen(Self.week)) {
                try await store.saveAgenda(AgendaStoreContractTests.record(items: [topics[2]], startsAt: Self.start.addingTimeInterval(86_400)), actor: "test", now: Self.before)
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func commitmentsOfClosedMeetingsAreListedAndMarkedDoneOnce(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, _, items) = try await Self.meeting(store)
            for (index, due) in ["2026-12-20", "2026-12-10"].enumerated() {
                try await store.recordAnswer(
                    AnswerInput(text: "Обещание \(index)", kind: .commitment, responsible: "Отдел \(index)", dueDate: due),
                    week: Self.week, itemID: items[index].id!, actor: "office", now: Self.during)
            }
            _ = try await store.closeMeeting(week: Self.week, actor: "office", now: Self.during)
            let all = try await store.commitments(dueBefore: nil, openOnly: true)
            #expect(all.map(\.commitment.dueDate) == ["2026-12-10", "2026-12-20"])
            #expect(all.allSatisfy { $0.week == Self.week && $0.commitment.state == .open })
            #expect(all[0].topicTitle == "Вопрос 2 о Саина")
            #expect(try await store.commitments(dueBefore: "2026-12-15", openOnly: true).map(\.commitment.dueDate) == ["2026-12-10"])

            let id = try #require(all[0].commitment.id)
            let done = try await store.markCommitmentDone(id: id, note: nil, actor: "office", now: Self.during)
            #expect(done.commitment.state == .done && done.commitment.doneAt == Self.during)
            let again = try await store.markCommitmentDone(id: id, note: nil, actor: "office", now: Self.during.addingTimeInterval(60))
            #expect(again.commitment.doneAt == Self.during)
            #expect(try await store.auditEvents(subject: "commitment:\(id)", limit: 5).count == 1)
            #expect(try await store.commitments(dueBefore: nil, openOnly: true).count == 1)
            #expect(try await store.commitments(dueBefore: nil, openOnly: false).count == 2)
            await #expect(throws: TyndauError.notFound("commitment 9999")) {
                _ = try await store.markCommitmentDone(id: 9999, note: nil, actor: "office", now: Self.during)
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func noticesGoOnlyToAskersWhoLeftAReachableContactWithConsent(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (questions, topics, _) = try await Self.meeting(store)
            let recipients = try await store.noticeRecipients(topicIDs: topics)
            #expect(recipients.map(\.questionID) == [questions[0]])
            let first = try #require(recipients.first)
            #expect(first.hasEmail && !first.hasTelegram && first.language == .kk && first.name == "Айгуль")
            #expect(first.topicID == topics[0] && first.question == "Вопрос 1 о Саина" && first.ticket.hasPrefix("TRK-"))
            #expect(try await store.noticeRecipients(topicIDs: []).isEmpty)
            try await store.eraseContact(questionID: questions[0], actor: "office", now: Self.during)
            #expect(try await store.noticeRecipients(topicIDs: topics).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aClosedMeetingIsPublishedExactlyOnce(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await store.syncEndpoints([Endpoint(name: "site", kind: "webhook"), Endpoint(name: "mail", kind: "email")])
            let (questions, _, items) = try await Self.meeting(store)
            try await store.recordAnswer(AnswerInput(text: "Ответ", kind: .answered), week: Self.week, itemID: items[0].id!, actor: "office", now: Self.during)
            #expect(try await store.meetingsAwaitingPublication().isEmpty)
            _ = try await store.closeMeeting(week: Self.week, actor: "office", now: Self.during)
            #expect(try await store.meetingsAwaitingPublication().map(\.week) == [Self.week])
            let batches = [
                OutboxBatch(message: OutgoingMessage(messageKey: "digest:\(Self.week)", body: "Итоги"), endpointNames: ["site"]),
                OutboxBatch(
                    message: OutgoingMessage(messageKey: "notice:\(questions[0])", body: "Ответ", recipientQuestionID: questions[0]),
                    endpointNames: ["mail"]),
            ]
            // Two processes race to publish: one wins, the other enqueues nothing.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<4 { group.addTask { try await store.publishMeeting(week: Self.week, batches: batches, now: Self.during) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await store.countDeliveries(status: nil) == 2)
            #expect(try await store.meetingsAwaitingPublication().isEmpty)
            // An open meeting is never published.
            #expect(try await !store.publishMeeting(week: ISOWeek("2026-W50")!, batches: batches, now: Self.during))
        }
    }
}
