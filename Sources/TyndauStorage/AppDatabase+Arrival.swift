import Foundation
import GRDB
import TyndauCore

extension AppDatabase {
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

extension AppDatabase: ArrivalGroupingStore {
    /// SQLite's single writer is the lock: the batch is read, decided and written in one write transaction.
    public func placeArrivals(
        knownRevision: Int64?, limit: Int, actor: String, now: Date,
        decide: @escaping @Sendable (ArrivalBatch) throws -> [ArrivalPlacement]
    ) async throws -> ArrivalOutcome {
        try await writer.write { db in
            let revision = { try Int64.fetchOne(db, sql: "SELECT revision FROM groupingRevision WHERE id = 1") ?? 0 }
            let arrivals = try Self.groupable(
                Row.fetchAll(
                    db,
                    sql: """
                        SELECT question.*, asker.personKey AS askerKey FROM question
                        LEFT JOIN asker ON asker.questionID = question.id
                        WHERE question.status IN ('received', 'acknowledged') AND question.topicID IS NULL
                        ORDER BY question.submittedAt, question.id LIMIT ?
                        """, arguments: [limit]))
            let before = try revision()
            guard !arrivals.isEmpty else { return ArrivalOutcome(revision: before, placed: [:], reconciled: false) }
            var members: [GroupableQuestion]?
            if before != knownRevision {
                members = try Self.groupable(
                    Row.fetchAll(
                        db,
                        sql: """
                            SELECT question.*, asker.personKey AS askerKey FROM question
                            LEFT JOIN asker ON asker.questionID = question.id
                            WHERE question.topicID IS NOT NULL ORDER BY question.submittedAt, question.id
                            """))
            }
            let placements = try decide(ArrivalBatch(revision: before, members: members, arrivals: arrivals))
            var created: [Int: Topic.ID] = [:]
            var placed: [Question.ID: Topic.ID] = [:]
            let withFacts = ArrivalPlacement.factsToStore(placements)
            for (index, placement) in placements.enumerated() {
                let existing = placement.topicID ?? created[placement.newTopic]
                let topicID =
                    withFacts.contains(index) || existing == nil
                    ? try Self.storeFacts(placement.facts, topicID: existing, now: now, db) : existing!
                if existing == nil { created[placement.newTopic] = topicID }
                try Self.assign(questionID: placement.questionID, to: topicID, pinned: nil, triage: false, actor: actor, now: now, db)
                try Self.audit(AuditEvent.placedOnArrival(placement, topicID: topicID, opened: existing == nil, actor: actor, at: now), db)
                placed[placement.questionID] = topicID
            }
            return ArrivalOutcome(revision: try revision(), placed: placed, reconciled: members != nil)
        }
    }

    public func topicMembers(_ topic: Topic.ID) async throws -> [Question] {
        try await reader.read { db in
            try Question.filter(Column("topicID") == topic).order(Column("submittedAt"), Column("id")).fetchAll(db)
        }
    }
}
