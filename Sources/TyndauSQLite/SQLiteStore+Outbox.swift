import Foundation
import GRDB
import TyndauCore

extension DeliveryAttempt: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "deliveryAttempt"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension SQLiteStore {
    /// The outbox's additions to `v1-foundation`: the claim token that fences a lease, and the time until
    /// which a server asked an endpoint to wait.
    static func registerOutbox(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-outbox") { db in
            try db.alter(table: "delivery") { t in
                t.add(column: "claim", .text)
            }
            try db.alter(table: "endpoint") { t in
                t.add(column: "pausedUntil", .datetime)
            }
            try db.create(index: "delivery_on_endpointName_status", on: "delivery", columns: ["endpointName", "status"])
            try db.create(index: "delivery_on_status_leaseUntil", on: "delivery", columns: ["status", "leaseUntil"])
        }
    }

    /// A resident's notices are found by `recipientQuestionID` — erasing their data, answering their
    /// request for it, and deleting a question (`ON DELETE SET NULL` looks up the rows that point to it):
    /// an index, not a scan of the whole outbox.
    static func registerOutboxRecipientIndex(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("outbox-recipient-v1") { db in
            try db.execute(sql: "CREATE INDEX delivery_on_recipientQuestionID ON delivery (recipientQuestionID)")
        }
    }

    /// Inserts one pending delivery per endpoint inside the caller's transaction, so whatever caused the
    /// message (an answer recorded, a digest approved) and its deliveries commit or roll back together.
    /// Endpoints that already hold `messageKey` are skipped.
    static func enqueue(_ message: OutgoingMessage, endpointNames: [String], now: Date, in db: Database) throws -> [Delivery] {
        var inserted: [Delivery] = []
        let statement = try db.cachedStatement(sql: """
            INSERT INTO delivery (endpointName, messageKey, subject, body, language, status, attempts, nextAttemptAt, partsSent, createdAt, recipientQuestionID)
            VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, 0, ?, ?)
            ON CONFLICT(endpointName, messageKey) DO NOTHING
            RETURNING id
            """)
        for name in endpointNames {
            let arguments: StatementArguments = [
                name, message.messageKey, message.subject, message.body, message.language?.rawValue, now, now,
                message.recipientQuestionID,
            ]
            guard let id = try Int64.fetchOne(statement, arguments: arguments) else { continue }
            inserted.append(Delivery(
                id: id, endpointName: name, messageKey: message.messageKey, subject: message.subject, body: message.body,
                language: message.language, nextAttemptAt: now, createdAt: now, recipientQuestionID: message.recipientQuestionID
            ))
        }
        return inserted
    }

    /// Enqueues `message` for `endpointNames` together with `body`'s own writes, in one transaction.
    public func enqueue<T: Sendable>(
        _ message: OutgoingMessage, endpointNames: [String], now: Date,
        alongside body: @escaping @Sendable (Database) throws -> T
    ) async throws -> (T, [Delivery]) {
        try await writer.write { db in
            let value = try body(db)
            return (value, try Self.enqueue(message, endpointNames: endpointNames, now: now, in: db))
        }
    }
}

extension SQLiteStore: OutboxStore {
    /// The asker's address for the endpoint's kind: e-mail for mail endpoints, chat id for Telegram.
    static func recipientAddress(questionID: Question.ID, endpointName: String, _ db: Database) throws -> String? {
        guard let asker = try AskerRecord.fetchOne(db, key: questionID) else { return nil }
        let kind = try String.fetchOne(db, sql: "SELECT kind FROM endpoint WHERE name = ?", arguments: [endpointName])
        switch kind {
        case "email": return asker.email
        case "telegram":
            // A chat that blocked the bot (403) is not addressed again until the resident writes.
            let blocked = try Bool.fetchOne(
                db, sql: "SELECT telegramUnreachableAt IS NOT NULL FROM asker WHERE questionID = ?", arguments: [questionID]
            ) ?? false
            return blocked ? nil : asker.telegramChatID.map(String.init)
        default: return nil
        }
    }

    public func syncEndpoints(_ endpoints: [Endpoint]) async throws {
        try await writer.write { db in
            for endpoint in endpoints {
                let tags = String(decoding: try JSONEncoder().encode(endpoint.tags), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT INTO endpoint (name, kind, tags) VALUES (?, ?, ?)
                        ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, tags = excluded.tags
                        """,
                    arguments: [endpoint.name, endpoint.kind, tags]
                )
            }
        }
    }

    public func endpointStates() async throws -> [EndpointState] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM endpoint ORDER BY name").map { row in
                EndpointState(endpoint: try Endpoint(row: row), pausedUntil: row["pausedUntil"])
            }
        }
    }

    @discardableResult
    public func enqueue(_ message: OutgoingMessage, endpointNames: [String], now: Date) async throws -> [Delivery] {
        try await writer.write { db in try Self.enqueue(message, endpointNames: endpointNames, now: now, in: db) }
    }

    public func claimDue(now: Date, lease: TimeInterval, limit: Int) async throws -> [ClaimedDelivery] {
        try await writer.write { db in
            // Two index walks (expired leases, then due pending rows) instead of one OR, which would
            // collect and sort every due row on each claim.
            let usable = "e.disabledReason IS NULL AND (e.pausedUntil IS NULL OR e.pausedUntil <= :now)"
            var due = try Delivery.fetchAll(
                db,
                sql: """
                    SELECT d.* FROM delivery d CROSS JOIN endpoint e ON e.name = d.endpointName
                    WHERE d.status = 'sending' AND d.leaseUntil <= :now AND \(usable)
                    ORDER BY d.leaseUntil, d.id LIMIT :limit
                    """,
                arguments: ["now": now, "limit": limit]
            )
            if due.count < limit {
                due += try Delivery.fetchAll(
                    db,
                    sql: """
                        SELECT d.* FROM delivery d CROSS JOIN endpoint e ON e.name = d.endpointName
                        WHERE d.status = 'pending' AND d.nextAttemptAt <= :now AND \(usable)
                        ORDER BY d.nextAttemptAt, d.id LIMIT :limit
                        """,
                    arguments: ["now": now, "limit": limit - due.count]
                )
            }
            guard !due.isEmpty else { return [] }
            let claim = UUID().uuidString
            let leaseUntil = now.addingTimeInterval(lease)
            var claimed: [ClaimedDelivery] = []
            claimed.reserveCapacity(due.count)
            let statement = try db.cachedStatement(
                sql: "UPDATE delivery SET status = 'sending', leaseUntil = ?, claim = ? WHERE id = ?")
            // Formatted once for the whole claim (GRDB formats a Date through DateFormatter).
            let leaseValue = leaseUntil.databaseValue
            for var delivery in due {
                try statement.execute(arguments: [leaseValue, claim, delivery.id])
                delivery.lease(until: leaseUntil)
                if let questionID = delivery.recipientQuestionID {
                    delivery.recipient = try Self.recipientAddress(questionID: questionID, endpointName: delivery.endpointName, db)
                }
                claimed.append(ClaimedDelivery(delivery: delivery, claim: claim))
            }
            return claimed
        }
    }

    @discardableResult
    public func recordPartSent(_ claimed: ClaimedDelivery, attempt: DeliveryAttempt, partsSent: Int, remoteID: String?, leaseUntil: Date) async throws -> Bool {
        try await writer.write { db in
            var attempt = attempt
            try attempt.insert(db)
            try db.execute(
                sql: """
                    UPDATE delivery SET partsSent = ?, remoteID = COALESCE(?, remoteID), leaseUntil = ?
                    WHERE id = ? AND claim = ? AND status = 'sending'
                    """,
                arguments: [partsSent, remoteID, leaseUntil, claimed.id, claimed.claim]
            )
            return db.changesCount == 1
        }
    }

    /// One transaction for the whole group of results: each attempt and each row's new state through
    /// statements compiled once per connection (the sent ones — nearly all — share one UPDATE).
    public func apply(_ reports: [DeliveryReport]) async throws {
        guard !reports.isEmpty else { return }
        try await writer.write { db in
            let insertAttempt = try db.cachedStatement(sql: """
                INSERT INTO deliveryAttempt (deliveryID, at, part, httpStatus, curlCode, latencyMs, outcome, response)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let markSent = try db.cachedStatement(sql: """
                UPDATE delivery SET status = 'sent', sentAt = ?, partsSent = ?, remoteID = COALESCE(?, remoteID),
                  lastError = NULL, leaseUntil = NULL, claim = NULL
                WHERE id = ? AND claim = ? AND status = 'sending'
                """)
            for report in reports {
                for attempt in report.attempts {
                    try insertAttempt.execute(arguments: [
                        attempt.deliveryID, attempt.at, attempt.part, attempt.httpStatus, attempt.curlCode, attempt.latencyMs,
                        attempt.outcome.rawValue, attempt.response,
                    ])
                }
                if case .sent(let remoteID) = report.resolution {
                    try markSent.execute(arguments: [report.now, report.partsSent, remoteID, report.claimed.id, report.claimed.claim])
                } else {
                    try Self.apply(report, db)
                }
            }
        }
    }

    static func apply(_ report: DeliveryReport, _ db: Database) throws {
        let fence = "WHERE id = :id AND claim = :claim AND status = 'sending'"
        var arguments: StatementArguments = [
            "id": report.claimed.id, "claim": report.claimed.claim, "parts": report.partsSent, "now": report.now,
        ]
        let sql: String
        switch report.resolution {
        case .sent(let remoteID):
            arguments += ["remote": remoteID]
            sql = """
                UPDATE delivery SET status = 'sent', sentAt = :now, partsSent = :parts,
                  remoteID = COALESCE(:remote, remoteID), lastError = NULL, leaseUntil = NULL, claim = NULL \(fence)
                """
        case .retry(let at, let error):
            arguments += ["at": at, "error": error]
            sql = """
                UPDATE delivery SET status = 'pending', attempts = attempts + 1, nextAttemptAt = :at,
                  partsSent = :parts, lastError = :error, leaseUntil = NULL, claim = NULL \(fence)
                """
        case .failed(let error, let dead):
            arguments += ["error": error, "status": dead ? DeliveryStatus.dead.rawValue : DeliveryStatus.failed.rawValue]
            sql = """
                UPDATE delivery SET status = :status, attempts = attempts + 1, partsSent = :parts,
                  lastError = :error, leaseUntil = NULL, claim = NULL \(fence)
                """
        case .endpointGone(let reason):
            arguments += ["error": reason]
            sql = """
                UPDATE delivery SET status = 'failed', attempts = attempts + 1, partsSent = :parts,
                  lastError = :error, leaseUntil = NULL, claim = NULL \(fence)
                """
            try db.execute(
                sql: "UPDATE endpoint SET disabledReason = ? WHERE name = ?",
                arguments: [reason, report.claimed.delivery.endpointName]
            )
        case .released:
            sql = "UPDATE delivery SET status = 'pending', partsSent = :parts, leaseUntil = NULL, claim = NULL \(fence)"
        case .deferred(let until, let note):
            arguments += ["at": until, "note": note]
            sql = """
                UPDATE delivery SET status = 'pending', nextAttemptAt = :at, partsSent = :parts,
                  lastError = COALESCE(:note, lastError), leaseUntil = NULL, claim = NULL \(fence)
                """
        }
        try db.execute(sql: sql, arguments: arguments)
    }

    public func pauseEndpoint(name: String, until: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE endpoint SET pausedUntil = MAX(COALESCE(pausedUntil, ?), ?) WHERE name = ?",
                arguments: [until, until, name]
            )
        }
    }

    public func enableEndpoint(name: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE endpoint SET disabledReason = NULL, pausedUntil = NULL WHERE name = ?", arguments: [name])
            guard db.changesCount == 1 else { throw TyndauError.notFound("endpoint \(name)") }
        }
    }

    public func deliveries(status: DeliveryStatus?, limit: Int) async throws -> [Delivery] {
        try await reader.read { db in
            var request = Delivery.order(Column("id").desc).limit(limit)
            if let status { request = request.filter(Column("status") == status.rawValue) }
            return try request.fetchAll(db)
        }
    }

    public func delivery(id: Delivery.ID) async throws -> Delivery? {
        try await reader.read { db in try Delivery.fetchOne(db, key: id) }
    }

    public func attempts(deliveryID: Delivery.ID) async throws -> [DeliveryAttempt] {
        try await reader.read { db in
            try DeliveryAttempt.filter(Column("deliveryID") == deliveryID).order(Column("id")).fetchAll(db)
        }
    }

    public func countDeliveries(status: DeliveryStatus?) async throws -> Int {
        try await reader.read { db in
            if let status { return try Delivery.filter(Column("status") == status.rawValue).fetchCount(db) }
            return try Delivery.fetchCount(db)
        }
    }

    public func retry(id: Delivery.ID, now: Date) async throws -> Delivery {
        try await writer.write { db in
            guard var delivery = try Delivery.fetchOne(db, key: id) else {
                throw TyndauError.notFound("delivery \(id)")
            }
            try delivery.requireRetryable()
            try db.execute(
                sql: """
                    UPDATE delivery SET status = 'pending', attempts = 0, nextAttemptAt = ?, leaseUntil = NULL,
                      claim = NULL WHERE id = ?
                    """,
                arguments: [now, id]
            )
            try Self.audit(AuditEvent.deliveryRetried(id, from: delivery.status, at: now), db)
            delivery.resetForRetry(at: now)
            return delivery
        }
    }
}
