import Foundation

/// What storage knows about a topic that may go on an agenda: its summary (askers, first
/// submission), its questions' texts (for urgency words) and when it last changed.
public struct AgendaTopicFacts: Sendable, Hashable {
    public var summary: TopicSummary
    public var texts: [String]
    public var lastChangedAt: Date

    public init(summary: TopicSummary, texts: [String], lastChangedAt: Date) {
        self.summary = summary
        self.texts = texts
        self.lastChangedAt = lastChangedAt
    }
}

/// Gathers ``AgendaTopicFacts`` from the waiting questions of topics, fed row by row in
/// (topic, submission time, id) order. Both storage engines use it, so they count askers (one per
/// person key, each anonymous question as one) and languages the same way.
public struct AgendaFactsCollector: Sendable {
    private struct Members: Sendable {
        var ids: [Question.ID] = []
        var texts: [String] = []
        var languages: Set<TextLanguage> = []
        var people: Set<String> = []
        var anonymous = 0
        var first: Date?
        var last: Date?
    }

    private var members: [Topic.ID: Members] = [:]

    public init() {}

    public mutating func add(
        topicID: Topic.ID, questionID: Question.ID, text: String, language: String, personKey: String?, submittedAt: Date
    ) {
        var entry = members[topicID] ?? Members()
        entry.ids.append(questionID)
        entry.texts.append(text)
        if let language = TextLanguage(rawValue: language) { entry.languages.insert(language) }
        if let personKey { entry.people.insert(personKey) } else { entry.anonymous += 1 }
        entry.first = min(entry.first ?? submittedAt, submittedAt)
        entry.last = max(entry.last ?? submittedAt, submittedAt)
        members[topicID] = entry
    }

    /// The facts of each of `topics` that has at least one question added, in the order of `topics`.
    public func facts(for topics: [Topic]) -> [AgendaTopicFacts] {
        topics.compactMap { topic -> AgendaTopicFacts? in
            guard let id = topic.id, let entry = members[id], let first = entry.first, let last = entry.last else { return nil }
            let summary = TopicSummary(
                topic: topic, questionIDs: entry.ids, askers: entry.people.count + entry.anonymous,
                languages: entry.languages.sorted { $0.rawValue < $1.rawValue }, firstSubmittedAt: first
            )
            return AgendaTopicFacts(summary: summary, texts: entry.texts, lastChangedAt: last)
        }
    }
}

/// The office's decision about one topic for one week's agenda.
public struct AgendaMark: Sendable, Codable, Hashable {
    /// Pin or skip: the only two decisions the office makes about one week.
    public enum Kind: String, Sendable, Codable, Hashable {
        /// Always on the agenda.
        case pin
        /// Off the agenda this week, with a reason.
        case skip
    }

    public var week: ISOWeek
    public var topicID: Topic.ID
    public var kind: Kind
    public var reason: String?
    public var actor: String
    public var at: Date

    public init(week: ISOWeek, topicID: Topic.ID, kind: Kind, reason: String? = nil, actor: String, at: Date) {
        self.week = week
        self.topicID = topicID
        self.kind = kind
        self.reason = reason
        self.actor = actor
        self.at = at
    }
}

/// A topic sent to a written answer instead of the meeting, with its legal deadline.
public struct WrittenAnswerEntry: Sendable, Codable, Hashable {
    public var topicID: Topic.ID
    /// The agenda week that moved it.
    public var week: ISOWeek
    /// Local date `yyyy-MM-dd`.
    public var deadline: String
    public var weeksWaited: Int

    public init(topicID: Topic.ID, week: ISOWeek, deadline: String, weeksWaited: Int) {
        self.topicID = topicID
        self.week = week
        self.deadline = deadline
        self.weeksWaited = weeksWaited
    }
}

/// A built agenda to store: the meeting, its items and the topics moved to a written answer.
public struct AgendaRecord: Sendable, Hashable {
    public var meeting: Meeting
    /// Items without ids; `meetingID` is filled on save.
    public var items: [AgendaItem]
    public var writtenAnswers: [WrittenAnswerEntry]

    public init(meeting: Meeting, items: [AgendaItem], writtenAnswers: [WrittenAnswerEntry]) {
        self.meeting = meeting
        self.items = items
        self.writtenAnswers = writtenAnswers
    }
}

/// Storage of meetings, agendas, the office's pins and skips, the written-answer queue and the
/// meeting series' settings. Every method is one transaction.
public protocol AgendaStore: Sendable {
    /// Topics stored so far (any state).
    func agendaTopicCount() async throws -> Int

    /// Until grouping runs, makes one topic per question that has none and is still open, and moves
    /// those questions to `grouped`. Returns how many topics were made.
    func makeSingleQuestionTopics(actor: String, now: Date) async throws -> Int

    /// The topics that may go on `week`'s agenda: open ones, plus those a previous build of the same
    /// week scheduled or sent to a written answer (a rebuild reconsiders them). Only questions
    /// submitted before `cutoff` count.
    func agendaCandidates(week: ISOWeek, submittedBefore cutoff: Date) async throws -> [AgendaTopicFacts]

    func agendaTopic(id: Topic.ID) async throws -> Topic?

    func meeting(week: ISOWeek) async throws -> Meeting?

    /// The stored agenda of `week`, in speaking order (empty when none was built).
    func agendaItems(week: ISOWeek) async throws -> [AgendaItem]

    func writtenAnswers(week: ISOWeek) async throws -> [WrittenAnswerEntry]

    /// Replaces `week`'s agenda: previous items and written-answer moves of that week are undone,
    /// the new ones stored, topics and questions moved to `scheduled`/`written`. Refused with
    /// ``TyndauError/agendaFrozen(_:)`` once the meeting has started (`now` ≥ start) or is not planned.
    func saveAgenda(_ record: AgendaRecord, actor: String, now: Date) async throws

    func agendaMarks(week: ISOWeek) async throws -> [AgendaMark]

    /// Pins or skips a topic for a week (replacing an earlier mark of the same topic and week).
    func setAgendaMark(_ mark: AgendaMark) async throws

    /// Removes the mark of a topic for a week; returns whether there was one.
    @discardableResult
    func removeAgendaMark(week: ISOWeek, topicID: Topic.ID, actor: String, now: Date) async throws -> Bool

    /// Settings written with `tyndau series set`, by configuration key; they override the file.
    func seriesSettings() async throws -> [String: String]

    /// Stores overrides by key; an empty value removes the key's override.
    func setSeriesSettings(_ values: [String: String], actor: String, now: Date) async throws
}

extension TyndauError {
    /// The meeting has started (or is closed): its agenda can no longer change.
    public static func agendaFrozen(_ week: ISOWeek) -> TyndauError {
        TyndauError(code: .agendaFrozen, messageKey: "error.agenda-frozen", arguments: [week.description])
    }
}
