import Foundation

/// One stored column value, the same for every engine, so `tyndau db copy` can move rows between
/// SQLite and PostgreSQL without either side knowing the other.
///
/// Values travel as the embedded default stores them (see ``StoredColumnKind`` for booleans,
/// timestamps and JSON); an engine with richer types converts at its edge, by the column's kind.
public enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// What a column holds. The kind tells an engine how to turn an interchange ``StoredValue`` into its
/// own type and back; values themselves are always one of the five ``StoredValue`` cases.
public enum StoredColumnKind: String, Sendable, Hashable, Codable, CaseIterable {
    case integer
    case real
    case text
    case blob
    /// Travels as `.integer(0)` / `.integer(1)`.
    case boolean
    /// Travels as `.text("yyyy-MM-dd HH:mm:ss.SSS")` in UTC, millisecond precision (GRDB's storage).
    case timestamp
    /// Travels as `.text` holding the JSON document.
    case json
}

/// A column of a table being copied.
public struct CopyColumn: Sendable, Hashable {
    public var name: String
    public var kind: StoredColumnKind

    public init(name: String, kind: StoredColumnKind) {
        self.name = name
        self.kind = kind
    }
}

/// A table as the copy sees it: its columns, the tables it references (copied before it) and the
/// column whose id counter has to move forward on the target.
public struct CopyTable: Sendable, Hashable {
    public var name: String
    public var columns: [CopyColumn]
    /// Tables this one has foreign keys to.
    public var references: [String]
    /// The auto-incremented id column, when the engine hands out ids for this table.
    public var sequenceColumn: String?

    public init(name: String, columns: [CopyColumn], references: [String] = [], sequenceColumn: String? = nil) {
        self.name = name
        self.columns = columns
        self.references = references
        self.sequenceColumn = sequenceColumn
    }

    public var columnNames: [String] { columns.map(\.name) }
}

/// Where a snapshot read stopped; only the engine that made it reads it (a rowid, a primary key).
public struct CopyPosition: Sendable, Hashable {
    public var values: [StoredValue]

    public init(_ values: [StoredValue]) {
        self.values = values
    }
}

/// One batch of rows, each in the table's column order, and where the next batch starts
/// (`nil` when the table is exhausted).
public struct CopyBatch: Sendable {
    public var rows: [[StoredValue]]
    public var next: CopyPosition?

    public init(rows: [[StoredValue]], next: CopyPosition?) {
        self.rows = rows
        self.next = next
    }
}

/// Everything in a store at one moment: one read transaction (SQLite) or one repeatable-read
/// snapshot (PostgreSQL), however long the copy takes and whatever servers write meanwhile.
public protocol CopySnapshot: Sendable {
    func count(_ table: CopyTable) async throws -> Int

    /// Up to `limit` rows after `position` (from the start when `nil`), in a stable order of the engine's choice.
    func rows(_ table: CopyTable, after position: CopyPosition?, limit: Int) async throws -> CopyBatch

    /// The last id the engine handed out for the table (it may exceed the largest id left), `nil` when none.
    func sequenceValue(_ table: CopyTable) async throws -> Int64?

    /// Ends the read transaction.
    func close() async throws
}

/// Moving every table between stores, engine-neutral: what `tyndau db copy` needs from each engine.
///
/// SQLite (`SQLiteStore`) implements it in TyndauSQLite; a PostgreSQL store implements the same
/// protocol, and then any pair of engines can be copied in either direction by ``StoreCopy``.
public protocol TableCopying: Sendable {
    /// The tables that hold Tyndau's data (not the engine's own bookkeeping such as migration lists), any order.
    func tablesToCopy() async throws -> [CopyTable]

    func openCopySnapshot() async throws -> any CopySnapshot

    /// Inserts rows exactly as given — ids included — in one transaction. `table` is this store's own
    /// description of the table; each row follows its column order.
    func insertCopiedRows(_ rows: [[StoredValue]], into table: CopyTable) async throws

    /// Moves the table's id counter to at least `value`, so new rows never reuse an id that was copied.
    func advanceSequence(of table: CopyTable, to value: Int64) async throws

    /// Deletes every row of `tables`, in the order given (children first): undoes a copy that failed.
    func emptyCopiedTables(_ tables: [CopyTable]) async throws
}

/// An order-independent checksum of a table's rows: a 64-bit FNV-1a hash of each row's values
/// (type, length and bytes), mixed and summed. Both engines stream the same interchange values, so the
/// sums match exactly when the copy is complete — whatever order each engine returns rows in.
/// It detects lost, duplicated and altered rows; it is not a defence against deliberate tampering.
public struct TableChecksum: Sendable, Hashable, CustomStringConvertible {
    public private(set) var rows = 0
    public private(set) var sum: UInt64 = 0

    public init() {}

    public mutating func add(_ row: [StoredValue]) {
        var hash = FNV1a()
        func mix(_ byte: UInt8) { hash.mix(UInt64(byte)) }
        func mix(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        func mix<Bytes: Sequence>(bytes: Bytes, count: Int) where Bytes.Element == UInt8 {
            mix(UInt64(count))
            for byte in bytes { mix(byte) }
        }
        for value in row {
            switch value {
            case .null:
                mix(UInt8(0))
            case .integer(let integer):
                mix(UInt8(1))
                mix(UInt64(bitPattern: integer))
            case .real(let real):
                mix(UInt8(2))
                mix((real == 0 ? 0 : real).bitPattern)
            case .text(let text):
                mix(UInt8(3))
                mix(bytes: text.utf8, count: text.utf8.count)
            case .blob(let bytes):
                mix(UInt8(4))
                mix(bytes: bytes, count: bytes.count)
            }
        }
        // SplitMix64's finaliser spreads the row hash before summing, so similar rows do not cancel out.
        var z = hash.value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        sum = sum &+ (z ^ (z >> 31))
        rows += 1
    }

    /// Sixteen hex digits.
    public var description: String {
        let hex = String(sum, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

// The codes and message keys keep their published `transfer-*` names: scripts and translations know them.
extension TyndauError {
    /// `tyndau db copy` writes only into an empty store.
    public static func copyTargetNotEmpty(table: String, rows: Int) -> TyndauError {
        TyndauError(code: .transferTargetNotEmpty, messageKey: "error.transfer-target-not-empty", arguments: [table, String(rows)])
    }

    /// Source and target are at different schema versions (a table or column exists on one side only).
    public static func copySchemaMismatch(table: String, detail: String) -> TyndauError {
        TyndauError(code: .transferSchemaMismatch, messageKey: "error.transfer-schema-mismatch", arguments: [table, detail])
    }

    /// After the copy, the target's row count or checksum of a table differs from the source's.
    public static func copyVerificationFailed(table: String, detail: String) -> TyndauError {
        TyndauError(code: .transferVerificationFailed, messageKey: "error.transfer-verification-failed", arguments: [table, detail])
    }

    /// The tables reference each other in a circle, so no insert order satisfies the foreign keys.
    public static func copyCycle(_ tables: [String]) -> TyndauError {
        TyndauError(code: .transferCycle, messageKey: "error.transfer-cycle", arguments: [tables.joined(separator: ", ")])
    }
}
