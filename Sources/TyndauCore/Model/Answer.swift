import Foundation

/// What was said about an agenda item at the meeting. Every question in the topic inherits it.
public struct Answer: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    public var agendaItemID: AgendaItem.ID
    /// The Kazakh text, else the Russian one (kept for readers of one text, such as old exports).
    public var text: String
    public var textKk: String?
    public var textRu: String?
    public var kind: AnswerKind
    /// Where a redirected question was sent.
    public var redirectedTo: String?
    public var recordedBy: String
    public var recordedAt: Date
    /// Set when the meeting is closed; a final answer is what summaries publish.
    public var isFinal: Bool

    public init(
        id: ID? = nil, agendaItemID: AgendaItem.ID, texts: BilingualText, kind: AnswerKind, redirectedTo: String? = nil,
        recordedBy: String, recordedAt: Date, isFinal: Bool = false
    ) {
        self.id = id
        self.agendaItemID = agendaItemID
        self.text = texts.primary ?? ""
        self.textKk = texts.kk
        self.textRu = texts.ru
        self.kind = kind
        self.redirectedTo = redirectedTo
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.isFinal = isFinal
    }

    /// The answer in Kazakh and Russian; an answer stored before both were kept reads as its one text.
    public var texts: BilingualText {
        get { BilingualText.stored(kk: textKk, ru: textRu, single: text) }
        set {
            textKk = newValue.kk
            textRu = newValue.ru
            text = newValue.primary ?? ""
        }
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
    /// The answer's Kazakh text, else its Russian one.
    public var text: String
    /// The responsible body's Kazakh form, else its Russian one.
    public var responsible: String
    /// Local calendar date, `yyyy-MM-dd`.
    public var dueDate: String
    public var state: CommitmentState
    public var doneAt: Date?
    /// The office's short public note on how the promise was kept (shown on `/promises`).
    public var publicNote: String?
    public var textKk: String?
    public var textRu: String?
    public var responsibleKk: String?
    public var responsibleRu: String?

    public init(
        id: ID? = nil, answerID: Answer.ID, topicID: Topic.ID, texts: BilingualText, responsible: BilingualText, dueDate: String,
        state: CommitmentState = .open, doneAt: Date? = nil, publicNote: String? = nil
    ) {
        self.id = id
        self.answerID = answerID
        self.topicID = topicID
        self.text = texts.primary ?? ""
        self.textKk = texts.kk
        self.textRu = texts.ru
        self.responsible = responsible.primary ?? ""
        self.responsibleKk = responsible.kk
        self.responsibleRu = responsible.ru
        self.dueDate = dueDate
        self.state = state
        self.doneAt = doneAt
        self.publicNote = publicNote
    }

    /// What was promised, in Kazakh and Russian (a promise stored before both were kept reads as its one text).
    public var texts: BilingualText {
        get { BilingualText.stored(kk: textKk, ru: textRu, single: text) }
        set {
            textKk = newValue.kk
            textRu = newValue.ru
            text = newValue.primary ?? ""
        }
    }

    /// Who answers for the promise, in Kazakh and Russian.
    public var responsibleTexts: BilingualText {
        get { BilingualText.stored(kk: responsibleKk, ru: responsibleRu, single: responsible) }
        set {
            responsibleKk = newValue.kk
            responsibleRu = newValue.ru
            responsible = newValue.primary ?? ""
        }
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

extension Commitment {
    /// The promise kept at `now`; a `note` given replaces the public note, none leaves it.
    public mutating func markDone(at now: Date, note: String?) {
        state = .done
        doneAt = now
        publicNote = note ?? publicNote
    }
}
