import GRDB
import TyndauCore

/// What SQLite's failures mean to a caller. A full disk, an I/O error, a file that cannot be opened or
/// written, or a lock held past the busy timeout are the store being unavailable — a client is told to
/// come back (503), the operator reads the reason in the log. Anything else (a constraint, a misuse) stays
/// a fault. Only SQLite's own message travels, never the statement or its arguments (they hold residents' text).
extension DatabaseError: EngineError {
    public var tyndauError: TyndauError? {
        switch resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_READONLY,
            .SQLITE_PROTOCOL, .SQLITE_NOMEM, .SQLITE_NOLFS:
            TyndauError.databaseUnavailable("SQLite", "\(resultCode): \(message ?? "")")
        default:
            nil
        }
    }
}
