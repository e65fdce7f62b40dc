import AgendaScheduler
import Testing
import TyndauCore

@Suite struct MeetingSeriesTests {
    @Test func defaultSeriesStartsOnThursdayAfternoonInAlmaty() {
        let series = MeetingSeries()
        let start = series.start(of: ISOWeek("2026-W49")!)
        // Thursday 3 December 2026, 15:00 in Almaty = 10:00 UTC.
        #expect(start == Date(timeIntervalSince1970: 1_796_292_000))
    }
}

import Foundation
