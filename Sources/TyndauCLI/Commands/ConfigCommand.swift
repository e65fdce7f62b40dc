import ArgumentParser
import Foundation
import TyndauCore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect configuration.",
        subcommands: [Check.self]
    )
}

extension ConfigCommand {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file and print the effective settings (secrets masked)."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The file to check (default: --config, TYNDAU_CONFIG or ./tyndau.yaml).")
        var file: String?

        func run() async throws {
            var options = options
            if let file { options.config = file }
            let configuration = try options.configuration()
            print(CLIText.text("config.ok"))
            print("database: \(configuration.database.display)")
            print("server: \(configuration.server.host):\(configuration.server.port)")
            print("log: \(configuration.log.format.rawValue), \(configuration.log.level)")
            let metrics = configuration.metrics
            print("metrics: \(metrics.host), serve port \(metrics.port.map(String.init) ?? "off"), worker port \(metrics.workerPort.map(String.init) ?? "off")")
            let series = configuration.series
            print(String(format: "series: weekday %d, %02d:%02d, %d min, %@, cut-off %d h",
                series.weekday, series.startMinute / 60, series.startMinute % 60, series.durationMinutes,
                series.timeZone, series.cutoffHours))
            for endpoint in configuration.endpoints {
                print("endpoint \(endpoint.name): \(endpoint.kind.rawValue) \(endpoint.redactedURL) [\(endpoint.tags.joined(separator: ","))]")
            }
            if let jurisdiction = configuration.open311.settings.jurisdictionID {
                print("open311: jurisdiction_id \(jurisdiction)")
            }
            print("privacy: " + (configuration.privacy.retentionDays.map { "retention \($0) days after closing" } ?? "no retention limit"))
            if let bot = configuration.telegramBot {
                print("telegram_bot: bot \(bot.botID), token [secret], \(bot.mode.rawValue), \(bot.baseURL ?? "https://api.telegram.org"), poll \(bot.pollTimeout) s")
            }
        }
    }
}
