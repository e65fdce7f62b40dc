import Foundation
import TyndauCore

/// Why a topic's members are together, in terms the office can check: the places, facility numbers
/// and concepts they share (with how many members name each), and each member's average score to
/// the others and its score to the medoid — from the same ``TextAnalyzer`` and ``PairScorer`` that
/// grouped them, so a low score or a veto points at the member to move. The CLI (`tyndau topics
/// explain`) and the console's topic page both show this one explanation.
public struct TopicExplainer: Sendable {
    public var lexicon: DomainLexicon
    public var threshold: Double

    public init(lexicon: DomainLexicon = .bundled, threshold: Double = PairScorer.defaultThreshold) {
        self.lexicon = lexicon
        self.threshold = threshold
    }

    /// A fact several members share: a place, a number or a concept, with its label for people.
    public struct SharedFact: Sendable, Codable, Hashable {
        /// Gazetteer or lexicon id (`shuakty`, `water.outage`), or the number itself.
        public var key: String
        public var label: String
        /// `issue`, `facility`, `object`, `audience` for concepts; `place`; `number`.
        public var kind: String
        /// How many members name it.
        public var members: Int
    }

    /// One member, its scores and what it names.
    public struct Member: Sendable, Codable, Hashable {
        public var questionID: Question.ID
        public var ticket: String?
        public var text: String
        /// Average pair score to every other member (0–1); 1 for a topic of one.
        public var averageScore: Double
        /// Pair score to the medoid (1 for the medoid itself).
        public var medoidScore: Double
        /// Whether its average is below the joining threshold: a candidate for moving out.
        public var weak: Bool
        /// Members it is vetoed against, with the veto (`different-place`, …).
        public var vetoes: [Veto]
        public var places: [String]
        public var numbers: [String]
        public var concepts: [String]
    }

    /// A pair the scorer refuses: the other member and the reason.
    public struct Veto: Sendable, Codable, Hashable {
        public var questionID: Question.ID
        public var reason: String
    }

    /// The explanation of one topic.
    public struct Explanation: Sendable, Codable, Hashable {
        public var topicID: Topic.ID
        public var medoidID: Question.ID?
        public var threshold: Double
        /// Facts at least two members share (or the one member's), most shared first.
        public var places: [SharedFact]
        public var numbers: [SharedFact]
        public var concepts: [SharedFact]
        /// Average of the members' averages.
        public var cohesion: Double
        /// Members, medoid first, then by average score (highest first).
        public var members: [Member]
    }

    /// Explains `topic` from its member questions, with labels in `language`. Members are compared
    /// pairwise: topics over `limit` members are explained from their first `limit` (the answer says so
    /// through `members.count`).
    public func explain(topic: Topic.ID, questions: [Question], language: UILanguage, limit: Int = 200) -> Explanation {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon, threshold: threshold)
        let questions = Array(questions.prefix(limit))
        let features = questions.map { analyzer.features($0.text) }
        let count = questions.count
        var scores = [[Double]](repeating: [Double](repeating: 1, count: count), count: count)
        for i in 0..<count {
            for j in (i + 1)..<count {
                let score = scorer.score(features[i], features[j])
                scores[i][j] = score
                scores[j][i] = score
            }
        }
        let totals = (0..<count).map { i in (0..<count).reduce(0.0) { $1 == i ? $0 : $0 + scores[i][$1] } }
        let medoid = totals.indices.max { (totals[$0], -$0) < (totals[$1], -$1) }
        let averages = totals.map { count > 1 ? $0 / Double(count - 1) : 1 }

        var placeCounts: [Int32: Int] = [:]
        var numberCounts: [String: Int] = [:]
        var conceptCounts: [Int32: Int] = [:]
        for feature in features {
            for place in Set(feature.places) { placeCounts[place, default: 0] += 1 }
            // School, route and house numbers alike: a shared one is a fact the office can check.
            for number in Set(feature.numbers + feature.houseNumbers) { numberCounts[number, default: 0] += 1 }
            for concept in Set(feature.concepts) { conceptCounts[concept, default: 0] += 1 }
        }
        let minimum = count > 1 ? 2 : 1
        func ordered<K: Comparable>(_ counts: [K: Int]) -> [(K, Int)] {
            counts.filter { $0.value >= minimum }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, $0.value) }
        }
        let places = ordered(placeCounts).map { place, members in
            let id = lexicon.places[Int(place)].id
            return SharedFact(key: id, label: lexicon.placeLabel(id, language), kind: "place", members: members)
        }
        let numbers = ordered(numberCounts).map { SharedFact(key: $0.0, label: "№" + $0.0, kind: "number", members: $0.1) }
        let concepts = ordered(conceptCounts).map { concept, members in
            let entry = lexicon.concepts[Int(concept)]
            return SharedFact(
                key: entry.id, label: lexicon.conceptLabel(entry.id, language), kind: entry.kind.rawValue, members: members)
        }

        var members: [Member] = []
        for (index, question) in questions.enumerated() {
            let feature = features[index]
            var vetoes: [Veto] = []
            for other in questions.indices where other != index {
                if let veto = scorer.veto(feature, features[other]), feature.exactKey != features[other].exactKey {
                    vetoes.append(Veto(questionID: questions[other].id ?? 0, reason: veto.rawValue))
                }
            }
            members.append(
                Member(
                    questionID: question.id ?? 0, ticket: question.ticket, text: question.text,
                    averageScore: averages[index], medoidScore: medoid.map { scores[index][$0] } ?? 1,
                    weak: count > 1 && averages[index] < threshold, vetoes: vetoes,
                    places: feature.places.map { lexicon.placeLabel(lexicon.places[Int($0)].id, language) },
                    numbers: (feature.numbers + feature.houseNumbers).sorted(),
                    concepts: feature.concepts.map { lexicon.conceptLabel(lexicon.concepts[Int($0)].id, language) }))
        }
        let medoidID = medoid.map { questions[$0].id ?? 0 }
        members.sort { a, b in
            if a.questionID == medoidID { return b.questionID != medoidID }
            if b.questionID == medoidID { return false }
            return (a.averageScore, -a.questionID) > (b.averageScore, -b.questionID)
        }
        return Explanation(
            topicID: topic, medoidID: medoidID, threshold: threshold, places: places, numbers: numbers,
            concepts: concepts, cohesion: averages.isEmpty ? 0 : averages.reduce(0, +) / Double(averages.count),
            members: members)
    }
}
