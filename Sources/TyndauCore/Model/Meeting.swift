import Foundation

/// The recurring weekly meeting: when it happens and how long it lasts.
/// Agenda policy (weights, block shares, urgency words) belongs to the scheduler's configuration.
public struct MeetingSeries: Sendable, Codable, Hashable {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    public var weekday: Int
    /// Local start time, minutes after midnight.
    public var startMinute: Int
    public var durationMinutes: Int
    /// IANA time zone identifier.
    public var timeZone: String
    /// Questions submitted later than this many hours before the start wait for the next meeting.
    public var cutoffHours: Int

    public init(weekday: Int = 4, startMinute: Int = 15 * 60, durationMinutes: Int = 60, timeZone: String = "Asia/Almaty", cutoffHours: Int = 24) {
        self.weekday = weekday
        self.startMinute = startMinute
        self.durationMinutes = durationMinutes
        self.timeZone = timeZone
        self.cutoffHours = cutoffHours
    }

    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? .almaty }

    /// The start of this series' meeting in `week`.
    public func start(of week: ISOWeek) -> Date {
        week.date(weekday: weekday, timeZone: zone).addingTimeInterval(Double(startMinute) * 60)
    }
}

/// One meeting of the series, identified by its ISO week.
public struct Meeting: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    public var week: ISOWeek
    public var startsAt: Date
    public var durationMinutes: Int
    public var timeZone: String
    public var state: MeetingState
    public var closedAt: Date?

    public init(id: ID? = nil, week: ISOWeek, startsAt: Date, durationMinutes: Int, timeZone: String, state: MeetingState = .planned, closedAt: Date? = nil) {
        self.id = id
        self.week = week
        self.startsAt = startsAt
        self.durationMinutes = durationMinutes
        self.timeZone = timeZone
        self.state = state
        self.closedAt = closedAt
    }

    public var endsAt: Date { startsAt.addingTimeInterval(Double(durationMinutes) * 60) }
}

/// A meeting is planned until it starts (agenda may be rebuilt), live while it runs, closed after.
public enum MeetingState: String, Sendable, Codable, CaseIterable, Hashable {
    case planned
    case live
    case closed
}

/// One topic on a meeting's agenda, with its slot.
public struct AgendaItem: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    public var meetingID: Meeting.ID
    public var topicID: Topic.ID
    public var position: Int
    public var block: AgendaBlock
    /// Minutes after the meeting's start at which the item begins.
    public var startOffsetMinutes: Int
    public var minutes: Int
    /// One line of "why it is here": askers, weeks waited, urgency.
    public var why: String

    public init(id: ID? = nil, meetingID: Meeting.ID, topicID: Topic.ID, position: Int, block: AgendaBlock, startOffsetMinutes: Int, minutes: Int, why: String) {
        self.id = id
        self.meetingID = meetingID
        self.topicID = topicID
        self.position = position
        self.block = block
        self.startOffsetMinutes = startOffsetMinutes
        self.minutes = minutes
        self.why = why
    }
}
