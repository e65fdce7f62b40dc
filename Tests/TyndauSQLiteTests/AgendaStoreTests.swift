import Foundation
import GRDB
import Testing
import TyndauCore
@testable import TyndauSQLite

@Suite struct AgendaStoreTests {
    static let week = ISOWeek("2026-W49")!
    static let start = Date(timeIntervalSince1970: 1_796_292_000)  // 2026-12-03 15:00 Almaty
    static let before = start.addingTimeInterval(-3 * 86_400)

    static func question(_ text: String, phone: String?, at offset: Double = 0) -> NewQuestion {
        NewQuestion(
            question: Question(text: text, language: .ru, category: .utilities, street: "Саина", channel: .cli,
                               submittedAt: before.addingTimeInterval(offset)),
            contact: phone.map { AskerContact(phone: $0, consent: true) }
        )
    }

    /// Three questions, two of them from the same person, one topic each until grouping runs.
    static func seeded() async throws -> SQLiteStore {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        _ = try await database.insert(batch: [
            question("Нет воды третий день в доме 12 по Саина", phone: "+77011234567"),
            question("Когда починят фонари на улице Саина?", phone: "+77011234567", at: 60),
            question("Во дворе дома 5 не вывозят мусор", phone: nil, at: 120),
        ])
        return database
    }

    @Test func makesOneTopicPerUngroupedQuestionOnce() async throws {
        let database = try await Self.seeded()
        #expect(try await database.makeSingleQuestionTopics(actor: "test", now: Self.before) == 3)
        #expect(try await database.makeSingleQuestionTopics(actor: "test", now: Self.before) == 0)
        #expect(try await database.agendaTopicCount() == 3)
        #expect(try await database.countQuestions(status: .grouped) == 3)
        let candidates = try await database.agendaCandidates(week: Self.week, submittedBefore: Self.start)
        #expect(candidates.count == 3)
        #expect(candidates[0].summary.askers == 1)
        #expect(candidates[0].summary.topic.place == "Саина")
        // A question after the cut-off does not count.
        #expect(try await database.agendaCandidates(week: Self.week, submittedBefore: Self.before.addingTimeInterval(30)).count == 1)
    }

    @Test func askersAreCountedOncePerPerson() async throws {
        let database = try await Self.seeded()
        _ = try await database.makeSingleQuestionTopics(actor: "test", now: Self.before)
        // Put the second question into the first one's topic, as grouping would.
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE question SET topicID = 1 WHERE id = 2")
            try db.execute(sql: "UPDATE question SET topicID = 1 WHERE id = 3")
        }
        let facts = try await database.agendaCandidates(week: Self.week, submittedBefore: Self.start)
        let first = try #require(facts.first { $0.summary.topic.id == 1 })
        // Same phone twice → one person; the anonymous question → one more.
        #expect(first.summary.askers == 2)
        #expect(first.summary.questionIDs == [1, 2, 3])
        #expect(first.texts.count == 3)
    }

    static func record(items topicIDs: [Topic.ID], written: [Topic.ID] = []) -> AgendaRecord {
        AgendaRecord(
            meeting: Meeting(week: week, startsAt: start, durationMinutes: 60, timeZone: "Asia/Almaty"),
            items: topicIDs.enumerated().map { index, id in
                AgendaItem(meetingID: 0, topicID: id, position: index + 1, block: .landscapingUtilities,
                           startOffsetMinutes: 5 + 4 * index, minutes: 4, why: "askers=1")
            },
            writtenAnswers: written.map { WrittenAnswerEntry(topicID: $0, week: week, deadline: "2026-12-21", weeksWaited: 3) }
        )
    }

    @Test func rebuildReplacesTheWeekAndRestoresWhatTheFirstBuildMoved() async throws {
        let database = try await Self.seeded()
        _ = try await database.makeSingleQuestionTopics(actor: "test", now: Self.before)
        try await database.saveAgenda(Self.record(items: [1, 2], written: [3]), actor: "test", now: Self.before)
        #expect(try await database.agendaItems(week: Self.week).map(\.topicID) == [1, 2])
        #expect(try await database.agendaTopic(id: 1)?.state == .scheduled)
        #expect(try await database.agendaTopic(id: 3)?.state == .written)
        #expect(try await database.countQuestions(status: .scheduled) == 2)
        // The stored week is the plain string, so SQL can find it.
        let weekText = try await database.writer.read { db in try String.fetchOne(db, sql: "SELECT week FROM meeting") }
        #expect(weekText == "2026-W49")
        // The rebuild still sees every topic of the week as a candidate.
        #expect(try await database.agendaCandidates(week: Self.week, submittedBefore: Self.start).count == 3)

        try await database.saveAgenda(Self.record(items: [3]), actor: "test", now: Self.before)
        #expect(try await database.agendaItems(week: Self.week).map(\.topicID) == [3])
        #expect(try await database.agendaTopic(id: 1)?.state == .open)
        #expect(try await database.agendaTopic(id: 3)?.state == .scheduled)
        #expect(try await database.writtenAnswers(week: Self.week).isEmpty)
        #expect(try await database.countQuestions(status: .scheduled) == 1)
        #expect(try await database.countQuestions(status: .grouped) == 2)
    }

    @Test func aStartedMeetingIsFrozen() async throws {
        let database = try await Self.seeded()
        _ = try await database.makeSingleQuestionTopics(actor: "test", now: Self.before)
        try await database.saveAgenda(Self.record(items: [1]), actor: "test", now: Self.before)
        await #expect(throws: TyndauError.agendaFrozen(Self.week)) {
            try await database.saveAgenda(Self.record(items: [2]), actor: "test", now: Self.start)
        }
        #expect(try await database.agendaItems(week: Self.week).map(\.topicID) == [1])
    }

    @Test func marksAndSettingsPersist() async throws {
        let database = try await Self.seeded()
        _ = try await database.makeSingleQuestionTopics(actor: "test", now: Self.before)
        try await database.setAgendaMark(AgendaMark(week: Self.week, topicID: 2, kind: .pin, actor: "test", at: Self.before))
        try await database.setAgendaMark(AgendaMark(week: Self.week, topicID: 2, kind: .skip, reason: "дубль", actor: "test", at: Self.before))
        let marks = try await database.agendaMarks(week: Self.week)
        #expect(marks.count == 1 && marks[0].kind == .skip && marks[0].reason == "дубль")
        #expect(try await database.removeAgendaMark(week: Self.week, topicID: 2, actor: "test", now: Self.before))
        #expect(try await database.agendaMarks(week: Self.week).isEmpty)

        try await database.setSeriesSettings(["duration_minutes": "90", "weekday": "2"], actor: "test", now: Self.before)
        try await database.setSeriesSettings(["duration_minutes": "75"], actor: "test", now: Self.before)
        #expect(try await database.seriesSettings() == ["duration_minutes": "75", "weekday": "2"])
    }
}
