import Foundation

/// Which questions to read for a public list (Open311's `GET requests`). Every filter is a plain
/// primitive for the engine: which of them a caller may use, and what is public, is decided above the
/// store by ``PublicRequests``.
public struct PublicRequestQuery: Sendable, Hashable {
    /// Only these questions (any order); `nil` for no restriction.
    public var questionIDs: [Question.ID]?
    /// Only questions in these categories; `nil` for every category.
    public var categories: Set<QuestionCategory>?
    /// With `categories`: also questions that have no category.
    public var includeUncategorised: Bool
    /// Only questions in these statuses (never empty when used by the rules).
    public var statuses: Set<QuestionStatus>
    /// Submitted at or after this moment, when set.
    public var submittedFrom: Date?
    /// Submitted at or before this moment, when set.
    public var submittedTo: Date?
    public var limit: Int
    public var offset: Int

    public init(
        questionIDs: [Question.ID]? = nil, categories: Set<QuestionCategory>? = nil, includeUncategorised: Bool = false,
        statuses: Set<QuestionStatus>, submittedFrom: Date? = nil, submittedTo: Date? = nil, limit: Int, offset: Int = 0
    ) {
        self.questionIDs = questionIDs
        self.categories = categories
        self.includeUncategorised = includeUncategorised
        self.statuses = statuses
        self.submittedFrom = submittedFrom
        self.submittedTo = submittedTo
        self.limit = limit
        self.offset = offset
    }
}

/// What an engine reads for a ``PublicRequestQuery``: the page of questions (newest first: submission
/// time, then id, both descending) and the rows about their topics, unassembled. ``facts`` joins them
/// once for every engine.
public struct PublicRequestRecords: Sendable, Hashable {
    /// A question with the name its asker gave: the name is read only so the scrubber can remove it
    /// from public text, and is never shown.
    public struct Entry: Sendable, Hashable {
        public var question: Question
        public var askerName: String?

        public init(question: Question, askerName: String?) {
            self.question = question
            self.askerName = askerName
        }
    }

    public var entries: [Entry]
    /// Every agenda item of the entries' topics, any meeting.
    public var agendaItems: [AgendaItem]
    /// The meetings of those items.
    public var meetings: [Meeting]
    /// The answers recorded for those items.
    public var answers: [Answer]
    /// The commitments of those answers.
    public var commitments: [Commitment]
    /// The written-answer queue entries of the entries' topics.
    public var writtenAnswers: [WrittenAnswerEntry]

    public init(
        entries: [Entry], agendaItems: [AgendaItem] = [], meetings: [Meeting] = [], answers: [Answer] = [],
        commitments: [Commitment] = [], writtenAnswers: [WrittenAnswerEntry] = []
    ) {
        self.entries = entries
        self.agendaItems = agendaItems
        self.meetings = meetings
        self.answers = answers
        self.commitments = commitments
        self.writtenAnswers = writtenAnswers
    }

    /// One ``PublicRequestFacts`` per entry, in the entries' order: the latest meeting whose agenda
    /// holds the question's topic, that item's answer and its first commitment, and the topic's
    /// written-answer entry.
    public var facts: [PublicRequestFacts] {
        let meetingsByID = Dictionary(meetings.compactMap { meeting in meeting.id.map { ($0, meeting) } }) { first, _ in first }
        var latestItem: [Topic.ID: (AgendaItem, Meeting)] = [:]
        for item in agendaItems {
            guard let meeting = meetingsByID[item.meetingID] else { continue }
            if let current = latestItem[item.topicID], current.1.startsAt >= meeting.startsAt { continue }
            latestItem[item.topicID] = (item, meeting)
        }
        let answerByItem = Dictionary(answers.map { ($0.agendaItemID, $0) }) { first, _ in first }
        var commitmentByAnswer: [Answer.ID: Commitment] = [:]
        for commitment in commitments.sorted(by: { ($0.id ?? 0) < ($1.id ?? 0) }) where commitmentByAnswer[commitment.answerID] == nil {
            commitmentByAnswer[commitment.answerID] = commitment
        }
        let writtenByTopic = Dictionary(writtenAnswers.map { ($0.topicID, $0) }) { first, _ in first }
        return entries.map { entry in
            var facts = PublicRequestFacts(question: entry.question, askerName: entry.askerName)
            guard let topicID = entry.question.topicID else { return facts }
            if let (item, meeting) = latestItem[topicID] {
                facts.meeting = meeting
                if let itemID = item.id, let answer = answerByItem[itemID] {
                    facts.answer = answer
                    facts.commitment = answer.id.flatMap { commitmentByAnswer[$0] }
                }
            }
            facts.writtenAnswer = writtenByTopic[topicID]
            return facts
        }
    }
}

/// Everything the public view of one question is made from.
public struct PublicRequestFacts: Sendable, Hashable {
    public var question: Question
    /// For scrubbing only; never shown.
    public var askerName: String?
    /// The latest meeting whose agenda holds the question's topic.
    public var meeting: Meeting?
    /// The answer given at that meeting (a draft until the meeting is closed).
    public var answer: Answer?
    public var commitment: Commitment?
    public var writtenAnswer: WrittenAnswerEntry?

    public init(
        question: Question, askerName: String? = nil, meeting: Meeting? = nil, answer: Answer? = nil,
        commitment: Commitment? = nil, writtenAnswer: WrittenAnswerEntry? = nil
    ) {
        self.question = question
        self.askerName = askerName
        self.meeting = meeting
        self.answer = answer
        self.commitment = commitment
        self.writtenAnswer = writtenAnswer
    }
}

/// Storage of the public request list: one read transaction per call, filters as given (see
/// ``PublicRequestQuery``); nothing is decided here about what may be shown.
public protocol PublicRequestStore: Sendable {
    func publicRequestRecords(_ query: PublicRequestQuery) async throws -> PublicRequestRecords
}

extension PublicRequestStore {
    /// The facts of the questions `query` selects, newest first.
    public func publicRequestFacts(_ query: PublicRequestQuery) async throws -> [PublicRequestFacts] {
        try await publicRequestRecords(query).facts
    }
}
