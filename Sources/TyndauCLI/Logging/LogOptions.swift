import ArgumentParser
import Foundation
import Logging
import TyndauCore

/// The logging flags `tyndau serve` and `tyndau worker` share: `--log-level` and `--log-format`
/// override `log.level` / `TYNDAU_LOG_LEVEL` and `log.format` / `TYNDAU_LOG_FORMAT`. `--verbose`, the
/// worker's old spelling, still works and means `--log-level debug`.
struct LogOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (overrides log.level / TYNDAU_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "Log format: text or json (overrides log.format / TYNDAU_LOG_FORMAT; default text).")
    var logFormat: String?

    @Flag(help: "Deprecated: the same as --log-level debug.")
    var verbose = false

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel.lowercased()) == nil {
            throw ValidationError(CLIText.text("serve.bad-log-level", logLevel))
        }
        if let logFormat, LogFormat(rawValue: logFormat.lowercased()) == nil {
            throw ValidationError(CLIText.text("log.bad-format", logFormat))
        }
    }

    /// The flags over the configuration's `log:` section (which already holds the environment).
    func resolve(_ section: TyndauConfiguration.LogSection) -> TyndauConfiguration.LogSection {
        var section = section
        if verbose { section.level = .debug }
        if let logLevel, let level = Logger.Level(rawValue: logLevel.lowercased()) { section.level = level }
        if let logFormat, let format = LogFormat(rawValue: logFormat.lowercased()) { section.format = format }
        return section
    }

    /// Applies the resolved settings to the process's output and returns a logger factory at that level.
    func apply(_ section: TyndauConfiguration.LogSection) -> LogSettings {
        let resolved = resolve(section)
        LogOutput.format = resolved.format
        return LogSettings(level: resolved.level)
    }
}

/// Makes the loggers of one command, all at the configured level.
struct LogSettings: Sendable {
    var level: Logger.Level

    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
