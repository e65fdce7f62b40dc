import Foundation
import Testing
import TyndauCore

/// `TopicStore`: grouping runs, the office's decisions, and that regrouping respects them.
@Suite struct TopicStoreContractTests {
    static func facts(_ title: String, concept: String = "lighting") -> TopicFacts {
        TopicFacts(
            representativeQuestionID: nil, title: title, category: .improvement, placeKey: "terekhin-st",
            place: "Терехина", conceptKey: concept, reason: concept)
    }

    /// Four questions (the first two from the same phone) grouped into two topics.
    static func grouped(_ store: any TyndauStore) async throws -> ([Question.ID], [Topic.ID]) {
        var ids: [Question.ID] = []
        for (index, text) in ["Фонари на Терехина", "Терехин көшесінде жарық жоқ", "Ямы на Терехина", "Терехина, дорога разбита"].enumerated() {
            var question = Fixture.newQuestion(text)
            question.contact = AskerContact(phone: index < 2 ? "+77010000001" : "+7701000000\(index)", consent: true)
            ids.append(try #require(try await store.insert(question).id))
        }
        let topics = try await store.saveGrouping(
            [
                TopicAssignment(topicID: nil, questionIDs: [ids[0], ids[1]], facts: facts("Фонари")),
                TopicAssignment(topicID: nil, questionIDs: [ids[2], ids[3]], facts: facts("Ямы", concept: "roads.potholes")),
            ], actor: "grouper", now: Fixture.now)
        return (ids, topics)
    }

    @Test(arguments: StoreFactory.all)
    func groupingMovesQuestionsToGroupedThroughTheLifecycle(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (ids, topics) = try await Self.grouped(store)
            #expect(topics.count == 2 && topics[0] != topics[1])
            for id in ids {
                let question = try #require(try await store.question(id: id))
                #expect(question.status == .grouped)
                #expect(question.topicID == (id == ids[0] || id == ids[1] ? topics[0] : topics[1]))
            }
            let events = try await store.auditEvents(subject: "question:\(ids[0])", limit: 10)
            #expect(events.contains { $0.action == "question.status" && $0.details.contains("received → grouped") && $0.actor == "grouper" })
            let overview = try #require(try await store.topicOverview(id: topics[0]))
            #expect(overview.summary.questionIDs == [ids[0], ids[1]])
            #expect(overview.summary.askers == 1)  // the same phone asked twice
            #expect(overview.summary.languages == [.ru])
            #expect(overview.summary.topic.title == "Фонари" && overview.summary.topic.place == "Терехина")
            #expect(overview.conceptKey == "lighting" && overview.placeKey == "terekhin-st" && !overview.titleOverridden)
            // Largest (most distinct askers) first.
            #expect(try await store.topicOverviews(states: nil).map(\.summary.topic.id) == [topics[1], topics[0]])
            #expect(try await store.topicOverviews(states: [.scheduled]).isEmpty)
            #expect(try await store.topicOverview(id: 9999) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func groupingCandidatesAreOpenQuestionsAndThoseAlreadyInATopic(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (ids, _) = try await Self.grouped(store)
            let loose = try #require(try await store.insert(Fixture.newQuestion("Новый вопрос без темы", phone: nil)).id)
            let rejected = try #require(try await store.insert(Fixture.newQuestion("Спам", phone: nil)).id)
            try await store.updateStatus(questionID: rejected, to: .rejected, reason: "spam", actor: "office", now: Date())
            let candidates = try await store.groupingCandidates()
            #expect(Set(candidates.compactMap(\.question.id)) == Set(ids + [loose]))
            let byID = Dictionary(uniqueKeysWithValues: candidates.map { ($0.question.id!, $0) })
            #expect(byID[ids[0]]?.askerKey == "tel:+77010000001")
            #expect(byID[loose]?.askerKey == nil)
            #expect(byID.values.allSatisfy { !$0.pinned })
        }
    }

    @Test(arguments: StoreFactory.all)
    func aMergeKeepsEveryQuestionPinnedAndRemovesTheOtherTopic(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (ids, topics) = try await Self.grouped(store)
            try await store.mergeTopics(into: topics[0], from: topics[1], actor: "office", now: Fixture.now)
            #expect(try await store.topicOverview(id: topics[1]) == nil)
            let candidates = try await store.groupingCandidates()
            #expect(candidates.allSatisfy { $0.pinned && $0.question.topicID == topics[0] })
            #expect(candidates.map(\.question.id) == ids)
            let decisions = try await store.topicDecisions(topicID: topics[0])
            #expect(decisions.map(\.kind) == [.merge])
            #expect(decisions[0].questionIDs == [ids[2], ids[3]])
            #expect(decisions[0].otherTopicID == topics[1] && decisions[0].actor == "office" && decisions[0].at == Fixture.now)
            #expect(try await store.auditEvents(subject: "topic:\(topics[0])", limit: 5).map(\.action) == ["topic.merge"])
            // A topic cannot be merged into itself, nor with one that is gone.
            await #expect(throws: TyndauError.self) {
                try await store.mergeTopics(into: topics[0], from: topics[0], actor: "office", now: Fixture.now)
            }
            await #expect(throws: TyndauError.notFound("topic \(topics[1])")) {
                try await store.mergeTopics(into: topics[0], from: topics[1], actor: "office", now: Fixture.now)
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func splitMoveRenameAndCategoryPersistAndRegroupingKeepsTheOfficesTitleAndCategory(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (ids, topics) = try await Self.grouped(store)
            let created = try await store.splitTopic(topics[0], questionIDs: [ids[1]], actor: "office", now: Fixture.now)
            try await store.renameTopic(topics[0], title: "  Освещение на Терехина ", actor: "office", now: Fixture.now)
            try await store.overrideCategory(topics[0], category: .utilities, actor: "office", now: Fixture.now)
            try await store.moveQuestion(ids[3], to: created, actor: "office", now: Fixture.now)

            let pinned = Dictionary(uniqueKeysWithValues: try await store.groupingCandidates().map { ($0.question.id!, $0) })
            #expect(pinned[ids[1]]?.pinned == true && pinned[ids[1]]?.question.topicID == created)
            #expect(pinned[ids[3]]?.pinned == true && pinned[ids[3]]?.question.topicID == created)
            #expect(pinned[ids[0]]?.pinned == true && pinned[ids[0]]?.question.topicID == topics[0])
            #expect(pinned[ids[2]]?.pinned == false)
            let split = try #require(try await store.topicOverview(id: created))
            #expect(split.summary.topic.title == "Терехин көшесінде жарық жоқ")
            #expect(split.summary.topic.representativeQuestionID == ids[1])
            #expect(split.conceptKey == "lighting")

            try await store.saveGrouping(
                [TopicAssignment(topicID: topics[0], questionIDs: [ids[0]], facts: Self.facts("Фонари не горят"))],
                actor: "grouper", now: Fixture.now)
            let topic = try #require(try await store.topicOverview(id: topics[0]))
            #expect(topic.summary.topic.title == "Освещение на Терехина")
            #expect(topic.summary.topic.category == .utilities && topic.summary.topic.categoryOverridden)
            #expect(topic.titleOverridden)
            #expect(try await store.topicDecisions(topicID: nil).map(\.kind) == [.split, .rename, .category, .move])
            #expect(try await store.topicDecisions(topicID: created).map(\.kind) == [.split, .move])
            #expect(try await store.topicDecisions(topicID: nil)[1].value == "Освещение на Терехина")
        }
    }

    @Test(arguments: StoreFactory.all)
    func refusalsChangeNothing(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (ids, topics) = try await Self.grouped(store)
            await #expect(throws: TyndauError.self) {
                _ = try await store.splitTopic(topics[0], questionIDs: [ids[0], ids[1]], actor: "office", now: Fixture.now)
            }
            await #expect(throws: TyndauError.self) {
                _ = try await store.splitTopic(topics[0], questionIDs: [ids[2]], actor: "office", now: Fixture.now)
            }
            await #expect(throws: TyndauError.self) {
                try await store.renameTopic(topics[0], title: "   ", actor: "office", now: Fixture.now)
            }
            await #expect(throws: TyndauError.notFound("topic 9999")) {
                try await store.moveQuestion(ids[0], to: 9999, actor: "office", now: Fixture.now)
            }
            await #expect(throws: TyndauError.notFound("question 9999")) {
                try await store.moveQuestion(9999, to: topics[0], actor: "office", now: Fixture.now)
            }
            #expect(try await store.topicDecisions(topicID: nil).isEmpty)
            #expect(try await store.topicOverview(id: topics[0])?.summary.topic.title == "Фонари")
            #expect(try await store.topicOverviews(states: nil).count == 2)
        }
    }

    @Test(arguments: StoreFactory.all)
    func emptyOpenTopicsDisappear(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (ids, topics) = try await Self.grouped(store)
            try await store.moveQuestion(ids[2], to: topics[0], actor: "office", now: Fixture.now)
            #expect(try await store.topicOverview(id: topics[1]) != nil)
            try await store.moveQuestion(ids[3], to: topics[0], actor: "office", now: Fixture.now)
            #expect(try await store.topicOverview(id: topics[1]) == nil)
            #expect(try await store.topicOverviews(states: nil).count == 1)
            // A regrouping that leaves a topic empty deletes it too.
            let fresh = try await store.saveGrouping(
                [TopicAssignment(topicID: nil, questionIDs: ids, facts: Self.facts("Всё о Терехина"))], actor: "grouper", now: Fixture.now)
            #expect(try await store.topicOverviews(states: nil).map(\.summary.topic.id) == fresh)
        }
    }

    /// A run larger than one chunk (``GroupingWrite/chunkSize``) ends as if each question had been
    /// placed alone: every question in its topic and grouped with one audit line, the office's title
    /// and category kept, a topic gone since the run read it opened anew; running it again writes nothing.
    @Test(arguments: StoreFactory.all)
    func aRunLargerThanAChunkIsWrittenAsIfQuestionByQuestion(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (early, topics) = try await Self.grouped(store)
            try await store.renameTopic(topics[0], title: "Освещение", actor: "office", now: Fixture.now)
            try await store.overrideCategory(topics[1], category: .utilities, actor: "office", now: Fixture.now)
            let count = GroupingWrite.chunkSize + 301
            let batch = (0..<count).map { Fixture.newQuestion("Дорога у дома \($0) разбита", phone: nil, sourceKey: "big-\($0)") }
            let ids = try await store.insert(batch: batch).inserted.compactMap(\.id)
            #expect(ids.count == count)
            var assignments = [
                TopicAssignment(topicID: topics[0], questionIDs: Array(early[0...1]) + ids[0..<7], facts: Self.facts("Фонари горят")),
                TopicAssignment(
                    topicID: topics[1], questionIDs: Array(early[2...3]) + ids[7..<14], facts: Self.facts("Ямы", concept: "roads.potholes")),
                TopicAssignment(topicID: 999_999, questionIDs: Array(ids[14..<17]), facts: Self.facts("Ушедшая тема")),
            ]
            for start in stride(from: 17, to: count, by: 5) {
                assignments.append(TopicAssignment(
                    topicID: nil, questionIDs: Array(ids[start..<min(start + 5, count)]), facts: Self.facts("Дорога \(start)")))
            }
            let saved = try await store.saveGrouping(assignments, actor: "grouper", now: Fixture.now)
            #expect(saved.count == assignments.count && Set(saved).count == saved.count)
            #expect(Array(saved.prefix(2)) == topics && !saved.contains(999_999))

            let expected = Dictionary(uniqueKeysWithValues: zip(assignments, saved).flatMap { assignment, topic in
                assignment.questionIDs.map { ($0, topic) }
            })
            let stored = try await store.groupingCandidates()
            #expect(stored.count == count + early.count)
            #expect(stored.allSatisfy { $0.question.status == .grouped && $0.question.topicID == expected[$0.question.id!] })
            let lighting = try #require(try await store.topicOverview(id: topics[0]))
            #expect(lighting.summary.topic.title == "Освещение" && lighting.titleOverridden)
            #expect(lighting.summary.questionIDs.count == 9 && lighting.conceptKey == "lighting")
            let potholes = try #require(try await store.topicOverview(id: topics[1]))
            #expect(potholes.summary.topic.category == .utilities && potholes.summary.topic.title == "Ямы")
            #expect(potholes.conceptKey == "roads.potholes" && potholes.summary.topic.reason == "roads.potholes")
            let reopened = try #require(try await store.topicOverview(id: saved[2]))
            #expect(reopened.summary.topic.title == "Ушедшая тема" && reopened.summary.questionIDs == Array(ids[14..<17]))
            #expect(try await store.topicOverviews(states: nil).count == assignments.count)

            // One "→ grouped" line per question, on both sides of every chunk boundary.
            let boundary = GroupingWrite.chunkSize - 4  // placements before ids[17...]: 9 + 9 + 3
            let sample = [early[0], early[3], ids[0], ids[16], ids[boundary - 1], ids[boundary], ids[count - 1]]
            for id in sample {
                let lines = try await store.auditEvents(subject: "question:\(id)", limit: 10).filter { $0.action == "question.status" }
                #expect(lines.count == 1 && lines[0].details.hasSuffix("→ grouped"), "question \(id)")
            }

            // The same run again changes nothing and writes no audit line.
            let before = try await store.auditEvents(subject: nil, limit: 100_000).count
            for index in assignments.indices { assignments[index].topicID = saved[index] }
            #expect(try await store.saveGrouping(assignments, actor: "grouper", now: Fixture.now) == saved)
            #expect(try await store.auditEvents(subject: nil, limit: 100_000).count == before)
            #expect(try await store.groupingCandidates().allSatisfy { $0.question.topicID == expected[$0.question.id!] })
        }
    }
}
