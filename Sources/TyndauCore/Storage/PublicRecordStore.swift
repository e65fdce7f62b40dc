import Foundation

/// One closed meeting in the public archive's index.
public struct ClosedMeetingSummary: Sendable, Hashable {
    public var meeting: Meeting
    /// Agenda items with a final answer.
    public var answeredTopics: Int
    /// Promises made at the meeting.
    public var commitments: Int

    public init(meeting: Meeting, answeredTopics: Int, commitments: Int) {
        self.meeting = meeting
        self.answeredTopics = answeredTopics
        self.commitments = commitments
    }
}

/// One question's way through the office, without its text or asker: what the public statistics count.
public struct QuestionTimeline: Sendable, Hashable {
    public var submittedAt: Date
    public var triagedAt: Date?
    public var language: TextLanguage
    public var category: QuestionCategory?
    public var status: QuestionStatus
    /// When the meeting that answered its topic was closed, for questions answered at a meeting.
    public var answeredAt: Date?

    public init(
        submittedAt: Date, triagedAt: Date?, language: TextLanguage, category: QuestionCategory?, status: QuestionStatus,
        answeredAt: Date?
    ) {
        self.submittedAt = submittedAt
        self.triagedAt = triagedAt
        self.language = language
        self.category = category
        self.status = status
        self.answeredAt = answeredAt
    }
}

/// Reads for the public record (archive, promises, live page, statistics, open data). Rules about
/// what the public may see live in ``PublicRecord``; the engines only fetch rows.
public protocol PublicRecordStore: Sendable {
    /// Closed meetings, newest first, with how many topics were answered and promises made.
    func closedMeetingSummaries() async throws -> [ClosedMeetingSummary]

    /// The names askers of `topicIDs` gave in the form, so they can be scrubbed from anything public.
    func askerNames(topicIDs: [Topic.ID]) async throws -> [Topic.ID: [String]]

    /// Every question's timeline submitted at or after `since`, oldest first (rejected ones included).
    func questionTimelines(since: Date) async throws -> [QuestionTimeline]
}
