import Foundation
import Logging
import TyndauCore
import TyndauPostgres
import TyndauStorage

/// Which engine a database setting (`--db`, `TYNDAU_DB`, `database:`) selects, and how to open it.
///
/// `postgres://…` or `postgresql://…` is a PostgreSQL server; `sqlite:PATH` or any other text is a SQLite
/// file (the default, `./tyndau.sqlite`).
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    public init(setting: String) throws {
        if PostgresLocation.isPostgresURL(setting) {
            self = .postgres(try PostgresLocation(url: setting))
        } else if setting.hasPrefix("sqlite:") {
            var path = String(setting.dropFirst("sqlite:".count))
            // `sqlite:///abs/path` and `sqlite://./rel` read as the path after the slashes' scheme part.
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw TyndauError.configuration("database", "sqlite: needs a file path") }
            self = .sqlite(path: path)
        } else {
            self = .sqlite(path: setting)
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

    /// Opens (and migrates) the store. `durability` applies to SQLite (`serve` asks for `.full`);
    /// PostgreSQL commits are durable by the server's own settings.
    public func open(durability: AppDatabase.Durability = .normal, logger: Logger = Logger(label: "tyndau.database"))
        async throws -> any TyndauStore
    {
        switch self {
        case .sqlite(let path):
            return try AppDatabase.open(path: path, durability: durability)
        case .postgres(let location):
            let database = try await PostgresDatabase.open(location, logger: logger)
            await OpenStores.shared.add(database)
            return database
        }
    }
}

/// The stores this process opened, closed once when the command returns (`Tyndau.main`): a short
/// command does not need to remember to close its PostgreSQL pool.
actor OpenStores {
    static let shared = OpenStores()
    private var stores: [any TyndauStore] = []

    func add(_ store: any TyndauStore) {
        stores.append(store)
    }

    func closeAll() async {
        let open = stores
        stores = []
        for store in open {
            try? await store.close()
        }
    }
}
