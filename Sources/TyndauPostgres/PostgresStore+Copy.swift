import Foundation
import PostgresNIO
import TyndauCore

/// The PostgreSQL side of `tyndau db copy`: tables described from the server's catalogue, read through
/// cursors inside one repeatable-read transaction on a connection of its own, written with their ids
/// (then each `bigserial` counter is moved past them). Values cross in the interchange form of
/// ``StoredValue``: booleans 0/1, timestamps as UTC text with milliseconds, JSON as text.
extension PostgresStore: TableCopying {
    public func tablesToCopy() async throws -> [CopyTable] {
        try await read { connection in try await Self.tablesToCopy(connection) }
    }

    static func tablesToCopy(_ connection: PostgresConnection) async throws -> [CopyTable] {
        let columns = try await connection.rows("""
            SELECT c.table_name, c.column_name, c.data_type,
                   pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL AS serial
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'tyndau_migrations'
              AND c.table_name NOT IN ('groupingRevision', 'topicAsker')
              AND NOT (c.table_name = 'topic' AND c.column_name IN ('memberCount', 'askerCount'))
            ORDER BY c.table_name, c.ordinal_position
            """)
        let references = try await connection.rows("""
            SELECT DISTINCT source.relname AS referencing, target.relname AS referenced
            FROM pg_constraint k
            JOIN pg_class source ON source.oid = k.conrelid
            JOIN pg_class target ON target.oid = k.confrelid
            JOIN pg_namespace n ON n.oid = source.relnamespace
            WHERE k.contype = 'f' AND n.nspname = current_schema()
            """)
        var referenced: [String: [String]] = [:]
        for row in references {
            referenced[try row("referencing", as: String.self), default: []].append(try row("referenced", as: String.self))
        }
        var tables: [String: CopyTable] = [:]
        var order: [String] = []
        for row in columns {
            let name: String = try row("table_name")
            let column: String = try row("column_name")
            if tables[name] == nil {
                tables[name] = CopyTable(name: name, columns: [], references: (referenced[name] ?? []).sorted())
                order.append(name)
            }
            tables[name]!.columns.append(CopyColumn(name: column, kind: columnKind(dataType: try row("data_type"))))
            if try row("serial", as: Bool.self) { tables[name]!.sequenceColumn = column }
        }
        return order.compactMap { tables[$0] }
    }

    /// The interchange kind of a PostgreSQL column type (`information_schema.columns.data_type`).
    static func columnKind(dataType: String) -> StoredColumnKind {
        switch dataType {
        case "bigint", "integer", "smallint": .integer
        case "boolean": .boolean
        case "timestamp with time zone", "timestamp without time zone", "date": .timestamp
        case "double precision", "real", "numeric": .real
        case "bytea": .blob
        case "json", "jsonb": .json
        default: .text
        }
    }

    public func openCopySnapshot() async throws -> any CopySnapshot {
        let connection = try await Self.connectDirectly(location)
        do {
            try await connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            // The snapshot is taken by the first query, not by BEGIN: take it now.
            try await connection.run("SELECT 1")
        } catch {
            try? await connection.close()
            throw error
        }
        return PostgresCopySnapshot(connection: connection)
    }

    /// A connection outside the pool, for a transaction that spans many calls (a snapshot being read).
    static func connectDirectly(_ location: PostgresLocation) async throws -> PostgresConnection {
        do {
            let tls: PostgresConnection.Configuration.TLS
            switch location.tlsMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsContext(location)))
            case .require, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsContext(location)))
            }
            var configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.username,
                password: location.password?.value, database: location.database, tls: tls
            )
            configuration.options.connectTimeout = .seconds(Int64(location.connectTimeoutSeconds))
            configuration.options.additionalStartupParameters = [("application_name", location.applicationName)]
            if location.tlsMode == .verifyFull { configuration.options.tlsServerName = location.host }
            return try await PostgresConnection.connect(
                on: PostgresClient.defaultEventLoopGroup.next(), configuration: configuration, id: 1, logger: quietLogger
            ).get()
        } catch {
            throw TyndauError.databaseUnavailable(location.description, reason(error, location: location))
        }
    }

    public func insertCopiedRows(_ rows: [[StoredValue]], into table: CopyTable) async throws {
        guard !rows.isEmpty, !table.columns.isEmpty else { return }
        // PostgreSQL takes at most 65,535 parameters per statement.
        let perStatement = max(1, 30_000 / table.columns.count)
        let names = table.columns.map { Self.quoted($0.name) }.joined(separator: ", ")
        try await write { connection in
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(rows.count, start + perStatement)]
                var bindings = PostgresBindings(capacity: chunk.count * table.columns.count)
                var tuples: [String] = []
                tuples.reserveCapacity(chunk.count)
                for row in chunk {
                    guard row.count == table.columns.count else {
                        throw TyndauError.copySchemaMismatch(table: table.name, detail: "a row of \(row.count) values for \(table.columns.count) columns")
                    }
                    var placeholders: [String] = []
                    for (column, value) in zip(table.columns, row) {
                        try Self.bind(value, as: column, table: table.name, into: &bindings)
                        placeholders.append(Self.placeholder(bindings.count, kind: column.kind))
                    }
                    tuples.append("(" + placeholders.joined(separator: ", ") + ")")
                }
                try await connection.run(PostgresQuery(
                    unsafeSQL: "INSERT INTO \(Self.quoted(table.name)) (\(names)) VALUES " + tuples.joined(separator: ", "),
                    binds: bindings))
                start += chunk.count
            }
            // Explicit ids do not move a bigserial's counter: move it past the largest one now.
            if let column = table.sequenceColumn {
                try await Self.advanceSequence(table.name, column: column, to: nil, connection)
            }
        }
    }

    public func advanceSequence(of table: CopyTable, to value: Int64) async throws {
        guard let column = table.sequenceColumn else { return }
        try await write { connection in
            try await Self.advanceSequence(table.name, column: column, to: value, connection)
        }
    }

    /// Sets the counter to the largest of: its current value, the table's largest id, and `value`.
    static func advanceSequence(_ table: String, column: String, to value: Int64?, _ connection: PostgresConnection) async throws {
        guard let sequence = try await connection.value(
            "SELECT pg_get_serial_sequence(quote_ident(\(table)), \(column))", as: String?.self) ?? nil
        else { return }
        let current = try await connection.value(
            PostgresQuery(unsafeSQL: "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(sequence)"), as: Int64.self) ?? 0
        let largest = try await connection.value(
            PostgresQuery(unsafeSQL: "SELECT COALESCE(MAX(\(quoted(column))), 0)::bigint FROM \(quoted(table))"), as: Int64.self) ?? 0
        let target = max(current, largest, value ?? 0)
        guard target > current, target > 0 else { return }
        try await connection.run("SELECT setval(\(sequence)::regclass, \(target), true)")
    }

    public func emptyCopiedTables(_ tables: [CopyTable]) async throws {
        guard !tables.isEmpty else { return }
        try await write { connection in
            // One statement for all: foreign keys between the listed tables do not get in the way,
            // and the bigserial counters start again from 1.
            try await connection.run(PostgresQuery(
                unsafeSQL: "TRUNCATE " + tables.map { Self.quoted($0.name) }.joined(separator: ", ") + " RESTART IDENTITY"))
        }
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `$n` with the cast that turns the bound interchange value into the column's type.
    static func placeholder(_ index: Int, kind: StoredColumnKind) -> String {
        switch kind {
        case .integer: "$\(index)::bigint"
        case .real: "$\(index)::double precision"
        case .text: "$\(index)::text"
        case .blob: "$\(index)::bytea"
        case .boolean: "$\(index)::boolean"
        case .timestamp: "($\(index)::timestamp AT TIME ZONE 'UTC')"
        case .json: "$\(index)::text::jsonb"
        }
    }

    static func bind(_ value: StoredValue, as column: CopyColumn, table: String, into bindings: inout PostgresBindings) throws {
        func refuse() -> TyndauError {
            TyndauError.copySchemaMismatch(table: table, detail: "column \(column.name) (\(column.kind.rawValue)) cannot hold \(value)")
        }
        switch (column.kind, value) {
        case (_, .null): bindings.appendNull()
        case (.integer, .integer(let integer)): bindings.append(integer)
        case (.integer, .real(let real)) where real.rounded() == real: bindings.append(Int64(real))
        case (.integer, .text(let text)):
            guard let integer = Int64(text) else { throw refuse() }
            bindings.append(integer)
        case (.real, .real(let real)): bindings.append(real)
        case (.real, .integer(let integer)): bindings.append(Double(integer))
        case (.boolean, .integer(let integer)): bindings.append(integer != 0)
        case (.boolean, .text(let text)) where text == "0" || text == "1": bindings.append(text == "1")
        case (.text, .text(let text)), (.timestamp, .text(let text)), (.json, .text(let text)): bindings.append(text)
        case (.text, .integer(let integer)): bindings.append(String(integer))
        case (.text, .real(let real)): bindings.append(String(real))
        case (.blob, .blob(let bytes)): try bindings.append(Data(bytes))
        case (.blob, .text(let text)): try bindings.append(Data(text.utf8))
        default: throw refuse()
        }
    }
}

/// One repeatable-read, read-only transaction on a connection of its own; each table is read through a
/// server-side cursor, so a large table streams in batches without ordering or offsets.
final class PostgresCopySnapshot: CopySnapshot, @unchecked Sendable {
    // The connection is used by one caller at a time: `StoreCopy` reads tables one after another.
    private let connection: PostgresConnection
    private let lock = NSLock()
    private var cursors = 0

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    func count(_ table: CopyTable) async throws -> Int {
        let count = try await connection.value(
            PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(PostgresStore.quoted(table.name))"), as: Int64.self)
        return Int(count ?? 0)
    }

    func rows(_ table: CopyTable, after position: CopyPosition?, limit: Int) async throws -> CopyBatch {
        let cursor: String
        if case .text(let name)? = position?.values.first {
            cursor = name
        } else {
            cursor = lock.withLock {
                cursors += 1
                return "tyndau_copy_\(cursors)"
            }
            let columns = table.columns.map { Self.selectExpression($0) }.joined(separator: ", ")
            try await connection.run(PostgresQuery(
                unsafeSQL: "DECLARE \(cursor) NO SCROLL CURSOR FOR SELECT \(columns) FROM \(PostgresStore.quoted(table.name))"))
        }
        let result = try await connection.query(PostgresQuery(unsafeSQL: "FETCH FORWARD \(limit) FROM \(cursor)"), logger: PostgresStore.quietLogger)
        var rows: [[StoredValue]] = []
        for try await row in result {
            let cells = row.makeRandomAccess()
            rows.append(try table.columns.indices.map { index in try Self.value(cells[index], kind: table.columns[index].kind) })
        }
        guard rows.count == limit else {
            try await connection.run(PostgresQuery(unsafeSQL: "CLOSE \(cursor)"))
            return CopyBatch(rows: rows, next: nil)
        }
        return CopyBatch(rows: rows, next: CopyPosition([.text(cursor)]))
    }

    func sequenceValue(_ table: CopyTable) async throws -> Int64? {
        guard let column = table.sequenceColumn,
            let sequence = try await connection.value(
                "SELECT pg_get_serial_sequence(quote_ident(\(table.name)), \(column))", as: String?.self) ?? nil
        else { return nil }
        return try await connection.value(
            PostgresQuery(unsafeSQL: "SELECT CASE WHEN is_called THEN last_value END FROM \(sequence)"), as: Int64?.self) ?? nil
    }

    func close() async throws {
        _ = try? await connection.run("COMMIT")
        try await connection.close()
    }

    /// The column as the interchange form wants it: timestamps rendered as UTC text with milliseconds.
    static func selectExpression(_ column: CopyColumn) -> String {
        let name = PostgresStore.quoted(column.name)
        switch column.kind {
        case .timestamp: return "to_char(\(name) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')"
        case .json: return "\(name)::text"
        case .integer: return "\(name)::bigint"
        case .real: return "\(name)::double precision"
        case .text, .blob, .boolean: return name
        }
    }

    static func value(_ cell: PostgresCell, kind: StoredColumnKind) throws -> StoredValue {
        switch kind {
        case .integer: return try cell.decode(Int64?.self).map(StoredValue.integer) ?? .null
        case .real: return try cell.decode(Double?.self).map(StoredValue.real) ?? .null
        case .boolean: return try cell.decode(Bool?.self).map { .integer($0 ? 1 : 0) } ?? .null
        case .blob: return try cell.decode(Data?.self).map { .blob([UInt8]($0)) } ?? .null
        case .text, .timestamp, .json: return try cell.decode(String?.self).map(StoredValue.text) ?? .null
        }
    }
}
