import Foundation

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
        self = LocalTime(date, in: timeZone).date
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

    /// `2026-12-03`
    public var description: String { LocalTime.pad(year, 4) + "-" + LocalTime.pad(month, 2) + "-" + LocalTime.pad(day, 2) }

    /// `03.12.2026`: how residents read a day in Kazakhstan.
    public var dotted: String { LocalTime.pad(day, 2) + "." + LocalTime.pad(month, 2) + "." + LocalTime.pad(year, 4) }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}


/// The wall-clock reading of an instant in a time zone: its day and time of day. Integer arithmetic
/// over the zone's offset at that instant — no `DateFormatter` or `Calendar`, whose construction cost
/// more than the rest of a page when made per row — so every page, notice and export reads dates the
/// same way, whatever the machine's locale.
public struct LocalTime: Sendable, Hashable {
    public let date: LocalDate
    public let hour: Int
    public let minute: Int
    public let second: Int

    public init(_ instant: Date, in zone: TimeZone) {
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: instant)
        let (days, rest) = local.quotientAndRemainder(dividingBy: 86_400)
        let (day, seconds) = rest < 0 ? (days - 1, rest + 86_400) : (days, rest)
        date = LocalDate(daysSinceEpoch: day)
        hour = seconds / 3_600
        minute = seconds % 3_600 / 60
        second = seconds % 60
    }

    /// `15:05`
    public var clock: String { Self.pad(hour, 2) + ":" + Self.pad(minute, 2) }

    /// `03.12.2026 15:05`: a day and time as residents and the office read them.
    public var dotted: String { date.dotted + " " + clock }

    /// `2026-12-03 15:05`: the command line's form, which sorts.
    public var iso: String { date.description + " " + clock }

    /// `2026-12-03T15:05:00`, without the offset.
    public var isoSeconds: String { date.description + "T" + clock + ":" + Self.pad(second, 2) }

    /// `20261203T150500`: iCalendar's basic form (RFC 5545 DATE-TIME, local or, with `Z`, UTC).
    public var basic: String {
        Self.pad(date.year, 4) + Self.pad(date.month, 2) + Self.pad(date.day, 2) + "T" + Self.pad(hour, 2)
            + Self.pad(minute, 2) + Self.pad(second, 2)
    }

    /// `value` in decimal, zero-padded to `width` digits (`String(format:)` is slow enough to matter
    /// over thousands of rows).
    public static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
