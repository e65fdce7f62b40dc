import ArgumentParser
import Foundation
import TyndauCore
import TyndauServer
import TyndauSQLite

/// `tyndau sla`: the golden hour — how many questions the office triaged (grouped, rejected,
/// redirected) within the hour, how many are past it, and the oldest still waiting.
struct SlaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla",
        abstract: "Golden-hour report: questions triaged within the hour, past it, and the oldest untriaged."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only questions submitted since: 24h, 7d, 90m, 2026-11-01 or an ISO 8601 instant (default: all).")
    var since: String?

    @Option(help: "How many of the oldest untriaged questions to list.")
    var limit = 10

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let (database, configuration) = try await options.openDatabase()
        let now = WallClock.now()
        var sinceDate: Date?
        if let since {
            guard let date = SinceParser.parse(since, now: now) else {
                throw ValidationError(CLIText.text("sla.bad-since", since))
            }
            sinceDate = date
        }
        let minutes = configuration.intake.settings.goldenHourMinutes
        let report = try await database.goldenHour(
            since: sinceDate, now: now, window: TimeInterval(minutes * 60), oldestLimit: max(0, limit)
        )
        if json {
            print(try Console.json(report))
            return
        }
        for line in Self.lines(report) { print(line) }
    }

    static func lines(_ report: GoldenHourReport) -> [String] {
        let since = report.since.map { ISO8601DateFormatter().string(from: $0) } ?? CLIText.text("sla.all-time")
        var lines = [
            CLIText.text("sla.title", since),
            "  " + CLIText.text("sla.total", report.total),
            "  " + CLIText.text("sla.within", report.windowMinutes, report.triagedWithin),
            "  " + CLIText.text("sla.late", report.triagedLate),
            "  " + CLIText.text("sla.pending-within", report.pendingWithin),
            "  " + CLIText.text("sla.pending-overdue", report.pendingOverdue),
        ]
        if !report.oldestUntriaged.isEmpty {
            lines.append(CLIText.text("sla.oldest"))
            for waiting in report.oldestUntriaged {
                lines.append("  \(waiting.ticket)  \(ISO8601DateFormatter().string(from: waiting.submittedAt))  "
                    + CLIText.text("sla.waiting", waiting.waitingMinutes))
            }
        }
        return lines
    }
}
