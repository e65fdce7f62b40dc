import Foundation
import TyndauCore

/// The series' meetings in time: when each week's meeting starts, when its questions close, which
/// meeting a question first qualifies for and how many meetings it has waited since.
public struct MeetingCalendar: Sendable {
    public let series: MeetingSeries

    public init(series: MeetingSeries) {
        self.series = series
    }

    public var timeZone: TimeZone { series.zone }

    public func start(of week: ISOWeek) -> Date { series.start(of: week) }

    public func end(of week: ISOWeek) -> Date {
        start(of: week).addingTimeInterval(Double(series.durationMinutes) * 60)
    }

    /// Questions submitted at or after this moment wait for the next meeting.
    public func cutoff(of week: ISOWeek) -> Date {
        start(of: week).addingTimeInterval(-Double(series.cutoffHours) * 3600)
    }

    /// The first meeting whose cut-off is after `date`: the meeting a question submitted then can reach.
    public func firstEligibleWeek(submittedAt date: Date) -> ISOWeek {
        var week = ISOWeek(containing: date, timeZone: timeZone)
        while cutoff(of: week) <= date { week = week.adding(weeks: 1) }
        return week
    }

    /// Meetings that took place since the topic first qualified and before `week` — the times it was
    /// carried over.
    public func weeksWaited(firstSubmittedAt: Date, at week: ISOWeek) -> Int {
        max(0, firstEligibleWeek(submittedAt: firstSubmittedAt).weeks(until: week))
    }

    /// The cut-offs of the meetings before `week`, latest first, reaching back past `earliest`:
    /// with them, ``WaitingCounter`` counts carried-over meetings without calendar arithmetic per topic.
    public func waitingCounter(at week: ISOWeek, earliest: Date) -> WaitingCounter {
        var cutoffs: [Date] = []
        var previous = week.adding(weeks: -1)
        while true {
            let cutoff = cutoff(of: previous)
            guard cutoff > earliest else { break }
            cutoffs.append(cutoff)
            previous = previous.adding(weeks: -1)
        }
        return WaitingCounter(earlierCutoffs: cutoffs)
    }

    /// The next meeting that has not started at `now`.
    public func nextMeeting(after now: Date) -> ISOWeek {
        var week = ISOWeek(containing: now, timeZone: timeZone)
        while start(of: week) <= now { week = week.adding(weeks: 1) }
        return week
    }

    /// The local calendar day of `date` in the series' zone.
    public func localDay(of date: Date) -> LocalDate {
        LocalDate(date, timeZone: timeZone)
    }
}

/// Counts, for a submission time, the earlier meetings whose cut-off came after it — the meetings
/// a topic was carried over from. Same answer as ``MeetingCalendar/weeksWaited(firstSubmittedAt:at:)``.
public struct WaitingCounter: Sendable {
    /// Latest first, strictly decreasing.
    let earlierCutoffs: [Date]

    public func weeksWaited(firstSubmittedAt date: Date) -> Int {
        // Binary search for the number of cut-offs later than `date`.
        var low = 0
        var high = earlierCutoffs.count
        while low < high {
            let middle = (low + high) / 2
            if earlierCutoffs[middle] > date { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

extension MeetingCalendar {
    /// Whether `week`'s agenda may still change: the stored meeting's rule (``Meeting/agendaIsOpen(at:)``)
    /// when there is one, and in any case before the series' start of that week.
    public func agendaIsOpen(week: ISOWeek, meeting: Meeting?, now: Date) -> Bool {
        (meeting?.agendaIsOpen(at: now) ?? true) && now < start(of: week)
    }

    /// Throws ``TyndauError/agendaFrozen(_:)`` unless ``agendaIsOpen(week:meeting:now:)``.
    public func requireAgendaOpen(week: ISOWeek, meeting: Meeting?, now: Date) throws {
        guard agendaIsOpen(week: week, meeting: meeting, now: now) else { throw TyndauError.agendaFrozen(week) }
    }
}
