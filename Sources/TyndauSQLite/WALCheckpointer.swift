import Foundation
import GRDB
import TyndauCore

/// Copies committed WAL frames into the database file from its own connection, beside the writer.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1000 WAL pages, so with
/// `synchronous = FULL` one resident in a few thousand waits for a whole checkpoint and its fsync.
/// A passive checkpoint from a second connection does that work between commits without blocking
/// the writer; the automatic one then finds almost nothing left and the WAL restarts quickly.
/// `tyndau serve` runs it twice a second (`WALCheckpointService`).
public struct WALCheckpointer: Sendable {
    private let connection: DatabaseQueue

    /// A second connection to the file of `database`; `nil` for in-memory databases (no WAL).
    public init?(_ database: SQLiteStore) throws {
        guard let pool = database.writer as? DatabasePool else { return nil }
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        connection = try DatabaseQueue(path: pool.path, configuration: configuration)
    }

    /// One passive checkpoint: returns how many WAL frames there were and how many are now in the
    /// database file. Never waits for the writer or readers.
    @discardableResult
    public func checkpoint() async throws -> (walFrames: Int, checkpointed: Int) {
        try await connection.writeWithoutTransaction { db in
            let result = try db.checkpoint(.passive)
            return (result.walFrameCount, result.checkpointedFrameCount)
        }
    }
}

extension WALCheckpointer: BackgroundCheckpointer {}

extension SQLiteStore: WriteAheadLogStore {
    /// ``WALCheckpointer`` on the file of this database; `nil` in memory.
    public func makeBackgroundCheckpointer() throws -> (any BackgroundCheckpointer)? {
        try WALCheckpointer(self)
    }
}
