import ArgumentParser
import Foundation
import TyndauCore
import TyndauSQLite

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

        @Flag(help: "No progress line on a terminal.")
        var quiet = false

        func run() async throws {
            let configuration = try options.configuration()
            guard case .sqlite(let path) = try configuration.database.location else {
                throw TyndauError.backupUsePgDump
            }
            // SQLite copies in one step (one snapshot); the line shows the temporary copy growing.
            let progress = ProgressLine(CLIText.text("progress.backup"), quiet: quiet, unit: ProgressLine.megabytes)
            let watcher = progress.isEnabled ? Self.watch(SQLiteStore.partialBackupName(for: file), progress) : nil
            let summary: BackupSummary
            do {
                summary = try SQLiteStore.backup(path: path, to: file, replacing: force)
            } catch {
                watcher?.cancel()
                progress.clear()
                throw error
            }
            watcher?.cancel()
            progress.update(Int(summary.bytes))
            progress.finish()
            print(CLIText.text("db.backup.done", path, summary.path, summary.bytes, summary.questions))
        }
    }
}

extension DatabaseCommand.Backup {
    /// Polls the size of the backup's temporary file five times a second until cancelled.
    static func watch(_ partial: (folder: String, prefix: String), _ progress: ProgressLine) -> Task<Void, Never> {
        Task.detached {
            while !Task.isCancelled {
                let files = (try? FileManager.default.contentsOfDirectory(atPath: partial.folder)) ?? []
                var bytes = 0
                for name in files where name.hasPrefix(partial.prefix) && !name.hasSuffix("-journal") {
                    let attributes = try? FileManager.default.attributesOfItem(atPath: partial.folder + "/" + name)
                    bytes += (attributes?[.size] as? NSNumber)?.intValue ?? 0
                }
                if bytes > 0 { progress.update(bytes) }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}

extension TyndauError {
    /// `tyndau db backup` copies SQLite files; a PostgreSQL database is dumped with `pg_dump`.
    static let backupUsePgDump = TyndauError(code: .backupUsePgDump, messageKey: "error.backup-use-pg-dump")
}
