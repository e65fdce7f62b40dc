import Foundation
import GRDB
import Testing
import TyndauCore

@testable import TyndauSQLite

@Suite struct TopicStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func facts(_ title: String, concept: String = "lighting") -> TopicFacts {
        TopicFacts(
            representativeQuestionID: nil, title: title, category: .improvement, placeKey: "terekhin-st",
            place: "Терехина", conceptKey: concept, reason: concept)
    }

    /// Four stored questions (two askers share a phone) grouped into two topics.
    static func grouped() async throws -> (SQLiteStore, [Question.ID], [Topic.ID]) {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        var ids: [Question.ID] = []
        for (index, text) in [
            "Фонари на Терехина", "Терехин көшесінде жарық жоқ", "Ямы на Терехина", "Терехина, дорога разбита",
        ].enumerated() {
            var question = QuestionStoreTests.sample(text)
            question.contact = AskerContact(phone: index < 2 ? "+77010000001" : "+7701000000\(index)", consent: true)
            ids.append(try #require(try await database.insert(question).id))
        }
        let topics = try await database.saveGrouping(
            [
                TopicAssignment(topicID: nil, questionIDs: [ids[0], ids[1]], facts: facts("Фонари")),
                TopicAssignment(
                    topicID: nil, questionIDs: [ids[2], ids[3]], facts: facts("Ямы", concept: "roads.potholes")),
            ], actor: "test", now: now)
        return (database, ids, topics)
    }

    @Test func groupingMovesQuestionsToGroupedThroughTheLifecycle() async throws {
        let (database, ids, topics) = try await Self.grouped()
        for id in ids {
            let question = try #require(try await database.question(id: id))
            #expect(question.status == .grouped)
            #expect(question.topicID != nil)
        }
        let events = try await database.auditEvents(subject: "question:\(ids[0])", limit: 10)
        #expect(events.contains { $0.action == "question.status" && $0.details.contains("received → grouped") })
        let overview = try #require(try await database.topicOverview(id: topics[0]))
        #expect(overview.summary.questionIDs == [ids[0], ids[1]])
        #expect(overview.summary.askers == 1)  // the same phone asked twice
        #expect(overview.conceptKey == "lighting")
    }

    @Test func mergeKeepsEveryQuestionPinnedAndRemovesTheOtherTopic() async throws {
        let (database, ids, topics) = try await Self.grouped()
        try await database.mergeTopics(into: topics[0], from: topics[1], actor: "office", now: Self.now)
        #expect(try await database.topicOverview(id: topics[1]) == nil)
        let candidates = try await database.groupingCandidates()
        #expect(candidates.allSatisfy { $0.pinned && $0.question.topicID == topics[0] })
        #expect(candidates.map(\.question.id) == ids)
        let decisions = try await database.topicDecisions(topicID: topics[0])
        #expect(decisions.map(\.kind) == [.merge])
        #expect(decisions[0].questionIDs == [ids[2], ids[3]])
    }

    @Test func splitAndMovePersistAndRegroupingKeepsOfficeTitleAndCategory() async throws {
        let (database, ids, topics) = try await Self.grouped()
        let created = try await database.splitTopic(topics[0], questionIDs: [ids[1]], actor: "office", now: Self.now)
        try await database.renameTopic(topics[0], title: "Освещение на Терехина", actor: "office", now: Self.now)
        try await database.overrideCategory(topics[0], category: .utilities, actor: "office", now: Self.now)
        try await database.moveQuestion(ids[3], to: created, actor: "office", now: Self.now)

        // Reopen the file: everything the office decided is still there.
        let pinned = Dictionary(
            uniqueKeysWithValues: try await database.groupingCandidates().map { ($0.question.id!, $0) })
        #expect(pinned[ids[1]]?.pinned == true && pinned[ids[1]]?.question.topicID == created)
        #expect(pinned[ids[3]]?.pinned == true && pinned[ids[3]]?.question.topicID == created)
        #expect(pinned[ids[2]]?.pinned == false)

        // A later grouping run writes fresh facts: the office's title and category win.
        try await database.saveGrouping(
            [TopicAssignment(topicID: topics[0], questionIDs: [ids[0]], facts: Self.facts("Фонари не горят"))],
            actor: "test", now: Self.now)
        let topic = try #require(try await database.topicOverview(id: topics[0]))
        #expect(topic.summary.topic.title == "Освещение на Терехина")
        #expect(topic.summary.topic.category == .utilities && topic.summary.topic.categoryOverridden)
        #expect(topic.titleOverridden)
        let kinds = try await database.topicDecisions(topicID: nil).map(\.kind)
        #expect(kinds == [.split, .rename, .category, .move])
    }

    @Test func refusesToSplitOffEveryQuestionOrStrangers() async throws {
        let (database, ids, topics) = try await Self.grouped()
        await #expect(throws: TyndauError.self) {
            _ = try await database.splitTopic(topics[0], questionIDs: [ids[0], ids[1]], actor: "office", now: Self.now)
        }
        await #expect(throws: TyndauError.self) {
            _ = try await database.splitTopic(topics[0], questionIDs: [ids[2]], actor: "office", now: Self.now)
        }
        #expect(try await database.topicDecisions(topicID: nil).isEmpty)
    }

    @Test func emptyTopicsDisappearAfterAMove() async throws {
        let (database, ids, topics) = try await Self.grouped()
        try await database.moveQuestion(ids[2], to: topics[0], actor: "office", now: Self.now)
        try await database.moveQuestion(ids[3], to: topics[0], actor: "office", now: Self.now)
        #expect(try await database.topicOverview(id: topics[1]) == nil)
        #expect(try await database.topicOverviews(states: nil).count == 1)
    }
}
