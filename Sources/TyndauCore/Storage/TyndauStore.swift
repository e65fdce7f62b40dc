import Foundation

/// Everything Tyndau keeps, as one store: what `tyndau serve`, `tyndau worker` and the commands open.
///
/// SQLite (GRDB, the embedded default) implements it; a PostgreSQL implementation is selected by a
/// `postgres://` database setting. Code above the storage floor depends on this protocol (or on the
/// narrower protocols it joins), never on an engine.
public protocol TyndauStore: QuestionStore, AuditLog, TopicStore, AgendaStore, OutboxStore, AnswerStore, IntakeStore, BotStore,
    UserStore, OfficeConsoleStore, ConsolePageStore, ArrivalGroupingStore, PublicRequestStore, PublicRecordStore, OperationsCensusStore,
    PersonalDataStore, TopicJoinStore
{
    /// Names of the schema migrations applied, oldest first (the same names on every engine).
    func appliedMigrations() async throws -> [String]

    /// Every migration this build knows for the engine, in order (the same names on every engine);
    /// readiness compares it with ``appliedMigrations()``.
    static var knownMigrations: [String] { get }

    /// Finishes with the store before the process exits: SQLite checkpoints its WAL so the file is
    /// complete on its own; PostgreSQL closes its connection pool. Nothing may use the store afterwards.
    func close() async throws
}

extension TyndauError {
    /// The database server could not be reached or refused the connection. `location` must already
    /// have its password hidden; `reason` is the driver's or server's message (never the password).
    public static func databaseUnavailable(_ location: String, _ reason: String) -> TyndauError {
        TyndauError(code: .databaseUnavailable, messageKey: "error.database-unavailable", arguments: [location, reason])
    }

    /// The database refused a statement (a constraint, a lock timeout): `reason` is the engine's code and
    /// message, without the values involved.
    public static func databaseFailed(_ reason: String) -> TyndauError {
        TyndauError(code: .databaseFailed, messageKey: "error.database-failed", arguments: [reason])
    }
}

/// An error of an engine's own driver that knows what it means to Tyndau. An engine conforms its
/// driver's error type (SQLite's `DatabaseError`), so that a full disk or a file locked past the busy
/// timeout reaches a client as `database-unavailable` (503 with `Retry-After`) and not as an unexplained
/// 500 — without the driver's types leaving the engine.
public protocol EngineError: Error {
    /// The condition as a ``TyndauError`` (the store cannot work right now), or `nil` for a fault that
    /// stays a fault (a broken constraint, a bug).
    var tyndauError: TyndauError? { get }
}

extension TyndauError {
    /// `error` as Tyndau names it: itself when it is a ``TyndauError``, what an engine's error means
    /// (``EngineError``), else `nil`.
    public static func known(_ error: any Error) -> TyndauError? {
        if let error = error as? TyndauError { return error }
        return (error as? any EngineError)?.tyndauError
    }
}
