import AgendaScheduler
import ArgumentParser
import Foundation
import TyndauCore
import TyndauSQLite

/// `tyndau series show|set`: the weekly meeting's time and agenda policy. The configuration file
/// gives the defaults; `set` stores overrides in the database, where every process sees them.
struct SeriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Show or change the weekly meeting series and its agenda policy.",
        subcommands: [Show.self, Set.self]
    )
}

extension SeriesCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the settings in effect and where each comes from.")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (database, configuration) = try await options.openDatabase()
            let stored = try await database.seriesSettings()
            let settings = try await AgendaWorkflow.settings(configuration, database)
            for key in SeriesSettings.keys {
                let source = CLIText.text(stored[key] == nil ? "series.source-file" : "series.source-db")
                print("\(key.padding(toLength: 30, withPad: " ", startingAt: 0)) \(settings.value(of: key))   [\(source)]")
            }
            let calendar = MeetingCalendar(series: settings.series)
            let week = calendar.nextMeeting(after: WallClock.now())
            print(CLIText.text("series.next", week, AgendaWorkflow.localTime(calendar.start(of: week), settings.series.zone)))
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store settings as KEY=VALUE (an empty VALUE returns the key to the file's value).",
            discussion: """
                Keys: \(SeriesSettings.keys.joined(separator: ", ")).
                Examples: tyndau series set duration_minutes=90 start=16:00 \
                block_min_share=landscaping-utilities=0.3,social-infrastructure=0.2,social-protection=0.2,other=0 \
                "urgency_keywords=нет воды;су жоқ;авария"
                """
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "KEY=VALUE pairs.")
        var assignments: [String]

        func run() async throws {
            let (database, configuration) = try await options.openDatabase()
            let values = try Self.parse(assignments)
            // Check the result as a whole before storing anything.
            var stored = try await database.seriesSettings()
            for (key, value) in values {
                if value.isEmpty { stored[key] = nil } else { stored[key] = value }
            }
            let base = SeriesSettings(series: configuration.series, policy: configuration.agendaPolicy)
            let settings = try base.overlaid(with: stored)
            // Store each value in its canonical form.
            let canonical = Dictionary(uniqueKeysWithValues: values.map { key, value in
                (key, value.isEmpty ? "" : settings.value(of: key))
            })
            try await database.setSeriesSettings(canonical, actor: AgendaCommand.actor, now: WallClock.now())
            print(CLIText.text("series.saved", canonical.keys.sorted().map { "\($0)=\(canonical[$0]!)" }.joined(separator: " ")))
        }

        static func parse(_ assignments: [String]) throws -> [String: String] {
            var values: [String: String] = [:]
            for assignment in assignments {
                guard let equals = assignment.firstIndex(of: "=") else {
                    throw TyndauError.seriesSetting(assignment, CLIText.text("series.reason.assignment"))
                }
                let key = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
                guard SeriesSettings.keys.contains(key) else {
                    throw TyndauError.seriesSetting(key, CLIText.text("series.reason.unknown-key"))
                }
                values[key] = String(assignment[assignment.index(after: equals)...])
            }
            return values
        }
    }
}
