import Foundation
import GRDB
import TyndauCore

extension SQLiteStore {
    /// `arrival-grouping-v1`: the grouping revision, a counter that triggers bump whenever a question's
    /// topic or pin changes or a question in a topic is deleted — whichever code does it (grouping runs,
    /// office decisions, another server's arrival grouper) — so a grouper holding topics in memory knows
    /// when to reconcile. It is a change counter, not data: `db copy` skips it.
    static func registerArrivalGrouping(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("arrival-grouping-v1") { db in
            try db.execute(sql: """
                CREATE TABLE groupingRevision (id INTEGER PRIMARY KEY, revision INTEGER NOT NULL);
                CREATE TRIGGER question_groupingRevision_update
                AFTER UPDATE OF topicID, topicPinned ON question
                WHEN OLD.topicID IS NOT NEW.topicID OR OLD.topicPinned IS NOT NEW.topicPinned
                BEGIN
                  INSERT OR IGNORE INTO groupingRevision (id, revision) VALUES (1, 0);
                  UPDATE groupingRevision SET revision = revision + 1 WHERE id = 1;
                END;
                CREATE TRIGGER question_groupingRevision_delete
                AFTER DELETE ON question WHEN OLD.topicID IS NOT NULL
                BEGIN
                  INSERT OR IGNORE INTO groupingRevision (id, revision) VALUES (1, 0);
                  UPDATE groupingRevision SET revision = revision + 1 WHERE id = 1;
                END;
                """)
        }
    }

    /// `grouping-revision-v2` keeps the migration lists of both engines equal: PostgreSQL now bumps the
    /// revision once per transaction (each bump there leaves a row version the next one walks past);
    /// SQLite updates the counter row in place, so its per-row triggers stay as they are.
    static func registerGroupingRevisionV2(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("grouping-revision-v2") { _ in }
    }

    static func groupable(_ rows: [Row]) throws -> [GroupableQuestion] {
        try rows.map { row in
            let question = try Question(row: row)
            let open = groupableStatuses.contains(question.status)
            return GroupableQuestion(
                question: question,
                pinned: row["topicPinned"] ?? false || (!open && question.topicID != nil),
                askerKey: row["askerKey"])
        }
    }
}

extension SQLiteStore: ArrivalGroupingStore {
    /// SQLite's single writer is the lock. The batch is read and decided on a snapshot (a WAL read,
    /// beside the writer), so intake commits do not wait while the grouper thinks; the write
    /// transaction then checks that nothing the decision rests on moved — the grouping revision, and
    /// every arrival still in no topic and received or acknowledged — and writes. When something did
    /// move (another process placed or the office decided meanwhile), the batch is read and decided
    /// again inside the write transaction, with the members for a full reconciliation.
    public func placeArrivals(
        knownRevision: Int64?, limit: Int, actor: String, now: Date,
        decide: @escaping @Sendable (ArrivalBatch) throws -> [ArrivalPlacement]
    ) async throws -> ArrivalOutcome {
        let snapshot = try await reader.read { db -> ArrivalBatch in
            let arrivals = try Self.arrivals(limit: limit, db)
            let revision = try Self.groupingRevision(db)
            guard !arrivals.isEmpty else { return ArrivalBatch(revision: revision, members: nil, arrivals: []) }
            return ArrivalBatch(
                revision: revision, members: revision != knownRevision ? try Self.groupedMembers(db) : nil, arrivals: arrivals)
        }
        guard !snapshot.arrivals.isEmpty else {
            return ArrivalOutcome(revision: snapshot.revision, placed: [:], reconciled: false)
        }
        let placements = try decide(snapshot)
        return try await writer.write { db in
            let ids = snapshot.arrivals.compactMap(\.question.id)
            if try Self.groupingRevision(db) == snapshot.revision, try Self.stillArriving(ids, db) {
                return try Self.storePlacements(placements, reconciled: snapshot.members != nil, actor: actor, now: now, db)
            }
            let arrivals = try Self.arrivals(limit: limit, db)
            let before = try Self.groupingRevision(db)
            guard !arrivals.isEmpty else { return ArrivalOutcome(revision: before, placed: [:], reconciled: false) }
            let batch = ArrivalBatch(revision: before, members: try Self.groupedMembers(db), arrivals: arrivals)
            return try Self.storePlacements(try decide(batch), reconciled: true, actor: actor, now: now, db)
        }
    }

    static func groupingRevision(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT revision FROM groupingRevision WHERE id = 1")) ?? 0
    }

    /// Received or acknowledged questions in no topic, oldest first.
    static func arrivals(limit: Int, _ db: Database) throws -> [GroupableQuestion] {
        try groupable(
            Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT question.*, asker.personKey AS askerKey FROM question
                    LEFT JOIN asker ON asker.questionID = question.id
                    WHERE question.status IN ('received', 'acknowledged') AND question.topicID IS NULL
                    ORDER BY question.submittedAt, question.id LIMIT ?
                    """),
                arguments: [limit]))
    }

    /// Every question in a topic, for a reconciliation.
    static func groupedMembers(_ db: Database) throws -> [GroupableQuestion] {
        try groupable(
            Row.fetchAll(
                db,
                sql: """
                    SELECT question.*, asker.personKey AS askerKey FROM question
                    LEFT JOIN asker ON asker.questionID = question.id
                    WHERE question.topicID IS NOT NULL ORDER BY question.submittedAt, question.id
                    """))
    }

    /// Whether every question of `ids` is still received or acknowledged and in no topic.
    static func stillArriving(_ ids: [Question.ID], _ db: Database) throws -> Bool {
        guard !ids.isEmpty else { return true }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let count = try Int.fetchOne(
            db,
            sql: """
                SELECT COUNT(*) FROM question WHERE id IN (\(placeholders))
                AND status IN ('received', 'acknowledged') AND topicID IS NULL
                """,
            arguments: StatementArguments(ids)) ?? 0
        return count == Set(ids).count
    }

    /// Writes a batch's placements: a new topic or the facts of the joined one, the question's topic
    /// (its status stays: placing is not triage), and a `topic.arrival` audit event each.
    static func storePlacements(
        _ placements: [ArrivalPlacement], reconciled: Bool, actor: String, now: Date, _ db: Database
    ) throws -> ArrivalOutcome {
        var created: [Int: Topic.ID] = [:]
        var placed: [Question.ID: Topic.ID] = [:]
        let withFacts = ArrivalPlacement.factsToStore(placements)
        let at = now.databaseValue
        for (index, placement) in placements.enumerated() {
            let existing = placement.topicID ?? created[placement.newTopic]
            let topicID =
                withFacts.contains(index) || existing == nil
                ? try storeFacts(placement.facts, topicID: existing, now: now, db) : existing!
            if existing == nil { created[placement.newTopic] = topicID }
            // `assign` without triage or pin, as cached statements: the question was checked above
            // (or read in this transaction), so it exists.
            try db.cachedStatement(sql: "UPDATE question SET topicID = ? WHERE id = ?")
                .execute(arguments: [topicID, placement.questionID])
            try audit(AuditEvent.placedOnArrival(placement, topicID: topicID, opened: existing == nil, actor: actor, at: now), storedAt: at, db)
            placed[placement.questionID] = topicID
        }
        return ArrivalOutcome(revision: try groupingRevision(db), placed: placed, reconciled: reconciled)
    }

    public func topicMembers(_ topic: Topic.ID) async throws -> [Question] {
        try await reader.read { db in
            try Question.filter(Column("topicID") == topic).order(Column("submittedAt"), Column("id")).fetchAll(db)
        }
    }
}
