import Foundation
import Testing
import TyndauCore

@testable import QuestionCollection

/// Topics on arrival, without a store: batches as the store hands them to ``ArrivalGrouper``.
@Suite struct ArrivalGrouperTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func question(_ id: Question.ID, _ text: String, topic: Topic.ID? = nil) -> GroupableQuestion {
        var question = Question(text: text, language: .ru, channel: .api, submittedAt: at.addingTimeInterval(Double(id)))
        question.id = id
        question.topicID = topic
        return GroupableQuestion(question: question, pinned: false, askerKey: nil)
    }

    static let lights = [
        "На ул. Терехина не горят фонари, вечером темно",
        "Терехин көшесінде көше жарығы жоқ, кешке қараңғы",
        "Терехина: фонари не горят уже неделю, темно идти домой",
    ]
    static let potholes = "Терехина вся в ямах, просим ямочный ремонт дороги"

    @Test func similarArrivalsShareANewTopicAndADifferentProblemOpensAnother() throws {
        var grouper = ArrivalGrouper()
        let placements = try grouper.decide(
            ArrivalBatch(
                revision: 0, members: [],
                arrivals: [Self.question(1, Self.lights[0]), Self.question(2, Self.lights[1]), Self.question(3, Self.potholes)]))
        #expect(placements.map(\.questionID) == [1, 2, 3])
        #expect(placements.allSatisfy { $0.topicID == nil })
        #expect(placements[0].newTopic == placements[1].newTopic && placements[2].newTopic != placements[0].newTopic)
        #expect(placements[1].score >= PairScorer.defaultThreshold)
        #expect(placements[1].facts.placeKey == "terekhin-st" && placements[1].facts.conceptKey == "lighting")
        #expect(grouper.knownRevision == nil, "unreconciled until the store confirms")

        grouper.committed(ArrivalOutcome(revision: 3, placed: [1: 10, 2: 10, 3: 11], reconciled: true))
        #expect(grouper.knownRevision == 3)
        let next = try grouper.decide(ArrivalBatch(revision: 3, members: nil, arrivals: [Self.question(4, Self.lights[2])]))
        #expect(next.map(\.topicID) == [10])
        #expect(next[0].facts.title.isEmpty == false)
    }

    @Test func aStaleMemoryRefusesToDecideWithoutTheMembers() throws {
        var grouper = ArrivalGrouper()
        _ = try grouper.decide(ArrivalBatch(revision: 0, members: [], arrivals: [Self.question(1, Self.lights[0])]))
        grouper.committed(ArrivalOutcome(revision: 1, placed: [1: 10], reconciled: true))
        // Another server changed topics (revision 5): the store must send the members.
        #expect(throws: ArrivalGrouper.NeedsReconciliation.self) {
            try grouper.decide(ArrivalBatch(revision: 5, members: nil, arrivals: [Self.question(2, Self.lights[1])]))
        }
        // With them, the arrival joins the topic another server stored.
        var members = [Self.question(1, Self.lights[0], topic: 10), Self.question(7, Self.lights[2], topic: 12)]
        members[1].pinned = true
        let placed = try grouper.decide(ArrivalBatch(revision: 5, members: members, arrivals: [Self.question(8, Self.lights[1])]))
        #expect(placed.count == 1 && [10, 12].contains(placed[0].topicID ?? 0))
    }

    @Test func arrivalsLandWhereAnIncrementalGroupingRunPutsThem() throws {
        // The same engine: an incremental run over the same members and arrivals decides the same.
        let texts = Self.lights + [Self.potholes, "В школе №45 холодно, не работает отопление", "Школа №45: батареи не греют"]
        var arrival = ArrivalGrouper()
        let placements = try arrival.decide(
            ArrivalBatch(revision: 0, members: [], arrivals: texts.enumerated().map { Self.question(Int64($0 + 1), $1) }))
        var analyzer = TextAnalyzer()
        var batch = TopicGrouper()
        var clusters: [Int32] = []
        for (index, text) in texts.enumerated() { clusters.append(batch.add(id: Int64(index + 1), features: analyzer.features(text))) }
        for i in texts.indices {
            for j in texts.indices {
                #expect((placements[i].newTopic == placements[j].newTopic) == (clusters[i] == clusters[j]))
            }
        }
    }

    @Test func theExplanationNamesSharedPlaceNumberAndConceptsWithScores() {
        let members = [
            "В школе №45 холодно, не работает отопление", "Школа №45: в классах холодно, батареи не греют",
            "45-мектепте жылу жоқ, балалар тоңып отыр",
        ].enumerated().map { Self.question(Int64($0 + 1), $1).question }
        let explanation = TopicExplainer().explain(topic: 9, questions: members, language: .en)
        #expect(explanation.numbers.map(\.key) == ["45"])
        #expect(explanation.numbers.first?.members == 3)
        #expect(explanation.concepts.contains { $0.key == "heating" && $0.label == "heating" })
        #expect(explanation.concepts.contains { $0.key == "school" && $0.kind == "facility" })
        #expect(explanation.members.count == 3 && explanation.members.first?.questionID == explanation.medoidID)
        #expect(explanation.members.allSatisfy { $0.averageScore > 0 && $0.medoidScore > 0 && $0.vetoes.isEmpty })

        let mixed = [Self.question(1, Self.lights[0]).question, Self.question(2, "Нет воды в Шуақты третий день").question]
        let odd = TopicExplainer().explain(topic: 3, questions: mixed, language: .ru)
        #expect(odd.members.allSatisfy { $0.weak && !$0.vetoes.isEmpty })
        #expect(odd.places.isEmpty)
    }
}
