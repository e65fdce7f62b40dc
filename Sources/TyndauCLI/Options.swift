import ArgumentParser
import Foundation
import TyndauCore
import TyndauSQLite

/// Options every command that touches the database shares.
public struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite file (or sqlite:PATH) or postgres://user:pass@host:5432/name?sslmode=… (env TYNDAU_DB; default ./tyndau.sqlite).")
    public var db: String?

    @Option(name: .long, help: "Configuration file (env TYNDAU_CONFIG; default ./tyndau.yaml when present).")
    public var config: String?

    public init() {}

    /// Who the audit log records for changes made from the command line: `cli:<login>`.
    static var actor: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "office") }

    /// The configuration: file, then environment, then these flags.
    public func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TyndauConfiguration {
        var configuration: TyndauConfiguration
        if let path = config ?? environment["TYNDAU_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration = try TyndauConfiguration.load(path: path, environment: environment)
        } else if FileManager.default.fileExists(atPath: "tyndau.yaml") {
            configuration = try TyndauConfiguration.load(path: "tyndau.yaml", environment: environment)
        } else {
            configuration = TyndauConfiguration()
        }
        try configuration.overlay(environment: environment)
        if let db { configuration.database.path = db }
        return configuration
    }

    /// Opens (and migrates) the configured database: SQLite or PostgreSQL, as the setting says.
    public func openDatabase(durability: SQLiteStore.Durability = .normal) async throws -> (any TyndauStore, TyndauConfiguration) {
        let configuration = try configuration()
        return (try await configuration.database.location.open(durability: durability), configuration)
    }
}

/// The CLI's own texts, in the operator's language.
enum CLIText {
    static let table = LocalizationTable(resourcesWithPrefix: "cli", bundle: .module).merging(CoreText.table)

    /// The language of CLI output: configuration/`TYNDAU_LANG`, else the POSIX locale.
    static var language: UILanguage {
        let environment = ProcessInfo.processInfo.environment
        if let raw = environment["TYNDAU_LANG"], let language = UILanguage(rawValue: raw) { return language }
        return UILanguage(posixLocale: environment["LC_ALL"] ?? environment["LANG"])
    }

    static func text(_ key: String, _ arguments: Any...) -> String {
        table.text(key, language, arguments.map { "\($0)" })
    }
}

/// Output helpers: results to standard output, diagnostics to standard error.
enum Console {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
