import Foundation
import GRDB
import TyndauCore

/// What `tyndau db backup` wrote.
public struct BackupSummary: Sendable, Hashable {
    public var path: String
    public var bytes: Int64
    public var questions: Int
    public var migrations: [String]
}

extension SQLiteStore {
    /// Copies the SQLite file at `path` to `destination` with SQLite's online backup, while servers
    /// and workers keep writing: the copy is taken in one step inside one read transaction, so it is
    /// the database as it was at one commit. The source is opened read-only and never migrated.
    ///
    /// The copy is written next to `destination` under a temporary name, checked (`quick_check`),
    /// switched to a self-contained rollback journal and only then renamed into place, so a failed
    /// backup never leaves a half file and `replacing` swaps an old backup atomically.
    /// Where a backup to `destination` is written before it is renamed into place: the folder and the
    /// file name's prefix (a random suffix follows). A progress display watches that file grow.
    public static func partialBackupName(for destination: String) -> (folder: String, prefix: String) {
        let target = URL(fileURLWithPath: destination).standardizedFileURL
        return (target.deletingLastPathComponent().path, ".\(target.lastPathComponent).partial-")
    }

    public static func backup(path: String, to destination: String, replacing: Bool = false) throws -> BackupSummary {
        let files = FileManager.default
        guard files.fileExists(atPath: path) else { throw TyndauError.databaseMissing(path) }
        let source = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        let target = URL(fileURLWithPath: destination).standardizedFileURL
        guard source.path != target.resolvingSymlinksInPath().path else { throw TyndauError.backupTargetExists(destination) }
        if files.fileExists(atPath: target.path), !replacing { throw TyndauError.backupTargetExists(destination) }

        let naming = partialBackupName(for: destination)
        let partial = URL(fileURLWithPath: naming.folder).appendingPathComponent(naming.prefix + UUID().uuidString)
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] { try? files.removeItem(atPath: partial.path + suffix) }
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let reader = try DatabaseQueue(path: source.path, configuration: configuration)
        let copy = try DatabaseQueue(path: partial.path)
        try reader.backup(to: copy)
        try reader.close()
        let (questions, migrations) = try copy.writeWithoutTransaction { db -> (Int, [String]) in
            // The backup carries the source's WAL flag; one file with no -wal beside it is easier to keep.
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard check == ["ok"] else { throw TyndauError.backupDamaged(destination, check.prefix(3).joined(separator: "; ")) }
            let questions = try db.tableExists("question") ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM question") ?? 0 : 0
            let migrations = try migrator.appliedMigrations(db)
            return (questions, migrations)
        }
        try copy.close()
        if replacing {
            // rename(2) swaps the old backup for the new one in one step.
            guard rename(partial.path, target.path) == 0 else {
                throw TyndauError.databaseFailed("\(destination): \(String(cString: strerror(errno)))")
            }
        } else {
            try files.moveItem(at: partial, to: target)
        }
        let bytes = (try files.attributesOfItem(atPath: target.path)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupSummary(path: target.path, bytes: bytes, questions: questions, migrations: migrations)
    }
}

extension TyndauError {
    /// The database file to read does not exist (nothing is created in its place).
    public static func databaseMissing(_ path: String) -> TyndauError {
        TyndauError(code: .databaseMissing, messageKey: "error.database-missing", arguments: [path])
    }

    /// A backup never overwrites a file unless asked to (`--force`), and never the database itself.
    public static func backupTargetExists(_ path: String) -> TyndauError {
        TyndauError(code: .backupTargetExists, messageKey: "error.backup-target-exists", arguments: [path])
    }

    /// The copy failed SQLite's integrity check; nothing was written at the destination.
    public static func backupDamaged(_ path: String, _ detail: String) -> TyndauError {
        TyndauError(code: .backupDamaged, messageKey: "error.backup-damaged", arguments: [path, detail])
    }
}
