import Foundation
import TyndauCore

/// The topic the grouping engine would put a new question into, for the office's one-click
/// "accept into topic": the same text analysis and pair score as a grouping run, against each
/// topic's member texts, without writing anything.
public struct TopicSuggester: Sendable {
    /// A topic and how alike the question is to its closest member (0–1).
    public struct Suggestion: Sendable, Hashable {
        public var topicID: Topic.ID
        public var score: Double
    }

    public var lexicon: DomainLexicon
    public var threshold: Double

    public init(lexicon: DomainLexicon = .bundled, threshold: Double = PairScorer.defaultThreshold) {
        self.lexicon = lexicon
        self.threshold = threshold
    }

    /// For each question (id → text), the topic whose closest member scores highest at or above the
    /// threshold; questions with no such topic are absent. `topics` maps a topic to its member texts
    /// (its title included); ties go to the lower topic id, so the answer is stable.
    public func suggest(questions: [Question.ID: String], topics: [Topic.ID: [String]]) -> [Question.ID: Suggestion] {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon, threshold: threshold)
        let topicFeatures = topics.keys.sorted().map { id in (id, topics[id]!.map { analyzer.features($0) }) }
        var result: [Question.ID: Suggestion] = [:]
        for (questionID, text) in questions {
            let features = analyzer.features(text)
            var best: Suggestion?
            for (topicID, members) in topicFeatures {
                let score = members.map { scorer.score(features, $0) }.max() ?? 0
                if score >= threshold, score > (best?.score ?? 0) { best = Suggestion(topicID: topicID, score: score) }
            }
            if let best { result[questionID] = best }
        }
        return result
    }

    /// Topics' texts analysed once, to rank many questions against them (``ranked(_:in:limit:)``).
    public struct Index: Sendable {
        let topics: [(id: Topic.ID, features: [QuestionFeatures])]
        public var isEmpty: Bool { topics.isEmpty }
    }

    /// `topics` (a topic → its texts) analysed, in topic id order.
    public func index(_ topics: [Topic.ID: [String]]) -> Index {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        return Index(topics: topics.keys.sorted().map { id in (id, topics[id]!.map { analyzer.features($0) }) })
    }

    /// The topics whose closest text scores at or above the threshold against `text`, best first (ties
    /// to the lower topic id), at most `limit`: the open topics a resident is shown as "similar".
    public func ranked(_ text: String, in index: Index, limit: Int) -> [Suggestion] {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon, threshold: threshold)
        let features = analyzer.features(text)
        var found: [Suggestion] = []
        for (id, texts) in index.topics {
            let score = texts.map { scorer.score(features, $0) }.max() ?? 0
            if score >= threshold { found.append(Suggestion(topicID: id, score: score)) }
        }
        return Array(found.sorted { ($0.score, -$0.topicID) > ($1.score, -$1.topicID) }.prefix(max(0, limit)))
    }

    /// The facts of a new topic made of one question, as a grouping run would derive them.
    public func singleQuestionFacts(_ question: Question) -> TopicFacts {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let id = question.id ?? 0
        return TopicFactsBuilder(lexicon: lexicon).facts(
            questions: [question], features: [id: analyzer.features(question.text)], medoid: id
        )
    }
}
