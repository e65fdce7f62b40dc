import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore {
    static let deliveryColumns = [
        "id", "endpointName", "messageKey", "subject", "body", "language", "status", "attempts", "nextAttemptAt",
        "leaseUntil", "partsSent", "lastError", "remoteID", "createdAt", "sentAt", "recipientQuestionID",
    ]

    static func deliveryColumns(_ alias: String) -> String {
        deliveryColumns.map { "\"\(alias)\".\"\($0)\"" }.joined(separator: ", ")
    }

    static func delivery(_ row: Columns) throws -> Delivery {
        Delivery(
            id: try row("id", as: Int64.self), endpointName: try row("endpointName"), messageKey: try row("messageKey"),
            subject: try row("subject"), body: try row("body"), language: try row("language", as: UILanguage?.self),
            status: try row("status", as: DeliveryStatus.self), attempts: try row.int("attempts"),
            nextAttemptAt: try row("nextAttemptAt"), leaseUntil: try row("leaseUntil"), partsSent: try row.int("partsSent"),
            lastError: try row("lastError"), remoteID: try row("remoteID"), createdAt: try row("createdAt"),
            sentAt: try row("sentAt"), recipientQuestionID: try row("recipientQuestionID")
        )
    }

    static func attempt(_ row: Columns) throws -> DeliveryAttempt {
        DeliveryAttempt(
            id: try row("id"), deliveryID: try row("deliveryID"), at: try row("at"), part: try row.int("part"),
            httpStatus: try row("httpStatus", as: Int64?.self).map(Int.init),
            curlCode: try row("curlCode", as: Int64?.self).map(Int.init),
            latencyMs: try row("latencyMs", as: Int64?.self).map(Int.init),
            outcome: try row("outcome", as: AttemptOutcome.self), response: try row("response")
        )
    }

    /// Inserts one pending delivery per endpoint inside the caller's transaction; endpoints that already
    /// hold `messageKey` are skipped (a concurrent insert of the same pair waits, then is skipped too).
    static func enqueue(_ message: OutgoingMessage, endpointNames: [String], now: Date, _ connection: PostgresConnection)
        async throws -> [Delivery]
    {
        var inserted: [Delivery] = []
        for name in endpointNames {
            let id = try await connection.value(#"""
                INSERT INTO "delivery" ("endpointName", "messageKey", "subject", "body", "language", "status", "attempts",
                                        "nextAttemptAt", "partsSent", "createdAt", "recipientQuestionID")
                SELECT \#(name), \#(message.messageKey), \#(message.subject), \#(message.body), \#(message.language?.rawValue),
                       'pending', 0, \#(now), 0, \#(now), \#(message.recipientQuestionID)
                WHERE NOT EXISTS (SELECT 1 FROM "delivery" WHERE "endpointName" = \#(name) AND "messageKey" = \#(message.messageKey))
                ON CONFLICT ("endpointName", "messageKey") DO NOTHING
                RETURNING "id"
                """#, as: Int64.self)
            guard let id else { continue }
            inserted.append(Delivery(
                id: id, endpointName: name, messageKey: message.messageKey, subject: message.subject, body: message.body,
                language: message.language, nextAttemptAt: now, createdAt: now, recipientQuestionID: message.recipientQuestionID
            ))
        }
        return inserted
    }

    /// The asker's address for the endpoint's kind: e-mail for mail endpoints, chat id for Telegram
    /// (none for a chat that blocked the bot).
    static func recipientAddress(questionID: Question.ID, endpointName: String, _ connection: PostgresConnection) async throws
        -> String?
    {
        guard let row = try await connection.row(#"""
            SELECT a."email", a."telegramChatID", a."telegramUnreachableAt", e."kind"
            FROM "asker" a LEFT JOIN "endpoint" e ON e."name" = \#(endpointName)
            WHERE a."questionID" = \#(questionID)
            """#)
        else { return nil }
        switch try row("kind", as: String?.self) {
        case "email": return try row("email", as: String?.self)
        case "telegram":
            guard try row("telegramUnreachableAt", as: Date?.self) == nil else { return nil }
            return try row("telegramChatID", as: Int64?.self).map(String.init)
        default: return nil
        }
    }
}

extension PostgresStore: OutboxStore {
    public func syncEndpoints(_ endpoints: [Endpoint]) async throws {
        try await write { connection in
            for endpoint in endpoints {
                let tags = String(decoding: try JSONEncoder().encode(endpoint.tags), as: UTF8.self)
                try await connection.run(#"""
                    INSERT INTO "endpoint" ("name", "kind", "tags") VALUES (\#(endpoint.name), \#(endpoint.kind), \#(tags))
                    ON CONFLICT ("name") DO UPDATE SET "kind" = excluded."kind", "tags" = excluded."tags"
                    """#)
            }
        }
    }

    public func endpointStates() async throws -> [EndpointState] {
        try await read { connection in
            try await connection.rows(#"SELECT * FROM "endpoint" ORDER BY "name" COLLATE "C""#).map { row in
                let tags = try JSONDecoder().decode([String].self, from: Data((try row("tags", as: String.self)).utf8))
                return EndpointState(
                    endpoint: Endpoint(
                        name: try row("name"), kind: try row("kind"), tags: tags, disabledReason: try row("disabledReason")),
                    pausedUntil: try row("pausedUntil"))
            }
        }
    }

    @discardableResult
    public func enqueue(_ message: OutgoingMessage, endpointNames: [String], now: Date) async throws -> [Delivery] {
        try await write { connection in try await Self.enqueue(message, endpointNames: endpointNames, now: now, connection) }
    }

    /// Rows are chosen with `FOR UPDATE SKIP LOCKED`: two workers claiming at the same moment each get
    /// different rows without waiting for each other, and the lease plus the claim token fence a row
    /// against a worker whose lease ran out.
    public func claimDue(now: Date, lease: TimeInterval, limit: Int) async throws -> [ClaimedDelivery] {
        try await write { connection in
            var due = try await connection.rows(#"""
                SELECT \#(unescaped: Self.deliveryColumns("d")) FROM "delivery" d JOIN "endpoint" e ON e."name" = d."endpointName"
                WHERE d."status" = 'sending' AND d."leaseUntil" <= \#(now) AND e."disabledReason" IS NULL
                  AND (e."pausedUntil" IS NULL OR e."pausedUntil" <= \#(now))
                ORDER BY d."leaseUntil", d."id" LIMIT \#(Int64(limit))
                FOR UPDATE OF d SKIP LOCKED
                """#).map(Self.delivery)
            if due.count < limit {
                due += try await connection.rows(#"""
                    SELECT \#(unescaped: Self.deliveryColumns("d")) FROM "delivery" d JOIN "endpoint" e ON e."name" = d."endpointName"
                    WHERE d."status" = 'pending' AND d."nextAttemptAt" <= \#(now) AND e."disabledReason" IS NULL
                      AND (e."pausedUntil" IS NULL OR e."pausedUntil" <= \#(now))
                    ORDER BY d."nextAttemptAt", d."id" LIMIT \#(Int64(limit - due.count))
                    FOR UPDATE OF d SKIP LOCKED
                    """#).map(Self.delivery)
            }
            guard !due.isEmpty else { return [] }
            let claim = UUID().uuidString
            let leaseUntil = now.addingTimeInterval(lease)
            let ids = due.compactMap(\.id)
            try await connection.run(#"""
                UPDATE "delivery" SET "status" = 'sending', "leaseUntil" = \#(leaseUntil), "claim" = \#(claim)
                WHERE "id" = ANY(\#(ids))
                """#)
            var claimed: [ClaimedDelivery] = []
            claimed.reserveCapacity(due.count)
            for var delivery in due {
                delivery.lease(until: leaseUntil)
                if let questionID = delivery.recipientQuestionID {
                    delivery.recipient = try await Self.recipientAddress(
                        questionID: questionID, endpointName: delivery.endpointName, connection)
                }
                claimed.append(ClaimedDelivery(delivery: delivery, claim: claim))
            }
            return claimed
        }
    }

    static func insertAttempt(_ attempt: DeliveryAttempt, _ connection: PostgresConnection) async throws {
        try await connection.run(#"""
            INSERT INTO "deliveryAttempt" ("deliveryID", "at", "part", "httpStatus", "curlCode", "latencyMs", "outcome", "response")
            VALUES (\#(attempt.deliveryID), \#(attempt.at), \#(Int64(attempt.part)), \#(attempt.httpStatus.map(Int64.init)),
                    \#(attempt.curlCode.map(Int64.init)), \#(attempt.latencyMs.map(Int64.init)), \#(attempt.outcome.rawValue),
                    \#(attempt.response))
            """#)
    }

    @discardableResult
    public func recordPartSent(_ claimed: ClaimedDelivery, attempt: DeliveryAttempt, partsSent: Int, remoteID: String?, leaseUntil: Date)
        async throws -> Bool
    {
        try await write { connection in
            try await Self.insertAttempt(attempt, connection)
            let changed = try await connection.changes(#"""
                UPDATE "delivery" SET "partsSent" = \#(Int64(partsSent)), "remoteID" = COALESCE(\#(remoteID), "remoteID"),
                  "leaseUntil" = \#(leaseUntil)
                WHERE "id" = \#(claimed.id) AND "claim" = \#(claimed.claim) AND "status" = 'sending'
                """#)
            return changed == 1
        }
    }

    /// The worker reports in batches; the attempts go in with one statement and the sent rows — nearly
    /// all of them — are updated with one more, so a batch costs a few round trips, not two per delivery.
    public func apply(_ reports: [DeliveryReport]) async throws {
        guard !reports.isEmpty else { return }
        try await write { connection in
            try await Self.insertAttempts(reports.flatMap(\.attempts), connection)
            var sent: [(report: DeliveryReport, remoteID: String?)] = []
            for report in reports {
                if case .sent(let remoteID) = report.resolution {
                    sent.append((report, remoteID))
                } else {
                    try await Self.apply(report, connection)
                }
            }
            try await Self.applySent(sent, connection)
        }
    }

    /// Many attempts in one `INSERT … SELECT FROM unnest(…)`, ids handed out in the given order.
    static func insertAttempts(_ attempts: [DeliveryAttempt], _ connection: PostgresConnection) async throws {
        guard attempts.count > 1 else {
            if let attempt = attempts.first { try await insertAttempt(attempt, connection) }
            return
        }
        let deliveryIDs = attempts.map(\.deliveryID)
        let ats = attempts.map(\.at)
        let parts = attempts.map { Int64($0.part) }
        let statuses = attempts.map { Int64($0.httpStatus ?? 0) }
        let hasStatus = attempts.map { $0.httpStatus != nil }
        let curlCodes = attempts.map { Int64($0.curlCode ?? 0) }
        let hasCurlCode = attempts.map { $0.curlCode != nil }
        let latencies = attempts.map { Int64($0.latencyMs ?? 0) }
        let hasLatency = attempts.map { $0.latencyMs != nil }
        let outcomes = attempts.map(\.outcome.rawValue)
        let responses = attempts.map { $0.response ?? "" }
        let hasResponse = attempts.map { $0.response != nil }
        try await connection.run(#"""
            INSERT INTO "deliveryAttempt" ("deliveryID", "at", "part", "httpStatus", "curlCode", "latencyMs", "outcome", "response")
            SELECT v.d, v.at, v.part, CASE WHEN v.hs THEN v.s END, CASE WHEN v.hc THEN v.c END, CASE WHEN v.hl THEN v.l END,
                   v.o, CASE WHEN v.hr THEN v.r END
            FROM unnest(\#(deliveryIDs)::bigint[], \#(ats)::timestamptz[], \#(parts)::bigint[], \#(statuses)::bigint[],
                        \#(hasStatus)::boolean[], \#(curlCodes)::bigint[], \#(hasCurlCode)::boolean[], \#(latencies)::bigint[],
                        \#(hasLatency)::boolean[], \#(outcomes)::text[], \#(responses)::text[], \#(hasResponse)::boolean[])
                 WITH ORDINALITY AS v(d, at, part, s, hs, c, hc, l, hl, o, r, hr, ord)
            ORDER BY v.ord
            """#)
    }

    /// Every `.sent` report in one fenced `UPDATE … FROM unnest(…)`.
    static func applySent(_ sent: [(report: DeliveryReport, remoteID: String?)], _ connection: PostgresConnection) async throws {
        guard !sent.isEmpty else { return }
        let ids = sent.map(\.report.claimed.id)
        let claims = sent.map(\.report.claimed.claim)
        let parts = sent.map { Int64($0.report.partsSent) }
        let remotes = sent.map { $0.remoteID ?? "" }
        let hasRemote = sent.map { $0.remoteID != nil }
        let nows = sent.map(\.report.now)
        try await connection.run(#"""
            UPDATE "delivery" d SET "status" = 'sent', "sentAt" = v.now, "partsSent" = v.parts,
              "remoteID" = CASE WHEN v.hr THEN v.remote ELSE d."remoteID" END, "lastError" = NULL, "leaseUntil" = NULL, "claim" = NULL
            FROM unnest(\#(ids)::bigint[], \#(claims)::text[], \#(parts)::bigint[], \#(remotes)::text[], \#(hasRemote)::boolean[],
                        \#(nows)::timestamptz[]) AS v(id, claim, parts, remote, hr, now)
            WHERE d."id" = v.id AND d."claim" = v.claim AND d."status" = 'sending'
            """#)
    }

    /// One report, fenced: only the row still held by this claim changes.
    static func apply(_ report: DeliveryReport, _ connection: PostgresConnection) async throws {
        let id = report.claimed.id
        let claim = report.claimed.claim
        let parts = Int64(report.partsSent)
        let now = report.now
        switch report.resolution {
        case .sent(let remoteID):
            try await connection.run(#"""
                UPDATE "delivery" SET "status" = 'sent', "sentAt" = \#(now), "partsSent" = \#(parts),
                  "remoteID" = COALESCE(\#(remoteID), "remoteID"), "lastError" = NULL, "leaseUntil" = NULL, "claim" = NULL
                WHERE "id" = \#(id) AND "claim" = \#(claim) AND "status" = 'sending'
                """#)
        case .retry(let at, let error):
            try await connection.run(#"""
                UPDATE "delivery" SET "status" = 'pending', "attempts" = "attempts" + 1, "nextAttemptAt" = \#(at),
                  "partsSent" = \#(parts), "lastError" = \#(error), "leaseUntil" = NULL, "claim" = NULL
                WHERE "id" = \#(id) AND "claim" = \#(claim) AND "status" = 'sending'
                """#)
        case .failed(let error, let dead):
            let status = dead ? DeliveryStatus.dead.rawValue : DeliveryStatus.failed.rawValue
            try await connection.run(#"""
                UPDATE "delivery" SET "status" = \#(status), "attempts" = "attempts" + 1, "partsSent" = \#(parts),
                  "lastError" = \#(error), "leaseUntil" = NULL, "claim" = NULL
                WHERE "id" = \#(id) AND "claim" = \#(claim) AND "status" = 'sending'
                """#)
        case .endpointGone(let reason):
            try await connection.run(#"""
                UPDATE "endpoint" SET "disabledReason" = \#(reason) WHERE "name" = \#(report.claimed.delivery.endpointName)
                """#)
            try await connection.run(#"""
                UPDATE "delivery" SET "status" = 'failed', "attempts" = "attempts" + 1, "partsSent" = \#(parts),
                  "lastError" = \#(reason), "leaseUntil" = NULL, "claim" = NULL
                WHERE "id" = \#(id) AND "claim" = \#(claim) AND "status" = 'sending'
                """#)
        case .released:
            try await connection.run(#"""
                UPDATE "delivery" SET "status" = 'pending', "partsSent" = \#(parts), "leaseUntil" = NULL, "claim" = NULL
                WHERE "id" = \#(id) AND "claim" = \#(claim) AND "status" = 'sending'
                """#)
        case .deferred(let until, let note):
            try await connection.run(#"""
                UPDATE "delivery" SET "status" = 'pending', "nextAttemptAt" = \#(until), "partsSent" = \#(parts),
                  "lastError" = COALESCE(\#(note), "lastError"), "leaseUntil" = NULL, "claim" = NULL
                WHERE "id" = \#(id) AND "claim" = \#(claim) AND "status" = 'sending'
                """#)
        }
    }

    public func pauseEndpoint(name: String, until: Date) async throws {
        try await write { connection in
            try await connection.run(#"""
                UPDATE "endpoint" SET "pausedUntil" = GREATEST(COALESCE("pausedUntil", \#(until)), \#(until)) WHERE "name" = \#(name)
                """#)
        }
    }

    public func enableEndpoint(name: String) async throws {
        try await write { connection in
            let changed = try await connection.changes(#"""
                UPDATE "endpoint" SET "disabledReason" = NULL, "pausedUntil" = NULL WHERE "name" = \#(name)
                """#)
            guard changed == 1 else { throw TyndauError.notFound("endpoint \(name)") }
        }
    }

    public func deliveries(status: DeliveryStatus?, limit: Int) async throws -> [Delivery] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT \#(unescaped: Self.deliveryColumns("d")) FROM "delivery" d
                WHERE \#(status == nil) OR d."status" = \#(status?.rawValue ?? "")
                ORDER BY d."id" DESC LIMIT \#(Int64(limit))
                """#).map(Self.delivery)
        }
    }

    public func delivery(id: Delivery.ID) async throws -> Delivery? {
        try await read { connection in
            try await connection.row(#"""
                SELECT \#(unescaped: Self.deliveryColumns("d")) FROM "delivery" d WHERE d."id" = \#(id)
                """#).map(Self.delivery)
        }
    }

    public func attempts(deliveryID: Delivery.ID) async throws -> [DeliveryAttempt] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT * FROM "deliveryAttempt" WHERE "deliveryID" = \#(deliveryID) ORDER BY "id"
                """#).map(Self.attempt)
        }
    }

    public func countDeliveries(status: DeliveryStatus?) async throws -> Int {
        try await read { connection in
            Int(try await connection.value(#"""
                SELECT COUNT(*) FROM "delivery" WHERE \#(status == nil) OR "status" = \#(status?.rawValue ?? "")
                """#, as: Int64.self) ?? 0)
        }
    }

    public func retry(id: Delivery.ID, now: Date) async throws -> Delivery {
        try await write { connection in
            guard var delivery = try await connection.row(#"""
                SELECT \#(unescaped: Self.deliveryColumns("d")) FROM "delivery" d WHERE d."id" = \#(id) FOR UPDATE
                """#).map(Self.delivery)
            else { throw TyndauError.notFound("delivery \(id)") }
            try delivery.requireRetryable()
            try await connection.run(#"""
                UPDATE "delivery" SET "status" = 'pending', "attempts" = 0, "nextAttemptAt" = \#(now), "leaseUntil" = NULL,
                  "claim" = NULL WHERE "id" = \#(id)
                """#)
            try await Self.audit(
                AuditEvent.deliveryRetried(id, from: delivery.status, at: now), connection)
            delivery.resetForRetry(at: now)
            return delivery
        }
    }
}
