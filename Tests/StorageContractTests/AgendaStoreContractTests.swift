import Foundation
import Testing
import TyndauCore

/// `AgendaStore`: single-question topics, candidates, saving and rebuilding a week, the freeze,
/// the office's pins and skips, and series settings.
@Suite struct AgendaStoreContractTests {
    static let week = ISOWeek("2026-W49")!
    static let start = Date(timeIntervalSince1970: 1_796_292_000)  // 2026-12-03 15:00 Almaty
    static let before = start.addingTimeInterval(-3 * 86_400)

    static func question(_ text: String, phone: String?, at offset: Double = 0) -> NewQuestion {
        NewQuestion(
            question: Question(text: text, language: .ru, category: .utilities, street: "Саина", channel: .cli,
                               submittedAt: before.addingTimeInterval(offset)),
            contact: phone.map { AskerContact(phone: $0, consent: true) })
    }

    /// Three questions, two of them from the same person; one topic each. Returns question and topic ids.
    static func seeded(_ store: any TyndauStore) async throws -> (questions: [Question.ID], topics: [Topic.ID]) {
        let inserted = try await store.insert(batch: [
            question("Нет воды третий день в доме 12 по Саина", phone: "+77011234567"),
            question("Когда починят фонари на улице Саина?", phone: "+77011234567", at: 60),
            question("Во дворе дома 5 не вывозят мусор", phone: nil, at: 120),
        ]).inserted
        #expect(try await store.makeSingleQuestionTopics(actor: "test", now: before) == 3)
        var topics: [Topic.ID] = []
        for question in inserted {
            topics.append(try #require(try await store.question(id: question.id!)?.topicID))
        }
        return (inserted.map { $0.id! }, topics)
    }

    static func record(items topicIDs: [Topic.ID], written: [Topic.ID] = [], startsAt: Date = start) -> AgendaRecord {
        AgendaRecord(
            meeting: Meeting(week: week, startsAt: startsAt, durationMinutes: 60, timeZone: "Asia/Almaty"),
            items: topicIDs.enumerated().map { index, id in
                AgendaItem(meetingID: 0, topicID: id, position: index + 1, block: .landscapingUtilities,
                           startOffsetMinutes: 5 + 4 * index, minutes: 4, why: "askers=1")
            },
            writtenAnswers: written.map { WrittenAnswerEntry(topicID: $0, week: week, deadline: "2026-12-21", weeksWaited: 3) })
    }

    @Test(arguments: StoreFactory.all)
    func makesOneTopicPerUngroupedQuestionOnce(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (questions, topics) = try await Self.seeded(store)
            #expect(Set(topics).count == 3)
            #expect(try await store.makeSingleQuestionTopics(actor: "test", now: Self.before) == 0)
            #expect(try await store.agendaTopicCount() == 3)
            #expect(try await store.countQuestions(status: .grouped) == 3)
            let topic = try #require(try await store.agendaTopic(id: topics[0]))
            #expect(topic.title == "Нет воды третий день в доме 12 по Саина")
            #expect(topic.representativeQuestionID == questions[0] && topic.place == "Саина" && topic.category == .utilities)
            #expect(topic.state == .open && topic.createdAt == Self.before)
            #expect(try await store.agendaTopic(id: 9999) == nil)
            let candidates = try await store.agendaCandidates(week: Self.week, submittedBefore: Self.start)
            #expect(candidates.map(\.summary.topic.id) == topics)
            #expect(candidates[0].summary.askers == 1 && candidates[0].texts == ["Нет воды третий день в доме 12 по Саина"])
            #expect(candidates[2].lastChangedAt == Self.before.addingTimeInterval(120))
            // Questions submitted after the cut-off do not count.
            let early = try await store.agendaCandidates(week: Self.week, submittedBefore: Self.before.addingTimeInterval(30))
            #expect(early.map(\.summary.topic.id) == [topics[0]])
        }
    }

    @Test(arguments: StoreFactory.all)
    func askersAreCountedOncePerPerson(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (questions, topics) = try await Self.seeded(store)
            // Grouping puts all three questions into the first topic.
            try await store.saveGrouping(
                [TopicAssignment(topicID: topics[0], questionIDs: questions, facts: TopicFacts(
                    representativeQuestionID: questions[0], title: "Саина", category: .utilities, placeKey: nil, place: "Саина",
                    conceptKey: nil, reason: "saina"))],
                actor: "grouper", now: Self.before)
            let facts = try await store.agendaCandidates(week: Self.week, submittedBefore: Self.start)
            #expect(facts.count == 1)
            let first = try #require(facts.first)
            // The same phone twice → one person; the anonymous question → one more.
            #expect(first.summary.askers == 2)
            #expect(first.summary.questionIDs == questions)
            #expect(first.texts.count == 3)
            #expect(first.summary.firstSubmittedAt == Self.before)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aRebuildReplacesTheWeekAndRestoresWhatTheFirstBuildMoved(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, topics) = try await Self.seeded(store)
            try await store.saveAgenda(Self.record(items: [topics[0], topics[1]], written: [topics[2]]), actor: "test", now: Self.before)
            let meeting = try #require(try await store.meeting(week: Self.week))
            #expect(meeting.startsAt == Self.start && meeting.state == .planned && meeting.durationMinutes == 60)
            let items = try await store.agendaItems(week: Self.week)
            #expect(items.map(\.topicID) == [topics[0], topics[1]])
            #expect(items.allSatisfy { $0.meetingID == meeting.id && $0.id != nil })
            #expect(items.map(\.position) == [1, 2] && items[1].startOffsetMinutes == 9 && items[0].why == "askers=1")
            #expect(try await store.agendaTopic(id: topics[0])?.state == .scheduled)
            #expect(try await store.agendaTopic(id: topics[2])?.state == .written)
            #expect(try await store.writtenAnswers(week: Self.week) == [
                WrittenAnswerEntry(topicID: topics[2], week: Self.week, deadline: "2026-12-21", weeksWaited: 3),
            ])
            #expect(try await store.countQuestions(status: .scheduled) == 2)
            #expect(try await store.auditEvents(subject: "meeting:\(Self.week)", limit: 5).map(\.action) == ["agenda.build"])
            // The rebuild still sees every topic of the week as a candidate.
            #expect(try await store.agendaCandidates(week: Self.week, submittedBefore: Self.start).count == 3)

            try await store.saveAgenda(Self.record(items: [topics[2]]), actor: "test", now: Self.before)
            #expect(try await store.agendaItems(week: Self.week).map(\.topicID) == [topics[2]])
            #expect(try await store.meeting(week: Self.week)?.id == meeting.id)
            #expect(try await store.agendaTopic(id: topics[0])?.state == .open)
            #expect(try await store.agendaTopic(id: topics[2])?.state == .scheduled)
            #expect(try await store.writtenAnswers(week: Self.week).isEmpty)
            #expect(try await store.countQuestions(status: .scheduled) == 1)
            #expect(try await store.countQuestions(status: .grouped) == 2)
            #expect(try await store.agendaItems(week: ISOWeek("2026-W50")!).isEmpty)
            #expect(try await store.meeting(week: ISOWeek("2026-W50")!) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aStartedMeetingIsFrozen(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, topics) = try await Self.seeded(store)
            // A week whose start has passed cannot get a first agenda either.
            await #expect(throws: TyndauError.agendaFrozen(Self.week)) {
                try await store.saveAgenda(Self.record(items: [topics[1]]), actor: "test", now: Self.start)
            }
            #expect(try await store.meeting(week: Self.week) == nil)
            try await store.saveAgenda(Self.record(items: [topics[0]]), actor: "test", now: Self.before)
            await #expect(throws: TyndauError.agendaFrozen(Self.week)) {
                try await store.saveAgenda(Self.record(items: [topics[1]]), actor: "test", now: Self.start)
            }
            #expect(try await store.agendaItems(week: Self.week).map(\.topicID) == [topics[0]])
            #expect(try await store.agendaTopic(id: topics[1])?.state == .open)
            #expect(try await store.countQuestions(status: .scheduled) == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func marksReplaceEachOtherAndSettingsOverrideByKey(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, topics) = try await Self.seeded(store)
            try await store.setAgendaMark(AgendaMark(week: Self.week, topicID: topics[1], kind: .pin, actor: "office", at: Self.before))
            try await store.setAgendaMark(AgendaMark(week: Self.week, topicID: topics[1], kind: .skip, reason: "дубль", actor: "office", at: Self.before))
            try await store.setAgendaMark(AgendaMark(week: ISOWeek("2026-W50")!, topicID: topics[0], kind: .pin, actor: "office", at: Self.before))
            let marks = try await store.agendaMarks(week: Self.week)
            #expect(marks == [AgendaMark(week: Self.week, topicID: topics[1], kind: .skip, reason: "дубль", actor: "office", at: Self.before)])
            #expect(try await store.auditEvents(subject: "topic:\(topics[1])", limit: 5).map(\.action) == ["agenda.skip", "agenda.pin"])
            #expect(try await store.removeAgendaMark(week: Self.week, topicID: topics[1], actor: "office", now: Self.before))
            #expect(try await !store.removeAgendaMark(week: Self.week, topicID: topics[1], actor: "office", now: Self.before))
            #expect(try await store.agendaMarks(week: Self.week).isEmpty)
            #expect(try await store.agendaMarks(week: ISOWeek("2026-W50")!).count == 1)

            #expect(try await store.seriesSettings().isEmpty)
            try await store.setSeriesSettings(["duration_minutes": "90", "weekday": "2"], actor: "office", now: Self.before)
            try await store.setSeriesSettings(["duration_minutes": "75", "weekday": ""], actor: "office", now: Self.before)
            #expect(try await store.seriesSettings() == ["duration_minutes": "75"])
            #expect(try await store.auditEvents(subject: "series", limit: 5).count == 2)
        }
    }
}
