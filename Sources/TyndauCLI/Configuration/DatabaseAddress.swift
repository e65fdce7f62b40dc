import Foundation
import TyndauCore
import TyndauPostgres
import TyndauStorage

/// Where a database lives, as written after `--from`/`--to` (and in `TYNDAU_DB`): `sqlite:PATH`, a plain
/// file path, or `postgres://user@host:port/name`. Parsed once so every command reads it the same way.
enum DatabaseAddress: Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(url: trimmed)
        } else if lowered.hasPrefix("sqlite:") {
            var path = Substring(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            guard !path.isEmpty else { throw TyndauError.databaseURL(text) }
            self = .sqlite(path: String(path))
        } else if trimmed.isEmpty || trimmed.contains("://") {
            throw TyndauError.databaseURL(Self.redacted(trimmed))
        } else {
            self = .sqlite(path: trimmed)
        }
    }

    /// For messages: a PostgreSQL password never appears.
    var description: String {
        switch self {
        case .sqlite(let path): "sqlite:" + path
        case .postgres(let url): Self.redacted(url)
        }
    }

    /// `scheme://user:secret@host` → `scheme://user:***@host`.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex) else { return url }
        let credentials = url[scheme.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<credentials.index(after: colon)]) + "***" + String(url[at.lowerBound...])
    }

    /// Opens the store for `tyndau db copy`. A source must exist already; a SQLite target is created
    /// (and migrated) when missing, so it starts empty. The caller closes it: the copy command does not
    /// register it with the process-wide ``OpenStores``, whose `closeAll` at the end of any other
    /// in-process command (tests run several at once) would close a pool in the middle of a copy.
    func openForTransfer(mustExist: Bool) async throws -> any TyndauStore & TableTransfer {
        switch self {
        case .sqlite(let path):
            if mustExist, !FileManager.default.fileExists(atPath: path) { throw TyndauError.databaseMissing(path) }
            return try AppDatabase.open(path: path)
        case .postgres(let url):
            // Opening migrates, so an empty PostgreSQL database becomes an empty Tyndau schema.
            return try await PostgresDatabase.open(url: url)
        }
    }
}

extension TyndauError {
    static func databaseURL(_ text: String) -> TyndauError {
        TyndauError(code: "database-url", messageKey: "error.database-url", arguments: [text])
    }

    /// This build has no driver for the engine the address names.
    static func engineUnavailable(_ engine: String) -> TyndauError {
        TyndauError(code: "engine-unavailable", messageKey: "error.engine-unavailable", arguments: [engine])
    }
}
