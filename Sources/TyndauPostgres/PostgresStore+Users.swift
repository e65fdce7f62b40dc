import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore {
    static func officeUser(_ row: Columns) throws -> OfficeUser {
        OfficeUser(
            id: try row("id", as: Int64.self), name: try row("name"), role: try row("role", as: OfficeRole.self),
            passwordHash: try row("passwordHash"), disabled: try row("disabled"), createdAt: try row("createdAt")
        )
    }

    /// The account named `name`, compared as SQLite's NOCASE does (names are ASCII); locked when asked.
    static func fetchUser(name: String, forUpdate: Bool = false, _ connection: PostgresConnection) async throws -> OfficeUser? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await connection.row(#"""
            SELECT * FROM "officeUser" WHERE lower("name") = lower(\#(name))\#(unescaped: lock)
            """#).map(officeUser)
    }

    static func requireUser(name: String, _ connection: PostgresConnection) async throws -> OfficeUser {
        guard let user = try await fetchUser(name: name, forUpdate: true, connection) else { throw TyndauError.notFound("user \(name)") }
        return user
    }
}

extension PostgresStore: UserStore {
    public func insertUser(_ user: OfficeUser, actor: String, now: Date) async throws -> OfficeUser? {
        try await write { connection in
            // The unique index on lower(name) settles a race between two servers (ON CONFLICT below).
            if try await Self.fetchUser(name: user.name, connection) != nil { return nil }
            guard let id = try await connection.value(#"""
                INSERT INTO "officeUser" ("name", "role", "passwordHash", "disabled", "createdAt")
                VALUES (\#(user.name), \#(user.role.rawValue), \#(user.passwordHash), \#(user.disabled), \#(user.createdAt))
                ON CONFLICT DO NOTHING RETURNING "id"
                """#, as: Int64.self)
            else { return nil }
            try await Self.audit(
                AuditEvent.userAdded(user, actor: actor, at: now),
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
            var user = try await Self.requireUser(name: name, connection)
            user.disabled = disabled
            try await connection.run(#"UPDATE "officeUser" SET "disabled" = \#(disabled) WHERE "id" = \#(user.id)"#)
            if disabled {
                try await connection.run(#"DELETE FROM "officeSession" WHERE "userID" = \#(user.id)"#)
            }
            try await Self.audit(
                AuditEvent.userDisabled(user, disabled, actor: actor, at: now), connection)
            return user
        }
    }

    @discardableResult
    public func setPasswordHash(name: String, passwordHash: String, actor: String, now: Date) async throws -> OfficeUser {
        try await write { connection in
            var user = try await Self.requireUser(name: name, connection)
            user.passwordHash = passwordHash
            try await connection.run(#"UPDATE "officeUser" SET "passwordHash" = \#(passwordHash) WHERE "id" = \#(user.id)"#)
            try await connection.run(#"DELETE FROM "officeSession" WHERE "userID" = \#(user.id)"#)
            try await Self.audit(
                AuditEvent.passwordChanged(user, actor: actor, at: now),
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
                VALUES (\#(session.tokenDigest), \#(userID), \#(session.csrfToken), \#(session.createdAt), \#(session.lastSeenAt),
                        \#(session.expiresAt))
                """#)
        }
    }

    public func activeSession(tokenDigest: String, now: Date, idleTimeout: TimeInterval) async throws -> OfficeSession? {
        try await write { connection in
            guard let row = try await connection.row(#"""
                SELECT * FROM "officeSession" WHERE "tokenDigest" = \#(tokenDigest) FOR UPDATE
                """#)
            else { return nil }
            let userID: Int64 = try row("userID")
            let expiresAt: Date = try row("expiresAt")
            let lastSeenAt: Date = try row("lastSeenAt")
            let user = try await connection.row(#"SELECT * FROM "officeUser" WHERE "id" = \#(userID)"#).map(Self.officeUser)
            guard let user, !user.disabled, expiresAt > now, now.timeIntervalSince(lastSeenAt) <= idleTimeout else {
                try await connection.run(#"DELETE FROM "officeSession" WHERE "tokenDigest" = \#(tokenDigest)"#)
                return nil
            }
            let seen = max(lastSeenAt, now)
            try await connection.run(#"UPDATE "officeSession" SET "lastSeenAt" = \#(seen) WHERE "tokenDigest" = \#(tokenDigest)"#)
            return OfficeSession(
                tokenDigest: tokenDigest, user: user, csrfToken: try row("csrfToken"), createdAt: try row("createdAt"),
                lastSeenAt: seen, expiresAt: expiresAt
            )
        }
    }

    public func deleteSession(tokenDigest: String) async throws {
        try await write { connection in
            try await connection.run(#"DELETE FROM "officeSession" WHERE "tokenDigest" = \#(tokenDigest)"#)
        }
    }
}

extension PostgresStore: OfficeConsoleStore {
    public func setTopicResponsible(_ topic: Topic.ID, responsible: String?, actor: String, now: Date) async throws {
        try await write { connection in
            try await Self.lock(.office, connection)
            _ = try await Self.requireTopic(topic, connection)
            let value = Topic.cleanedResponsible(responsible)
            try await connection.run(#"UPDATE "topic" SET "responsible" = \#(value) WHERE "id" = \#(topic)"#)
            try await Self.audit(AuditEvent.responsibleSet(topic, value: value, actor: actor, at: now), connection)
        }
    }

    public func adjustAgendaItem(
        week: ISOWeek, itemID: AgendaItem.ID, minutes: Int?, move: Int, actor: String, now: Date
    ) async throws {
        try await write { connection in
            try await Self.lock(.office, connection)
            guard let meeting = try await Self.fetchMeeting(week: week, forUpdate: true, connection), let meetingID = meeting.id
            else { throw TyndauError.notFound("meeting \(week)") }
            try meeting.requireAgendaOpen(at: now)
            let items = try await connection.rows(#"""
                SELECT * FROM "agendaItem" WHERE "meetingID" = \#(meetingID) ORDER BY "position"
                """#).map(Self.agendaItem)
            guard let adjusted = AgendaItem.adjusting(items, itemID: itemID, minutes: minutes, move: move),
                let original = items.first(where: { $0.id == itemID })
            else { throw TyndauError.notFound("agenda item \(itemID)") }
            for item in adjusted {
                try await connection.run(#"""
                    UPDATE "agendaItem" SET "position" = \#(Int64(item.position)), "startOffsetMinutes" = \#(Int64(item.startOffsetMinutes)),
                           "minutes" = \#(Int64(item.minutes))
                    WHERE "id" = \#(item.id)
                    """#)
            }
            try await Self.audit(
                AuditEvent.agendaAdjusted(week: week, topicID: original.topicID, minutes: minutes, move: move, actor: actor, at: now), connection)
        }
    }

    public func auditEvents(_ filter: AuditFilter, limit: Int) async throws -> [AuditEvent] {
        try await read { connection in
            // starts_with is case-sensitive and treats every character literally, as the SQLite GLOB does once escaped.
            let prefix = filter.actionPrefix.flatMap { $0.isEmpty ? nil : $0 }
            return try await connection.rows(#"""
                SELECT * FROM "auditEvent"
                WHERE (\#(filter.actor == nil) OR "actor" = \#(filter.actor ?? ""))
                  AND (\#(filter.subject == nil) OR "subject" = \#(filter.subject ?? ""))
                  AND (\#(prefix == nil) OR starts_with("action", \#(prefix ?? "")))
                ORDER BY "id" DESC LIMIT \#(Int64(max(0, limit)))
                """#).map { row in
                AuditEvent(
                    id: try row("id"), at: try row("at"), actor: try row("actor"), action: try row("action"),
                    subject: try row("subject"), details: try row("details"))
            }
        }
    }
}
