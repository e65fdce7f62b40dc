import AgendaScheduler
import Foundation
import TyndauCore
import TyndauSQLite

extension DemoCommand {
    /// The demo week: the sample's questions arrive 23 November – 2 December 2026, for the meeting
    /// of Thursday 3 December (2026-W49).
    static let demoWeek = ISOWeek("2026-W49")!

    /// Builds the demo week's agenda from the loaded sample and prints where the files are. The
    /// clock is set to the sample's cut-off, so the demo gives the same agenda on any day.
    static func runAgendaStage(database: any TyndauStore, outputFolder: String = "agendas") async throws {
        let settings = SeriesSettings()
        let calendar = MeetingCalendar(series: settings.series)
        let now = calendar.cutoff(of: demoWeek)
        let result = try await AgendaWorkflow.build(
            week: demoWeek, settings: settings, database: database, now: now, outputFolder: outputFolder
        )
        let agenda = result.agenda
        if result.singleTopicsMade > 0 { print(CLIText.text("agenda.single-topics", result.singleTopicsMade)) }
        print(CLIText.text(
            "demo.agenda", agenda.week, agenda.topics.count, agenda.usedMinutes, agenda.topicMinutes,
            agenda.notSelected.count, agenda.writtenAnswers.count
        ))
        for topic in agenda.topics {
            let title = topic.title.count > 60 ? topic.title.prefix(59) + "…" : Substring(topic.title)
            let time = AgendaWorkflow.clock(agenda.start.addingTimeInterval(Double(topic.startOffsetMinutes) * 60), agenda.series.zone)
            print("  " + CLIText.text("agenda.item-line", topic.position, time, topic.minutes, topic.topicID, title)
                + "  — " + AgendaText.why(topic.reasons, CLIText.language))
        }
        print(CLIText.text("demo.agenda-files"))
        for path in result.paths { print("  " + path) }
    }
}
