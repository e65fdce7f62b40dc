import Foundation
import GRDB
import TyndauCore

/// The SQLite side of `tyndau db copy`: tables described from SQLite's own catalogue, read by rowid
/// inside one snapshot (a read transaction on its own connection), written with their ids.
extension SQLiteStore: TableCopying {
    public func tablesToCopy() async throws -> [CopyTable] {
        try await reader.read { db in try Self.tablesToCopy(db) }
    }

    static func tablesToCopy(_ db: Database) throws -> [CopyTable] {
        let names = try String.fetchAll(
            db,
            sql: """
                SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'grdb\\_%' ESCAPE '\\'
                AND name NOT IN ('groupingRevision', 'topicAsker')
                ORDER BY name
                """)
        return try names.map { name in
            let info = try Row.fetchAll(db, sql: "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
            // A topic's counts are rebuilt by the target's own triggers as its questions arrive.
            let columns = info.filter { name != "topic" || !TopicCounts.columns.contains($0["name"] as String? ?? "") }.map { row in
                CopyColumn(name: row["name"], kind: Self.columnKind(declared: row["type"] ?? ""))
            }
            let references = try String.fetchAll(
                db, sql: "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?) ORDER BY 1", arguments: [name])
            // Only AUTOINCREMENT tables keep a counter (sqlite_sequence) that may run ahead of max(id).
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [name]) ?? ""
            let keys = info.filter { ($0["pk"] as Int? ?? 0) > 0 }
            let sequence = sql.uppercased().contains("AUTOINCREMENT") && keys.count == 1 ? keys[0]["name"] as String? : nil
            return CopyTable(name: name, columns: columns, references: references, sequenceColumn: sequence)
        }
    }

    /// The kind of a column from its declared type (GRDB's schema builder names them).
    static func columnKind(declared: String) -> StoredColumnKind {
        let type = declared.uppercased()
        if type.contains("INT") { return .integer }
        if type.contains("BOOL") { return .boolean }
        if type.contains("DATE") || type.contains("TIME") { return .timestamp }
        if type.contains("JSON") { return .json }
        if type.contains("REAL") || type.contains("DOUB") || type.contains("FLOA") { return .real }
        if type.contains("BLOB") { return .blob }
        return .text
    }

    public func openCopySnapshot() async throws -> any CopySnapshot {
        // A pool snapshot is one connection holding one read transaction: writers carry on, unseen.
        if let pool = writer as? DatabasePool {
            return SQLiteCopySnapshot(reader: try pool.makeSnapshot())
        }
        // A private in-memory database (tests, dry runs) has no other writer than this process.
        return SQLiteCopySnapshot(reader: writer)
    }

    public func insertCopiedRows(_ rows: [[StoredValue]], into table: CopyTable) async throws {
        try await writer.write { db in
            let columns = table.columnNames.map { $0.quotedDatabaseIdentifier }.joined(separator: ", ")
            let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
            let statement = try db.cachedStatement(
                sql: "INSERT INTO \(table.name.quotedDatabaseIdentifier) (\(columns)) VALUES (\(marks))")
            for row in rows {
                try statement.execute(arguments: StatementArguments(row.map(\.databaseValue)))
            }
        }
    }

    public func advanceSequence(of table: CopyTable, to value: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", arguments: [value, table.name])
            if db.changesCount == 0 {
                try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", arguments: [table.name, value])
            }
        }
    }

    public func emptyCopiedTables(_ tables: [CopyTable]) async throws {
        try await writer.write { db in
            for table in tables {
                try db.execute(sql: "DELETE FROM \(table.name.quotedDatabaseIdentifier)")
                if table.sequenceColumn != nil {
                    try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = ?", arguments: [table.name])
                }
            }
        }
    }
}

/// Reads tables by rowid (every Tyndau table has one), inside the snapshot's single read transaction.
struct SQLiteCopySnapshot: CopySnapshot {
    let reader: any DatabaseReader

    func count(_ table: CopyTable) async throws -> Int {
        try await reader.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name.quotedDatabaseIdentifier)") ?? 0
        }
    }

    func rows(_ table: CopyTable, after position: CopyPosition?, limit: Int) async throws -> CopyBatch {
        let after: Int64
        if case .integer(let rowid)? = position?.values.first {
            after = rowid
        } else {
            after = Int64.min
        }
        return try await reader.read { db in
            let columns = table.columnNames.map { $0.quotedDatabaseIdentifier }.joined(separator: ", ")
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT _rowid_, \(columns) FROM \(table.name.quotedDatabaseIdentifier)
                    WHERE _rowid_ > ? ORDER BY _rowid_ LIMIT ?
                    """,
                arguments: [after, limit])
            var rows: [[StoredValue]] = []
            var last: Int64?
            while let row = try cursor.next() {
                last = row[0]
                rows.append((1..<row.count).map { StoredValue(row[$0] as DatabaseValue) })
            }
            return CopyBatch(rows: rows, next: rows.count == limit ? last.map { CopyPosition([.integer($0)]) } : nil)
        }
    }

    func sequenceValue(_ table: CopyTable) async throws -> Int64? {
        guard table.sequenceColumn != nil else { return nil }
        return try await reader.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = ?", arguments: [table.name])
        }
    }

    func close() async throws {
        if let snapshot = reader as? DatabaseSnapshot { try snapshot.close() }
    }
}

extension StoredValue {
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let integer): self = .integer(integer)
        case .double(let real): self = .real(real)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob([UInt8](data))
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let integer): integer.databaseValue
        case .real(let real): real.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
    }
}
