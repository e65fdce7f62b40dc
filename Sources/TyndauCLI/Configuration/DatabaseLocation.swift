import Foundation
import Logging
import TyndauCore
import TyndauPostgres
import TyndauSQLite

/// Which engine a database setting selects, and how to open it: the one parser behind `--db`,
/// `TYNDAU_DB`, `database:` and `tyndau db copy --from/--to`, so every command reads an address the
/// same way.
///
/// `postgres://…` or `postgresql://…` is a PostgreSQL server (checked strictly by ``PostgresLocation``);
/// `sqlite:PATH` (also `sqlite:///abs/path`) or a plain path is a SQLite file (the default,
/// `./tyndau.sqlite`). Any other `scheme://` (`mysql://…`) and an empty setting are refused, naming the
/// setting, rather than silently creating a SQLite file called `mysql:/…`.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses `text`; `setting` names where it came from (`database`, `--from`, …) for the error.
    public init(setting text: String, name setting: String = "database") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if PostgresLocation.isPostgresURL(trimmed) {
            self = .postgres(try PostgresLocation(url: trimmed))
        } else if trimmed.lowercased().hasPrefix("sqlite:") {
            var path = Substring(trimmed.dropFirst("sqlite:".count))
            // `sqlite:///abs/path` and `sqlite://./rel` read as the path after the slashes' scheme part.
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            guard !path.isEmpty else { throw TyndauError.databaseURL(setting, trimmed) }
            self = .sqlite(path: String(path))
        } else if trimmed.isEmpty || trimmed.contains("://") {
            throw TyndauError.databaseURL(setting, PostgresLocation.redact(trimmed))
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// The setting with any password hidden.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let location): location.description
        }
    }

    /// A setting made printable even when it does not parse.
    public static func display(_ setting: String) -> String {
        (try? DatabaseLocation(setting: setting).description) ?? PostgresLocation.redact(setting)
    }

    /// Opens (and migrates) the store; the caller owns it and closes it. Inside `Tyndau.main` the
    /// command's ``OpenStores`` registry also closes it when that command returns, whatever happened.
    /// `durability` applies to SQLite (`serve` asks for `.full`); PostgreSQL commits are durable by the
    /// server's own settings.
    public func open(durability: SQLiteStore.Durability = .normal, logger: Logger = Logger(label: "tyndau.database"))
        async throws -> any TyndauStore
    {
        switch self {
        case .sqlite(let path):
            return try SQLiteStore.open(path: path, durability: durability)
        case .postgres(let location):
            let database = try await PostgresStore.open(location, logger: logger)
            await OpenStores.current?.add(database)
            return database
        }
    }

    /// Opens the store for `tyndau db copy`: a source must exist already (a missing SQLite file is not
    /// created); a SQLite target is created (and migrated) when missing, so it starts empty. Opening a
    /// PostgreSQL database migrates it, so an empty one becomes an empty Tyndau schema.
    func openForCopy(mustExist: Bool) async throws -> any TyndauStore & TableCopying {
        switch self {
        case .sqlite(let path):
            if mustExist, !FileManager.default.fileExists(atPath: path) { throw TyndauError.databaseMissing(path) }
            return try SQLiteStore.open(path: path)
        case .postgres(let location):
            let database = try await PostgresStore.open(location)
            await OpenStores.current?.add(database)
            return database
        }
    }
}

/// The PostgreSQL pools one command opened, closed when that command returns (`Tyndau.main`), so a
/// short command need not remember to close its pool. The registry is task-local: each `Tyndau.main`
/// call binds its own, so commands running side by side in one process (the test suite) never close
/// each other's pools.
actor OpenStores {
    /// The registry of the command running in this task, if any; `nil` outside `Tyndau.main`, where
    /// whoever opens a store closes it.
    @TaskLocal static var current: OpenStores?

    private var stores: [any TyndauStore] = []

    func add(_ store: any TyndauStore) {
        stores.append(store)
    }

    /// Closes every store added so far (closing twice is harmless for both engines).
    func closeAll() async {
        let open = stores
        stores = []
        for store in open {
            try? await store.close()
        }
    }

    /// Runs `body` with a registry of its own, and closes what it opened when it returns.
    static func scoped<T: Sendable>(_ body: () async -> T) async -> T {
        let registry = OpenStores()
        let result = await $current.withValue(registry) { await body() }
        await registry.closeAll()
        return result
    }
}

extension TyndauError {
    /// A database setting that names no engine this build knows (`mysql://…`) or nothing at all.
    static func databaseURL(_ setting: String, _ text: String) -> TyndauError {
        TyndauError(code: .databaseUrl, messageKey: "error.database-url", arguments: [setting, text])
    }
}
