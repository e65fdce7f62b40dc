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

/// A calendar day with no time and no zone (`2026-12-03`): what deadlines and holidays are made of.
/// Pure integer arithmetic on days since 1970-01-01 (proleptic Gregorian), so it is cheap enough
/// to compute for every candidate topic.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...LocalDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `yyyy-MM-dd`.
    public init?(_ string: String) {
        let parts = string.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day `date` falls on in `timeZone`.
    public init(_ date: Date, timeZone: TimeZone) {
        let local = Int((date.timeIntervalSince1970).rounded(.down)) + timeZone.secondsFromGMT(for: date)
        self.init(daysSinceEpoch: Int((Double(local) / 86_400).rounded(.down)))
    }

    /// From days since 1970-01-01 (H. Hinnant's civil-from-days).
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 (H. Hinnant's days-from-civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public func adding(days: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// ISO weekday, 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    public var weekday: Int {
        ((daysSinceEpoch % 7) + 7 + 3) % 7 + 1
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
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
