import Foundation
import Testing
import TyndauCore

/// `ArrivalGroupingStore`: the locked read–decide–write transaction behind topics on arrival, and the
/// grouping revision that tells an arrival grouper when its memory is stale.
@Suite struct ArrivalGroupingContractTests {
    static func facts(_ title: String) -> TopicFacts {
        TopicFacts(
            representativeQuestionID: nil, title: title, category: .improvement, placeKey: "terekhin-st",
            place: "Терехина", conceptKey: "lighting", reason: "lighting · terekhin-st")
    }

    /// Records what the store handed to `decide`.
    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var batches: [ArrivalBatch] = []
        func add(_ batch: ArrivalBatch) { lock.withLock { batches.append(batch) } }
        var all: [ArrivalBatch] { lock.withLock { batches } }
    }

    @Test(arguments: StoreFactory.all)
    func placementsOpenTopicsJoinThemAndMoveQuestionsToGroupedWithAudit(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            var ids: [Question.ID] = []
            for (index, text) in ["Фонари на Терехина", "Терехина: нет света", "Ямы на Терехина"].enumerated() {
                let at = Fixture.now.addingTimeInterval(Double(index))
                ids.append(try #require(try await store.insert(Fixture.newQuestion(text, at: at)).id))
            }
            let seen = Seen()
            let (first, second, third) = (ids[0], ids[1], ids[2])
            let outcome = try await store.placeArrivals(knownRevision: nil, limit: 10, actor: "system", now: Fixture.now) {
                batch in
                seen.add(batch)
                return [
                    ArrivalPlacement(questionID: first, topicID: nil, newTopic: 7, facts: Self.facts("first"), score: 0),
                    ArrivalPlacement(questionID: second, topicID: nil, newTopic: 7, facts: Self.facts("Фонари"), score: 0.61),
                    ArrivalPlacement(questionID: third, topicID: nil, newTopic: 8, facts: Self.facts("Ямы"), score: 0),
                ]
            }
            let batch = try #require(seen.all.first)
            #expect(batch.arrivals.compactMap(\.question.id) == ids)
            #expect(batch.members?.isEmpty == true)  // an unknown revision: the members are read (none yet)
            #expect(outcome.reconciled && outcome.placed.count == 3)
            let lights = try #require(outcome.placed[first])
            #expect(outcome.placed[second] == lights && outcome.placed[third] != lights)
            let overview = try #require(try await store.topicOverview(id: lights))
            #expect(overview.summary.questionIDs == [first, second])
            #expect(overview.summary.topic.title == "Фонари")  // the last placement's facts win
            // Placing is not triage: the office still sees each question in its inbox.
            for id in ids { #expect(try await store.question(id: id)?.status == .received) }
            let events = try await store.auditEvents(subject: "topic:\(lights)", limit: 10)
            #expect(events.filter { $0.action == "topic.arrival" && $0.actor == "system" }.count == 2)
            #expect(events.contains { $0.details.contains("question \(second) joined") && $0.details.contains("0.61") })
            let statusEvents = try await store.auditEvents(subject: "question:\(second)", limit: 10)
            #expect(!statusEvents.contains { $0.action == "question.status" })
            #expect(try await store.topicMembers(lights).compactMap(\.id) == [first, second])
        }
    }

    @Test(arguments: StoreFactory.all)
    func theRevisionMovesWhenTopicsChangeAndMembersAreReadOnlyThen(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let first = try #require(try await store.insert(Fixture.newQuestion("Фонари на Терехина")).id)
            let opened = try await store.placeArrivals(knownRevision: nil, limit: 10, actor: "system", now: Fixture.now) {
                _ in [ArrivalPlacement(questionID: first, topicID: nil, facts: Self.facts("Фонари"), score: 0)]
            }
            let topic = try #require(opened.placed[first])

            // Nothing waiting: `decide` is not called and nothing is read.
            let seen = Seen()
            let idle = try await store.placeArrivals(knownRevision: opened.revision, limit: 10, actor: "system", now: Fixture.now) {
                batch in
                seen.add(batch)
                return []
            }
            #expect(seen.all.isEmpty && idle.placed.isEmpty && idle.revision == opened.revision)

            // A new arrival, nothing else changed: no members.
            let second = try #require(try await store.insert(Fixture.newQuestion("Терехина: нет света")).id)
            let joined = try await store.placeArrivals(knownRevision: opened.revision, limit: 10, actor: "system", now: Fixture.now) {
                batch in
                seen.add(batch)
                return [ArrivalPlacement(questionID: second, topicID: topic, facts: Self.facts("Фонари"), score: 0.7)]
            }
            #expect(seen.all.count == 1 && seen.all[0].members == nil && !joined.reconciled)
            #expect(joined.revision != opened.revision && joined.placed[second] == topic)

            // The office splits the topic: the revision moves, and the next batch carries the members, pinned.
            let split = try await store.splitTopic(topic, questionIDs: [second], actor: "office", now: Fixture.now)
            let third = try #require(try await store.insert(Fixture.newQuestion("Ямы на Терехина")).id)
            _ = try await store.placeArrivals(knownRevision: joined.revision, limit: 10, actor: "system", now: Fixture.now) {
                batch in
                seen.add(batch)
                return [ArrivalPlacement(questionID: third, topicID: nil, facts: Self.facts("Ямы"), score: 0)]
            }
            let members = try #require(seen.all.last?.members)
            #expect(Set(members.compactMap(\.question.id)) == [first, second])
            #expect(members.allSatisfy { $0.pinned })
            #expect(members.first { $0.question.id == second }?.question.topicID == split)
            #expect(seen.all.last?.arrivals.compactMap(\.question.id) == [third])
        }
    }

    @Test(arguments: StoreFactory.all)
    func aFailingDecisionWritesNothing(_ factory: StoreFactory) async throws {
        struct Refused: Error {}
        try await factory.withStore { store in
            let id = try #require(try await store.insert(Fixture.newQuestion("Фонари на Терехина")).id)
            await #expect(throws: (any Error).self) {
                try await store.placeArrivals(knownRevision: nil, limit: 10, actor: "system", now: Fixture.now) { _ in
                    throw Refused()
                }
            }
            let question = try #require(try await store.question(id: id))
            #expect(question.topicID == nil && question.status != .grouped)
            #expect(try await store.topicOverviews(states: nil).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aQuestionTurnedAwayAtTriageLeavesItsTopic(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let lights = try #require(try await store.insert(Fixture.newQuestion("Фонари на Терехина")).id)
            let spam = try #require(try await store.insert(Fixture.newQuestion("Фонари на Терехина!!! купите кредит")).id)
            let alone = try #require(try await store.insert(Fixture.newQuestion("Ямы на Терехина")).id)
            let outcome = try await store.placeArrivals(knownRevision: nil, limit: 10, actor: "system", now: Fixture.now) {
                _ in
                [
                    ArrivalPlacement(questionID: lights, topicID: nil, newTopic: 1, facts: Self.facts("Фонари"), score: 0),
                    ArrivalPlacement(questionID: spam, topicID: nil, newTopic: 1, facts: Self.facts("Фонари"), score: 0.7),
                    ArrivalPlacement(questionID: alone, topicID: nil, newTopic: 2, facts: Self.facts("Ямы"), score: 0),
                ]
            }
            let topic = try #require(outcome.placed[lights])
            _ = try await store.updateStatus(questionID: spam, to: .rejected, reason: "spam", actor: "office", now: Date())
            #expect(try await store.question(id: spam)?.topicID == nil)
            #expect(try await store.topicOverview(id: topic)?.summary.questionIDs == [lights])
            // The last member turned away: the topic it opened is gone.
            let roads = try #require(outcome.placed[alone])
            _ = try await store.updateStatus(questionID: alone, to: .redirected, reason: "ГУ", actor: "office", now: Date())
            #expect(try await store.topicOverview(id: roads) == nil)
        }
    }
}
