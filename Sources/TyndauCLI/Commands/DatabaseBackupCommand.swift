import ArgumentParser
import Foundation
import TyndauCore
import TyndauStorage

extension DatabaseCommand {
    /// `tyndau db backup FILE`: a consistent copy of the SQLite database while servers keep writing
    /// (SQLite's online backup). PostgreSQL is backed up with its own tools (`pg_dump`).
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the SQLite database to FILE while servers keep running (SQLite online backup)."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Where to write the backup (a new file).")
        var file: String

        @Flag(help: "Replace FILE if it exists.")
        var force = false

        func run() async throws {
            let configuration = try options.configuration()
            guard case .sqlite(let path) = try DatabaseAddress(configuration.database.path) else {
                throw TyndauError.backupUsePgDump
            }
            let summary = try AppDatabase.backup(path: path, to: file, replacing: force)
            print(CLIText.text("db.backup.done", path, summary.path, summary.bytes, summary.questions))
        }
    }
}

extension TyndauError {
    /// `tyndau db backup` copies SQLite files; a PostgreSQL database is dumped with `pg_dump`.
    static let backupUsePgDump = TyndauError(code: "backup-use-pg-dump", messageKey: "error.backup-use-pg-dump")
}
