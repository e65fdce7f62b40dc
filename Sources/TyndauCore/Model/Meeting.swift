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

extension AgendaItem {
    /// An office adjustment of a stored agenda (ordered by position): item `itemID` gets `minutes`
    /// (`nil` keeps them) and moves `move` places earlier (negative) or later among the items of its
    /// own block; positions and start offsets of every item follow. `nil` when no item has that id.
    /// Both storage engines apply it inside their transaction, so they agree on the result.
    public static func adjusting(_ items: [AgendaItem], itemID: ID, minutes: Int?, move: Int) -> [AgendaItem]? {
        var items = items
        guard let index = items.firstIndex(where: { $0.id == itemID }) else { return nil }
        let block = items[index].block
        if let minutes { items[index].minutes = minutes }
        if move != 0 {
            let sameBlock = items.indices.filter { items[$0].block == block }
            if let place = sameBlock.firstIndex(of: index) {
                let target = sameBlock[max(0, min(sameBlock.count - 1, place + move))]
                let moving = items.remove(at: index)
                items.insert(moving, at: target)
            }
        }
        var offset = items.map(\.startOffsetMinutes).min() ?? 0
        for position in items.indices {
            items[position].position = position + 1
            items[position].startOffsetMinutes = offset
            offset += items[position].minutes
        }
        return items
    }
}

extension Meeting {
    /// The frozen-agenda rule, in one place: a week's agenda (its build, pins and skips, the order and
    /// length of items, the announcement) may change only while the meeting is planned and has not started.
    public func agendaIsOpen(at now: Date) -> Bool { state == .planned && now < startsAt }

    /// Throws ``TyndauError/agendaFrozen(_:)`` unless ``agendaIsOpen(at:)``.
    public func requireAgendaOpen(at now: Date) throws {
        guard agendaIsOpen(at: now) else { throw TyndauError.agendaFrozen(week) }
    }
}

extension Meeting {
    /// Answers may be recorded, and the meeting closed, until it is closed.
    public func requireNotClosed() throws {
        guard state != .closed else { throw TyndauError.meetingClosed(week) }
    }

    /// A meeting is closed once it has started, and only once.
    public func requireClosable(at now: Date) throws {
        try requireNotClosed()
        guard now >= startsAt else { throw TyndauError.meetingNotStarted(week) }
    }

    /// Closes the meeting at `now` (``requireClosable(at:)`` decides whether it may be).
    public mutating func close(at now: Date) {
        state = .closed
        closedAt = now
    }
}
