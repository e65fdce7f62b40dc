import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore {
    /// The question columns a ``Question`` is read from, qualified by `alias`.
    static func questionColumns(_ alias: String = "question") -> String {
        [
            "id", "ticket", "text", "language", "category", "street", "house", "channel", "externalID", "submittedAt",
            "status", "statusReason", "topicID", "accessToken",
        ].map { "\"\(alias)\".\"\($0)\"" }.joined(separator: ", ")
    }

    static func question(_ row: Columns) throws -> Question {
        Question(
            id: try row("id", as: Int64.self), ticket: try row("ticket"), text: try row("text"),
            language: try row("language", as: TextLanguage.self), category: try row("category", as: QuestionCategory?.self),
            street: try row("street"), house: try row("house"), channel: try row("channel", as: Channel.self),
            externalID: try row("externalID"), submittedAt: try row("submittedAt"),
            status: try row("status", as: QuestionStatus.self), statusReason: try row("statusReason"),
            topicID: try row("topicID"), accessToken: try row("accessToken")
        )
    }

    static func fetchQuestion(id: Question.ID, forUpdate: Bool = false, _ connection: PostgresConnection) async throws -> Question? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await connection.row(#"""
            SELECT \#(unescaped: questionColumns()) FROM "question" WHERE "id" = \#(id)\#(unescaped: lock)
            """#).map(question)
    }

    static func askerContact(_ row: Columns) throws -> AskerContact {
        AskerContact(
            name: try row("name"), phone: try row("phone"), email: try row("email"),
            telegramChatID: try row("telegramChatID"), telegramUsername: try row("telegramUsername"),
            consent: try row("consent"), consentAt: try row("consentAt"), language: try row("language", as: UILanguage?.self)
        )
    }

    static func fetchContact(questionID: Question.ID, _ connection: PostgresConnection) async throws -> AskerContact? {
        try await connection.row(#"SELECT * FROM "asker" WHERE "questionID" = \#(questionID)"#).map(askerContact)
    }

    static func insertAsker(questionID: Question.ID, contact: AskerContact, _ connection: PostgresConnection) async throws {
        try await connection.run(#"""
            INSERT INTO "asker" ("questionID", "name", "phone", "email", "telegramChatID", "telegramUsername", "consent",
                                 "consentAt", "language", "personKey")
            VALUES (\#(questionID), \#(contact.name), \#(contact.phone), \#(contact.email), \#(contact.telegramChatID),
                    \#(contact.telegramUsername), \#(contact.consent), \#(contact.consentAt), \#(contact.language?.rawValue),
                    \#(contact.personKey))
            """#)
    }

    /// Inserts one question with its ticket and asker row; `nil` when its source key is already stored
    /// (by this transaction's snapshot or by a concurrent one: `ON CONFLICT DO NOTHING` waits for it).
    ///
    /// The id comes from the `question` sequence before the insert, so the ticket (`TRK-YYYY-NNNNNN`,
    /// the Almaty year of submission) is written with the row. Sequences are shared by every server, so
    /// tickets are unique across processes; a rolled-back insert leaves a gap, which tickets tolerate.
    static func insert(_ newQuestion: NewQuestion, _ connection: PostgresConnection) async throws -> Question? {
        var question = newQuestion.question
        if let sourceKey = newQuestion.sourceKey {
            // Checked first so a re-import draws no id (the conflict clause below covers a concurrent twin).
            let exists = try await connection.value(#"""
                SELECT EXISTS (SELECT 1 FROM "question" WHERE "channel" = \#(question.channel.rawValue) AND "sourceKey" = \#(sourceKey))
                """#, as: Bool.self) ?? false
            if exists { return nil }
        }
        guard let id = try await connection.value(#"SELECT nextval('"question_id_seq"')"#, as: Int64.self) else {
            throw TyndauError.databaseFailed("question id sequence returned no value")
        }
        let ticket = Ticket.make(id: id, submittedAt: question.submittedAt)
        let stored = try await connection.changes(#"""
            INSERT INTO "question" ("id", "ticket", "text", "language", "category", "street", "house", "channel",
                                    "externalID", "submittedAt", "status", "statusReason", "topicID", "accessToken", "sourceKey")
            VALUES (\#(id), \#(ticket), \#(question.text), \#(question.language.rawValue), \#(question.category?.rawValue),
                    \#(question.street), \#(question.house), \#(question.channel.rawValue), \#(question.externalID),
                    \#(question.submittedAt), \#(question.status.rawValue), \#(question.statusReason), \#(question.topicID),
                    \#(question.accessToken), \#(newQuestion.sourceKey))
            ON CONFLICT ("channel", "sourceKey") WHERE "sourceKey" IS NOT NULL DO NOTHING
            """#)
        guard stored == 1 else { return nil }
        question.id = id
        question.ticket = ticket
        if let contact = newQuestion.contact, !contact.isEmpty {
            try await insertAsker(questionID: id, contact: contact, connection)
        }
        return question
    }

    static func audit(_ event: AuditEvent, _ connection: PostgresConnection) async throws {
        try await connection.run(#"""
            INSERT INTO "auditEvent" ("at", "actor", "action", "subject", "details")
            VALUES (\#(event.at), \#(event.actor), \#(event.action), \#(event.subject), \#(event.details))
            """#)
    }

    /// `events` in one multi-row statement, stored in their order (grouping runs, arrival placing).
    static func audit(all events: [AuditEvent], _ connection: PostgresConnection) async throws {
        guard !events.isEmpty else { return }
        try await connection.run(#"""
            INSERT INTO "auditEvent" ("at", "actor", "action", "subject", "details")
            SELECT "at", "actor", "action", "subject", "details"
            FROM unnest(\#(events.map(\.at))::timestamptz[], \#(events.map(\.actor))::text[], \#(events.map(\.action))::text[],
                        \#(events.map(\.subject))::text[], \#(events.map(\.details))::text[])
                 WITH ORDINALITY AS "e"("at", "actor", "action", "subject", "details", "n")
            ORDER BY "n"
            """#)
    }

    /// The lifecycle check and its audit event, inside a larger transaction. The row is locked first,
    /// so two processes moving the same question are serialised and the second sees the first's move.
    /// The first move out of received/acknowledged stamps `triagedAt` (the end of the golden hour) with `now`.
    static func updateStatus(
        questionID: Question.ID, to status: QuestionStatus, reason: String?, actor: String, now: Date,
        _ connection: PostgresConnection
    ) async throws -> Question {
        guard var question = try await fetchQuestion(id: questionID, forUpdate: true, connection) else {
            throw TyndauError.notFound("question \(questionID)")
        }
        let previous = question.status
        question.status = try previous.checkedMove(to: status)
        question.statusReason = reason
        try await connection.run(#"""
            UPDATE "question" SET "status" = \#(status.rawValue), "statusReason" = \#(reason),
              "triagedAt" = CASE WHEN \#(status.isTriaged) THEN COALESCE("triagedAt", \#(now)) ELSE "triagedAt" END
            WHERE "id" = \#(questionID)
            """#)
        if QuestionStatus.leavesTopic(from: previous, to: status), question.topicID != nil {
            try await connection.run(#"""
                UPDATE "question" SET "topicID" = NULL, "topicPinned" = FALSE WHERE "id" = \#(questionID)
                """#)
            question.topicID = nil
            try await deleteEmptyTopics(connection)
        }
        try await audit(
            AuditEvent.statusChanged(questionID: questionID, from: previous, to: status, reason: reason, actor: actor, at: now), connection)
        return question
    }
}

extension PostgresStore: QuestionStore {
    public func insertNew(_ newQuestion: NewQuestion) async throws -> Question? {
        try await write { connection in try await Self.insert(newQuestion, connection) }
    }

    public func insert(batch: [NewQuestion]) async throws -> InsertOutcome {
        try await write { connection in
            var inserted: [Question] = []
            inserted.reserveCapacity(batch.count)
            var alreadyPresent = 0
            for newQuestion in batch {
                if let stored = try await Self.insert(newQuestion, connection) {
                    inserted.append(stored)
                } else {
                    alreadyPresent += 1
                }
            }
            return InsertOutcome(inserted: inserted, alreadyPresent: alreadyPresent)
        }
    }

    public func question(id: Question.ID) async throws -> Question? {
        try await read { connection in try await Self.fetchQuestion(id: id, connection) }
    }

    public func question(ticket: String) async throws -> Question? {
        try await read { connection in
            try await connection.row(#"""
                SELECT \#(unescaped: Self.questionColumns()) FROM "question" WHERE "ticket" = \#(ticket.uppercased())
                """#).map(Self.question)
        }
    }

    public func questions(_ query: QuestionQuery) async throws -> [Question] {
        try await read { connection in
            let statuses = query.statuses.map { $0.map(\.rawValue).sorted() }
            let limit = query.limit.map(Int64.init) ?? Int64.max
            return try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns()) FROM "question"
                WHERE (\#(statuses == nil) OR "status" = ANY(\#(statuses ?? [])))
                  AND (\#(query.since == nil) OR "submittedAt" >= \#(query.since ?? .distantPast))
                ORDER BY "submittedAt", "id" LIMIT \#(limit)
                """#).map(Self.question)
        }
    }

    public func countQuestions(status: QuestionStatus?) async throws -> Int {
        try await read { connection in
            let count = try await connection.value(#"""
                SELECT COUNT(*) FROM "question" WHERE \#(status == nil) OR "status" = \#(status?.rawValue ?? "")
                """#, as: Int64.self)
            return Int(count ?? 0)
        }
    }

    public func contact(questionID: Question.ID) async throws -> AskerContact? {
        try await read { connection in try await Self.fetchContact(questionID: questionID, connection) }
    }

    @discardableResult
    public func updateStatus(questionID: Question.ID, to status: QuestionStatus, reason: String?, actor: String, now: Date)
        async throws -> Question
    {
        try await write { connection in
            try await Self.updateStatus(questionID: questionID, to: status, reason: reason, actor: actor, now: now, connection)
        }
    }
}

extension PostgresStore: AuditLog {
    public func record(_ event: AuditEvent) async throws {
        try await write { connection in try await Self.audit(event, connection) }
    }

    public func auditEvents(subject: String?, limit: Int) async throws -> [AuditEvent] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT * FROM "auditEvent" WHERE \#(subject == nil) OR "subject" = \#(subject ?? "")
                ORDER BY "id" DESC LIMIT \#(Int64(limit))
                """#).map { row in
                AuditEvent(
                    id: try row("id"), at: try row("at"), actor: try row("actor"), action: try row("action"),
                    subject: try row("subject"), details: try row("details"))
            }
        }
    }
}
