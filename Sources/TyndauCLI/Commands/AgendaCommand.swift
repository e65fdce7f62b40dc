import AgendaScheduler
import ArgumentParser
import Foundation
import TyndauCore
import TyndauSQLite

/// `tyndau agenda build|show|pin|skip|unmark`: the week's agenda, chosen by the scheduler and
/// written to `agendas/` as Markdown, JSON and iCalendar.
struct AgendaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agenda",
        abstract: "Build, show and adjust the weekly meeting's agenda.",
        subcommands: [Build.self, Show.self, Pin.self, Skip.self, Unmark.self, Announce.self]
    )

    /// `--week`, defaulting to the next meeting that has not started.
    struct WeekOption: ParsableArguments {
        @Option(help: "ISO week, e.g. 2026-W49 (default: the next meeting that has not started).")
        var week: String?

        func resolve(_ calendar: MeetingCalendar, now: Date) throws -> ISOWeek {
            guard let text = week else { return calendar.nextMeeting(after: now) }
            guard let parsed = ISOWeek(text) else { throw TyndauError.validation(["week": "agenda.bad-week"]) }
            return parsed
        }
    }

    static var actor: String { GlobalOptions.actor }

    static func topicID(_ text: String) throws -> Topic.ID {
        let digits = text.hasPrefix("T") || text.hasPrefix("t") || text.hasPrefix("#") ? String(text.dropFirst()) : text
        guard let id = Topic.ID(digits), id > 0 else { throw TyndauError.validation(["topic": "agenda.bad-topic"]) }
        return id
    }
}

extension AgendaCommand {
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose the week's topics and write agendas/WEEK.md, .json and .ics.",
            discussion: """
                Rebuilding a week before its meeting starts replaces its agenda and files; once the \
                meeting has started the agenda is frozen and a rebuild is refused. Until grouping has \
                run (no topics stored), each open question becomes a topic of its own.
                """
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var weekOption: WeekOption

        @Flag(help: "Show the agenda without writing the database or files.")
        var dryRun = false

        @Option(help: "Folder for the agenda files.")
        var out = "agendas"

        func run() async throws {
            let (database, configuration) = try await options.openDatabase()
            let settings = try await AgendaWorkflow.settings(configuration, database)
            let now = WallClock.now()
            let week = try weekOption.resolve(MeetingCalendar(series: settings.series), now: now)
            let result = try await AgendaWorkflow.build(
                week: week, settings: settings, database: database, now: now, outputFolder: dryRun ? nil : out
            )
            AgendaWorkflow.report(result)
            if dryRun {
                print("")
                print(result.files.markdown)
                print(CLIText.text("agenda.dry-run"))
            }
            try await database.close()
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a week's stored agenda, pins and skips.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var weekOption: WeekOption

        func run() async throws {
            let (database, configuration) = try await options.openDatabase()
            let settings = try await AgendaWorkflow.settings(configuration, database)
            let calendar = MeetingCalendar(series: settings.series)
            let now = WallClock.now()
            let week = try weekOption.resolve(calendar, now: now)
            let zone = settings.series.zone
            for mark in try await database.agendaMarks(week: week) {
                print(mark.kind == .pin
                      ? CLIText.text("agenda.show-mark-pin", mark.topicID)
                      : CLIText.text("agenda.show-mark-skip", mark.topicID, mark.reason ?? ""))
            }
            guard let meeting = try await database.meeting(week: week) else {
                print(CLIText.text("agenda.none", week))
                return
            }
            let frozen = meeting.state != .planned || now >= meeting.startsAt
            print(CLIText.text(
                "agenda.show-header", week, AgendaWorkflow.localTime(meeting.startsAt, zone),
                CLIText.text(frozen ? "agenda.state.frozen" : "agenda.state.planned")
            ))
            for item in try await database.agendaItems(week: week) {
                let title = try await database.agendaTopic(id: item.topicID)?.title ?? ""
                let time = AgendaWorkflow.clock(meeting.startsAt.addingTimeInterval(Double(item.startOffsetMinutes) * 60), zone)
                let shortTitle = title.count > 70 ? title.prefix(69) + "…" : Substring(title)
                print("  " + CLIText.text("agenda.item-line", item.position, time, item.minutes, item.topicID, shortTitle))
            }
            for entry in try await database.writtenAnswers(week: week) {
                print(CLIText.text("agenda.show-written", entry.topicID, entry.deadline))
            }
        }
    }

    struct Pin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Always put a topic on a week's agenda.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var weekOption: WeekOption

        @Argument(help: "Topic number (e.g. 12 or T12).")
        var topic: String

        func run() async throws {
            let (database, configuration) = try await options.openDatabase()
            let now = WallClock.now()
            let (week, id, _) = try await AgendaWorkflow.mark(.pin, topic, weekOption, configuration, database, now: now)
            print(CLIText.text("agenda.pinned", id, week))
        }
    }

    struct Skip: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep a topic off a week's agenda, with a reason.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var weekOption: WeekOption

        @Argument(help: "Topic number (e.g. 12 or T12).")
        var topic: String

        @Option(help: "Why the office skips it (shown in the agenda).")
        var reason: String

        func run() async throws {
            let reason = self.reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty else { throw TyndauError.validation(["reason": "agenda.reason-required"]) }
            let (database, configuration) = try await options.openDatabase()
            let now = WallClock.now()
            let (week, id, _) = try await AgendaWorkflow.mark(.skip(reason: reason), topic, weekOption, configuration, database, now: now)
            print(CLIText.text("agenda.skipped", id, week))
        }
    }

    struct Unmark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a topic's pin or skip for a week.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var weekOption: WeekOption

        @Argument(help: "Topic number (e.g. 12 or T12).")
        var topic: String

        func run() async throws {
            let (database, configuration) = try await options.openDatabase()
            let now = WallClock.now()
            let (week, id, removed) = try await AgendaWorkflow.mark(.unmark, topic, weekOption, configuration, database, now: now)
            print(CLIText.text(removed ? "agenda.unmarked" : "agenda.no-mark", id, week))
        }
    }
}

extension AgendaCommand {
    /// `tyndau agenda announce`: the office publishes the week's stored agenda; the announcement goes
    /// to the endpoints tagged `summaries.announcement_tags` (default `public`), once per endpoint.
    struct Announce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Announce the week's agenda (date, time, broadcast link, topics) on the public endpoints, once."
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var weekOption: WeekOption

        func run() async throws {
            let (database, configuration) = try await PublishingSetup.open(options)
            let now = WallClock.now()
            let settings = try await AgendaWorkflow.settings(configuration, database)
            let week = try weekOption.resolve(MeetingCalendar(series: settings.series), now: now)
            guard let meeting = try await database.meeting(week: week) else { throw TyndauError.notFound("agenda \(week)") }
            try meeting.requireAgendaOpen(at: now)
            let announcement = MeetingAnnouncement(
                endpoints: configuration.endpoints, settings: configuration.summaries, publicURL: configuration.server.publicURL)
            let batches = try await announcement.batches(.announcement, meeting: meeting, store: database)
            guard !batches.isEmpty else { throw TyndauError.notFound(CLIText.text("publish.no-match")) }
            try await database.enqueue(batches, now: now)
            print(CLIText.text("agenda.announced", week, batches.map(\.endpointNames.count).reduce(0, +)))
        }
    }
}

/// The agenda's steps between storage and the scheduler, shared by `agenda build` and `tyndau demo`
/// and called directly by tests with a fixed `now`.
enum AgendaWorkflow {
    struct Result {
        var agenda: Agenda
        var files: AgendaBuilder.Files
        /// Paths written (empty for a dry run).
        var paths: [String]
        /// Topics made of single questions because grouping has not run.
        var singleTopicsMade: Int
        var preview: Bool
    }

    /// The configuration file's series settings overlaid by those stored with `series set`.
    static func settings(_ configuration: TyndauConfiguration, _ store: any AgendaStore) async throws -> SeriesSettings {
        try SeriesSettings(series: configuration.series, policy: configuration.agendaPolicy)
            .overlaid(with: try await store.seriesSettings())
    }

    /// Plans (and unless `outputFolder` is `nil`, saves) the week with ``AgendaBuilder`` and writes
    /// the three files to `outputFolder`.
    static func build(
        week: ISOWeek, settings: SeriesSettings, database: any TyndauStore, now: Date, outputFolder: String?
    ) async throws -> Result {
        let built = try await AgendaBuilder(settings: settings, actor: AgendaCommand.actor)
            .build(week: week, store: database, now: now, save: outputFolder != nil)
        let files = built.files
        var paths: [String] = []
        if let folder = outputFolder {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (suffix, content) in [("md", files.markdown), ("json", files.json), ("ics", files.ics)] {
                let path = (folder as NSString).appendingPathComponent("\(week).\(suffix)")
                try Data(content.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                paths.append(path)
            }
        }
        return Result(
            agenda: built.agenda, files: files, paths: paths, singleTopicsMade: built.singleTopicsMade, preview: built.preview
        )
    }

    static func report(_ result: Result) {
        let agenda = result.agenda
        if result.singleTopicsMade > 0 { print(CLIText.text("agenda.single-topics", result.singleTopicsMade)) }
        if result.preview { print(CLIText.text("agenda.preview-single")) }
        print(CLIText.text(
            "agenda.built", agenda.week, localTime(agenda.start, agenda.series.zone), agenda.topics.count, agenda.usedMinutes,
            agenda.topicMinutes, agenda.notSelected.count, agenda.writtenAnswers.count
        ))
        for note in agenda.notes { print(CLIText.text("agenda.note", AgendaText.note(note, CLIText.language))) }
        for path in result.paths { print(CLIText.text("agenda.file", path)) }
    }

    /// Pin/skip/unmark of the topic given as `12` or `T12` in the week of `--week`, by `AgendaMarking`.
    @discardableResult
    static func mark(
        _ action: AgendaMarking.Action, _ topicText: String, _ weekOption: AgendaCommand.WeekOption,
        _ configuration: TyndauConfiguration, _ database: any TyndauStore, now: Date
    ) async throws -> (week: ISOWeek, topic: Topic.ID, changed: Bool) {
        let id = try AgendaCommand.topicID(topicText)
        let calendar = MeetingCalendar(series: try await settings(configuration, database).series)
        let week = try weekOption.resolve(calendar, now: now)
        let changed = try await AgendaMarking(calendar: calendar).apply(
            action, topicID: id, week: week, actor: AgendaCommand.actor, store: database, now: now)
        return (week, id, changed)
    }

    static func localTime(_ date: Date, _ zone: TimeZone) -> String { LocalTime(date, in: zone).iso }

    static func clock(_ date: Date, _ zone: TimeZone) -> String { LocalTime(date, in: zone).clock }
}
