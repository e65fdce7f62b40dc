import Foundation

/// A question as the grouper needs it: its text and status, where it sits now, whether the office
/// pinned it there, and who asked (for counting distinct askers).
public struct GroupableQuestion: Sendable, Hashable {
    public var question: Question
    /// The office put this question in its topic by hand (move, split, merge): regrouping keeps it.
    public var pinned: Bool
    /// The asker's person key (phone, e-mail, Telegram), `nil` for anonymous askers.
    public var askerKey: String?

    public init(question: Question, pinned: Bool, askerKey: String?) {
        self.question = question
        self.pinned = pinned
        self.askerKey = askerKey
    }
}

/// The facts a grouping run derives for one topic.
public struct TopicFacts: Sendable, Codable, Hashable {
    /// The medoid: the member most like all the others.
    public var representativeQuestionID: Question.ID?
    /// The representative's text, shortened; kept as the title unless the office renamed the topic.
    public var title: String
    /// The members' majority category; kept as is when the office overrode it.
    public var category: QuestionCategory?
    /// Gazetteer id of the place most members name, and its label for people.
    public var placeKey: String?
    public var place: String?
    /// Lexicon id of the most specific issue most members name.
    public var conceptKey: String?
    /// One line on why the members are together, from ids ("lighting · zhansugurov-st · №45").
    public var reason: String

    public init(
        representativeQuestionID: Question.ID?, title: String, category: QuestionCategory?, placeKey: String?,
        place: String?, conceptKey: String?, reason: String
    ) {
        self.representativeQuestionID = representativeQuestionID
        self.title = title
        self.category = category
        self.placeKey = placeKey
        self.place = place
        self.conceptKey = conceptKey
        self.reason = reason
    }
}

/// One topic of a grouping run: an existing topic (`topicID`) or a new one, with its members.
public struct TopicAssignment: Sendable, Hashable {
    public var topicID: Topic.ID?
    public var questionIDs: [Question.ID]
    public var facts: TopicFacts

    public init(topicID: Topic.ID?, questionIDs: [Question.ID], facts: TopicFacts) {
        self.topicID = topicID
        self.questionIDs = questionIDs
        self.facts = facts
    }
}

/// A topic with everything the office sees in a list: members, distinct askers, languages, and
/// the keys that let the interface say "14 residents asked about street lighting on Zhansugurov St".
public struct TopicOverview: Sendable, Codable, Hashable {
    public var summary: TopicSummary
    public var conceptKey: String?
    public var placeKey: String?
    public var titleOverridden: Bool

    public init(summary: TopicSummary, conceptKey: String?, placeKey: String?, titleOverridden: Bool) {
        self.summary = summary
        self.conceptKey = conceptKey
        self.placeKey = placeKey
        self.titleOverridden = titleOverridden
    }
}

/// One member question as a topic's list counts it.
public struct TopicMemberFacts: Sendable, Hashable {
    public var id: Question.ID
    public var language: String
    public var submittedAt: Date
    /// The asker's person key; nil for an anonymous question.
    public var personKey: String?

    public init(id: Question.ID, language: String, submittedAt: Date, personKey: String?) {
        self.id = id
        self.language = language
        self.submittedAt = submittedAt
        self.personKey = personKey
    }
}

extension TopicOverview {
    /// A topic's overview from its member rows (in id order): distinct askers — a person counted once,
    /// an anonymous question each —, the languages in their fixed order, and the first submission, where
    /// waiting starts (the topic's creation when it has no member).
    public init(
        topic: Topic, members: [TopicMemberFacts], conceptKey: String?, placeKey: String?, titleOverridden: Bool
    ) {
        var people = Set<String>()
        var anonymous = 0
        for member in members {
            if let key = member.personKey { people.insert(key) } else { anonymous += 1 }
        }
        let languages = Set(members.compactMap { TextLanguage(rawValue: $0.language) })
        let summary = TopicSummary(
            topic: topic, questionIDs: members.map(\.id), askers: people.count + anonymous,
            languages: TextLanguage.allCases.filter(languages.contains),
            firstSubmittedAt: members.map(\.submittedAt).min() ?? topic.createdAt)
        self.init(summary: summary, conceptKey: conceptKey, placeKey: placeKey, titleOverridden: titleOverridden)
    }

    /// The office's order of topics: most residents first, then most questions, then the older topic.
    public static func inDemandOrder(_ a: TopicOverview, _ b: TopicOverview) -> Bool {
        (a.summary.askers, a.summary.questionIDs.count, -(a.summary.topic.id ?? 0))
            > (b.summary.askers, b.summary.questionIDs.count, -(b.summary.topic.id ?? 0))
    }
}

/// What the office decided about topics; stored so that every later regrouping respects it.
public enum TopicDecisionKind: String, Sendable, Codable, CaseIterable, Hashable {
    case merge
    case split
    case move
    case rename
    case category
}

/// One office decision, as recorded.
public struct TopicDecision: Sendable, Codable, Hashable {
    public var id: Int64?
    public var at: Date
    public var actor: String
    public var kind: TopicDecisionKind
    public var topicID: Topic.ID
    /// The other topic: the merged-away one, or the one a split or move created or left.
    public var otherTopicID: Topic.ID?
    public var questionIDs: [Question.ID]
    /// The new title or category.
    public var value: String?

    public init(
        id: Int64? = nil, at: Date, actor: String, kind: TopicDecisionKind, topicID: Topic.ID,
        otherTopicID: Topic.ID? = nil, questionIDs: [Question.ID] = [], value: String? = nil
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.kind = kind
        self.topicID = topicID
        self.otherTopicID = otherTopicID
        self.questionIDs = questionIDs
        self.value = value
    }
}

extension TopicDecision {
    /// The audit event each engine writes beside the decision, in the same transaction.
    public var auditEvent: AuditEvent {
        AuditEvent(
            at: at, actor: actor, action: "topic.\(kind.rawValue)", subject: "topic:\(topicID)",
            details: [
                otherTopicID.map { "other topic \($0)" },
                questionIDs.isEmpty ? nil : "questions " + questionIDs.map(String.init).joined(separator: ","),
                value,
            ].compactMap { $0 }.joined(separator: "; "))
    }
}

/// Storage of topics, question-to-topic assignments and the office's decisions about them.
/// Every method is one transaction.
public protocol TopicStore: Sendable {
    /// Questions the grouper works on: those still open to grouping (received, acknowledged,
    /// grouped) and those already in a topic further on (scheduled …), which stay where they are.
    func groupingCandidates() async throws -> [GroupableQuestion]

    /// Stores a grouping run: creates or updates each topic (keeping office titles and categories),
    /// assigns its questions — moving received/acknowledged ones to `grouped` through the lifecycle —
    /// and deletes open topics left empty. Returns the topic ids in the order given.
    @discardableResult
    func saveGrouping(_ assignments: [TopicAssignment], actor: String, now: Date) async throws -> [Topic.ID]

    /// Topics with their facts, largest (most distinct askers) first.
    func topicOverviews(states: Set<TopicState>?) async throws -> [TopicOverview]
    func topicOverview(id: Topic.ID) async throws -> TopicOverview?

    /// Moves every question of `source` into `target` (pinned there) and deletes `source`.
    func mergeTopics(into target: Topic.ID, from source: Topic.ID, actor: String, now: Date) async throws

    /// Moves `questionIDs` out of `topic` into a new topic; both sides are pinned. Returns the new id.
    func splitTopic(_ topic: Topic.ID, questionIDs: [Question.ID], actor: String, now: Date) async throws -> Topic.ID

    /// Moves one question into `topic`, pinned there.
    func moveQuestion(_ question: Question.ID, to topic: Topic.ID, actor: String, now: Date) async throws

    /// Sets the title; regrouping keeps it.
    func renameTopic(_ topic: Topic.ID, title: String, actor: String, now: Date) async throws

    /// Sets the office's Kazakh and Russian title forms (already checked with
    /// ``Topic/validatedTitles(_:)``); a missing form goes back to its default. Recorded as a rename.
    func setTopicTitles(_ topic: Topic.ID, titles: BilingualText, actor: String, now: Date) async throws

    /// Sets the category by hand; regrouping keeps it.
    func overrideCategory(_ topic: Topic.ID, category: QuestionCategory, actor: String, now: Date) async throws

    /// Decisions about a topic (or all when `nil`), oldest first.
    func topicDecisions(topicID: Topic.ID?) async throws -> [TopicDecision]
}
