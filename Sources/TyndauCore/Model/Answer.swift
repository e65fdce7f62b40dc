import Foundation

/// What was said about an agenda item at the meeting. Every question in the topic inherits it.
public struct Answer: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    public var agendaItemID: AgendaItem.ID
    public var text: String
    public var kind: AnswerKind
    /// Where a redirected question was sent.
    public var redirectedTo: String?
    public var recordedBy: String
    public var recordedAt: Date
    /// Set when the meeting is closed; a final answer is what summaries publish.
    public var isFinal: Bool

    public init(id: ID? = nil, agendaItemID: AgendaItem.ID, text: String, kind: AnswerKind, redirectedTo: String? = nil, recordedBy: String, recordedAt: Date, isFinal: Bool = false) {
        self.id = id
        self.agendaItemID = agendaItemID
        self.text = text
        self.kind = kind
        self.redirectedTo = redirectedTo
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.isFinal = isFinal
    }
}

public enum AnswerKind: String, Sendable, Codable, CaseIterable, Hashable {
    case answered
    case commitment
    case redirected
    case written
}

/// A promise made at a meeting: who will do what by when.
public struct Commitment: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    public var answerID: Answer.ID
    public var topicID: Topic.ID
    public var text: String
    public var responsible: String
    /// Local calendar date, `yyyy-MM-dd`.
    public var dueDate: String
    public var state: CommitmentState
    public var doneAt: Date?
    /// The office's short public note on how the promise was kept (shown on `/promises`).
    public var publicNote: String?

    public init(
        id: ID? = nil, answerID: Answer.ID, topicID: Topic.ID, text: String, responsible: String, dueDate: String,
        state: CommitmentState = .open, doneAt: Date? = nil, publicNote: String? = nil
    ) {
        self.id = id
        self.answerID = answerID
        self.topicID = topicID
        self.text = text
        self.responsible = responsible
        self.dueDate = dueDate
        self.state = state
        self.doneAt = doneAt
        self.publicNote = publicNote
    }

    /// The longest public note on a kept promise.
    public static let publicNoteLimit = 500

    /// `note` trimmed (`nil` when empty), or ``TyndauError/validation(_:)`` naming `note` when too long.
    public static func validatedNote(_ note: String?) throws -> String? {
        let trimmed = note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard trimmed.count <= publicNoteLimit else { throw TyndauError.validation(["note": "field.too-long"]) }
        return trimmed.isEmpty ? nil : trimmed
    }
}

public enum CommitmentState: String, Sendable, Codable, CaseIterable, Hashable {
    case open
    case done
}
