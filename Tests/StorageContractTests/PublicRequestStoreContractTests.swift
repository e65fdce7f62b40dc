import Foundation
import Testing
import TyndauCore

/// `PublicRequestStore`: the page of questions for the public list with every filter, newest first,
/// and the rows about their topics (meetings, answers, commitments, written answers).
@Suite struct PublicRequestStoreContractTests {
    static let week = AgendaStoreContractTests.week
    static let start = AgendaStoreContractTests.start
    static let before = AgendaStoreContractTests.before
    static let all = Set(QuestionStatus.allCases)

    /// Five questions an hour apart (the last without a category); the first two on the agenda, the
    /// first answered with a commitment, the third sent to the written-answer queue; the fifth rejected.
    static func seeded(_ store: any TyndauStore) async throws -> [Question] {
        var questions: [Question] = []
        for index in 0..<5 {
            let stored = try await store.insert(NewQuestion(
                question: Question(
                    text: "Вопрос \(index) о Саина", language: .ru, category: index == 4 ? nil : (index % 2 == 0 ? .utilities : .transport),
                    street: "Саина", channel: .cli, submittedAt: before.addingTimeInterval(Double(index) * 3600)),
                contact: index == 0 ? AskerContact(name: "Айгуль Серикова", phone: "+77011234567", consent: true) : nil))
            questions.append(stored)
        }
        try await store.updateStatus(questionID: questions[4].id!, to: .rejected, reason: "спам", actor: "office", now: Date())
        _ = try await store.makeSingleQuestionTopics(actor: "test", now: before)
        var topics: [Topic.ID] = []
        for question in questions.prefix(3) { topics.append(try #require(try await store.question(id: question.id!)?.topicID)) }
        try await store.saveAgenda(
            AgendaStoreContractTests.record(items: Array(topics.prefix(2)), written: [topics[2]]), actor: "test", now: before)
        let items = try await store.agendaItems(week: week)
        try await store.recordAnswer(
            AnswerInput(text: "Заменим", kind: .commitment, responsible: "ЖКХ", dueDate: "2026-12-20"),
            week: week, itemID: items[0].id!, actor: "office", now: start.addingTimeInterval(600))
        _ = try await store.closeMeeting(week: week, actor: "office", now: start.addingTimeInterval(1200))
        var refreshed: [Question] = []
        for question in questions { refreshed.append(try #require(try await store.question(id: question.id!))) }
        return refreshed
    }

    @Test(arguments: StoreFactory.all)
    func filtersByStatusCategoryIdsAndTimeNewestFirst(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let questions = try await Self.seeded(store)
            #expect(questions.map(\.status) == [.answered, .grouped, .grouped, .grouped, .rejected])
            func ids(_ query: PublicRequestQuery) async throws -> [Question.ID] {
                try await store.publicRequestRecords(query).entries.map { $0.question.id! }
            }
            let id = questions.map { $0.id! }
            #expect(try await ids(PublicRequestQuery(statuses: Self.all, limit: 10)) == id.reversed())
            #expect(try await ids(PublicRequestQuery(statuses: [.grouped], limit: 10)) == [id[3], id[2], id[1]])
            #expect(try await ids(PublicRequestQuery(statuses: [.answered, .rejected], limit: 10)) == [id[4], id[0]])
            #expect(try await ids(PublicRequestQuery(categories: [.utilities], statuses: Self.all, limit: 10)) == [id[2], id[0]])
            #expect(try await ids(PublicRequestQuery(categories: [.other], includeUncategorised: true, statuses: Self.all, limit: 10)) == [id[4]])
            #expect(try await ids(PublicRequestQuery(categories: [.other], statuses: Self.all, limit: 10)) == [])
            #expect(try await ids(PublicRequestQuery(categories: [], statuses: Self.all, limit: 10)) == [])
            #expect(try await ids(PublicRequestQuery(questionIDs: [id[1], id[4], 9999], statuses: Self.all, limit: 10)) == [id[4], id[1]])
            #expect(try await ids(PublicRequestQuery(questionIDs: [], statuses: Self.all, limit: 10)) == [])
            // Bounds are inclusive.
            #expect(try await ids(PublicRequestQuery(
                statuses: Self.all, submittedFrom: Self.before.addingTimeInterval(3600), submittedTo: Self.before.addingTimeInterval(3 * 3600),
                limit: 10)) == [id[3], id[2], id[1]])
            #expect(try await ids(PublicRequestQuery(statuses: Self.all, limit: 2, offset: 1)) == [id[3], id[2]])
            #expect(try await ids(PublicRequestQuery(statuses: Self.all, limit: 2, offset: 10)) == [])
        }
    }

    @Test(arguments: StoreFactory.all)
    func readsMeetingsAnswersCommitmentsWrittenAnswersAndTheAskerName(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let questions = try await Self.seeded(store)
            let facts = try await store.publicRequestFacts(PublicRequestQuery(statuses: Self.all, limit: 10))
            let byID = Dictionary(uniqueKeysWithValues: facts.map { ($0.question.id!, $0) })
            let answered = try #require(byID[questions[0].id!])
            #expect(answered.askerName == "Айгуль Серикова")
            #expect(answered.meeting?.week == Self.week && answered.meeting?.startsAt == Self.start && answered.meeting?.state == .closed)
            #expect(answered.answer?.text == "Заменим" && answered.answer?.isFinal == true)
            #expect(answered.commitment?.responsible == "ЖКХ" && answered.commitment?.dueDate == "2026-12-20")
            let returned = try #require(byID[questions[1].id!])
            #expect(returned.meeting?.week == Self.week && returned.answer == nil && returned.commitment == nil && returned.askerName == nil)
            let written = try #require(byID[questions[2].id!])
            #expect(written.writtenAnswer?.deadline == "2026-12-21" && written.writtenAnswer?.week == Self.week && written.meeting == nil)
            let rejected = try #require(byID[questions[4].id!])
            #expect(rejected.question.statusReason == "спам" && rejected.meeting == nil && rejected.writtenAnswer == nil)

            // The public view built from them is the same on every engine.
            let view = PublicRequests.view(answered, language: .en)
            #expect(view.statusNotes == "answered at the meeting of 2026-12-03" && view.agencyResponsible == "ЖКХ" && !view.isOpen)
            #expect(PublicRequests.view(written, language: .en).statusNotes == "written answer due 2026-12-21")
        }
    }
}
