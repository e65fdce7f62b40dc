import Foundation
import GRDB
import TyndauCore

extension SQLiteStore {
    /// `v5-intake`: the duplicate-check fingerprints of live submissions and the moment each question
    /// was first triaged (the golden hour ends there).
    ///
    /// `triagedAt` was first set by a trigger with the database's clock; `triaged-at-v2` drops it, and
    /// `updateStatus` (the one path every status move takes) stamps it with the caller's `now`.
    /// `triaged-at-v2`: no trigger stamps `triagedAt` with the database's clock any more.
    static func registerTriagedAtFromCaller(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("triaged-at-v2") { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS question_triagedAt")
        }
    }

    static func registerIntake(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-intake") { db in
            try db.alter(table: "question") { t in
                t.add(column: "triagedAt", .datetime)
            }
            try db.execute(sql: """
                CREATE TRIGGER question_triagedAt
                AFTER UPDATE OF status ON question
                WHEN NEW.triagedAt IS NULL
                  AND NEW.status NOT IN ('received', 'acknowledged')
                BEGIN
                  UPDATE question SET triagedAt = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = NEW.id;
                END
                """)
            // A keyed hash of the client address and a hash of the text; pruned after the window.
            try db.create(table: "intakeFingerprint") { t in
                t.primaryKey("questionID", .integer).references("question", onDelete: .cascade)
                t.column("clientKey", .text).notNull()
                t.column("textKey", .text).notNull()
                t.column("at", .datetime).notNull().indexed()
            }
            try db.create(
                index: "intakeFingerprint_on_clientKey_textKey",
                on: "intakeFingerprint",
                columns: ["clientKey", "textKey"]
            )
        }
    }
}

extension SQLiteStore: IntakeStore {
    public func submit(_ batch: [IntakeSubmission], now: Date) async throws -> [IntakeReceipt] {
        guard !batch.isEmpty else { return [] }
        return try await writer.write { db in
            // Fingerprints serve the duplicate check and the rate limit: kept as long as the longer window.
            let horizon = now.addingTimeInterval(-(batch.map { max($0.duplicateWindow, $0.rateLimit?.window ?? 0) }.max() ?? 600))
            try db.execute(sql: "DELETE FROM intakeFingerprint WHERE at < ?", arguments: [horizon])
            var receipts: [IntakeReceipt] = []
            receipts.reserveCapacity(batch.count)
            // `now` as stored, formatted once for the batch (GRDB formats a Date with a shared DateFormatter).
            let storedNow = now.databaseValue
            for submission in batch {
                receipts.append(try Self.submit(submission, now: now, storedNow: storedNow, db))
            }
            return receipts
        }
    }

    /// One submission inside the batch's transaction. Cached statements and no record decoding:
    /// this runs once per resident request, so it is the server's hot path.
    static func submit(
        _ submission: IntakeSubmission, now: Date, storedNow: DatabaseValue? = nil, _ db: Database
    ) throws -> IntakeReceipt {
        let storedNow = storedNow ?? now.databaseValue
        // The rate limit: SQLite has one writer, so counting inside this write transaction (which also
        // holds the batch's earlier inserts) reserves atomically.
        if let clientKey = submission.clientKey, let limit = submission.rateLimit, limit.isActive {
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) AS n, MIN(at) AS oldest FROM intakeFingerprint WHERE clientKey = ? AND at > ?"),
                arguments: [clientKey, limit.windowStart(now: now)])
            let count: Int = row?["n"] ?? 0
            let oldest: Date? = row?["oldest"]
            if let retryAfter = limit.retryAfter(storedInWindow: count, oldest: oldest, now: now) {
                return IntakeReceipt(question: submission.newQuestion.question, isDuplicate: false, hasContact: false, retryAfter: retryAfter)
            }
        }
        if let clientKey = submission.clientKey {
            let since = now.addingTimeInterval(-submission.duplicateWindow)
            let lookup = try db.cachedStatement(sql: """
                SELECT questionID FROM intakeFingerprint
                WHERE clientKey = ? AND textKey = ? AND at >= ?
                ORDER BY at, questionID LIMIT 1
                """)
            if let firstID = try Int64.fetchOne(lookup, arguments: [clientKey, submission.textKey, since]),
                let first = try Question.fetchOne(db, key: firstID)
            {
                let hasContact = try AskerRecord.fetchOne(db, key: firstID).map { !$0.contact.isEmpty } ?? false
                return IntakeReceipt(question: first, isDuplicate: true, hasContact: hasContact)
            }
        }
        var newQuestion = submission.newQuestion
        // The receipt is the acknowledgement: the question is stored already past `received`, and
        // the audit log records that move in the same transaction.
        newQuestion.question.status = try QuestionStatus.received.checkedMove(to: .acknowledged)
        newQuestion.question.statusReason = nil
        newQuestion.question.topicID = nil
        guard let question = try Self.insert(newQuestion, db), let id = question.id else {
            return IntakeReceipt(question: newQuestion.question, isDuplicate: false, hasContact: false, sourceKeyTaken: true)
        }
        try Self.audit(
            AuditEvent.statusChanged(questionID: id, from: .received, to: .acknowledged, reason: nil, actor: "intake", at: now),
            storedAt: storedNow, db)
        let contact = newQuestion.contact
        if let clientKey = submission.clientKey {
            try db.cachedStatement(sql: "INSERT INTO intakeFingerprint (questionID, clientKey, textKey, at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [id, clientKey, submission.textKey, storedNow])
        }
        // The golden-hour message commits with its question: a stored question always has it.
        if let acknowledgement = submission.acknowledgement, let message = acknowledgement.message(question) {
            _ = try Self.enqueue(message, endpointNames: acknowledgement.endpointNames, now: now, in: db)
        }
        return IntakeReceipt(question: question, isDuplicate: false, hasContact: !(contact?.isEmpty ?? true))
    }

    public func progress(ticket: String) async throws -> QuestionProgress? {
        try await reader.read { db -> QuestionProgress? in
            guard let question = try Question.filter(Column("ticket") == ticket.uppercased()).fetchOne(db) else {
                return nil
            }
            var progress = QuestionProgress(question: question)
            progress.triagedAt = try Date.fetchOne(db, sql: "SELECT triagedAt FROM question WHERE id = ?", arguments: [question.id])
            guard let topicID = question.topicID else { return progress }
            progress.topicTitle = try String.fetchOne(db, sql: "SELECT title FROM topic WHERE id = ?", arguments: [topicID])
            progress.topicAskers = try Self.askerCount(topicID: topicID, db)
            // The latest meeting that put the topic on its agenda.
            if let item = try AgendaItem.fetchOne(
                db,
                sql: """
                    SELECT agendaItem.* FROM agendaItem
                    JOIN meeting ON meeting.id = agendaItem.meetingID
                    WHERE agendaItem.topicID = ?
                    ORDER BY meeting.startsAt DESC LIMIT 1
                    """,
                arguments: [topicID]
            ) {
                progress.agendaItem = item
                progress.meeting = try Meeting.fetchOne(db, key: item.meetingID)
                progress.answer = try Answer.filter(Column("agendaItemID") == item.id).fetchOne(db)
            }
            return progress
        }
    }

    public func goldenHour(since: Date?, now: Date, window: TimeInterval, oldestLimit: Int) async throws -> GoldenHourReport {
        try await reader.read { db in
            let triageable = "status NOT IN ('received', 'acknowledged')"
            let sinceClause = since == nil ? "" : " AND submittedAt >= :since"
            let deadline = now.addingTimeInterval(-window)
            var arguments: StatementArguments = [
                "window": window,
                "deadline": deadline,
            ]
            if let since { _ = arguments.append(contentsOf: ["since": since]) }
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                      COUNT(*) AS total,
                      COALESCE(SUM(CASE WHEN \(triageable)
                        AND (triagedAt IS NULL OR julianday(triagedAt) - julianday(submittedAt) <= :window / 86400.0)
                        THEN 1 ELSE 0 END), 0) AS triagedWithin,
                      COALESCE(SUM(CASE WHEN \(triageable)
                        AND triagedAt IS NOT NULL AND julianday(triagedAt) - julianday(submittedAt) > :window / 86400.0
                        THEN 1 ELSE 0 END), 0) AS triagedLate,
                      COALESCE(SUM(CASE WHEN NOT (\(triageable)) AND submittedAt >= :deadline THEN 1 ELSE 0 END), 0) AS pendingWithin,
                      COALESCE(SUM(CASE WHEN NOT (\(triageable)) AND submittedAt < :deadline THEN 1 ELSE 0 END), 0) AS pendingOverdue
                    FROM question WHERE 1 = 1\(sinceClause)
                    """,
                arguments: arguments
            )!
            var oldestArguments: StatementArguments = ["limit": oldestLimit]
            if let since { _ = oldestArguments.append(contentsOf: ["since": since]) }
            let oldest = try Row.fetchAll(
                db,
                sql: """
                    SELECT ticket, submittedAt FROM question
                    WHERE NOT (\(triageable))\(sinceClause)
                    ORDER BY submittedAt, id LIMIT :limit
                    """,
                arguments: oldestArguments
            ).map { row -> GoldenHourReport.Waiting in
                let submittedAt: Date = row["submittedAt"]
                return GoldenHourReport.Waiting(
                    ticket: row["ticket"] ?? "",
                    submittedAt: submittedAt,
                    waitingMinutes: max(0, Int(now.timeIntervalSince(submittedAt) / 60))
                )
            }
            return GoldenHourReport(
                since: since, now: now, windowMinutes: Int(window / 60),
                total: row["total"], triagedWithin: row["triagedWithin"], triagedLate: row["triagedLate"],
                pendingWithin: row["pendingWithin"], pendingOverdue: row["pendingOverdue"],
                oldestUntriaged: oldest
            )
        }
    }
}
