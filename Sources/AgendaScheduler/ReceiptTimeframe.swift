import Foundation
import TyndauCore

/// What a receipt says about time (the akim's rule: "where a question needs a long solution, we say
/// in what timeframe we will answer"): the meeting a question is a candidate for, given the cut-off,
/// and the latest day of a written answer — the policy's working days (15, Law "On administrative
/// procedures") counted on the Kazakhstan working calendar from the day after submission.
public struct ReceiptTimeframe: Sendable, Hashable {
    public var meetingWeek: ISOWeek
    public var meetingStart: Date
    /// Questions submitted before this moment are considered for that meeting.
    public var cutoff: Date
    public var timeZone: TimeZone
    /// `nil` when the working calendar does not cover the year the term ends in.
    public var writtenAnswerDue: LocalDate?

    public init(submittedAt: Date, settings: SeriesSettings, workingCalendar: WorkingCalendar = .kazakhstan) {
        let calendar = MeetingCalendar(series: settings.series)
        meetingWeek = calendar.firstEligibleWeek(submittedAt: submittedAt)
        meetingStart = calendar.start(of: meetingWeek)
        cutoff = calendar.cutoff(of: meetingWeek)
        timeZone = settings.series.zone
        writtenAnswerDue = try? workingCalendar.adding(
            workingDays: settings.policy.writtenAnswerWorkingDays, to: calendar.localDay(of: submittedAt))
    }
}
