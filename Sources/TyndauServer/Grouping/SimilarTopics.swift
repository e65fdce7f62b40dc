import Foundation
import QuestionCollection
import TyndauCore

/// "These open topics look similar": the unanswered topics (``TopicJoin/joinableTopics(in:)``, public
/// titles scrubbed) whose title the grouping engine scores at or above its threshold against a
/// resident's text, best first. The resident form's second step, the status page and the bot ask here.
///
/// The topic list is read (and its titles analysed) at most every `lifetime` seconds (by the injected
/// clock), so a busy form does not read every topic per request; a join made meanwhile shows up at the
/// next read.
public actor SimilarTopics {
    public typealias Store = TopicStore & PublicRecordStore
    let store: any Store
    let suggester: TopicSuggester
    let lifetime: TimeInterval
    private var cached: (at: Date, topics: [Topic.ID: JoinableTopic], index: TopicSuggester.Index)?

    public init(store: any Store, threshold: Double = PairScorer.defaultThreshold, lifetime: TimeInterval = 10) {
        self.store = store
        self.suggester = TopicSuggester(threshold: threshold)
        self.lifetime = lifetime
    }

    /// Up to `limit` unanswered topics like `text`, best first, without `excluding` (the question's own
    /// topic). Empty when the topics cannot be read: the resident then files as usual.
    public func similar(to text: String, excluding: Topic.ID? = nil, now: Date, limit: Int = 3) async -> [JoinableTopic] {
        guard let found = await joinable(now: now), !found.index.isEmpty else { return [] }
        // One more than asked, in case the question's own topic is among them.
        return suggester.ranked(text, in: found.index, limit: limit + 1).compactMap { found.topics[$0.topicID] }
            .filter { $0.topicID != excluding }.prefix(limit).map { $0 }
    }

    /// Forgets the list: the next question reads the topics again (after a join, say).
    public func invalidate() {
        cached = nil
    }

    private func joinable(now: Date) async -> (topics: [Topic.ID: JoinableTopic], index: TopicSuggester.Index)? {
        if let cached, now >= cached.at, now.timeIntervalSince(cached.at) < lifetime { return (cached.topics, cached.index) }
        guard let list = try? await TopicJoin.joinableTopics(in: store) else { return cached.map { ($0.topics, $0.index) } }
        let topics = Dictionary(list.map { ($0.topicID, $0) }, uniquingKeysWith: { first, _ in first })
        let index = suggester.index(topics.mapValues { [$0.title] })
        cached = (now, topics, index)
        return (topics, index)
    }
}
