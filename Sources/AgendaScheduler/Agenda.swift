import Foundation
import TyndauCore

/// A week's agenda as planned: the timeline, the chosen topics with the reason each is there, the
/// topics left out with their reasons, and the written-answer queue with legal deadlines. Renderers
/// turn it into Markdown, JSON and iCalendar; storage keeps its items.
public struct Agenda: Sendable, Hashable {
    public var week: ISOWeek
    public var series: MeetingSeries
    public var start: Date
    public var end: Date
    /// Questions submitted from this moment on wait for the next meeting.
    public var cutoff: Date
    /// The latest change to what the agenda was built from: equal inputs give equal files.
    public var revisedAt: Date
    public var introMinutes: Int
    /// The opening report on commitments due since the last meeting.
    public var openingMinutes: Int
    public var closingMinutes: Int
    /// Time for topics: the meeting minus intro, opening and closing.
    public var topicMinutes: Int
    public var usedMinutes: Int
    public var maxTopics: Int
    /// Meetings a topic may wait before it must be scheduled or answered in writing.
    public var maxWaitingWeeks: Int
    public var writtenAnswerWorkingDays: Int
    public var commitmentsDue: [CommitmentDue]
    public var blocks: [BlockPlan]
    /// Topics that stay in the queue (carried over or skipped); those sent to a written answer are
    /// in ``writtenAnswers`` only.
    public var notSelected: [Omission]
    public var writtenAnswers: [WrittenAnswer]
    public var notes: [Note]
    public var candidateCount: Int
    /// Sum of the chosen topics' priorities, in thousandths of a point.
    public var totalPriority: Int

    public var reserveMinutes: Int { topicMinutes - usedMinutes }
    public var topics: [ScheduledTopic] { blocks.flatMap(\.topics) }
    /// Minutes after the start at which the opening report, the topics and the closing begin.
    public var openingOffset: Int { introMinutes }
    public var topicsOffset: Int { introMinutes + openingMinutes }
    public var closingOffset: Int { series.durationMinutes - closingMinutes }

    /// One block of the meeting with its reserved minimum and its topics in speaking order.
    public struct BlockPlan: Sendable, Hashable {
        public var block: AgendaBlock
        public var minimumMinutes: Int
        public var topics: [ScheduledTopic]

        public var minutes: Int { topics.reduce(0) { $0 + $1.minutes } }
    }

    /// Why a topic scored what it did; the "why it is here" line is made of these.
    public struct Reasons: Sendable, Hashable {
        public var askers: Int
        public var weeksWaited: Int
        /// The urgency keywords found in the topic's questions.
        public var urgency: [String]
        public var pinned: Bool
        public var priority: Int
    }

    /// A topic on the agenda with its slot: what the office reads out and when.
    public struct ScheduledTopic: Sendable, Hashable {
        public var position: Int
        public var topicID: Topic.ID
        public var title: String
        /// The title in Kazakh and Russian.
        public var titles: BilingualText
        public var block: AgendaBlock
        public var place: String?
        public var responsible: String?
        public var minutes: Int
        public var startOffsetMinutes: Int
        public var reasons: Reasons
    }

    /// Why a topic that could have been on the agenda is not.
    public enum OmissionReason: Sendable, Hashable {
        /// The office took it off this week's agenda.
        case skipped(String)
        /// Higher-priority topics filled the time or the topic limit; it is carried over.
        case outranked

        public var code: String {
            switch self {
            case .skipped: "skipped"
            case .outranked: "carried-over"
            }
        }

        public static let codes = ["carried-over", "skipped"]
    }

    /// A topic left off this week that stays in the queue, with its reason.
    public struct Omission: Sendable, Hashable {
        public var topicID: Topic.ID
        public var title: String
        public var titles: BilingualText
        public var block: AgendaBlock
        public var reasons: Reasons
        public var reason: OmissionReason
    }

    /// A topic that will be answered in writing, with the legal deadline of its earliest question.
    public struct WrittenAnswer: Sendable, Hashable {
        public var topicID: Topic.ID
        public var title: String
        public var titles: BilingualText
        public var block: AgendaBlock
        public var reasons: Reasons
        public var firstSubmitted: LocalDate
        public var deadline: LocalDate
        /// The deadline is before the meeting day: answer at once.
        public var overdue: Bool
        /// Set when the office skipped the topic in the week it reached the maximum wait.
        public var skipReason: String?
    }

    public enum Note: Sendable, Hashable {
        /// Too few minutes of questions in the block to meet its minimum; it was lowered to what there is.
        case blockShort(AgendaBlock, required: Int, available: Int)
        /// The block minimums together cannot be met within the time and topic limits; they were lifted.
        case blockMinimumsLifted
        /// The meeting day is a public holiday or a day off: the holiday's name by language code.
        case meetingOnDayOff([String: String])

        public var code: String {
            switch self {
            case .blockShort: "block-short"
            case .blockMinimumsLifted: "block-minimums-lifted"
            case .meetingOnDayOff: "meeting-on-day-off"
            }
        }
    }
}
