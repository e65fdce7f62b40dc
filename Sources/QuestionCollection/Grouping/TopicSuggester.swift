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
        let index = index(topics)
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon, threshold: threshold)
        return questions.compactMapValues { best(analyzer.features($0), in: index, scorer: scorer) }
    }

    /// The topic of `index` whose closest text scores highest at or above the threshold (ties to the
    /// lower topic id: the index is in id order and only a higher score replaces the best).
    func best(_ features: QuestionFeatures, in index: Index, scorer: PairScorer) -> Suggestion? {
        var best: Suggestion?
        for (topicID, members) in index.topics {
            let score = members.map { scorer.score(features, $0) }.max() ?? 0
            if score >= threshold, score > (best?.score ?? 0) { best = Suggestion(topicID: topicID, score: score) }
        }
        return best
    }

    /// Topics' texts analysed once, to rank many questions against them (``ranked(_:in:limit:)``).
    public struct Index: Sendable {
        let topics: [(id: Topic.ID, features: [QuestionFeatures])]
        public var isEmpty: Bool { topics.isEmpty }
    }

    /// `topics` (a topic → its texts) analysed, in topic id order.
    public func index(_ topics: [Topic.ID: [String]]) -> Index {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        return index(topics) { analyzer.features($0) }
    }

    /// `topics` in topic id order, each text's features from `features`.
    func index(_ topics: [Topic.ID: [String]], features: (String) -> QuestionFeatures) -> Index {
        Index(topics: topics.keys.sorted().map { id in (id, topics[id]!.map(features)) })
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

/// ``TopicSuggester/suggest(questions:topics:)`` for a page asked again and again over much the same
/// topics (the office inbox compares each new question with the largest open topics): a text's
/// features are kept while it stays among the topics' texts, and a question's answer while the topics
/// and their texts are exactly those it was computed against. The answers are the suggester's own —
/// only work already done is skipped. Memory is bounded by the topics' texts and ``answerLimit``.
public actor TopicSuggestionCache {
    let suggester: TopicSuggester
    private var topics: [Topic.ID: [String]] = [:]
    private var index: TopicSuggester.Index?
    private var features: [String: QuestionFeatures] = [:]
    private var answers: [String: TopicSuggester.Suggestion?] = [:]
    /// Question texts whose answers are kept; beyond it they are forgotten and computed again.
    let answerLimit: Int

    public init(suggester: TopicSuggester, answerLimit: Int = 10_000) {
        self.suggester = suggester
        self.answerLimit = answerLimit
    }

    public func suggest(questions: [Question.ID: String], topics: [Topic.ID: [String]]) -> [Question.ID: TopicSuggester.Suggestion] {
        guard !questions.isEmpty else { return [:] }
        var analyzer = TextAnalyzer(lexicon: suggester.lexicon)
        if index == nil || topics != self.topics {
            // Texts still among the topics keep their features; the others are analysed now.
            var kept: [String: QuestionFeatures] = [:]
            let index = suggester.index(topics) { text in
                let found = kept[text] ?? features[text] ?? analyzer.features(text)
                kept[text] = found
                return found
            }
            self.topics = topics
            self.index = index
            features = kept
            answers = [:]
        }
        guard let index else { return [:] }
        let scorer = PairScorer(lexicon: suggester.lexicon, threshold: suggester.threshold)
        if answers.count + questions.count > answerLimit { answers = [:] }
        var result: [Question.ID: TopicSuggester.Suggestion] = [:]
        for (questionID, text) in questions {
            let answer: TopicSuggester.Suggestion?
            if let known = answers[text] {
                answer = known
            } else {
                answer = suggester.best(analyzer.features(text), in: index, scorer: scorer)
                answers[text] = answer
            }
            if let answer { result[questionID] = answer }
        }
        return result
    }
}
