import Foundation

/// What a "me too" looks at, as the storage engine reads it inside the transaction that would write
/// the join: the topic's state, where the joining question stands, and whether its asker is already
/// counted in the topic.
public struct TopicJoinFacts: Sendable, Hashable {
    /// `nil` when there is no such topic.
    public var topicState: TopicState?
    public var questionStatus: QuestionStatus
    /// The topic the question is in now (the grouping engine places questions on arrival).
    public var questionTopicID: Topic.ID?
    /// Another (not rejected) member of the topic has the joining question's asker key (phone, e-mail,
    /// Telegram chat): that person is already counted there.
    public var askerAlreadyCounted: Bool

    public init(topicState: TopicState?, questionStatus: QuestionStatus, questionTopicID: Topic.ID?, askerAlreadyCounted: Bool) {
        self.topicState = topicState
        self.questionStatus = questionStatus
        self.questionTopicID = questionTopicID
        self.askerAlreadyCounted = askerAlreadyCounted
    }
}

/// The rules of "me too", once, above the engines: who may join which topic, and that a resident is
/// counted once. A join puts the resident's own question (new from the form, or the one a status link
/// or a bot chat holds) into an unanswered topic, pinned there: from then on the resident is one of its
/// askers — counted in "N residents", notified with the answer like any asker.
public enum TopicJoin {
    /// What the engine writes for a join.
    public enum Decision: String, Sendable, Hashable {
        /// Move the question into the topic (pinned, its status unchanged: the office still triages it).
        case join
        /// Nothing to write: the question is in the topic already, or its asker is counted there.
        case alreadyCounted = "already-counted"
    }

    /// Topics a resident may join: not answered yet (waiting, or on an agenda).
    public static let joinableStates: Set<TopicState> = [.open, .scheduled]

    /// Whether the join happens. Throws ``TyndauError/joinTopicClosed`` for a topic that is gone or
    /// already answered, ``TyndauError/joinQuestionTriaged`` for a question the office has already
    /// triaged (placed, rejected or redirected: the office's decision stands).
    public static func decide(_ facts: TopicJoinFacts, topicID: Topic.ID) throws -> Decision {
        guard let state = facts.topicState, joinableStates.contains(state) else { throw TyndauError.joinTopicClosed }
        if facts.questionTopicID == topicID || facts.askerAlreadyCounted { return .alreadyCounted }
        guard !facts.questionStatus.isTriaged else { throw TyndauError.joinQuestionTriaged }
        return .join
    }

    /// The audit line of a join: ids only, never the text or the asker.
    public static func auditDetails(questionID: Question.ID, from previous: Topic.ID?) -> String {
        "question \(questionID) joined" + (previous.map { " (from topic \($0))" } ?? "")
    }
}

/// What a join did, and how many residents the topic counts afterwards.
public struct TopicJoinOutcome: Sendable, Hashable {
    public var decision: TopicJoin.Decision
    public var topicID: Topic.ID
    /// Distinct askers of the topic after the join (a person once, an anonymous question once).
    public var askers: Int

    public init(decision: TopicJoin.Decision, topicID: Topic.ID, askers: Int) {
        self.decision = decision
        self.topicID = topicID
        self.askers = askers
    }
}

/// An unanswered topic as a resident may see it next to their question: the scrubbed title (see
/// ``PublicRecord``: no phone, e-mail, IIN, card number or asker name), how many residents asked, and
/// what the grouping engine needs to compare texts.
public struct JoinableTopic: Sendable, Hashable {
    public var topicID: Topic.ID
    public var state: TopicState
    /// The title as the office sees it, for comparing texts only: never shown to a resident.
    public var title: String
    /// The same title with personal data masked: what resident pages and the bot show.
    public var publicTitle: String
    public var askers: Int

    public init(topicID: Topic.ID, state: TopicState, title: String, publicTitle: String, askers: Int) {
        self.topicID = topicID
        self.state = state
        self.title = title
        self.publicTitle = publicTitle
        self.askers = askers
    }
}

extension TopicJoin {
    /// The unanswered topics a resident may join, with public titles: read through the topic and
    /// public-record reads every engine has, and scrubbed here, once.
    public static func joinableTopics(in store: any TopicStore & PublicRecordStore) async throws -> [JoinableTopic] {
        let overviews = try await store.topicOverviews(states: joinableStates)
        let ids = overviews.compactMap(\.summary.topic.id)
        let names = ids.isEmpty ? [:] : try await store.askerNames(topicIDs: ids)
        let scrubber = PersonalDataScrubber()
        return overviews.compactMap { overview in
            let topic = overview.summary.topic
            guard let id = topic.id else { return nil }
            return JoinableTopic(
                topicID: id, state: topic.state, title: topic.title,
                publicTitle: scrubber.scrub(topic.title, names: names[id] ?? []), askers: overview.summary.askers)
        }
    }
}

/// The storage primitive behind "me too": one write transaction in which the engine reads the
/// ``TopicJoinFacts`` (locking the question), asks ``TopicJoin/decide(_:topicID:)`` and, for a join,
/// moves the question into the topic pinned (its status unchanged), removes an open topic the move left
/// empty, and records a `topic.join` audit event. The rules are ``TopicJoin``'s; the engine only
/// reads, locks and writes.
public protocol TopicJoinStore: Sendable {
    func joinTopic(_ topicID: Topic.ID, questionID: Question.ID, actor: String, now: Date) async throws -> TopicJoinOutcome

    /// Whether a (not rejected) question of the asker with `askerKey` (``AskerContact/personKey``) is in
    /// `topicID`: the form asks before it stores a new question that joins, so a second join with the
    /// same contact stores nothing.
    func askerCounted(_ askerKey: String, in topicID: Topic.ID) async throws -> Bool
}

extension TyndauError {
    /// The topic a resident tried to join is gone or already answered.
    public static let joinTopicClosed = TyndauError(code: .conflict, messageKey: "error.join.topic-closed")

    /// The office has already triaged the question: it stays where the office put it.
    public static let joinQuestionTriaged = TyndauError(code: .conflict, messageKey: "error.join.question-triaged")
}
