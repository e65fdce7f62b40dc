import Foundation
import NIOCore
import PostgresNIO
import TyndauCore

/// Live intake's group commit on PostgreSQL: a whole batch in a fixed number of round trips, however
/// many submissions it holds — BEGIN, the locks, the lookups, one multi-row insert, COMMIT.
///
/// The rules (rate limit, duplicate window, the receipt's acknowledged status) are those of the
/// sequential path and of SQLite: the engine fetches the facts for every submission in one statement and
/// decides in batch order here, so a submission sees the batch's earlier ones exactly as if each had
/// been stored alone, one after the other.
extension PostgresStore {
    /// Intake transactions one server keeps under way (`intake_transactions` in the URL, default 2, at
    /// most the pool): while some wait for their commit's WAL flush, the next batches run their
    /// statements, and PostgreSQL flushes concurrent commits together. The advisory locks keep
    /// concurrent batches as correct as two servers.
    public var concurrentIntakeBatches: Int { max(1, min(location.intakeTransactions, location.maximumConnections)) }

    /// What one submission became, decided before anything is written.
    private enum Outcome {
        case refused(retryAfter: Int)
        /// A duplicate of a stored question (its id).
        case duplicateOfStored(Question.ID)
        /// A duplicate of the batch's earlier new question at this index.
        case duplicateInBatch(Int)
        case new
    }

    static func submitLive(_ batch: [IntakeSubmission], now: Date, _ connection: PostgresConnection) async throws -> [IntakeReceipt] {
        let keyed = batch.indices.filter { batch[$0].clientKey != nil }
        try await pruneAndLock(batch, keyed: keyed, now: now, connection)
        let facts = try await lookUp(batch, keyed: keyed, now: now, connection)

        // Decide in batch order, counting the batch's earlier new questions as the sequential path's
        // transaction would see them.
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(batch.count)
        var newPerClient: [String: Int] = [:]
        var firstNew: [String: Int] = [:]
        for (index, submission) in batch.enumerated() {
            guard let clientKey = submission.clientKey else {
                outcomes.append(.new)
                continue
            }
            let fact = facts[index] ?? Fact(firstID: nil, storedInWindow: 0, oldest: nil)
            if let limit = submission.rateLimit, limit.isActive {
                let earlier = newPerClient[clientKey, default: 0]
                let oldest = fact.oldest ?? (earlier > 0 ? now : nil)
                if let retryAfter = limit.retryAfter(storedInWindow: fact.storedInWindow + earlier, oldest: oldest, now: now) {
                    outcomes.append(.refused(retryAfter: retryAfter))
                    continue
                }
            }
            let fingerprint = clientKey + " " + submission.textKey
            if let firstID = fact.firstID {
                outcomes.append(.duplicateOfStored(firstID))
            } else if submission.duplicateWindow >= 0, let earlier = firstNew[fingerprint] {
                outcomes.append(.duplicateInBatch(earlier))
            } else {
                outcomes.append(.new)
                newPerClient[clientKey, default: 0] += 1
                firstNew[fingerprint] = index
            }
        }

        let fresh = batch.indices.filter { if case .new = outcomes[$0] { true } else { false } }
        let stored = try await insertLive(fresh.map { batch[$0] }, now: now, connection)
        var storedAt: [Int: Question] = [:]
        for (index, question) in zip(fresh, stored) { storedAt[index] = question }

        var receipts: [IntakeReceipt] = []
        receipts.reserveCapacity(batch.count)
        for (index, submission) in batch.enumerated() {
            switch outcomes[index] {
            case .refused(let retryAfter):
                receipts.append(IntakeReceipt(
                    question: submission.newQuestion.question, isDuplicate: false, hasContact: false, retryAfter: retryAfter))
            case .new:
                guard let question = storedAt[index] else { throw TyndauError.databaseFailed("question insert returned other rows") }
                try await enqueueAcknowledgement(submission, question: question, now: now, connection)
                receipts.append(IntakeReceipt(question: question, isDuplicate: false, hasContact: submission.newQuestion.hasContact))
            case .duplicateOfStored(let id):
                receipts.append(try await duplicateReceipt(of: id, connection))
            case .duplicateInBatch(let earlier):
                guard let id = storedAt[earlier]?.id else { throw TyndauError.databaseFailed("question insert returned other rows") }
                receipts.append(try await duplicateReceipt(of: id, connection))
            }
        }
        return receipts
    }

    /// The first question as it is stored, the receipt a duplicate gets.
    private static func duplicateReceipt(of id: Question.ID, _ connection: PostgresConnection) async throws -> IntakeReceipt {
        guard let first = try await fetchQuestion(id: id, connection) else { throw TyndauError.notFound("question \(id)") }
        let hasContact = try await fetchContact(questionID: id, connection).map { !$0.isEmpty } ?? false
        return IntakeReceipt(question: first, isDuplicate: true, hasContact: hasContact)
    }

    /// One statement: prunes old fingerprints (skipping rows another server is pruning, so intake
    /// transactions never queue behind each other's clean-up) and takes the batch's transaction-level
    /// advisory locks — one per fingerprint (the same text from the same client sent to two servers at
    /// once is stored once) and one per rate-limited client (its count-then-insert is serialised across
    /// servers) — all in one order, so two batches cannot deadlock.
    private static func pruneAndLock(_ batch: [IntakeSubmission], keyed: [Int], now: Date, _ connection: PostgresConnection) async throws {
        // Fingerprints serve the duplicate check and the rate limit: kept as long as the longer window.
        let horizon = now.addingTimeInterval(-(batch.map { max($0.duplicateWindow, $0.rateLimit?.window ?? 0) }.max() ?? 600))
        let limited = Array(Set(batch.compactMap { $0.rateLimit?.isActive == true ? $0.clientKey : nil }))
        _ = try await connection.prepared(IntakeLock.self, IntakeLock.query(
            horizon: horizon, clients: keyed.map { batch[$0].clientKey ?? "" }, texts: keyed.map { batch[$0].textKey },
            limited: limited))
    }

    /// The prune and the batch's advisory locks (``pruneAndLock(_:keyed:now:_:)``), one prepared statement.
    private enum IntakeLock: PreparedQuery {
        static let name = "tyndau_intake_lock_v1"
        static let sql = query(horizon: .distantPast, clients: [], texts: [], limited: []).sql

        static func query(horizon: Date, clients: [String], texts: [String], limited: [String]) -> PostgresQuery {
            #"""
            WITH "pruned" AS (
              DELETE FROM "intakeFingerprint" WHERE "questionID" IN (
                SELECT "questionID" FROM "intakeFingerprint" WHERE "at" < \#(horizon)
                LIMIT 1000 FOR UPDATE SKIP LOCKED)
              RETURNING 1
            )
            SELECT count(pg_advisory_xact_lock("k", "h")) FROM (
              SELECT DISTINCT "k", "h" FROM (
                SELECT \#(Int32(truncatingIfNeeded: AdvisoryLock.intakeDuplicate.rawValue)) AS "k", hashtext("c" || ' ' || "t") AS "h"
                FROM unnest(\#(clients)::text[], \#(texts)::text[]) AS "d"("c", "t")
                UNION ALL
                SELECT \#(Int32(truncatingIfNeeded: AdvisoryLock.intakeRate.rawValue)), hashtext("c")
                FROM unnest(\#(limited)::text[]) AS "r"("c")
              ) AS "all" ORDER BY 1, 2
            ) AS "keys"
            """#
        }
    }

    /// What the database holds for a submission, read under its locks.
    private struct Fact {
        /// The first stored question with the same fingerprint inside the duplicate window.
        var firstID: Question.ID?
        /// The client's stored submissions inside its rate-limit window (0 without a limit).
        var storedInWindow: Int
        var oldest: Date?
    }

    /// One statement, after the locks (so it sees every commit of the other servers): for each
    /// submission with a client key, the first stored duplicate and, when rate-limited, the client's
    /// count and oldest submission in the window. Keyed by the submission's index in the batch.
    private static func lookUp(_ batch: [IntakeSubmission], keyed: [Int], now: Date, _ connection: PostgresConnection) async throws
        -> [Int: Fact]
    {
        guard !keyed.isEmpty else { return [:] }
        let rows = try await connection.prepared(IntakeLookUp.self, IntakeLookUp.query(
            indices: keyed.map { Int64($0) }, clients: keyed.map { batch[$0].clientKey ?? "" },
            texts: keyed.map { batch[$0].textKey }, since: keyed.map { now.addingTimeInterval(-batch[$0].duplicateWindow) },
            limited: keyed.map { batch[$0].rateLimit?.isActive == true },
            windowStarts: keyed.map { batch[$0].rateLimit.map { $0.windowStart(now: now) } ?? now }))
        var facts: [Int: Fact] = [:]
        for row in rows {
            facts[Int(try row("index", as: Int64.self))] = Fact(
                firstID: try row("firstID", as: Int64?.self),
                storedInWindow: Int(try row("count", as: Int64?.self) ?? 0),
                oldest: try row("oldest", as: Date?.self))
        }
        return facts
    }

    /// The facts of ``lookUp(_:keyed:now:_:)``, one prepared statement. The client's count runs only for
    /// rate-limited submissions (the condition inside the lateral subquery is a one-time filter; in the
    /// join's `ON` the count ran for every submission and read all the client's fingerprints).
    private enum IntakeLookUp: PreparedQuery {
        static let name = "tyndau_intake_lookup_v1"
        static let sql = query(indices: [], clients: [], texts: [], since: [], limited: [], windowStarts: []).sql

        static func query(
            indices: [Int64], clients: [String], texts: [String], since: [Date], limited: [Bool], windowStarts: [Date]
        ) -> PostgresQuery {
            #"""
            SELECT "i"."n" AS "index",
              (SELECT "f"."questionID" FROM "intakeFingerprint" "f"
               WHERE "f"."clientKey" = "i"."c" AND "f"."textKey" = "i"."t" AND "f"."at" >= "i"."since"
               ORDER BY "f"."at", "f"."questionID" LIMIT 1) AS "firstID",
              "w"."count", "w"."oldest"
            FROM unnest(\#(indices)::bigint[], \#(clients)::text[], \#(texts)::text[], \#(since)::timestamptz[],
                        \#(limited)::boolean[], \#(windowStarts)::timestamptz[]) AS "i"("n", "c", "t", "since", "limited", "ws")
            LEFT JOIN LATERAL (
              SELECT COUNT(*)::bigint AS "count", MIN("f"."at") AS "oldest" FROM "intakeFingerprint" "f"
              WHERE "i"."limited" AND "f"."clientKey" = "i"."c" AND "f"."at" > "i"."ws"
            ) AS "w" ON TRUE
            """#
        }
    }

    /// One statement for every new question of the batch: question (with its ticket), asker, audit
    /// event ("received → acknowledged": the receipt is the acknowledgement) and fingerprint, as many
    /// rows as submissions. Ids come from the shared sequence in batch order. Returns the stored
    /// questions in the order of `submissions`.
    private static func insertLive(_ submissions: [IntakeSubmission], now: Date, _ connection: PostgresConnection) async throws
        -> [Question]
    {
        guard !submissions.isEmpty else { return [] }
        let acknowledged = try QuestionStatus.received.checkedMove(to: .acknowledged)
        var questions = submissions.map { submission in
            var question = submission.newQuestion.question
            question.status = acknowledged
            question.statusReason = nil
            question.topicID = nil
            return question
        }
        let contacts = submissions.map { $0.newQuestion.contact.flatMap { $0.isEmpty ? nil : $0 } }
        let indices = questions.indices.map { Int64($0) }
        let prefixes = questions.map { String(Ticket.make(id: 0, submittedAt: $0.submittedAt).dropLast(6)) }
        // The audit line as the catalogue words it; only the subject's id is filled in by the statement.
        let audit = AuditEvent.statusChanged(questionID: 0, from: .received, to: .acknowledged, reason: nil, actor: "intake", at: now)
        let rows = try await connection.prepared(IntakeInsert.self, IntakeInsert.query(
            indices: indices, prefixes: prefixes, questions: questions, submissions: submissions, contacts: contacts,
            now: now, audit: audit))
        guard rows.count == questions.count else { throw TyndauError.databaseFailed("question insert returned other rows") }
        for row in rows {
            let index = Int(try row("n", as: Int64.self))
            guard questions.indices.contains(index) else { throw TyndauError.databaseFailed("question insert returned other rows") }
            questions[index].id = try row("id", as: Int64.self)
            questions[index].ticket = try row("ticket", as: String.self)
        }
        return questions
    }

    /// The insert of ``insertLive(_:now:_:)``, one prepared statement.
    private enum IntakeInsert: PreparedQuery {
        static let name = "tyndau_intake_insert_v1"
        static let sql = query(
            indices: [], prefixes: [], questions: [], submissions: [], contacts: [], now: .distantPast,
            audit: AuditEvent.statusChanged(questionID: 0, from: .received, to: .acknowledged, reason: nil, actor: "", at: .distantPast)
        ).sql

        static func query(
            indices: [Int64], prefixes: [String], questions: [Question], submissions: [IntakeSubmission], contacts: [AskerContact?],
            now: Date, audit: AuditEvent
        ) -> PostgresQuery {
            #"""
            WITH "input" AS (
              SELECT * FROM unnest(
                \#(indices)::bigint[], \#(prefixes)::text[], \#(questions.map(\.text))::text[],
                \#(questions.map(\.language.rawValue))::text[], \#(NullableArray(questions.map { $0.category?.rawValue }))::text[],
                \#(NullableArray(questions.map(\.street)))::text[], \#(NullableArray(questions.map(\.house)))::text[],
                \#(questions.map(\.channel.rawValue))::text[], \#(NullableArray(questions.map(\.externalID)))::text[],
                \#(questions.map(\.submittedAt))::timestamptz[], \#(questions.map(\.status.rawValue))::text[],
                \#(questions.map(\.accessToken))::text[],
                \#(NullableArray(submissions.map(\.clientKey)))::text[], \#(submissions.map(\.textKey))::text[],
                \#(contacts.map { $0 != nil })::boolean[],
                \#(NullableArray(contacts.map { $0?.name }))::text[], \#(NullableArray(contacts.map { $0?.phone }))::text[],
                \#(NullableArray(contacts.map { $0?.email }))::text[], \#(NullableArray(contacts.map { $0?.telegramChatID }))::bigint[],
                \#(NullableArray(contacts.map { $0?.telegramUsername }))::text[], \#(contacts.map { $0?.consent ?? false })::boolean[],
                \#(NullableArray(contacts.map { $0?.consentAt }))::timestamptz[],
                \#(NullableArray(contacts.map { $0?.language?.rawValue }))::text[], \#(NullableArray(contacts.map { $0?.personKey }))::text[]
              ) AS "i"("n", "prefix", "text", "language", "category", "street", "house", "channel", "externalID", "submittedAt",
                       "status", "accessToken", "clientKey", "textKey", "hasContact", "name", "phone", "email", "telegramChatID",
                       "telegramUsername", "consent", "consentAt", "contactLanguage", "personKey")
            ),
            "ids" AS (
              SELECT "n", nextval('"question_id_seq"') AS "id" FROM (SELECT "n" FROM "input" ORDER BY "n") AS "ordered"
            ),
            "q" AS (
              INSERT INTO "question" ("id", "ticket", "text", "language", "category", "street", "house", "channel", "externalID",
                                      "submittedAt", "status", "statusReason", "topicID", "accessToken", "sourceKey")
              SELECT "ids"."id",
                     "i"."prefix" || CASE WHEN length("ids"."id"::text) < 6 THEN lpad("ids"."id"::text, 6, '0') ELSE "ids"."id"::text END,
                     "i"."text", "i"."language", "i"."category", "i"."street", "i"."house", "i"."channel", "i"."externalID",
                     "i"."submittedAt", "i"."status", NULL, NULL, "i"."accessToken", NULL
              FROM "input" "i" JOIN "ids" USING ("n")
              RETURNING "id", "ticket"
            ),
            "k" AS (
              INSERT INTO "asker" ("questionID", "name", "phone", "email", "telegramChatID", "telegramUsername", "consent",
                                   "consentAt", "language", "personKey")
              SELECT "ids"."id", "i"."name", "i"."phone", "i"."email", "i"."telegramChatID", "i"."telegramUsername", "i"."consent",
                     "i"."consentAt", "i"."contactLanguage", "i"."personKey"
              FROM "input" "i" JOIN "ids" USING ("n") WHERE "i"."hasContact"
            ),
            "a" AS (
              INSERT INTO "auditEvent" ("at", "actor", "action", "subject", "details")
              SELECT \#(now), \#(audit.actor), \#(audit.action), 'question:' || "ids"."id", \#(audit.details)
              FROM "ids" ORDER BY "ids"."n"
            ),
            "f" AS (
              INSERT INTO "intakeFingerprint" ("questionID", "clientKey", "textKey", "at")
              SELECT "ids"."id", "i"."clientKey", "i"."textKey", \#(now)
              FROM "input" "i" JOIN "ids" USING ("n") WHERE "i"."clientKey" IS NOT NULL
            )
            SELECT "ids"."n", "q"."id", "q"."ticket" FROM "ids" JOIN "q" USING ("id") ORDER BY "ids"."n"
            """#
        }
    }
}

private extension NewQuestion {
    /// Whether the asker left a contact (an empty one is not stored).
    var hasContact: Bool { !(contact?.isEmpty ?? true) }
}

/// A one-dimensional PostgreSQL array whose elements may be NULL, bound as one parameter (postgres-nio
/// encodes arrays of non-optional elements only): the columns of a multi-row `unnest` insert.
struct NullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable {
    let elements: [Element?]

    init(_ elements: [Element?]) {
        self.elements = elements
    }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // The binary array format: dimensions, has-nulls flag, element type, then per dimension its
        // length and lower bound, then each element as a length (-1 for NULL) and its bytes.
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex)
        }
    }
}
