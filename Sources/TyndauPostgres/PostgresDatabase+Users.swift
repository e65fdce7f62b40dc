import Foundation
import PostgresNIO
import TyndauCore

/// Office accounts and sessions on PostgreSQL: the same tables and rules as SQLite's
/// (`AppDatabase+Users`): bcrypt hashes only, session tokens only as SHA-256 digests.
extension PostgresDatabase: UserStore {
    static func officeUser(_ row: Columns) throws -> OfficeUser {
        OfficeUser(
            id: try row("id"), name: try row("name"), role: try row("role", as: OfficeRole.self),
            passwordHash: try row("passwordHash"), disabled: try row("disabled"), createdAt: try row("createdAt")
        )
    }

    static func fetchUser(name: String, forUpdate: Bool = false, _ connection: PostgresConnection) async throws -> OfficeUser? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await connection.row(#"""
            SELECT * FROM "officeUser" WHERE lower("name") = lower(\#(name))\#(unescaped: lock)
            """#).map(officeUser)
    }

    @discardableResult
    public func addUser(_ user: OfficeUser, actor: String, now: Date) async throws -> OfficeUser {
        try await write { connection in
            try await Self.lock(.office, connection)
            if try await Self.fetchUser(name: user.name, connection) != nil { throw TyndauError.conflict("user \(user.name)") }
            let id = try await connection.value(#"""
                INSERT INTO "officeUser" ("name", "role", "passwordHash", "disabled", "createdAt")
                VALUES (\#(user.name), \#(user.role.rawValue), \#(user.passwordHash), \#(user.disabled), \#(user.createdAt))
                RETURNING "id"
                """#, as: Int64.self)
            try await Self.audit(
                AuditEvent(at: now, actor: actor, action: "user.add", subject: "user:\(user.name)", details: "role \(user.role.rawValue)"),
                connection)
            var stored = user
            stored.id = id
            return stored
        }
    }

    public func officeUsers() async throws -> [OfficeUser] {
        try await read { connection in
            try await connection.rows(#"SELECT * FROM "officeUser" ORDER BY lower("name") COLLATE "C""#).map(Self.officeUser)
        }
    }

    public func officeUser(name: String) async throws -> OfficeUser? {
        try await read { connection in try await Self.fetchUser(name: name, connection) }
    }

    @discardableResult
    public func setUserDisabled(name: String, disabled: Bool, actor: String, now: Date) async throws -> OfficeUser {
        try await write { connection in
            guard var user = try await Self.fetchUser(name: name, forUpdate: true, connection) else {
                throw TyndauError.notFound("user \(name)")
            }
            user.disabled = disabled
            try await connection.run(#"UPDATE "officeUser" SET "disabled" = \#(disabled) WHERE "id" = \#(user.id ?? 0)"#)
            if disabled { try await connection.run(#"DELETE FROM "officeSession" WHERE "userID" = \#(user.id ?? 0)"#) }
            try await Self.audit(
                AuditEvent(
                    at: now, actor: actor, action: disabled ? "user.disable" : "user.enable", subject: "user:\(user.name)",
                    details: disabled ? "sessions ended" : ""),
                connection)
            return user
        }
    }

    @discardableResult
    public func setPasswordHash(name: String, passwordHash: String, actor: String, now: Date) async throws -> OfficeUser {
        try await write { connection in
            guard var user = try await Self.fetchUser(name: name, forUpdate: true, connection) else {
                throw TyndauError.notFound("user \(name)")
            }
            user.passwordHash = passwordHash
            try await connection.run(#"UPDATE "officeUser" SET "passwordHash" = \#(passwordHash) WHERE "id" = \#(user.id ?? 0)"#)
            try await connection.run(#"DELETE FROM "officeSession" WHERE "userID" = \#(user.id ?? 0)"#)
            try await Self.audit(
                AuditEvent(at: now, actor: actor, action: "user.password", subject: "user:\(user.name)", details: "sessions ended"),
                connection)
            return user
        }
    }

    public func createSession(_ session: OfficeSession) async throws {
        try await write { connection in
            guard let userID = session.user.id else { throw TyndauError.notFound("user \(session.user.name)") }
            // Sessions past their end are swept whenever a new one starts.
            try await connection.run(#"DELETE FROM "officeSession" WHERE "expiresAt" <= \#(session.createdAt)"#)
            try await connection.run(#"""
                INSERT INTO "officeSession" ("tokenDigest", "userID", "csrfToken", "createdAt", "lastSeenAt", "expiresAt")
                VALUES (\#(session.tokenDigest), \#(userID), \#(session.csrfToken), \#(session.createdAt),
                        \#(session.lastSeenAt), \#(session.expiresAt))
                """#)
        }
    }

    public func activeSession(tokenDigest: String, now: Date, idleTimeout: TimeInterval) async throws -> OfficeSession? {
        try await write { connection in
            guard let row = try await connection.row(#"""
                SELECT "officeSession"."csrfToken", "officeSession"."createdAt" AS "sessionCreatedAt",
                       "officeSession"."lastSeenAt", "officeSession"."expiresAt", "officeUser".*
                FROM "officeSession" JOIN "officeUser" ON "officeUser"."id" = "officeSession"."userID"
                WHERE "officeSession"."tokenDigest" = \#(tokenDigest)
                FOR UPDATE OF "officeSession"
                """#)
            else { return nil }
            let user = try Self.officeUser(row)
            let lastSeen: Date = try row("lastSeenAt")
            let expires: Date = try row("expiresAt")
            guard !user.disabled, expires > now, now.timeIntervalSince(lastSeen) <= idleTimeout else {
                try await connection.run(#"DELETE FROM "officeSession" WHERE "tokenDigest" = \#(tokenDigest)"#)
                return nil
            }
            let seen = max(lastSeen, now)
            try await connection.run(#"UPDATE "officeSession" SET "lastSeenAt" = \#(seen) WHERE "tokenDigest" = \#(tokenDigest)"#)
            return OfficeSession(
                tokenDigest: tokenDigest, user: user, csrfToken: try row("csrfToken"), createdAt: try row("sessionCreatedAt"),
                lastSeenAt: seen, expiresAt: expires
            )
        }
    }

    public func deleteSession(tokenDigest: String) async throws {
        try await write { connection in
            try await connection.run(#"DELETE FROM "officeSession" WHERE "tokenDigest" = \#(tokenDigest)"#)
        }
    }
}

extension PostgresDatabase: OfficeConsoleStore {
    public func setTopicResponsible(_ topic: Topic.ID, responsible: String?, actor: String, now: Date) async throws {
        try await write { connection in
            try await Self.lock(.office, connection)
            _ = try await Self.requireTopic(topic, connection)
            let cleaned = responsible?.trimmingCharacters(in: .whitespacesAndNewlines)
            let value = cleaned?.isEmpty == false ? cleaned : nil
            try await connection.run(#"UPDATE "topic" SET "responsible" = \#(value) WHERE "id" = \#(topic)"#)
            try await Self.audit(
                AuditEvent(at: now, actor: actor, action: "topic.responsible", subject: "topic:\(topic)", details: value ?? "—"),
                connection)
        }
    }

    public func adjustAgendaItem(
        week: ISOWeek, itemID: AgendaItem.ID, minutes: Int?, move: Int, actor: String, now: Date
    ) async throws {
        try await write { connection in
            try await Self.lock(.office, connection)
            guard let meeting = try await connection.row(#"""
                SELECT "id", "state", "startsAt" FROM "meeting" WHERE "week" = \#(week.description) FOR UPDATE
                """#)
            else { throw TyndauError.notFound("meeting \(week)") }
            let meetingID: Int64 = try meeting("id")
            let state = try meeting("state", as: MeetingState.self)
            let startsAt: Date = try meeting("startsAt")
            guard state == .planned, now < startsAt else { throw TyndauError.agendaFrozen(week) }
            // (id, topic, block, minutes, start offset) in speaking order.
            var items = try await connection.rows(#"""
                SELECT "id", "topicID", "block", "minutes", "startOffsetMinutes" FROM "agendaItem"
                WHERE "meetingID" = \#(meetingID) ORDER BY "position"
                """#).map { row in
                (id: try row("id", as: Int64.self), topicID: try row("topicID", as: Int64.self),
                 block: try row("block", as: String.self), minutes: try row.int("minutes"), offset: try row.int("startOffsetMinutes"))
            }
            guard let index = items.firstIndex(where: { $0.id == itemID }) else { throw TyndauError.notFound("agenda item \(itemID)") }
            let original = items[index]
            if let minutes { items[index].minutes = minutes }
            if move != 0 {
                let sameBlock = items.indices.filter { items[$0].block == original.block }
                if let place = sameBlock.firstIndex(of: index) {
                    let target = sameBlock[max(0, min(sameBlock.count - 1, place + move))]
                    let moving = items.remove(at: index)
                    items.insert(moving, at: target)
                }
            }
            var offset = items.map(\.offset).min() ?? 0
            for (position, item) in items.enumerated() {
                try await connection.run(#"""
                    UPDATE "agendaItem" SET "position" = \#(Int64(position + 1)), "startOffsetMinutes" = \#(Int64(offset)),
                      "minutes" = \#(Int64(item.minutes))
                    WHERE "id" = \#(item.id)
                    """#)
                offset += item.minutes
            }
            try await Self.audit(
                AuditEvent(
                    at: now, actor: actor, action: "agenda.adjust", subject: "meeting:\(week)",
                    details: "topic \(original.topicID)" + (minutes.map { "; \($0) min" } ?? "") + (move != 0 ? "; move \(move)" : "")),
                connection)
        }
    }

    public func auditEvents(_ filter: AuditFilter, limit: Int) async throws -> [AuditEvent] {
        try await read { connection in
            let prefix = filter.actionPrefix ?? ""
            return try await connection.rows(#"""
                SELECT * FROM "auditEvent"
                WHERE (\#(filter.actor == nil) OR "actor" = \#(filter.actor ?? ""))
                  AND (\#(filter.subject == nil) OR "subject" = \#(filter.subject ?? ""))
                  AND (\#(prefix.isEmpty) OR starts_with("action", \#(prefix)))
                ORDER BY "id" DESC LIMIT \#(Int64(limit))
                """#).map { row in
                AuditEvent(
                    id: try row("id"), at: try row("at"), actor: try row("actor"), action: try row("action"),
                    subject: try row("subject"), details: try row("details"))
            }
        }
    }
}
