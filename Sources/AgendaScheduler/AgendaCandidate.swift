import Foundation
import TyndauCore

/// One topic the scheduler may put on a week's agenda: a plain value the caller builds from storage,
/// so the scheduler depends on neither the database nor the grouping code.
public struct AgendaCandidate: Sendable, Hashable {
    public var topicID: Topic.ID
    /// The representative question's text (or the office's title).
    public var title: String
    /// The title in Kazakh and Russian (``Topic/titles(members:fallbackLanguage:)``), scrubbed.
    public var titles: BilingualText
    public var block: AgendaBlock
    /// Distinct askers (a person who asked twice counts once).
    public var askers: Int
    /// The earliest submission in the topic: waiting time and the written-answer deadline start here.
    public var firstSubmittedAt: Date
    /// The latest change to the topic (a new question, a pin): the agenda's revision time.
    public var lastChangedAt: Date
    public var place: String?
    public var responsible: String?
    /// The questions' texts, searched for urgency keywords.
    public var texts: [String]
    /// The office put the topic on this week's agenda.
    public var pinned: Bool
    /// The office took the topic off this week's agenda, with this reason.
    public var skipReason: String?

    public init(
        topicID: Topic.ID,
        title: String,
        block: AgendaBlock,
        askers: Int,
        firstSubmittedAt: Date,
        lastChangedAt: Date? = nil,
        place: String? = nil,
        responsible: String? = nil,
        texts: [String] = [],
        pinned: Bool = false,
        skipReason: String? = nil,
        titles: BilingualText? = nil
    ) {
        self.topicID = topicID
        self.title = title
        self.titles = titles ?? BilingualText(title, in: .ru)
        self.block = block
        self.askers = max(1, askers)
        self.firstSubmittedAt = firstSubmittedAt
        self.lastChangedAt = lastChangedAt ?? firstSubmittedAt
        self.place = place
        self.responsible = responsible
        self.texts = texts
        self.pinned = pinned
        self.skipReason = skipReason
    }
}

/// A promise from an earlier meeting that falls due before this one: the opening block reports on
/// each. Filled by the answers/commitments feature; until it exists callers pass an empty list.
public struct CommitmentDue: Sendable, Hashable {
    public var topicID: Topic.ID
    public var text: String
    public var responsible: String
    /// Local date, `yyyy-MM-dd`.
    public var dueDate: String
    public var done: Bool
    /// What was promised and who answers for it, in Kazakh and Russian.
    public var texts: BilingualText
    public var responsibleTexts: BilingualText

    public init(
        topicID: Topic.ID, text: String, responsible: String, dueDate: String, done: Bool, texts: BilingualText? = nil,
        responsibleTexts: BilingualText? = nil
    ) {
        self.topicID = topicID
        self.text = text
        self.responsible = responsible
        self.dueDate = dueDate
        self.done = done
        self.texts = texts ?? BilingualText(text, in: .ru)
        self.responsibleTexts = responsibleTexts ?? BilingualText(responsible, in: .ru)
    }
}
