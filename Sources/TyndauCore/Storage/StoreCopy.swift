import Foundation

/// What a copy moved, table by table, with the figures both sides agreed on.
public struct StoreCopyReport: Sendable, Hashable {
    public struct Table: Sendable, Hashable {
        public var name: String
        public var rows: Int
        public var checksum: String
        /// The id counter carried over, when the table has one.
        public var sequence: Int64?

        public init(name: String, rows: Int, checksum: String, sequence: Int64?) {
            self.name = name
            self.rows = rows
            self.checksum = checksum
            self.sequence = sequence
        }
    }

    /// In the order they were copied (referenced tables first).
    public var tables: [Table]

    public init(tables: [Table]) {
        self.tables = tables
    }

    public var totalRows: Int { tables.reduce(0) { $0 + $1.rows } }
}

/// Copies every table of one store into another, whatever the two engines are (`tyndau db copy`).
///
/// The source is read inside ONE snapshot, so a server writing meanwhile cannot make the copy
/// inconsistent; tables go in foreign-key order, in batches, ids kept (references stay valid) and id
/// counters moved forward. The target must be empty. Afterwards every table's row count and
/// ``TableChecksum`` are read back from the target and compared; on any failure after writing began,
/// the target is emptied again so the copy can simply be run once more.
public struct StoreCopy: Sendable {
    public var batchSize: Int

    public init(batchSize: Int = 1000) {
        self.batchSize = max(1, batchSize)
    }

    /// A table paired across the two stores: read with the source's description, written with the
    /// target's, `sourceIndex[i]` being where the target's i-th column sits in a source row.
    struct Pair: Sendable {
        var source: CopyTable
        var target: CopyTable
        var sourceIndex: [Int]

        func reorder(_ row: [StoredValue]) -> [StoredValue] {
            sourceIndex.map { row[$0] }
        }
    }

    /// - Parameters:
    ///   - progress: called once per table after it is copied.
    ///   - rowsCopied: called after each batch with the rows copied so far, all tables together (for a progress line).
    public func run(
        from source: any TableCopying, to target: any TableCopying,
        progress: @Sendable (StoreCopyReport.Table) -> Void = { _ in },
        rowsCopied: (@Sendable (Int) -> Void)? = nil
    ) async throws -> StoreCopyReport {
        let pairs = try Self.pair(source: try await source.tablesToCopy(), target: try await target.tablesToCopy())
        try await Self.requireEmpty(target, pairs.map(\.target))

        var expected: [String: (rows: Int, checksum: TableChecksum)] = [:]
        var report = StoreCopyReport(tables: [])
        var copied = 0
        do {
            let snapshot = try await source.openCopySnapshot()
            do {
                for pair in pairs {
                    let counted = try await snapshot.count(pair.source)
                    var checksum = TableChecksum()
                    var position: CopyPosition?
                    repeat {
                        // A stopped copy (SIGTERM, SIGINT) ends between batches and empties the target below.
                        try Task.checkCancellation()
                        let batch = try await snapshot.rows(pair.source, after: position, limit: batchSize)
                        let rows = batch.rows.map(pair.reorder)
                        if !rows.isEmpty { try await target.insertCopiedRows(rows, into: pair.target) }
                        for row in rows { checksum.add(row) }
                        copied += rows.count
                        if !rows.isEmpty { rowsCopied?(copied) }
                        position = batch.rows.isEmpty ? nil : batch.next
                    } while position != nil
                    guard checksum.rows == counted else {
                        throw TyndauError.copyVerificationFailed(
                            table: pair.source.name, detail: "source counted \(counted) rows, read \(checksum.rows)")
                    }
                    var sequence: Int64?
                    if pair.target.sequenceColumn != nil, let value = try await snapshot.sequenceValue(pair.source) {
                        try await target.advanceSequence(of: pair.target, to: value)
                        sequence = value
                    }
                    expected[pair.target.name] = (counted, checksum)
                    let table = StoreCopyReport.Table(
                        name: pair.target.name, rows: counted, checksum: checksum.description, sequence: sequence)
                    report.tables.append(table)
                    progress(table)
                }
            } catch {
                try? await snapshot.close()
                throw error
            }
            try await snapshot.close()
            try await Self.verify(target, pairs.map(\.target), expected: expected, batchSize: batchSize)
        } catch {
            // Leave the target as it was found: empty, ready for another run. In a task of its own, so a
            // cancelled copy (the command stopped by a signal) still cleans up.
            let tables = Array(pairs.map(\.target).reversed())
            try? await Task { try await target.emptyCopiedTables(tables) }.value
            throw error
        }
        return report
    }

    /// Reads every table back from the target and compares counts and checksums with the source's.
    static func verify(
        _ target: any TableCopying, _ tables: [CopyTable], expected: [String: (rows: Int, checksum: TableChecksum)],
        batchSize: Int
    ) async throws {
        let snapshot = try await target.openCopySnapshot()
        do {
            for table in tables {
                guard let wanted = expected[table.name] else { continue }
                let counted = try await snapshot.count(table)
                guard counted == wanted.rows else {
                    throw TyndauError.copyVerificationFailed(
                        table: table.name, detail: "\(wanted.rows) rows copied, \(counted) found")
                }
                var checksum = TableChecksum()
                var position: CopyPosition?
                repeat {
                    let batch = try await snapshot.rows(table, after: position, limit: batchSize)
                    for row in batch.rows { checksum.add(row) }
                    position = batch.rows.isEmpty ? nil : batch.next
                } while position != nil
                guard checksum == wanted.checksum else {
                    throw TyndauError.copyVerificationFailed(
                        table: table.name, detail: "checksum \(wanted.checksum) copied, \(checksum) found")
                }
            }
        } catch {
            try? await snapshot.close()
            throw error
        }
        try await snapshot.close()
    }

    /// The first table (in copy order) that holds rows refuses the copy.
    static func requireEmpty(_ target: any TableCopying, _ tables: [CopyTable]) async throws {
        let snapshot = try await target.openCopySnapshot()
        do {
            for table in tables {
                let rows = try await snapshot.count(table)
                if rows > 0 { throw TyndauError.copyTargetNotEmpty(table: table.name, rows: rows) }
            }
        } catch {
            try? await snapshot.close()
            throw error
        }
        try await snapshot.close()
    }

    /// Matches the two stores' tables by name and column names, in dependency order.
    static func pair(source: [CopyTable], target: [CopyTable]) throws -> [Pair] {
        let sources = Dictionary(source.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let targets = Dictionary(target.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in sources.keys.sorted() where targets[name] == nil {
            throw TyndauError.copySchemaMismatch(table: name, detail: "missing on the target")
        }
        for name in targets.keys.sorted() where sources[name] == nil {
            throw TyndauError.copySchemaMismatch(table: name, detail: "missing on the source")
        }
        var merged: [CopyTable] = []
        for name in targets.keys.sorted() {
            var table = targets[name]!
            table.references = Array(Set(table.references + sources[name]!.references)).sorted()
            merged.append(table)
        }
        return try dependencyOrder(merged).map { table in
            let from = sources[table.name]!
            let positions = Dictionary(from.columnNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let onlySource = Set(from.columnNames).subtracting(table.columnNames).sorted()
            let onlyTarget = Set(table.columnNames).subtracting(from.columnNames).sorted()
            guard onlySource.isEmpty, onlyTarget.isEmpty else {
                let detail = [
                    onlySource.isEmpty ? nil : "only on the source: " + onlySource.joined(separator: ", "),
                    onlyTarget.isEmpty ? nil : "only on the target: " + onlyTarget.joined(separator: ", "),
                ].compactMap { $0 }.joined(separator: "; ")
                throw TyndauError.copySchemaMismatch(table: table.name, detail: detail)
            }
            return Pair(source: from, target: table, sourceIndex: table.columnNames.map { positions[$0]! })
        }
    }

    /// Referenced tables before the tables that reference them; otherwise by name, so the order is stable.
    public static func dependencyOrder(_ tables: [CopyTable]) throws -> [CopyTable] {
        let names = Set(tables.map(\.name))
        var pending = tables.sorted { $0.name < $1.name }
        var placed: Set<String> = []
        var ordered: [CopyTable] = []
        while !pending.isEmpty {
            guard let index = pending.firstIndex(where: { table in
                table.references.allSatisfy { $0 == table.name || !names.contains($0) || placed.contains($0) }
            }) else {
                throw TyndauError.copyCycle(pending.map(\.name))
            }
            let table = pending.remove(at: index)
            placed.insert(table.name)
            ordered.append(table)
        }
        return ordered
    }
}
