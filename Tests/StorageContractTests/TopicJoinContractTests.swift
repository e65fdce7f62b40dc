import Foundation
import Testing
import TyndauCore

/// `TopicJoinStore`: "me too" on an unanswered topic — the question moves in pinned, its asker is
/// counted once, and the rules (``TopicJoin``) give the same refusals on every engine.
@Suite struct TopicJoinContractTests {
    static func newQuestion(_ text: String, email: String?, at offset: TimeInterval = 0) -> NewQuestion {
        NewQuestion(
            question: Fixture.question(text, at: Fixture.now.addingTimeInterval(offset)),
            contact: email.map { AskerContact(email: $0, consent: true, language: .kk) })
    }

    /// One topic of two askers about the lights on Terekhin St.
    static func lightsTopic(_ store: any TyndauStore) async throws -> Topic.ID {
        var ids: [Question.ID] = []
        for (index, email) in ["a@example.kz", "b@example.kz"].enumerated() {
            ids.append(try #require(try await store.insert(newQuestion("Фонари на Терехина не горят", email: email, at: Double(index))).id))
        }
        let topics = try await store.saveGrouping(
            [TopicAssignment(topicID: nil, questionIDs: ids, facts: TopicStoreContractTests.facts("Фонари"))],
            actor: "grouper", now: Fixture.now)
        return topics[0]
    }

    @Test(arguments: StoreFactory.all)
    func joinMovesTheQuestionInAndCountsItsAskerOnce(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let topic = try await Self.lightsTopic(store)
            let joiner = try #require(try await store.insert(Self.newQuestion("Терехина көшесінде жарық жоқ", email: "c@example.kz", at: 10)).id)

            let joined = try await store.joinTopic(topic, questionID: joiner, actor: "resident:web", now: Fixture.now)
            #expect(joined == TopicJoinOutcome(decision: .join, topicID: topic, askers: 3))
            let moved = try #require(try await store.question(id: joiner))
            #expect(moved.topicID == topic)
            #expect(moved.status == .received)  // joining is not triage: the office still looks at it
            let candidates = try await store.groupingCandidates()
            #expect(candidates.first { $0.question.id == joiner }?.pinned == true)  // regrouping keeps it
            let events = try await store.auditEvents(subject: "topic:\(topic)", limit: 10)
            #expect(events.contains { $0.action == "topic.join" && $0.actor == "resident:web" && $0.details == "question \(joiner) joined" })

            // The same question (the same status link) again: nothing changes.
            #expect(try await store.joinTopic(topic, questionID: joiner, actor: "resident:web", now: Fixture.now)
                == TopicJoinOutcome(decision: .alreadyCounted, topicID: topic, askers: 3))
            // Another question of the same person (the same e-mail): counted once, left where it is.
            let again = try #require(try await store.insert(Self.newQuestion("Фонари на Терехина, сколько ждать?", email: "C@example.kz", at: 20)).id)
            #expect(try await store.joinTopic(topic, questionID: again, actor: "resident:web", now: Fixture.now)
                == TopicJoinOutcome(decision: .alreadyCounted, topicID: topic, askers: 3))
            #expect(try await store.question(id: again)?.topicID == nil)
            // What the form asks before it stores a join.
            #expect(try await store.askerCounted("mail:c@example.kz", in: topic))
            #expect(try await store.askerCounted("mail:z@example.kz", in: topic) == false)
            // An anonymous question counts once per question.
            let anonymous = try #require(try await store.insert(Self.newQuestion("Жарық жоқ Терехинада", email: nil, at: 30)).id)
            #expect(try await store.joinTopic(topic, questionID: anonymous, actor: "resident:web", now: Fixture.now).askers == 4)
            #expect(try await store.topicOverview(id: topic)?.summary.askers == 4)

            // Notified with the answer like any asker: the joiner is among the topic's notice recipients.
            let recipients = try await store.noticeRecipients(topicIDs: [topic])
            #expect(recipients.contains { $0.questionID == joiner && $0.hasEmail && $0.language == .kk })
            #expect(!recipients.contains { $0.questionID == again })
        }
    }

    @Test(arguments: StoreFactory.all)
    func joiningFromATopicOfItsOwnRemovesTheEmptyTopic(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let topic = try await Self.lightsTopic(store)
            let joiner = try #require(try await store.insert(Self.newQuestion("Жарық жоқ, Терехин 5", email: nil, at: 10)).id)
            // The grouping engine placed it on arrival in a topic of its own (not triaged).
            let placed = try await store.placeArrivals(knownRevision: nil, limit: 10, actor: "system", now: Fixture.now) { batch in
                batch.arrivals.map {
                    ArrivalPlacement(questionID: $0.question.id!, topicID: nil, facts: TopicStoreContractTests.facts("own"), score: 0)
                }
            }
            let own = try #require(placed.placed[joiner])
            #expect(own != topic)

            #expect(try await store.joinTopic(topic, questionID: joiner, actor: "resident:telegram", now: Fixture.now).decision == .join)
            #expect(try await store.topicOverview(id: own) == nil)
            let events = try await store.auditEvents(subject: "topic:\(topic)", limit: 10)
            #expect(events.contains { $0.details == "question \(joiner) joined (from topic \(own))" })
        }
    }

    @Test(arguments: StoreFactory.all)
    func joinRefusesWhatTheRulesRefuse(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let topic = try await Self.lightsTopic(store)
            let triaged = try #require(try await store.insert(Self.newQuestion("Ямы на Терехина", email: "d@example.kz", at: 10)).id)
            _ = try await store.updateStatus(questionID: triaged, to: .grouped, reason: nil, actor: "office", now: Date())
            let loose = try #require(try await store.insert(Self.newQuestion("Фонари, Терехина 7", email: nil, at: 20)).id)

            await #expect(throws: TyndauError.joinQuestionTriaged) {
                try await store.joinTopic(topic, questionID: triaged, actor: "resident:web", now: Fixture.now)
            }
            await #expect(throws: TyndauError.joinTopicClosed) {
                try await store.joinTopic(9999, questionID: loose, actor: "resident:web", now: Fixture.now)
            }
            await #expect(throws: TyndauError.notFound("question 9999")) {
                try await store.joinTopic(topic, questionID: 9999, actor: "resident:web", now: Fixture.now)
            }
            // A refused join writes nothing.
            #expect(try await store.question(id: triaged)?.topicID == nil)
            #expect(try await store.topicOverview(id: topic)?.summary.askers == 2)
        }
    }

    @Test(arguments: StoreFactory.all)
    func joinableTopicsScrubPersonalDataFromTitles(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let ids = [
                try #require(try await store.insert(NewQuestion(
                    question: Fixture.question("Меня зовут Айгуль, звоните 8 701 123 45 67: фонари на Саина не горят"),
                    contact: AskerContact(name: "Айгуль", phone: "+77011234567", consent: true))).id)
            ]
            let topic = try await store.saveGrouping(
                [TopicAssignment(topicID: nil, questionIDs: ids, facts: TopicStoreContractTests.facts(
                    "Меня зовут Айгуль, звоните 8 701 123 45 67: фонари на Саина не горят"))],
                actor: "grouper", now: Fixture.now)[0]
            let joinable = try await TopicJoin.joinableTopics(in: store)
            let shown = try #require(joinable.first { $0.topicID == topic })
            #expect(shown.askers == 1 && shown.state == .open)
            #expect(!shown.publicTitle.contains("Айгуль") && !shown.publicTitle.contains("123 45 67"))
            #expect(shown.publicTitle.contains("фонари на Саина"))
        }
    }

    /// The status page's timeline reads when the question was triaged and how many residents share its topic.
    @Test(arguments: StoreFactory.all)
    func progressCarriesTheTriageMomentAndTheTopicsAskers(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let waiting = try await store.insert(Self.newQuestion("Фонари на Терехина, дом 3", email: nil, at: 5))
            let before = try #require(try await store.progress(ticket: waiting.ticket!))
            #expect(before.triagedAt == nil && before.topicAskers == nil)
            let topic = try await Self.lightsTopic(store)
            let member = try #require(try await store.topicOverview(id: topic)?.summary.questionIDs.first)
            let question = try #require(try await store.question(id: member))
            let progress = try #require(try await store.progress(ticket: question.ticket!))
            #expect(progress.triagedAt != nil)  // grouping moved it past `acknowledged`
            #expect(progress.topicAskers == 2)
        }
    }
}
