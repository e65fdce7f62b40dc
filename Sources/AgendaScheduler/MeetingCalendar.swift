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

/// A calendar day with no time and no zone (`2026-12-03`): what deadlines and holidays are made of.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day)
        else { return nil }
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

    public init(_ date: Date, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = calendar.dateComponents([.year, .month, .day], from: date)
        self.year = components.year!
        self.month = components.month!
        self.day = components.day!
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    private var noonUTC: Date {
        Self.utc.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
    }

    public func adding(days: Int) -> LocalDate {
        LocalDate(noonUTC.addingTimeInterval(Double(days) * 86_400), timeZone: TimeZone(secondsFromGMT: 0)!)
    }

    /// ISO weekday, 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        let sundayFirst = Self.utc.component(.weekday, from: noonUTC)
        return (sundayFirst + 5) % 7 + 1
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
