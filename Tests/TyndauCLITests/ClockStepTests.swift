import Foundation
import Publisher
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

/// Issue 17, faults on purpose: the wall clock steps during a meeting. `tyndau serve` and `tyndau worker`
/// have no way to inject time into a running process, so this runs the meeting watch (the same
/// `MeetingAutomation` both processes loop on) with an injected clock that jumps back and forth.
/// Autoclose follows the clock it is given; what must hold is that no step closes a meeting twice,
/// publishes it twice, closes it before it started, or reopens it.
@Suite struct ClockStepTests {
    @Test func autocloseAcrossClockStepsClosesOnceAndPublishesOnce() async throws {
        let fixture = try await MeetingAnswersTests.fixture()
        let database = fixture.database
        let week = MeetingAnswersTests.week
        let start = MeetingAnswersTests.start
        let end = start.addingTimeInterval(3600)
        var configuration = TyndauConfiguration()
        configuration.summaries.autocloseAfterMinutes = 30
        configuration.endpoints = [try EndpointDefinition(name: "channel", url: "tgram://1:T/-1001", tags: ["public"])]
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        var automation = try await MeetingAutomation(database: database, configuration: configuration, logger: .init(label: "test"))
        let itemID = fixture.items[0].item.id!

        // Twenty minutes into the meeting an answer is recorded; then the clock steps three hours back.
        try await database.recordAnswer(MeetingAnswersTests.promise, week: week, itemID: itemID, actor: "test", now: start.addingTimeInterval(1200))
        automation.now = { start.addingTimeInterval(1200 - 3 * 3600) }
        let back = try await automation.runOnce()
        #expect(back.closed.isEmpty && back.published.isEmpty, "a meeting that has not started by the clock is left alone")
        await #expect(throws: TyndauError.meetingNotStarted(week)) {
            _ = try await database.closeMeeting(week: week, actor: "test", now: start.addingTimeInterval(1200 - 3 * 3600))
        }
        #expect(try await database.meeting(week: week)?.state != .closed)

        // The clock steps a day ahead, past the end and the autoclose delay: closed and published, once.
        automation.now = { end.addingTimeInterval(86_400) }
        let ahead = try await automation.runOnce()
        #expect(ahead.closed == [week] && ahead.published == [week])
        let again = try await automation.runOnce()
        #expect(again.closed.isEmpty && again.published.isEmpty)

        // Back into the meeting's hour: nothing reopens, nothing is closed or published again, and a late
        // answer is refused because the meeting is closed.
        automation.now = { start.addingTimeInterval(1800) }
        let during = try await automation.runOnce()
        #expect(during.closed.isEmpty && during.published.isEmpty)
        #expect(try await database.meeting(week: week)?.state == .closed)
        await #expect(throws: TyndauError.meetingClosed(week)) {
            _ = try await database.recordAnswer(MeetingAnswersTests.promise, week: week, itemID: itemID, actor: "test", now: start.addingTimeInterval(1800))
        }
        let deliveries = try await database.deliveries(status: nil, limit: 10)
        #expect(deliveries.map(\.messageKey) == ["digest:\(week)"], "one digest, whatever the clock did")
        let closes = try await database.auditEvents(subject: "meeting:\(week)", limit: 10).filter { $0.action == "meeting.close" }
        #expect(closes.count == 1)
    }
}
