import Foundation
import Logging
import Metrics
import PostgresNIO
import Synchronization
import TyndauCore

/// Tyndau's store on a PostgreSQL server, for the deployments SQLite cannot carry: several `tyndau serve`
/// processes behind a load balancer and several `tyndau worker` processes sharing one database.
///
/// It behaves like the SQLite ``TyndauStore`` method for method; where SQLite's single writer made
/// "only one process does this" true by itself, this store takes row locks (`FOR UPDATE`,
/// `FOR UPDATE SKIP LOCKED` for the outbox) or transaction-level advisory locks instead.
///
/// Lifecycle: ``open(_:logger:)`` starts the connection pool's run loop in a task of its own and migrates
/// the schema; ``close()`` stops the pool. Short commands open, work and close; `serve` and `worker`
/// keep one instance for their lifetime and close it after their services stop.
public final class PostgresStore: TyndauStore, Sendable {
    let client: PostgresClient
    private let runTask: Task<Void, Never>
    /// Where this store points, password hidden when printed.
    public let location: PostgresLocation
    let logger: Logger

    private init(client: PostgresClient, runTask: Task<Void, Never>, location: PostgresLocation, logger: Logger) {
        self.client = client
        self.runTask = runTask
        self.location = location
        self.logger = logger
    }

    /// Connects (lazily, through the pool), checks that the server answers, refuses a database written by
    /// a newer Tyndau and applies missing migrations under an advisory lock.
    public static func open(_ location: PostgresLocation, logger: Logger = Logger(label: "tyndau.postgres")) async throws
        -> PostgresStore
    {
        try await probe(location)
        let database = start(location, logger: logger)
        do {
            try await database.migrate()
        } catch {
            await database.close()
            throw error
        }
        return database
    }

    /// One direct connection before the pool starts: the pool retries a failing server for a minute
    /// before it gives up, while a wrong address, password or TLS mode should be reported at once,
    /// with the server's reason (never the password).
    static func probe(_ location: PostgresLocation) async throws {
        try await connectDirectly(location).close()
    }

    /// A driver error in words, for an operator: the error's kind, the server's message, the network
    /// error beneath. The password is cut out should any layer ever echo it.
    static func reason(_ error: any Error, location: PostgresLocation) -> String {
        var parts: [String] = []
        if let error = error as? PSQLError {
            parts.append("\(error.code)")
            if let message = error.serverInfo?[.message] { parts.append(message) }
            if let underlying = error.underlying { parts.append(String(describing: underlying)) }
        } else {
            parts.append(String(describing: error))
        }
        var text = parts.joined(separator: ": ")
        if let password = location.password?.value, !password.isEmpty {
            text = text.replacingOccurrences(of: password, with: "***")
        }
        return text
    }

    /// The TLS settings of `sslmode`: `prefer`/`require` encrypt without checking the certificate (as
    /// libpq does); `verify-full` checks it against the system's roots or `sslrootcert`, and the host name.
    static func tlsContext(_ location: PostgresLocation) -> TLSConfiguration {
        var context = TLSConfiguration.makeClientConfiguration()
        if location.tlsMode == .verifyFull {
            context.certificateVerification = .fullVerification
            if let path = location.rootCertificatePath { context.trustRoots = .file(path) }
        } else {
            context.certificateVerification = .none
        }
        return context
    }

    /// Opens the database a `postgres://` URL names.
    public static func open(url: String, logger: Logger = Logger(label: "tyndau.postgres")) async throws -> PostgresStore {
        try await open(PostgresLocation(url: url), logger: logger)
    }

    /// The pool and its run task, without migrating (tests use it to prepare odd schemas).
    static func start(_ location: PostgresLocation, logger: Logger) -> PostgresStore {
        let client = PostgresClient(configuration: configuration(location), backgroundLogger: Self.quietLogger)
        Gauge(label: TyndauMetrics.databaseConnectionsMax, dimensions: Self.engineDimensions)
            .record(location.maximumConnections)
        let task = Task { await client.run() }
        return PostgresStore(client: client, runTask: task, location: location, logger: logger)
    }

    /// Stops the pool: open connections are closed and the run task ends. Idempotent.
    public func close() async {
        runTask.cancel()
        await runTask.value
    }

    static let engineDimensions = [(TyndauMetrics.Label.engine, "postgresql")]

    /// Transactions holding a pooled connection now (a gauge: the pool's use against `database.max_connections`).
    static let connectionsInUse = Meter(label: TyndauMetrics.databaseConnectionsInUse, dimensions: engineDimensions)

    /// postgres-nio logs every query at debug level with its binds; personal data must never reach a
    /// log, so queries log nowhere.
    static let quietLogger = Logger(label: "tyndau.postgres.queries", factory: { _ in SwiftLogNoOpLogHandler() })

    static func configuration(_ location: PostgresLocation) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch location.tlsMode {
        case .disable:
            tls = .disable
        case .prefer: tls = .prefer(tlsContext(location))
        case .require, .verifyFull: tls = .require(tlsContext(location))
        }
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username,
            password: location.password?.value, database: location.database, tls: tls
        )
        configuration.options.maximumConnections = location.maximumConnections
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeoutSeconds))
        configuration.options.additionalStartupParameters = [("application_name", location.applicationName)]
        if location.tlsMode == .verifyFull { configuration.options.tlsServerName = location.host }
        return configuration
    }

    // MARK: Transactions
    //
    // Text is ordered and compared with `COLLATE "C"` wherever order is visible (endpoint names, due dates),
    // so results match SQLite's byte order whatever locale the server's database was created with.

    /// Runs `body` in one read-committed transaction on one pooled connection. A deadlock or
    /// serialization failure rolls back and runs `body` again (up to five times); any other error
    /// rolls back and is rethrown as it is, so a ``TyndauError`` reaches the caller unchanged.
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction("BEGIN", body)
    }

    /// Runs `body` in a read-only repeatable-read transaction: several queries see one snapshot.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    private func transaction<T: Sendable>(_ begin: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await withConnection { connection in
                    Self.connectionsInUse.increment()
                    defer { Self.connectionsInUse.decrement() }
                    try await connection.query(PostgresQuery(unsafeSQL: begin), logger: Self.quietLogger)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: Self.quietLogger)
                        return value
                    } catch {
                        // A session the server ended (shutdown, lost connection) rolled back with it. A
                        // ROLLBACK sent on it could wait for ever — seen when PostgreSQL was stopped under
                        // load (issue 17): that one transaction then held the whole intake.
                        if !connection.isClosed, !Self.endedSession(error) {
                            _ = try? await connection.query("ROLLBACK", logger: Self.quietLogger)
                        }
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt < 5 && Self.isRetryable(error) {
                continue
            } catch let error as PSQLError {
                throw translated(error)
            } catch let error as TyndauError {
                throw error
            } catch {
                // The pool gave up (its circuit breaker after a minute of failed connections), or it was closed.
                throw TyndauError.databaseUnavailable(location.description, Self.reason(error, location: location))
            }
        }
    }

    /// A pooled connection for `body`, waiting at most `connect_timeout` for one. While the server is
    /// down the pool keeps requests queued (for up to a minute, until its circuit breaker trips): a
    /// resident would wait that long for an answer. After the timeout the request leaves the queue and
    /// the caller gets `database-unavailable` (503 for a client), while the pool keeps reconnecting in
    /// the background; the first transaction after the server is back simply succeeds.
    private func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let started = StartedFlag()
        let timeout = Duration.seconds(Int64(location.connectTimeoutSeconds))
        let client = self.client
        let location = self.location
        return try await withoutActuallyEscaping(body) { escapable in
            // Runs in exactly one child task, which ends before this function returns.
            nonisolated(unsafe) let body = escapable
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        started.set()
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if started.isSet { return nil }
                    throw TyndauError.databaseUnavailable(
                        location.description, "no connection within \(location.connectTimeoutSeconds) s (connect_timeout)")
                }
                while let value = try await group.next() {
                    if let value {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
        }
    }

    /// Whether a transaction got its connection (set once, read by its timeout).
    private final class StartedFlag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    /// A driver error as a ``TyndauError`` an operator can read: the server's refusal (SQLSTATE and
    /// message, never the `detail`, which may quote stored values) or the lost connection.
    func translated(_ error: PSQLError) -> TyndauError {
        if error.code == .server {
            let state = error.serverInfo?[.sqlState] ?? "?"
            let message = error.serverInfo?[.message] ?? ""
            // The server going away (57P01 admin shutdown, 57P03 starting up, class 08 connection
            // exceptions, 53 out of resources) is the database being unavailable, not a refused statement.
            if state.hasPrefix("57P") || state.hasPrefix("08") || state.hasPrefix("53") {
                return TyndauError.databaseUnavailable(location.description, "\(state) \(message)")
            }
            return TyndauError.databaseFailed("\(state) \(message)")
        }
        return TyndauError.databaseUnavailable(location.description, Self.reason(error, location: location))
    }

    /// Whether `error` means the server ended the session: the connection failed or closed, or the
    /// server said it is going away (SQLSTATE 57P…, class 08).
    static func endedSession(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        guard error.code == .server else { return true }
        let state = error.serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("57P") || state.hasPrefix("08")
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == PostgresError.Code.deadlockDetected.raw || state == PostgresError.Code.serializationFailure.raw
    }

    // MARK: Advisory locks

    /// The jobs that must never run twice at once across processes. Values are fixed: every Tyndau
    /// process (of any version) must agree on them.
    enum AdvisoryLock: Int64 {
        /// Applying migrations.
        case migrations = 0x7479_6E64_0001
        /// Office work on topics, agendas and meetings: grouping runs, merges and splits, agenda
        /// builds, answers and meeting closure. Taken per transaction; they are rare and short.
        case office = 0x7479_6E64_0002
        /// Intake's duplicate check (with the fingerprint's hash as second key).
        case intakeDuplicate = 0x7479_6E64_0003
        /// Intake's per-client rate limit (with the client key's hash as second key).
        case intakeRate = 0x7479_6E64_0004
    }

    /// Waits for the transaction-level advisory lock `lock`; it is released at commit or rollback.
    static func lock(_ lock: AdvisoryLock, _ connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(lock.rawValue))", logger: quietLogger)
    }

    /// Tries the transaction-level advisory lock without waiting; `false` when another transaction holds it.
    static func tryLock(_ lock: AdvisoryLock, _ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_xact_lock(\(lock.rawValue))", logger: quietLogger)
        for try await value in rows.decode(Bool.self) { return value }
        return false
    }
}

// MARK: - Query helpers

extension PostgresConnection {
    /// Runs a statement and drops its rows.
    func run(_ query: PostgresQuery) async throws {
        try await self.query(query, logger: PostgresStore.quietLogger)
    }

    /// Runs a statement and returns how many rows it changed (`UPDATE`/`DELETE`/`INSERT`).
    @discardableResult
    func changes(_ query: PostgresQuery) async throws -> Int {
        // The row count comes from the command tag (`UPDATE 3`), which only the future-based API returns.
        let result: EventLoopFuture<PostgresQueryResult> = self.query(query, logger: PostgresStore.quietLogger)
        return try await result.get().metadata.rows ?? 0
    }

    /// Every row, by column name.
    func rows(_ query: PostgresQuery) async throws -> [Columns] {
        let rows = try await self.query(query, logger: PostgresStore.quietLogger)
        var result: [Columns] = []
        for try await row in rows { result.append(Columns(row.makeRandomAccess())) }
        return result
    }

    func row(_ query: PostgresQuery) async throws -> Columns? {
        try await rows(query).first
    }

    /// The first column of every row.
    func values<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> [T] {
        let rows = try await self.query(query, logger: PostgresStore.quietLogger)
        var result: [T] = []
        for try await row in rows { result.append(try row.makeRandomAccess()[0].decode(T.self)) }
        return result
    }

    func value<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T? {
        try await values(query, as: type).first
    }
}

/// A hot statement prepared once per pooled connection and executed by name afterwards: the server
/// parses and plans it once instead of on every batch (intake's group commit runs a handful of
/// statements per batch, thousands of batches a minute).
///
/// Each shape builds its query by string interpolation as everywhere else in the engine (a static
/// `query(…)`): the text depends only on the literal parts (values become `$1`, `$2`, … binds), so a
/// query built from empty inputs gives every call's SQL, and ``PostgresConnection/prepared(_:_:)``
/// checks that a call's SQL is that one.
protocol PreparedQuery {
    /// The statement's name on each connection (a new SQL text gets a new name).
    static var name: String { get }
    /// The statement's SQL, from a query built with any values.
    static var sql: String { get }
}

/// ``PreparedQuery`` `Shape` with one call's binds, in postgres-nio's prepared-statement form.
private struct PreparedCall<Shape: PreparedQuery>: PostgresPreparedStatement {
    typealias Row = Columns

    static var name: String { Shape.name }
    static var sql: String { Shape.sql }

    let binds: PostgresBindings

    func makeBindings() throws -> PostgresBindings { binds }

    func decodeRow(_ row: PostgresRow) throws -> Columns { Columns(row.makeRandomAccess()) }
}

extension PostgresConnection {
    /// Every row of `query`, run as the prepared statement `shape` (prepared on first use on this connection).
    func prepared<Shape: PreparedQuery>(_ shape: Shape.Type, _ query: PostgresQuery) async throws -> [Columns] {
        guard query.sql == Shape.sql else {
            // A programming error: the call built other SQL than the template. Run it unprepared rather than wrongly.
            return try await rows(query)
        }
        var result: [Columns] = []
        for try await row in try await execute(PreparedCall<Shape>(binds: query.binds), logger: PostgresStore.quietLogger) {
            result.append(row)
        }
        return result
    }
}

/// One result row, read by column name.
struct Columns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRandomAccessRow) {
        self.row = row
    }

    func callAsFunction<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try row[name].decode(T.self)
    }

    /// A stored enum raw value; an unknown one means the database was written by another program.
    func callAsFunction<T: RawRepresentable>(_ name: String, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let raw = try row[name].decode(String.self)
        guard let value = T(rawValue: raw) else { throw TyndauError.databaseFailed("stored \(name) '\(raw)' is unknown") }
        return value
    }

    func callAsFunction<T: RawRepresentable>(_ name: String, as type: T?.Type = T?.self) throws -> T? where T.RawValue == String {
        guard let raw = try row[name].decode(String?.self) else { return nil }
        guard let value = T(rawValue: raw) else { throw TyndauError.databaseFailed("stored \(name) '\(raw)' is unknown") }
        return value
    }

    func int(_ name: String) throws -> Int { Int(try row[name].decode(Int64.self)) }
}

// MARK: - Databases on a server

extension PostgresStore {
    /// Creates an empty database `name` on the server `server` points at (connecting to its own
    /// database, usually `postgres`, as a user allowed to create databases). For tests and
    /// `tyndau db copy` targets; `name` must be a plain identifier (letters, digits, `_`).
    public static func createDatabase(_ name: String, on server: PostgresLocation) async throws {
        try checkIdentifier(name)
        try await withAdministration(server) { connection in
            try await connection.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""))
        }
    }

    /// Drops database `name` (closing other sessions on it first). Missing is fine.
    public static func dropDatabase(_ name: String, on server: PostgresLocation) async throws {
        try checkIdentifier(name)
        try await withAdministration(server) { connection in
            try await connection.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)"))
        }
    }

    private static func checkIdentifier(_ name: String) throws {
        guard !name.isEmpty, name.count <= 63,
            name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "_" })
        else { throw TyndauError.configuration("database", "a schema or database name is letters, digits and _ (at most 63)") }
    }

    private static func withAdministration(_ server: PostgresLocation, _ body: (PostgresConnection) async throws -> Void) async throws {
        let database = start(server, logger: quietLogger)
        do {
            try await database.client.withConnection { connection in try await body(connection) }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
