import AgendaScheduler
import Foundation
import Testing
import TyndauCore

@Suite struct MeetingCalendarTests {
    let calendar = MeetingCalendar(series: MeetingSeries())

    static func at(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    @Test func defaultSeriesStartsOnThursdayAfternoonInAlmaty() {
        // Thursday 3 December 2026, 15:00 in Almaty = 10:00 UTC.
        #expect(calendar.start(of: ISOWeek("2026-W49")!) == Date(timeIntervalSince1970: 1_796_292_000))
        #expect(calendar.cutoff(of: ISOWeek("2026-W49")!) == Self.at("2026-12-02T15:00:00+05:00"))
    }

    @Test func almatyIsUTCPlusFiveAllYearWithoutDaylightSaving() {
        let zone = TimeZone.almaty
        for month in 1...12 {
            let date = Self.at(String(format: "2027-%02d-15T12:00:00+05:00", month))
            #expect(zone.secondsFromGMT(for: date) == 5 * 3600)
            #expect(!zone.isDaylightSavingTime(for: date))
        }
        // Summer and winter meetings start at the same UTC hour.
        #expect(calendar.start(of: ISOWeek("2026-W27")!) == Self.at("2026-07-02T10:00:00Z"))
        #expect(calendar.start(of: ISOWeek("2027-W02")!) == Self.at("2027-01-14T10:00:00Z"))
    }

    @Test func week53AndTheYearBoundary() throws {
        let w53 = try #require(ISOWeek("2026-W53"))
        #expect(ISOWeek("2027-W53") == nil)
        #expect(calendar.start(of: w53) == Self.at("2026-12-31T15:00:00+05:00"))
        #expect(w53.adding(weeks: 1).description == "2027-W01")
        #expect(calendar.start(of: ISOWeek("2027-W01")!) == Self.at("2027-01-07T15:00:00+05:00"))
        // Friday 1 January 2027 belongs to 2026-W53.
        #expect(ISOWeek(containing: Self.at("2027-01-01T09:00:00+05:00")).description == "2026-W53")
        // Submitted after W53's cut-off: first chance is 2027-W01; at 2027-W03 it has waited two meetings.
        let late = Self.at("2026-12-30T18:00:00+05:00")
        #expect(calendar.firstEligibleWeek(submittedAt: late).description == "2027-W01")
        #expect(calendar.weeksWaited(firstSubmittedAt: late, at: ISOWeek("2027-W03")!) == 2)
        let early = Self.at("2026-12-21T10:00:00+05:00")
        #expect(calendar.firstEligibleWeek(submittedAt: early).description == "2026-W52")
        #expect(calendar.weeksWaited(firstSubmittedAt: early, at: ISOWeek("2027-W01")!) == 2)
        // After Thursday 31 December's meeting has begun, the next one is 7 January.
        #expect(calendar.nextMeeting(after: Self.at("2026-12-31T16:00:00+05:00")).description == "2027-W01")
        #expect(calendar.nextMeeting(after: Self.at("2026-12-31T14:59:00+05:00")).description == "2026-W53")
    }

    @Test func cutoffDecidesTheFirstMeeting() {
        let week = ISOWeek("2026-W49")!
        #expect(calendar.firstEligibleWeek(submittedAt: Self.at("2026-12-02T14:59:00+05:00")) == week)
        #expect(calendar.firstEligibleWeek(submittedAt: Self.at("2026-12-02T15:00:00+05:00")) == week.adding(weeks: 1))
    }
}

@Suite struct WorkingCalendarTests {
    let calendar = WorkingCalendar.kazakhstan

    @Test func deadlineAcrossNewYearSkipsHolidaysAndTheMovedDayOff() throws {
        // 1 Jan (Fri) holiday, 2 Jan (Sat) moved to Monday 4 Jan, 7 Jan Christmas.
        let deadline = try calendar.adding(workingDays: 15, to: LocalDate("2026-12-21")!)
        #expect(deadline.description == "2027-01-14")
        #expect(try !calendar.isWorkingDay(LocalDate("2027-01-04")!))
        #expect(try calendar.isWorkingDay(LocalDate("2027-01-05")!))
    }

    @Test func deadlineAcrossNauryz() throws {
        // 2026: Nauryz 21–23 March; the Saturday and Sunday move to 24 and 25 March.
        #expect(try calendar.adding(workingDays: 15, to: LocalDate("2026-03-16")!).description == "2026-04-09")
        // 2027: 22–23 March and the Sunday moved to Wednesday 24 March.
        #expect(try calendar.adding(workingDays: 15, to: LocalDate("2027-03-15")!).description == "2027-04-08")
        for day in ["2026-03-23", "2026-03-24", "2026-03-25", "2027-03-22", "2027-03-23", "2027-03-24"] {
            #expect(try !calendar.isWorkingDay(LocalDate(day)!), "\(day) should be a day off")
        }
    }

    @Test func publicHolidaysOfBothYearsAreDaysOff() throws {
        for day in ["2026-01-07", "2026-05-27", "2026-07-06", "2026-08-31", "2026-10-26", "2026-12-16", "2027-05-10", "2027-10-25"] {
            #expect(try !calendar.isWorkingDay(LocalDate(day)!), "\(day) should be a day off")
        }
        #expect(try calendar.isWorkingDay(LocalDate("2026-12-17")!))
        #expect(try !calendar.isWorkingDay(LocalDate("2026-12-19")!))
    }

    @Test func aYearWithoutDataIsAnErrorNotAGuess() {
        #expect(throws: TyndauError.workingCalendarMissing(2028)) {
            try calendar.adding(workingDays: 15, to: LocalDate("2027-12-20")!)
        }
    }
}

@Suite struct CalendarArithmeticTests {
    @Test func waitingCounterAgreesWithTheCalendarOnRandomDates() {
        let calendar = MeetingCalendar(series: MeetingSeries())
        var random = SplitMix64(seed: 53)
        for week in ["2026-W01", "2026-W53", "2027-W01", "2027-W30"].compactMap(ISOWeek.init) {
            let cutoff = calendar.cutoff(of: week)
            let dates = (0..<300).map { _ in cutoff.addingTimeInterval(-Double(Int.random(in: 0...(60 * 86_400), using: &random))) }
            let counter = calendar.waitingCounter(at: week, earliest: dates.min()!)
            for date in dates {
                #expect(counter.weeksWaited(firstSubmittedAt: date) == calendar.weeksWaited(firstSubmittedAt: date, at: week))
            }
        }
    }

    @Test func localDateArithmeticMatchesFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .almaty
        var random = SplitMix64(seed: 8)
        for _ in 0..<500 {
            let date = Date(timeIntervalSince1970: Double(Int.random(in: 1_700_000_000...1_900_000_000, using: &random)))
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let local = LocalDate(date, timeZone: .almaty)
            #expect(local == LocalDate(year: parts.year!, month: parts.month!, day: parts.day!))
            #expect(local.weekday == (parts.weekday! + 5) % 7 + 1)
            #expect(LocalDate(daysSinceEpoch: local.daysSinceEpoch) == local)
        }
        #expect(LocalDate("2028-02-29") != nil && LocalDate("2027-02-29") == nil)
        #expect(LocalDate("2026-12-31")!.adding(days: 1).description == "2027-01-01")
    }
}

@Suite struct HolidayMeetingTests {
    @Test func aMeetingOnChristmasDayIsFlaggedInEveryLanguage() throws {
        // 2027-W01's Thursday is 7 January, Orthodox Christmas.
        let agenda = try AgendaPlanner(series: MeetingSeries()).plan(week: ISOWeek("2027-W01")!, candidates: [])
        let note = try #require(agenda.notes.first { $0.code == "meeting-on-day-off" })
        #expect(AgendaText.note(note, .ru) == "День встречи — нерабочий: Православное Рождество.")
        #expect(AgendaText.note(note, .kk).contains("Православиелік Рождество"))
        #expect(AgendaJSONRenderer().render(agenda).contains("\"dayOff\": \"Orthodox Christmas\""))
    }

    @Test func movedDaysOffRecordWhereTheyCameFrom() throws {
        let calendar = WorkingCalendar.kazakhstan
        let moved = try #require(calendar.daysOff[LocalDate("2026-03-24")!])
        #expect(moved.holiday == "nauryz" && moved.movedFrom == LocalDate("2026-03-21"))
        #expect(calendar.name(of: moved, in: .kk) == "Наурыз мейрамы")
    }

    @Test func zonesWithDaylightSavingAreWrittenInUTC() throws {
        let series = MeetingSeries(timeZone: "Europe/Berlin")
        let agenda = try AgendaPlanner(series: series).plan(week: ISOWeek("2026-W49")!, candidates: [])
        let ics = AgendaICalendarRenderer().render(agenda)
        #expect(!ics.contains("BEGIN:VTIMEZONE"))
        // Thursday 3 December 2026, 15:00 in Berlin (UTC+1) = 14:00 UTC.
        #expect(ics.contains("\r\nDTSTART:20261203T140000Z\r\n"))
    }
}
