import Foundation

/// An ISO 8601 week such as `2026-W49`: the unit the meeting calendar and `agendas/` are named by.
public struct ISOWeek: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let week: Int

    public init?(year: Int, week: Int) {
        guard (1...53).contains(week), week <= ISOWeek.weeks(inYear: year) else { return nil }
        self.year = year
        self.week = week
    }

    /// Parses `2026-W49` (also `2026-w49`, `2026W49`).
    public init?(_ string: String) {
        let upper = string.uppercased().replacingOccurrences(of: "-", with: "")
        let parts = upper.split(separator: "W")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), let week = Int(parts[1]) else {
            return nil
        }
        self.init(year: year, week: week)
    }

    /// The ISO week containing `date` in `timeZone`.
    public init(containing date: Date, timeZone: TimeZone = .almaty) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let components = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        self.year = components.yearForWeekOfYear!
        self.week = components.weekOfYear!
    }

    public var description: String { String(format: "%04d-W%02d", year, week) }

    /// Midnight of the given ISO weekday (1 = Monday … 7 = Sunday) of this week in `timeZone`.
    public func date(weekday: Int = 1, timeZone: TimeZone = .almaty) -> Date {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        var components = DateComponents()
        components.yearForWeekOfYear = year
        components.weekOfYear = week
        // Calendar weekday numbering: 1 = Sunday.
        components.weekday = weekday % 7 + 1
        return calendar.date(from: components)!
    }

    public func adding(weeks: Int) -> ISOWeek {
        ISOWeek(containing: date(weekday: 4).addingTimeInterval(Double(weeks) * 7 * 86_400))
    }

    /// Whole weeks from `self` to `other` (positive when `other` is later).
    public func weeks(until other: ISOWeek) -> Int {
        Int((other.date(weekday: 4).timeIntervalSince(date(weekday: 4)) / (7 * 86_400)).rounded())
    }

    /// 52 or 53: a year has 53 ISO weeks when 28 December falls in week 53.
    public static func weeks(inYear year: Int) -> Int {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let december28 = calendar.date(from: DateComponents(year: year, month: 12, day: 28))!
        return calendar.component(.weekOfYear, from: december28)
    }

    /// Encoded as its string form, `2026-W49`, in JSON and in the database alike.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let week = ISOWeek(string) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO week: \(string)")
        }
        self = week
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: ISOWeek, rhs: ISOWeek) -> Bool {
        (lhs.year, lhs.week) < (rhs.year, rhs.week)
    }
}
