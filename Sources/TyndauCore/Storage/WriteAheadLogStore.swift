/// A store that keeps a write-ahead log beside its database file (SQLite in WAL mode): `tyndau serve`
/// checkpoints it in the background while it runs and once more at graceful shutdown, so the file is
/// complete on its own. The server sees only this capability, never the engine; a store without a log
/// file of its own (PostgreSQL) does not conform and needs neither.
public protocol WriteAheadLogStore: Sendable {
    /// Copies the log into the database file; called at graceful shutdown, before the process exits.
    func checkpoint() throws

    /// A checkpointer on a connection of its own, for passive checkpoints beside the writer; `nil` when
    /// there is no log file (an in-memory database).
    func makeBackgroundCheckpointer() throws -> (any BackgroundCheckpointer)?
}

/// Passive checkpoints from a second connection, between the writer's commits.
public protocol BackgroundCheckpointer: Sendable {
    /// One passive checkpoint: how many log frames there were and how many are now in the database file.
    @discardableResult
    func checkpoint() async throws -> (walFrames: Int, checkpointed: Int)
}
