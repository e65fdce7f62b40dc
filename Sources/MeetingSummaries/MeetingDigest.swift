import Foundation
import TyndauCore

/// What a meeting produced, ready to render: one entry per topic that got an answer.
/// Built by the caller from storage; question text here must already be scrubbed of personal data
/// (``SummaryRenderer`` scrubs it again with the names it is given, to be safe).
public struct MeetingDigest: Sendable, Hashable {
    public var week: ISOWeek
    public var startsAt: Date
    public var timeZone: TimeZone
    public var topics: [Entry]

    public init(week: ISOWeek, startsAt: Date, timeZone: TimeZone = .almaty, topics: [Entry]) {
        self.week = week
        self.startsAt = startsAt
        self.timeZone = timeZone
        self.topics = topics
    }

    /// Distinct residents heard: the sum of each topic's distinct askers.
    public var residentsHeard: Int { topics.map(\.askers).reduce(0, +) }

    /// One answered topic; each language's digest shows its own texts (``BilingualText``).
    public struct Entry: Sendable, Hashable {
        /// The topic's title in Kazakh and Russian.
        public var question: BilingualText
        public var askers: Int
        public var answer: BilingualText
        public var kind: AnswerKind
        public var responsible: BilingualText?
        /// `yyyy-MM-dd`, for commitments.
        public var dueDate: String?
        public var redirectedTo: String?
        /// Names the askers gave in the form, removed from the quoted question.
        public var askerNames: [String]

        public init(
            question: BilingualText, askers: Int, answer: BilingualText, kind: AnswerKind, responsible: BilingualText? = nil, dueDate: String? = nil, redirectedTo: String? = nil, askerNames: [String] = []) {
            self.question = question
            self.askers = askers
            self.answer = answer
            self.kind = kind
            self.responsible = responsible
            self.dueDate = dueDate
            self.redirectedTo = redirectedTo
            self.askerNames = askerNames
        }
    }
}

/// A message to one asker about their own question.
public struct PersonalNotice: Sendable, Hashable {
    public var ticket: String
    public var question: String
    public var meetingStartsAt: Date
    public var timeZone: TimeZone
    /// The answer in Kazakh and Russian: the notice quotes the asker's language's text.
    public var answer: BilingualText
    public var kind: AnswerKind
    public var responsible: BilingualText?
    public var dueDate: String?
    public var redirectedTo: String?
    /// A link where the asker can follow the question, when the server's public URL is known.
    public var statusURL: String?

    public init(
        ticket: String, question: String, meetingStartsAt: Date, timeZone: TimeZone = .almaty, answer: BilingualText,
        kind: AnswerKind, responsible: BilingualText? = nil, dueDate: String? = nil, redirectedTo: String? = nil, statusURL: String? = nil) {
        self.ticket = ticket
        self.question = question
        self.meetingStartsAt = meetingStartsAt
        self.timeZone = timeZone
        self.answer = answer
        self.kind = kind
        self.responsible = responsible
        self.dueDate = dueDate
        self.redirectedTo = redirectedTo
        self.statusURL = statusURL
    }
}
