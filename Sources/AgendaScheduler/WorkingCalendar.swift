import Foundation
import TyndauCore

/// Kazakhstan's working days: Monday–Friday minus public holidays and the days off they move to,
/// plus any Saturday the government declares a working day. Written-answer deadlines are counted on
/// it (15 working days from submission, Law "On administrative procedures").
///
/// The days come from a data file (`kz-working-calendar.json`), one entry per year, because holidays
/// such as Kurban ait move every year and the government decrees transfers; a year missing from the
/// file is an error rather than a guess.
public struct WorkingCalendar: Sendable {
    /// A weekday without work: which holiday, and the weekend day it was moved from, if any.
    public struct DayOff: Sendable, Hashable {
        /// The holiday's id in the data file (`nauryz`, `kurban-ait`, …).
        public var holiday: String
        public var movedFrom: LocalDate?
    }

    /// Non-working weekdays (holidays and transferred days off).
    public let daysOff: [LocalDate: DayOff]
    /// Saturdays or Sundays declared working days.
    public let workingWeekendDays: Set<LocalDate>
    public let coveredYears: ClosedRange<Int>
    /// Holiday names by id, then by language code.
    public let holidayNames: [String: [String: String]]

    public init(
        daysOff: [LocalDate: DayOff], workingWeekendDays: Set<LocalDate> = [], coveredYears: ClosedRange<Int>,
        holidayNames: [String: [String: String]] = [:]
    ) {
        self.daysOff = daysOff
        self.workingWeekendDays = workingWeekendDays
        self.coveredYears = coveredYears
        self.holidayNames = holidayNames
    }

    /// Kazakhstan 2026–2027 from the bundled data file.
    public static let kazakhstan: WorkingCalendar = {
        guard let url = Bundle.module.url(forResource: "kz-working-calendar", withExtension: "json"),
              let data = try? Data(contentsOf: url),
              let calendar = try? WorkingCalendar(json: data)
        else { preconditionFailure("kz-working-calendar.json is missing or malformed") }
        return calendar
    }()

    /// The data file: `{"holidays": {id: {"ru", "kk", "en"}}, "years": {"2026": {"days_off":
    /// [{"date": "…", "holiday": id, "moved_from": "…"}], "working_weekend_days": ["…"]}}}`.
    public init(json: Data) throws {
        struct File: Decodable {
            struct Year: Decodable {
                struct Day: Decodable {
                    var date: String
                    var holiday: String
                    var movedFrom: String?

                    enum CodingKeys: String, CodingKey {
                        case date, holiday
                        case movedFrom = "moved_from"
                    }
                }
                var daysOff: [Day]
                var workingWeekendDays: [String]

                enum CodingKeys: String, CodingKey {
                    case daysOff = "days_off"
                    case workingWeekendDays = "working_weekend_days"
                }
            }
            var holidays: [String: [String: String]]
            var years: [String: Year]
        }
        let file = try JSONDecoder().decode(File.self, from: json)
        var daysOff: [LocalDate: DayOff] = [:]
        var working: Set<LocalDate> = []
        var years: [Int] = []
        for (yearText, year) in file.years {
            guard let number = Int(yearText) else { throw TyndauError.workingCalendarMalformed(yearText) }
            years.append(number)
            for day in year.daysOff {
                guard let date = LocalDate(day.date), date.year == number, file.holidays[day.holiday] != nil else {
                    throw TyndauError.workingCalendarMalformed(day.date)
                }
                var movedFrom: LocalDate?
                if let text = day.movedFrom {
                    guard let parsed = LocalDate(text) else { throw TyndauError.workingCalendarMalformed(text) }
                    movedFrom = parsed
                }
                daysOff[date] = DayOff(holiday: day.holiday, movedFrom: movedFrom)
            }
            for text in year.workingWeekendDays {
                guard let date = LocalDate(text), date.year == number else { throw TyndauError.workingCalendarMalformed(text) }
                working.insert(date)
            }
        }
        guard let first = years.min(), let last = years.max(), years.count == last - first + 1 else {
            throw TyndauError.workingCalendarMalformed("years")
        }
        self.init(daysOff: daysOff, workingWeekendDays: working, coveredYears: first...last, holidayNames: file.holidays)
    }

    /// The day off's name in `language` (falling back to Russian), e.g. "Наурыз мейрамы".
    public func name(of dayOff: DayOff, in language: UILanguage) -> String {
        let names = holidayNames[dayOff.holiday]
        return names?[language.rawValue] ?? names?["ru"] ?? dayOff.holiday
    }

    public func isWorkingDay(_ day: LocalDate) throws -> Bool {
        guard coveredYears.contains(day.year) else { throw TyndauError.workingCalendarMissing(day.year) }
        if workingWeekendDays.contains(day) { return true }
        if day.weekday >= 6 { return false }
        return daysOff[day] == nil
    }

    /// The `count`-th working day after `day` (the day itself is not counted, as a term runs from the
    /// day after the appeal is registered).
    public func adding(workingDays count: Int, to day: LocalDate) throws -> LocalDate {
        var current = day
        var remaining = count
        while remaining > 0 {
            current = current.adding(days: 1)
            if try isWorkingDay(current) { remaining -= 1 }
        }
        return current
    }
}

extension TyndauError {
    /// The working calendar has no data for a year a deadline falls in.
    public static func workingCalendarMissing(_ year: Int) -> TyndauError {
        TyndauError(code: .workingCalendarMissing, messageKey: "error.working-calendar-missing", arguments: [String(year)])
    }

    static func workingCalendarMalformed(_ what: String) -> TyndauError {
        TyndauError(code: .workingCalendarMalformed, messageKey: "error.working-calendar-malformed", arguments: [what])
    }
}
