import Foundation

/// What the office records for an agenda item, before it is checked.
public struct AnswerInput: Sendable, Hashable, Codable {
    public var text: String
    public var kind: AnswerKind
    /// Responsible body of a commitment (required for commitments).
    public var responsible: String?
    /// Due date of a commitment, `yyyy-MM-dd` (required for commitments).
    public var dueDate: String?
    /// Where a redirected question was sent (required for redirections).
    public var redirectedTo: String?

    public init(text: String, kind: AnswerKind, responsible: String? = nil, dueDate: String? = nil, redirectedTo: String? = nil) {
        self.text = text
        self.kind = kind
        self.responsible = responsible
        self.dueDate = dueDate
        self.redirectedTo = redirectedTo
    }

    /// The input trimmed, or ``TyndauError/validation(_:)`` naming each missing or malformed field.
    public func validated() throws -> AnswerInput {
        func clean(_ value: String?) -> String? {
            let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return trimmed.isEmpty ? nil : trimmed
        }
        var problems: [String: String] = [:]
        var result = self
        result.text = clean(text) ?? ""
        result.responsible = clean(responsible)
        result.dueDate = clean(dueDate)
        result.redirectedTo = clean(redirectedTo)
        if result.text.isEmpty { problems["text"] = "field.required" }
        if result.text.count > 4000 { problems["text"] = "field.too-long" }
        if kind == .commitment {
            if result.responsible == nil { problems["responsible"] = "field.required" }
            if let due = result.dueDate {
                if !Self.isCalendarDate(due) { problems["due"] = "field.invalid-date" }
            } else {
                problems["due"] = "field.required"
            }
        } else if let due = result.dueDate, !Self.isCalendarDate(due) {
            problems["due"] = "field.invalid-date"
        }
        if kind == .redirected, result.redirectedTo == nil { problems["redirect_to"] = "field.required" }
        guard problems.isEmpty else { throw TyndauError.validation(problems) }
        return result
    }

    /// `yyyy-MM-dd` naming a real day.
    public static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .almaty
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day
    }
}

/// An agenda item with its topic and whatever was answered.
public struct AnsweredItem: Sendable, Hashable {
    public var item: AgendaItem
    public var topic: Topic
    /// The representative question's text (the topic's title when it has none).
    public var question: String
    public var askers: Int
    public var answer: Answer?
    public var commitment: Commitment?

    public init(item: AgendaItem, topic: Topic, question: String, askers: Int, answer: Answer?, commitment: Commitment?) {
        self.item = item
        self.topic = topic
        self.question = question
        self.askers = askers
        self.answer = answer
        self.commitment = commitment
    }
}

/// What closing a meeting did.
public struct MeetingClosure: Sendable, Hashable {
    public var meeting: Meeting
    /// Topics whose answers became final.
    public var answered: Int
    /// Topics on the agenda left unanswered: back in the queue, waiting time kept.
    public var returnedToQueue: Int

    public init(meeting: Meeting, answered: Int, returnedToQueue: Int) {
        self.meeting = meeting
        self.answered = answered
        self.returnedToQueue = returnedToQueue
    }
}

/// A commitment with the topic it answers.
public struct CommitmentView: Sendable, Hashable, Codable {
    public var commitment: Commitment
    public var topicTitle: String
    public var week: ISOWeek?
    /// The topic's place (street, microdistrict), when one was recognised.
    public var place: String?
    /// The agenda block the promise was made in.
    public var block: AgendaBlock?

    public init(commitment: Commitment, topicTitle: String, week: ISOWeek?, place: String? = nil, block: AgendaBlock? = nil) {
        self.commitment = commitment
        self.topicTitle = topicTitle
        self.week = week
        self.place = place
        self.block = block
    }
}

/// An asker who can be told the answer: only those who gave a contact and consent.
public struct NoticeRecipient: Sendable, Hashable {
    public var questionID: Question.ID
    public var topicID: Topic.ID
    public var ticket: String
    public var question: String
    public var accessToken: String
    public var language: UILanguage
    public var hasEmail: Bool
    public var hasTelegram: Bool
    /// The name given in the form, so it can be scrubbed from anything public.
    public var name: String?

    public init(questionID: Question.ID, topicID: Topic.ID, ticket: String, question: String, accessToken: String, language: UILanguage, hasEmail: Bool, hasTelegram: Bool, name: String?) {
        self.questionID = questionID
        self.topicID = topicID
        self.ticket = ticket
        self.question = question
        self.accessToken = accessToken
        self.language = language
        self.hasEmail = hasEmail
        self.hasTelegram = hasTelegram
        self.name = name
    }
}

/// One batch of messages for a set of endpoints.
public struct OutboxBatch: Sendable, Hashable {
    public var message: OutgoingMessage
    public var endpointNames: [String]

    public init(message: OutgoingMessage, endpointNames: [String]) {
        self.message = message
        self.endpointNames = endpointNames
    }
}

/// Answers, meeting closure, commitments, and the one-time publication of a closed meeting.
public protocol AnswerStore: Sendable {
    /// The week's agenda in speaking order, with answers recorded so far.
    func answeredItems(week: ISOWeek) async throws -> [AnsweredItem]

    /// Records (or replaces) the answer to an agenda item, with its commitment; refused once the
    /// meeting is closed. Audited with `actor`.
    @discardableResult
    func recordAnswer(_ input: AnswerInput, week: ISOWeek, itemID: AgendaItem.ID, actor: String, now: Date) async throws -> AnsweredItem

    /// Makes answers final, moves answered topics' questions to their final status and returns
    /// unanswered topics to the queue (their waiting time is kept). Refused before the meeting starts.
    func closeMeeting(week: ISOWeek, actor: String, now: Date) async throws -> MeetingClosure

    /// Meetings not closed yet, earliest first (autoclose picks those whose end has passed).
    func openMeetings() async throws -> [Meeting]

    /// Commitments, oldest due first; `dueBefore` keeps those due before a date (`yyyy-MM-dd`);
    /// `openOnly` hides those done.
    func commitments(dueBefore: String?, openOnly: Bool) async throws -> [CommitmentView]

    /// Marks a commitment done (idempotent) and returns it; a `note` (already validated with
    /// ``Commitment/validatedNote(_:)``) becomes its public note, also on one already done.
    func markCommitmentDone(id: Commitment.ID, note: String?, actor: String, now: Date) async throws -> CommitmentView

    /// Askers of `topicIDs` who left a contact with consent.
    func noticeRecipients(topicIDs: [Topic.ID]) async throws -> [NoticeRecipient]

    /// Closed meetings whose digest and notices are not yet enqueued.
    func meetingsAwaitingPublication() async throws -> [Meeting]

    /// Enqueues a closed meeting's messages and marks it published, in one transaction. Returns
    /// `false` (and enqueues nothing) when another process already did: publication happens once.
    func publishMeeting(week: ISOWeek, batches: [OutboxBatch], now: Date) async throws -> Bool

    /// Enqueues messages in one transaction (each endpoint × message key at most once, ever).
    func enqueue(_ batches: [OutboxBatch], now: Date) async throws
}

extension TyndauError {
    /// Answers of a closed meeting are final.
    public static func meetingClosed(_ week: ISOWeek) -> TyndauError {
        TyndauError(code: .meetingClosed, messageKey: "error.meeting-closed", arguments: [week.description])
    }

    /// A meeting cannot be closed before it starts.
    public static func meetingNotStarted(_ week: ISOWeek) -> TyndauError {
        TyndauError(code: .meetingNotStarted, messageKey: "error.meeting-not-started", arguments: [week.description])
    }
}
