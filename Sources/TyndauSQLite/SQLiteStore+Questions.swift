import Foundation
import GRDB
import TyndauCore

extension SQLiteStore: QuestionStore {
    public func insertNew(_ newQuestion: NewQuestion) async throws -> Question? {
        try await writer.write { db in try Self.insert(newQuestion, db) }
    }

    public func insert(batch: [NewQuestion]) async throws -> InsertOutcome {
        try await writer.write { db in
            var inserted: [Question] = []
            inserted.reserveCapacity(batch.count)
            var alreadyPresent = 0
            for newQuestion in batch {
                if let stored = try Self.insert(newQuestion, db) {
                    inserted.append(stored)
                } else {
                    alreadyPresent += 1
                }
            }
            return InsertOutcome(inserted: inserted, alreadyPresent: alreadyPresent)
        }
    }

    /// Inserts one question, its ticket and its asker row; `nil` when its source key is already stored.
    /// Cached statements and no record encoding: every intake path (web, API, import) runs through here.
    static func insert(_ newQuestion: NewQuestion, _ db: Database) throws -> Question? {
        var question = newQuestion.question
        if let sourceKey = newQuestion.sourceKey {
            let exists = try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS(SELECT 1 FROM question WHERE channel = ? AND sourceKey = ?)"),
                arguments: [question.channel.rawValue, sourceKey]
            ) ?? false
            if exists { return nil }
        }
        try db.cachedStatement(sql: """
            INSERT INTO question (text, language, category, street, house, channel, externalID, submittedAt,
                                  status, statusReason, topicID, accessToken, sourceKey)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                question.text, question.language.rawValue, question.category?.rawValue, question.street, question.house,
                question.channel.rawValue, question.externalID, question.submittedAt, question.status.rawValue,
                question.statusReason, question.topicID, question.accessToken, newQuestion.sourceKey,
            ])
        let id = db.lastInsertedRowID
        let ticket = Ticket.make(id: id, submittedAt: question.submittedAt)
        question.id = id
        question.ticket = ticket
        try db.cachedStatement(sql: "UPDATE question SET ticket = ? WHERE id = ?").execute(arguments: [ticket, id])
        if let contact = newQuestion.contact, !contact.isEmpty {
            try AskerRecord(questionID: id, contact: contact).insert(db)
        }
        return question
    }

    public func question(id: Question.ID) async throws -> Question? {
        try await reader.read { db in try Question.fetchOne(db, key: id) }
    }

    public func question(ticket: String) async throws -> Question? {
        try await reader.read { db in
            try Question.filter(Column("ticket") == ticket.uppercased()).fetchOne(db)
        }
    }

    public func questions(_ query: QuestionQuery) async throws -> [Question] {
        try await reader.read { db in
            var request = Question.order(Column("submittedAt"), Column("id"))
            if let statuses = query.statuses {
                request = request.filter(statuses.map(\.rawValue).contains(Column("status")))
            }
            if let since = query.since {
                request = request.filter(Column("submittedAt") >= since)
            }
            if let limit = query.limit {
                request = request.limit(limit)
            }
            return try request.fetchAll(db)
        }
    }

    public func countQuestions(status: QuestionStatus?) async throws -> Int {
        try await reader.read { db in
            if let status {
                return try Question.filter(Column("status") == status.rawValue).fetchCount(db)
            }
            return try Question.fetchCount(db)
        }
    }

    public func contact(questionID: Question.ID) async throws -> AskerContact? {
        try await reader.read { db in try AskerRecord.fetchOne(db, key: questionID)?.contact }
    }

    @discardableResult
    public func updateStatus(questionID: Question.ID, to status: QuestionStatus, reason: String?, actor: String, now: Date) async throws -> Question {
        try await writer.write { db in
            try Self.updateStatus(questionID: questionID, to: status, reason: reason, actor: actor, now: now, db)
        }
    }

    /// The lifecycle check and its audit event, for use inside a larger transaction. The first move
    /// out of received/acknowledged stamps `triagedAt` (the end of the golden hour) with `now`.
    static func updateStatus(
        questionID: Question.ID, to status: QuestionStatus, reason: String?, actor: String, now: Date, _ db: Database
    ) throws -> Question {
        guard var question = try Question.fetchOne(db, key: questionID) else {
            throw TyndauError.notFound("question \(questionID)")
        }
        let previous = question.status
        question.status = try previous.checkedMove(to: status)
        question.statusReason = reason
        try question.update(db, columns: ["status", "statusReason"])
        if status.isTriaged {
            try db.cachedStatement(sql: "UPDATE question SET triagedAt = ? WHERE id = ? AND triagedAt IS NULL")
                .execute(arguments: [now, questionID])
        }
        if QuestionStatus.leavesTopic(from: previous, to: status), question.topicID != nil {
            try db.execute(sql: "UPDATE question SET topicID = NULL, topicPinned = 0 WHERE id = ?", arguments: [questionID])
            question.topicID = nil
            try deleteEmptyTopics(db)
        }
        try Self.audit(AuditEvent.statusChanged(questionID: questionID, from: previous, to: status, reason: reason, actor: actor, at: now), db)
        return question
    }
}

extension SQLiteStore {
    /// Stores an audit event (worded in ``AuditEvent``'s catalogue) in the caller's transaction, as a
    /// cached statement: intake and arrival placing write one per question. `storedAt` is the event's
    /// time already formatted, for callers that store many with one `now`.
    static func audit(_ event: AuditEvent, storedAt: DatabaseValue? = nil, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO auditEvent (at, actor, action, subject, details) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [storedAt ?? event.at.databaseValue, event.actor, event.action, event.subject, event.details])
    }
}

extension SQLiteStore: AuditLog {
    public func record(_ event: AuditEvent) async throws {
        try await writer.write { db in try Self.audit(event, db) }
    }

    public func auditEvents(subject: String?, limit: Int) async throws -> [AuditEvent] {
        try await reader.read { db in
            var request = AuditEvent.order(Column("id").desc).limit(limit)
            if let subject { request = request.filter(Column("subject") == subject) }
            return try request.fetchAll(db)
        }
    }
}
