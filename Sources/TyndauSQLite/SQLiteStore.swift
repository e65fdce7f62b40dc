import Foundation
import GRDB
import TyndauCore

/// The SQLite database: owns the `DatabaseWriter` and the schema's migrations.
///
/// WAL journal, foreign keys on, a busy timeout so several processes can share the file.
/// A database written by a newer Tyndau (a migration this build does not know) is refused.
public struct SQLiteStore: Sendable {
    /// The writer; reads go through `reader`, which is the same pool in WAL mode.
    let writer: any DatabaseWriter

    var reader: any DatabaseReader { writer }

    /// How hard a commit is pushed to the disk.
    public enum Durability: Sendable {
        /// WAL with `synchronous = NORMAL`: survives a crash of the process, not a power loss.
        case normal
        /// WAL with `synchronous = FULL`: every commit is fsynced before it returns, so an answer sent
        /// after a commit survives a power loss. `tyndau serve` uses it for intake.
        case full
    }

    /// Opens (creating when missing) the database file at `path` and migrates it.
    public static func open(path: String, durability: Durability = .normal) throws -> SQLiteStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let synchronous = durability == .full ? "FULL" : "NORMAL"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        return try SQLiteStore(writer: pool, path: path)
    }

    /// A private in-memory database, for tests and dry runs.
    public static func inMemory() throws -> SQLiteStore {
        try SQLiteStore(writer: DatabaseQueue(), path: ":memory:")
    }

    init(writer: any DatabaseWriter, path: String) throws {
        self.writer = writer
        let migrator = Self.migrator
        let superseded = try writer.read { db in try migrator.hasBeenSuperseded(db) }
        if superseded { throw TyndauError.databaseTooNew(path) }
        try migrator.migrate(writer)
    }

    /// Names of the migrations applied to this database, oldest first; migrations this build does not
    /// know (written by a newer Tyndau after this process opened the file) follow, sorted, so readiness sees them.
    public func appliedMigrations() throws -> [String] {
        try reader.read { db in
            let known = try Self.migrator.appliedMigrations(db)
            let unknown = try Self.migrator.appliedIdentifiers(db).subtracting(known).sorted()
            return known + unknown
        }
    }

    /// Every migration this build knows, in order.
    public static var knownMigrations: [String] { migrator.migrations }

    /// Checkpoints the WAL and closes nothing else: call before exiting so the file is self-contained.
    /// Another process reading the file at that moment makes a truncating checkpoint busy; then the
    /// WAL is copied back as far as possible and the rest stays in the WAL, where it is just as durable.
    public func checkpoint() throws {
        guard let pool = writer as? DatabasePool else { return }
        try pool.writeWithoutTransaction { db in
            do {
                _ = try db.checkpoint(.truncate)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                _ = try db.checkpoint(.passive)
            }
        }
    }
}

extension SQLiteStore: TyndauStore {
    /// Checkpoints the WAL (see ``checkpoint()``); the pool itself closes when the last copy goes.
    public func close() async throws {
        try checkpoint()
    }
}
