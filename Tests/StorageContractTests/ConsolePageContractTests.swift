import Foundation
import Testing
import TyndauCore

/// `ConsolePageStore`: the console's keyset pages — forward and back without gaps or repeats, a
/// stable order when submission times are equal, filters in the query, the topics' largest-first
/// order page by page, and an unknown position giving an empty page rather than an error.
@Suite struct ConsolePageContractTests {
    /// Seven questions: three share one instant, so only the id orders them.
    static func seeded(_ store: any TyndauStore) async throws -> [Question.ID] {
        let times: [Double] = [0, 60, 60, 60, 120, 180, 240]
        var batch: [NewQuestion] = []
        for (index, offset) in times.enumerated() {
            var question = Fixture.question("Вопрос \(index): фонари на улице Саина", at: Fixture.now.addingTimeInterval(offset))
            question.category = index == 6 ? nil : (index % 2 == 0 ? .utilities : .transport)
            question.language = index == 5 ? .kk : .ru
            batch.append(NewQuestion(question: question))
        }
        return try await store.insert(batch: batch).inserted.map { $0.id! }
    }

    static func page(
        _ store: any TyndauStore, from position: Question.ID?, _ side: PageSide, limit: Int = 3,
        languages: Set<TextLanguage>? = nil, categories: Set<QuestionCategory>? = nil
    ) async throws -> [Question.ID] {
        try await store.questionPage(
            QuestionPageQuery(
                statuses: [.received, .acknowledged], languages: languages, categories: categories, position: position,
                side: side, limit: limit)
        ).map { $0.id! }
    }

    @Test(arguments: StoreFactory.all)
    func questionPagesMoveForwardAndBackInSubmissionOrder(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let ids = try await Self.seeded(store)
            let first = try await Self.page(store, from: nil, .after)
            #expect(first == Array(ids[0..<3]))
            let second = try await Self.page(store, from: first.last, .after)
            #expect(second == Array(ids[3..<6]))
            let third = try await Self.page(store, from: second.last, .after)
            #expect(third == [ids[6]])
            #expect(try await Self.page(store, from: third.last, .after).isEmpty)
            // Back from the third page's first row: the second page again, in the same order.
            #expect(try await Self.page(store, from: third.first, .before) == second)
            #expect(try await Self.page(store, from: second.first, .before) == first)
            #expect(try await Self.page(store, from: first.first, .before).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func equalSubmissionTimesAreOrderedByIdAcrossAPageEdge(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let ids = try await Self.seeded(store)
            // The page edge falls between the questions submitted at the same instant.
            let first = try await Self.page(store, from: nil, .after, limit: 2)
            let second = try await Self.page(store, from: first.last, .after, limit: 2)
            #expect(first == [ids[0], ids[1]])
            #expect(second == [ids[2], ids[3]])
            #expect(try await Self.page(store, from: ids[3], .before, limit: 2) == [ids[1], ids[2]])
        }
    }

    @Test(arguments: StoreFactory.all)
    func filtersApplyInsideThePage(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let ids = try await Self.seeded(store)
            #expect(try await Self.page(store, from: nil, .after, limit: 10, languages: [.kk]) == [ids[5]])
            // No category counts as "other".
            #expect(try await Self.page(store, from: nil, .after, limit: 10, categories: [.other]) == [ids[6]])
            #expect(try await Self.page(store, from: nil, .after, limit: 10, categories: [.transport]) == [ids[1], ids[3], ids[5]])
            #expect(try await Self.page(store, from: ids[1], .after, limit: 10, categories: [.transport]) == [ids[3], ids[5]])
            let triaged = try await store.questionPage(QuestionPageQuery(statuses: [.grouped], limit: 10))
            #expect(triaged.isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func anUnknownPositionGivesAnEmptyPage(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            _ = try await Self.seeded(store)
            #expect(try await Self.page(store, from: 999_999, .after).isEmpty)
            #expect(try await Self.page(store, from: 999_999, .before).isEmpty)
            #expect(try await store.topicPage(states: nil, position: 999_999, side: .after, limit: 5).isEmpty)
        }
    }

    /// Topics of 3, 2, 2 (tie: lower id first), 1, 1 askers.
    static func topics(_ store: any TyndauStore) async throws -> [Topic.ID] {
        let ids = try await seeded(store)
        let groups: [[Question.ID]] = [[ids[0]], [ids[1], ids[2]], [ids[3], ids[4], ids[5]], [ids[6]]]
        let created = try await store.saveGrouping(
            groups.map { members in
                TopicAssignment(
                    topicID: nil, questionIDs: members,
                    facts: TopicFacts(
                        representativeQuestionID: members[0], title: "Тема \(members[0])", category: .utilities, placeKey: nil,
                        place: nil, conceptKey: nil, reason: "test"))
            }, actor: "test", now: Fixture.now)
        return created
    }

    @Test(arguments: StoreFactory.all)
    func topicPagesKeepTheLargestFirstOrderBothWays(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let created = try await Self.topics(store)
            let whole = try await store.topicOverviews(states: nil).map { $0.summary.topic.id! }
            #expect(whole == [created[2], created[1], created[0], created[3]])
            let first = try await store.topicPage(states: nil, position: nil, side: .after, limit: 2)
            #expect(first.map { $0.summary.topic.id! } == Array(whole[0..<2]))
            #expect(first.map(\.summary.askers) == [3, 2])
            let second = try await store.topicPage(states: nil, position: whole[1], side: .after, limit: 2)
            #expect(second.map { $0.summary.topic.id! } == Array(whole[2..<4]))
            // Equal askers and questions: the lower id first, on both sides of the edge.
            #expect(second.map { $0.summary.topic.id! } == [created[0], created[3]])
            #expect(try await store.topicPage(states: nil, position: whole[3], side: .after, limit: 2).isEmpty)
            let back = try await store.topicPage(states: nil, position: whole[2], side: .before, limit: 2)
            #expect(back.map { $0.summary.topic.id! } == Array(whole[0..<2]))
            // The page's overviews are the full ones.
            #expect(first[0] == (try await store.topicOverview(id: whole[0])))
            #expect(try await store.countTopics(states: nil) == 4)
            #expect(try await store.countTopics(states: [.closed]) == 0)
            #expect(try await store.topicPage(states: [.closed], position: nil, side: .after, limit: 2).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func readsQuestionsAndOverviewsById(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let created = try await Self.topics(store)
            let overviews = try await store.topicOverviews(ids: [created[0], created[2], 999_999])
            #expect(overviews.map { $0.summary.topic.id! } == [created[2], created[0]])
            let ids = overviews[0].summary.questionIDs
            #expect(try await store.questions(ids: ids.reversed() + [999_999]).map { $0.id! } == ids)
            #expect(try await store.questions(ids: []).isEmpty)
        }
    }

    /// The page reads the counts the store keeps (migration topic-counts-v1): after joins, a person
    /// asking twice, moves, a merge, a split and an erasure they still match what the overviews count
    /// from the members, and the page's order is theirs.
    @Test(arguments: StoreFactory.all)
    func keptCountsFollowEveryChange(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            var batch: [NewQuestion] = []
            for index in 0..<8 {
                let question = Fixture.question("Вопрос \(index): фонари на улице Саина", at: Fixture.now.addingTimeInterval(Double(index)))
                // Questions 0, 1 and 2 come from one phone; 3 from another; the rest are anonymous.
                let phone = index < 3 ? "+77011234567" : (index == 3 ? "+77017654321" : nil)
                batch.append(NewQuestion(question: question, contact: phone.map { AskerContact(phone: $0, consent: true, consentAt: Fixture.now) }))
            }
            let ids = try await store.insert(batch: batch).inserted.map { $0.id! }
            let created = try await store.saveGrouping(
                [[ids[0], ids[1], ids[4]], [ids[2], ids[3]], [ids[5], ids[6], ids[7]]].map { members in
                    TopicAssignment(
                        topicID: nil, questionIDs: members,
                        facts: TopicFacts(
                            representativeQuestionID: members[0], title: "Тема \(members[0])", category: .utilities, placeKey: nil,
                            place: nil, conceptKey: nil, reason: "test"))
                }, actor: "test", now: Fixture.now)
            func agrees(_ step: String) async throws {
                let counted = try await store.topicOverviews(states: nil)
                let paged = try await store.topicPage(states: nil, position: nil, side: .after, limit: 100)
                #expect(paged.map { $0.summary.topic.id! } == counted.map { $0.summary.topic.id! }, "\(step)")
                #expect(paged.map(\.summary.askers) == counted.map(\.summary.askers), "\(step)")
            }
            // The same phone twice in the first topic counts once: 2 askers, 3 questions.
            #expect(try await store.topicPage(states: nil, position: nil, side: .after, limit: 1).first?.summary.topic.id == created[2])
            try await agrees("grouped")
            try await store.moveQuestion(ids[4], to: created[1], actor: "test", now: Fixture.now)
            try await agrees("moved")
            try await store.mergeTopics(into: created[2], from: created[0], actor: "test", now: Fixture.now)
            try await agrees("merged")
            _ = try await store.splitTopic(created[2], questionIDs: [ids[0], ids[5]], actor: "test", now: Fixture.now)
            try await agrees("split")
            try await store.erasePersonalData(PersonalDataErasure(questionIDs: [ids[1], ids[2]]), audit: { _ in [] })
            try await agrees("erased")
        }
    }
}
