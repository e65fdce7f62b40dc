import Foundation

/// A group of questions that ask the same thing about the same place, answered once.
public struct Topic: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    /// The title the office sees; the representative question's text until renamed.
    public var title: String
    /// The medoid of the group: the question most like all the others.
    public var representativeQuestionID: Question.ID?
    public var category: QuestionCategory?
    /// Whether the office chose the category by hand (regrouping keeps it).
    public var categoryOverridden: Bool
    /// The place the group is about (street, microdistrict, landmark), when one was recognised.
    public var place: String?
    /// Department responsible for the answer, when known.
    public var responsible: String?
    /// One line on why the members were grouped ("LIGHTING · Zhansugurov St").
    public var reason: String?
    public var state: TopicState
    public var createdAt: Date
    /// The office's Kazakh form of the title (see ``titles(members:fallbackLanguage:)``).
    public var titleKk: String?
    /// The office's Russian form of the title.
    public var titleRu: String?

    public init(
        id: ID? = nil,
        title: String,
        representativeQuestionID: Question.ID? = nil,
        category: QuestionCategory? = nil,
        categoryOverridden: Bool = false,
        place: String? = nil,
        responsible: String? = nil,
        reason: String? = nil,
        state: TopicState = .open,
        createdAt: Date,
        titleKk: String? = nil,
        titleRu: String? = nil
    ) {
        self.titleKk = titleKk
        self.titleRu = titleRu
        self.id = id
        self.title = title
        self.representativeQuestionID = representativeQuestionID
        self.category = category
        self.categoryOverridden = categoryOverridden
        self.place = place
        self.responsible = responsible
        self.reason = reason
        self.state = state
        self.createdAt = createdAt
    }
}

/// Where a topic stands: waiting for a meeting, on an agenda, answered, or sent to a written answer.
public enum TopicState: String, Sendable, Codable, CaseIterable, Hashable {
    case open
    case scheduled
    case answered
    case written
    case closed
}

/// A topic with the facts derived from its questions.
public struct TopicSummary: Sendable, Codable, Hashable {
    public var topic: Topic
    public var questionIDs: [Question.ID]
    /// Distinct askers: a person who asked twice counts once; anonymous askers count per question.
    public var askers: Int
    public var languages: [TextLanguage]
    /// The earliest submission in the topic: waiting time starts here.
    public var firstSubmittedAt: Date

    public init(topic: Topic, questionIDs: [Question.ID], askers: Int, languages: [TextLanguage], firstSubmittedAt: Date) {
        self.topic = topic
        self.questionIDs = questionIDs
        self.askers = askers
        self.languages = languages
        self.firstSubmittedAt = firstSubmittedAt
    }
}

/// The office's edits of topics — merge, split, rename — checked once, above the engines; the engines
/// call these inside the transaction that reads the rows they judge.
extension Topic {
    /// The responsible body as the office typed it: trimmed, and nil when nothing is left.
    public static func cleanedResponsible(_ responsible: String?) -> String? {
        let cleaned = responsible?.trimmingCharacters(in: .whitespacesAndNewlines)
        return cleaned?.isEmpty == false ? cleaned : nil
    }
}

public enum TopicEdits {
    /// A title made from a question's text, as a grouping run or a split makes it: at most
    /// ``Topic/derivedTitleLength`` characters, shortened with an ellipsis.
    public static func derivedTitle(_ text: String) -> String {
        text.count > Topic.derivedTitleLength ? String(text.prefix(Topic.derivedTitleLength - 1)) + "…" : text
    }

    /// The topic a split opens for the `leaving` questions: titled after the first of them (`first`,
    /// its text), otherwise like `original`.
    public static func splitOff(from original: Topic, leaving: [Question.ID], firstText: String?, now: Date) -> Topic {
        Topic(
            title: derivedTitle(firstText ?? original.title), representativeQuestionID: leaving.first,
            category: original.category, categoryOverridden: original.categoryOverridden, place: original.place,
            reason: original.reason, createdAt: now)
    }

    /// How a change of the title forms is recorded (a rename decision's value).
    public static func titlesDecisionValue(_ titles: BilingualText) -> String {
        "kk: \(titles.kk ?? "—") / ru: \(titles.ru ?? "—")"
    }

    /// A topic cannot be merged into itself.
    public static func checkMerge(into target: Topic.ID, from source: Topic.ID) throws {
        guard target != source else { throw TyndauError.conflict("topic \(target) = topic \(source)") }
    }

    /// The questions leaving a topic of `members` in a split, each once, in id order: some, all of
    /// them members, and never every member (that would be a rename).
    public static func leaving(_ questionIDs: [Question.ID], members: [Question.ID]) throws -> [Question.ID] {
        let leaving = Array(Set(questionIDs)).sorted()
        guard !leaving.isEmpty, leaving.allSatisfy(members.contains) else {
            throw TyndauError.validation(["questions": "error.topics.not-members"])
        }
        guard leaving.count < members.count else { throw TyndauError.validation(["questions": "error.topics.split-all"]) }
        return leaving
    }

    /// The title trimmed; empty or longer than ``Topic/titleLimit`` is refused.
    public static func validatedTitle(_ title: String) throws -> String {
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= Topic.titleLimit else {
            throw TyndauError.validation(["title": "error.topics.bad-title"])
        }
        return trimmed
    }
}
