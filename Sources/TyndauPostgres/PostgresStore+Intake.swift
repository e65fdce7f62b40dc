import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore: IntakeStore {
    public func submit(_ batch: [IntakeSubmission], now: Date) async throws -> [IntakeReceipt] {
        guard !batch.isEmpty else { return [] }
        // Imports through intake (a source key) keep the general path with its re-import check.
        if batch.contains(where: { $0.newQuestion.sourceKey != nil }) {
            return try await submitSequentially(batch, now: now)
        }
        return try await write { connection in try await Self.submitLive(batch, now: now, connection) }
    }

    /// The batch one submission after the other, a few statements each: for batches holding imports.
    func submitSequentially(_ batch: [IntakeSubmission], now: Date) async throws -> [IntakeReceipt] {
        try await write { connection in
            // Fingerprints serve the duplicate check and the rate limit: kept as long as the longer window.
            let horizon = now.addingTimeInterval(-(batch.map { max($0.duplicateWindow, $0.rateLimit?.window ?? 0) }.max() ?? 600))
            // Pruning skips rows another server is pruning at this moment, so intake transactions on
            // several servers never queue behind each other's clean-up.
            try await connection.run(#"""
                DELETE FROM "intakeFingerprint" WHERE "questionID" IN (
                  SELECT "questionID" FROM "intakeFingerprint" WHERE "at" < \#(horizon)
                  LIMIT 1000 FOR UPDATE SKIP LOCKED)
                """#)
            // The rate limit is shared by every server: one advisory lock per limited client, taken for the
            // whole batch up front in one order (so two batches cannot deadlock), serialises the
            // count-then-insert of that client's submissions across transactions.
            let limitedClients = Set(batch.compactMap { $0.rateLimit?.isActive == true ? $0.clientKey : nil })
            if !limitedClients.isEmpty {
                try await connection.run(#"""
                    SELECT count(pg_advisory_xact_lock(\#(Int32(truncatingIfNeeded: AdvisoryLock.intakeRate.rawValue)), "h"))
                    FROM (SELECT DISTINCT hashtext("c") AS "h" FROM unnest(\#(limitedClients.sorted())::text[]) AS "c" ORDER BY 1) AS "keys"
                    """#)
            }
            var receipts: [IntakeReceipt] = []
            receipts.reserveCapacity(batch.count)
            for submission in batch {
                receipts.append(try await Self.submit(submission, now: now, connection))
            }
            return receipts
        }
    }

    /// One submission inside the batch's transaction. The same text from the same client sent to two
    /// servers at once must still be stored once: an advisory lock on the fingerprint's hash serialises
    /// the check-then-insert of identical submissions (and only of those).
    static func submit(_ submission: IntakeSubmission, now: Date, _ connection: PostgresConnection) async throws -> IntakeReceipt {
        if let clientKey = submission.clientKey, let limit = submission.rateLimit, limit.isActive {
            // Under the client's advisory lock (taken by the batch): the count includes every committed
            // submission of any server and this batch's earlier ones.
            if let row = try await connection.row(#"""
                SELECT COUNT(*)::bigint AS "n", MIN("at") AS "oldest" FROM "intakeFingerprint"
                WHERE "clientKey" = \#(clientKey) AND "at" > \#(limit.windowStart(now: now))
                """#),
                let retryAfter = limit.retryAfter(
                    storedInWindow: try row.int("n"), oldest: try row("oldest", as: Date?.self), now: now)
            {
                return IntakeReceipt(question: submission.newQuestion.question, isDuplicate: false, hasContact: false, retryAfter: retryAfter)
            }
        }
        if let clientKey = submission.clientKey {
            try await connection.run(#"""
                SELECT pg_advisory_xact_lock(\#(Int32(truncatingIfNeeded: AdvisoryLock.intakeDuplicate.rawValue)),
                                             hashtext(\#(clientKey) || ' ' || \#(submission.textKey)))
                """#)
            let since = now.addingTimeInterval(-submission.duplicateWindow)
            if let firstID = try await connection.value(#"""
                SELECT "questionID" FROM "intakeFingerprint"
                WHERE "clientKey" = \#(clientKey) AND "textKey" = \#(submission.textKey) AND "at" >= \#(since)
                ORDER BY "at", "questionID" LIMIT 1
                """#, as: Int64.self),
                let first = try await fetchQuestion(id: firstID, connection)
            {
                let hasContact = try await fetchContact(questionID: firstID, connection).map { !$0.isEmpty } ?? false
                return IntakeReceipt(question: first, isDuplicate: true, hasContact: hasContact)
            }
        }
        var newQuestion = submission.newQuestion
        // The receipt is the acknowledgement: the question is stored already past `received`, and the
        // audit log records that move in the same transaction.
        newQuestion.question.status = try QuestionStatus.received.checkedMove(to: .acknowledged)
        newQuestion.question.statusReason = nil
        newQuestion.question.topicID = nil
        if newQuestion.sourceKey != nil {
            // Imports through intake keep the general path with its re-import check.
            guard let question = try await insert(newQuestion, connection), let id = question.id else {
                return IntakeReceipt(question: newQuestion.question, isDuplicate: false, hasContact: false, sourceKeyTaken: true)
            }
            try await audit(
                AuditEvent.statusChanged(questionID: id, from: .received, to: .acknowledged, reason: nil, actor: "intake", at: now),
                connection)
            if let clientKey = submission.clientKey {
                try await connection.run(#"""
                    INSERT INTO "intakeFingerprint" ("questionID", "clientKey", "textKey", "at")
                    VALUES (\#(id), \#(clientKey), \#(submission.textKey), \#(now))
                    """#)
            }
            try await enqueueAcknowledgement(submission, question: question, now: now, connection)
            return IntakeReceipt(question: question, isDuplicate: false, hasContact: !(newQuestion.contact?.isEmpty ?? true))
        }
        // Live intake, the server's hot path: question, ticket, asker, audit event and fingerprint in one
        // statement (one round trip) instead of five.
        var question = newQuestion.question
        let contact = newQuestion.contact.flatMap { $0.isEmpty ? nil : $0 }
        let ticketPrefix = String(Ticket.make(id: 0, submittedAt: question.submittedAt).dropLast(6))
        guard let row = try await connection.row(#"""
            WITH "next" AS (SELECT nextval('"question_id_seq"') AS "id"),
            "q" AS (
              INSERT INTO "question" ("id", "ticket", "text", "language", "category", "street", "house", "channel", "externalID",
                                      "submittedAt", "status", "statusReason", "topicID", "accessToken", "sourceKey")
              SELECT "next"."id",
                     \#(ticketPrefix) || CASE WHEN length("next"."id"::text) < 6 THEN lpad("next"."id"::text, 6, '0') ELSE "next"."id"::text END,
                     \#(question.text), \#(question.language.rawValue), \#(question.category?.rawValue), \#(question.street),
                     \#(question.house), \#(question.channel.rawValue), \#(question.externalID), \#(question.submittedAt),
                     \#(question.status.rawValue), NULL, NULL, \#(question.accessToken), NULL
              FROM "next"
              RETURNING "id", "ticket"
            ),
            "k" AS (
              INSERT INTO "asker" ("questionID", "name", "phone", "email", "telegramChatID", "telegramUsername", "consent",
                                   "consentAt", "language", "personKey")
              SELECT "q"."id", \#(contact?.name), \#(contact?.phone), \#(contact?.email), \#(contact?.telegramChatID),
                     \#(contact?.telegramUsername), \#(contact?.consent ?? false), \#(contact?.consentAt),
                     \#(contact?.language?.rawValue), \#(contact?.personKey)
              FROM "q" WHERE \#(contact != nil)
            ),
            "a" AS (
              INSERT INTO "auditEvent" ("at", "actor", "action", "subject", "details")
              SELECT \#(now), 'intake', 'question.status', 'question:' || "q"."id", 'received → acknowledged' FROM "q"
            ),
            "f" AS (
              INSERT INTO "intakeFingerprint" ("questionID", "clientKey", "textKey", "at")
              SELECT "q"."id", \#(submission.clientKey ?? ""), \#(submission.textKey), \#(now) FROM "q"
              WHERE \#(submission.clientKey != nil)
            )
            SELECT "id", "ticket" FROM "q"
            """#)
        else { throw TyndauError.databaseFailed("question insert returned no id") }
        question.id = try row("id", as: Int64.self)
        question.ticket = try row("ticket", as: String.self)
        try await enqueueAcknowledgement(submission, question: question, now: now, connection)
        return IntakeReceipt(question: question, isDuplicate: false, hasContact: contact != nil)
    }

    /// The golden-hour message, in the transaction that stores its question: a stored question always has it.
    static func enqueueAcknowledgement(
        _ submission: IntakeSubmission, question: Question, now: Date, _ connection: PostgresConnection
    ) async throws {
        guard let acknowledgement = submission.acknowledgement, let message = acknowledgement.message(question) else { return }
        _ = try await enqueue(message, endpointNames: acknowledgement.endpointNames, now: now, connection)
    }

    public func progress(ticket: String) async throws -> QuestionProgress? {
        try await read { connection in
            guard let question = try await connection.row(#"""
                SELECT \#(unescaped: Self.questionColumns()) FROM "question" WHERE "ticket" = \#(ticket.uppercased())
                """#).map(Self.question)
            else { return nil }
            var progress = QuestionProgress(question: question)
            progress.triagedAt = try await connection.value(
                #"SELECT "triagedAt" FROM "question" WHERE "id" = \#(question.id ?? 0)"#, as: Date?.self) ?? nil
            guard let topicID = question.topicID else { return progress }
            progress.topicTitle = try await connection.value(#"SELECT "title" FROM "topic" WHERE "id" = \#(topicID)"#, as: String.self)
            progress.topicAskers = try await Self.askerCount(topicID: topicID, connection)
            // The latest meeting that put the topic on its agenda.
            if let item = try await connection.row(#"""
                SELECT i.* FROM "agendaItem" i JOIN "meeting" m ON m."id" = i."meetingID"
                WHERE i."topicID" = \#(topicID) ORDER BY m."startsAt" DESC LIMIT 1
                """#).map(Self.agendaItem), let itemID = item.id
            {
                progress.agendaItem = item
                progress.meeting = try await connection.row(#"SELECT * FROM "meeting" WHERE "id" = \#(item.meetingID)"#)
                    .map(Self.meeting)
                progress.answer = try await connection.row(#"SELECT * FROM "answer" WHERE "agendaItemID" = \#(itemID)"#)
                    .map(Self.answer)
            }
            return progress
        }
    }

    public func goldenHour(since: Date?, now: Date, window: TimeInterval, oldestLimit: Int) async throws -> GoldenHourReport {
        try await read { connection in
            let triageable = #""status" NOT IN ('received', 'acknowledged')"#
            let deadline = now.addingTimeInterval(-window)
            let noSince = since == nil
            let sinceValue = since ?? .distantPast
            guard let row = try await connection.row(#"""
                SELECT
                  COUNT(*) AS "total",
                  COALESCE(SUM(CASE WHEN \#(unescaped: triageable)
                    AND ("triagedAt" IS NULL OR EXTRACT(EPOCH FROM ("triagedAt" - "submittedAt")) <= \#(window))
                    THEN 1 ELSE 0 END), 0)::bigint AS "triagedWithin",
                  COALESCE(SUM(CASE WHEN \#(unescaped: triageable)
                    AND "triagedAt" IS NOT NULL AND EXTRACT(EPOCH FROM ("triagedAt" - "submittedAt")) > \#(window)
                    THEN 1 ELSE 0 END), 0)::bigint AS "triagedLate",
                  COALESCE(SUM(CASE WHEN NOT (\#(unescaped: triageable)) AND "submittedAt" >= \#(deadline) THEN 1 ELSE 0 END), 0)::bigint
                    AS "pendingWithin",
                  COALESCE(SUM(CASE WHEN NOT (\#(unescaped: triageable)) AND "submittedAt" < \#(deadline) THEN 1 ELSE 0 END), 0)::bigint
                    AS "pendingOverdue"
                FROM "question" WHERE \#(noSince) OR "submittedAt" >= \#(sinceValue)
                """#)
            else { throw TyndauError.databaseFailed("golden-hour census returned no row") }
            let oldest = try await connection.rows(#"""
                SELECT "ticket", "submittedAt" FROM "question"
                WHERE NOT (\#(unescaped: triageable)) AND (\#(noSince) OR "submittedAt" >= \#(sinceValue))
                ORDER BY "submittedAt", "id" LIMIT \#(Int64(oldestLimit))
                """#).map { row -> GoldenHourReport.Waiting in
                let submittedAt: Date = try row("submittedAt")
                return GoldenHourReport.Waiting(
                    ticket: try row("ticket", as: String?.self) ?? "", submittedAt: submittedAt,
                    waitingMinutes: max(0, Int(now.timeIntervalSince(submittedAt) / 60)))
            }
            return GoldenHourReport(
                since: since, now: now, windowMinutes: Int(window / 60),
                total: try row.int("total"), triagedWithin: try row.int("triagedWithin"), triagedLate: try row.int("triagedLate"),
                pendingWithin: try row.int("pendingWithin"), pendingOverdue: try row.int("pendingOverdue"),
                oldestUntriaged: oldest)
        }
    }
}
