import Foundation
import GRDB
import TyndauCore

extension SQLiteStore {
    /// Office accounts and their sessions: `officeUser` (bcrypt hash only) and `officeSession`
    /// (SHA-256 digest of the cookie's token only).
    static func registerUsers(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("office-users-v1") { db in
            try db.create(table: "officeUser") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique(onConflict: .abort).collate(.nocase)
                t.column("role", .text).notNull()
                t.column("passwordHash", .text).notNull()
                t.column("disabled", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "officeSession") { t in
                t.primaryKey("tokenDigest", .text)
                t.column("userID", .integer).notNull().indexed().references("officeUser", onDelete: .cascade)
                t.column("csrfToken", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("lastSeenAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
            }
        }
    }
}

extension OfficeUser: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "officeUser"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// The `officeSession` row.
struct OfficeSessionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "officeSession"
    var tokenDigest: String
    var userID: Int64
    var csrfToken: String
    var createdAt: Date
    var lastSeenAt: Date
    var expiresAt: Date
}

extension SQLiteStore: UserStore {
    public func insertUser(_ user: OfficeUser, actor: String, now: Date) async throws -> OfficeUser? {
        try await writer.write { db in
            if try Self.fetchUser(name: user.name, db) != nil { return nil }
            var stored = user
            try stored.insert(db)
            try Self.audit(AuditEvent.userAdded(user, actor: actor, at: now), db)
            return stored
        }
    }

    public func officeUsers() async throws -> [OfficeUser] {
        try await reader.read { db in try OfficeUser.order(Column("name").collating(.nocase)).fetchAll(db) }
    }

    public func officeUser(name: String) async throws -> OfficeUser? {
        try await reader.read { db in try Self.fetchUser(name: name, db) }
    }

    static func fetchUser(name: String, _ db: Database) throws -> OfficeUser? {
        try OfficeUser.fetchOne(db, sql: "SELECT * FROM officeUser WHERE name = ? COLLATE NOCASE", arguments: [name])
    }

    @discardableResult
    public func setUserDisabled(name: String, disabled: Bool, actor: String, now: Date) async throws -> OfficeUser {
        try await writer.write { db in
            guard var user = try Self.fetchUser(name: name, db) else { throw TyndauError.notFound("user \(name)") }
            user.disabled = disabled
            try user.update(db, columns: ["disabled"])
            if disabled {
                try db.execute(sql: "DELETE FROM officeSession WHERE userID = ?", arguments: [user.id])
            }
            try Self.audit(AuditEvent.userDisabled(user, disabled, actor: actor, at: now), db)
            return user
        }
    }

    @discardableResult
    public func setPasswordHash(name: String, passwordHash: String, actor: String, now: Date) async throws -> OfficeUser {
        try await writer.write { db in
            guard var user = try Self.fetchUser(name: name, db) else { throw TyndauError.notFound("user \(name)") }
            user.passwordHash = passwordHash
            try user.update(db, columns: ["passwordHash"])
            try db.execute(sql: "DELETE FROM officeSession WHERE userID = ?", arguments: [user.id])
            try Self.audit(AuditEvent.passwordChanged(user, actor: actor, at: now), db)
            return user
        }
    }

    public func createSession(_ session: OfficeSession) async throws {
        try await writer.write { db in
            guard let userID = session.user.id else { throw TyndauError.notFound("user \(session.user.name)") }
            // Sessions past their end are swept whenever a new one starts.
            try db.execute(sql: "DELETE FROM officeSession WHERE expiresAt <= ?", arguments: [session.createdAt])
            try OfficeSessionRecord(
                tokenDigest: session.tokenDigest, userID: userID, csrfToken: session.csrfToken,
                createdAt: session.createdAt, lastSeenAt: session.lastSeenAt, expiresAt: session.expiresAt
            ).insert(db)
        }
    }

    public func activeSession(tokenDigest: String, now: Date, idleTimeout: TimeInterval) async throws -> OfficeSession? {
        try await writer.write { db in
            guard var record = try OfficeSessionRecord.fetchOne(db, key: tokenDigest) else { return nil }
            guard let user = try OfficeUser.fetchOne(db, key: record.userID), !user.disabled,
                record.expiresAt > now, now.timeIntervalSince(record.lastSeenAt) <= idleTimeout
            else {
                _ = try OfficeSessionRecord.deleteOne(db, key: tokenDigest)
                return nil
            }
            record.lastSeenAt = max(record.lastSeenAt, now)
            try record.update(db, columns: ["lastSeenAt"])
            return OfficeSession(
                tokenDigest: record.tokenDigest, user: user, csrfToken: record.csrfToken, createdAt: record.createdAt,
                lastSeenAt: record.lastSeenAt, expiresAt: record.expiresAt
            )
        }
    }

    public func deleteSession(tokenDigest: String) async throws {
        try await writer.write { db in _ = try OfficeSessionRecord.deleteOne(db, key: tokenDigest) }
    }
}

extension SQLiteStore: OfficeConsoleStore {
    public func setTopicResponsible(_ topic: Topic.ID, responsible: String?, actor: String, now: Date) async throws {
        try await writer.write { db in
            var stored = try Self.requireTopic(topic, db)
            stored.responsible = Topic.cleanedResponsible(responsible)
            try stored.update(db, columns: ["responsible"])
            try Self.audit(AuditEvent.responsibleSet(topic, value: stored.responsible, actor: actor, at: now), db)
        }
    }

    public func adjustAgendaItem(
        week: ISOWeek, itemID: AgendaItem.ID, minutes: Int?, move: Int, actor: String, now: Date
    ) async throws {
        try await writer.write { db in
            guard let meeting = try Meeting.filter(Column("week") == week.description).fetchOne(db), let meetingID = meeting.id
            else { throw TyndauError.notFound("meeting \(week)") }
            try meeting.requireAgendaOpen(at: now)
            let items = try AgendaItem.filter(Column("meetingID") == meetingID).order(Column("position")).fetchAll(db)
            guard let adjusted = AgendaItem.adjusting(items, itemID: itemID, minutes: minutes, move: move),
                let original = items.first(where: { $0.id == itemID })
            else { throw TyndauError.notFound("agenda item \(itemID)") }
            for item in adjusted {
                try item.update(db, columns: ["position", "startOffsetMinutes", "minutes"])
            }
            try Self.audit(AuditEvent.agendaAdjusted(week: week, topicID: original.topicID, minutes: minutes, move: move, actor: actor, at: now), db)
        }
    }

    public func auditEvents(_ filter: AuditFilter, limit: Int) async throws -> [AuditEvent] {
        try await reader.read { db in
            // SQLite reads a negative LIMIT as "no limit"; PostgreSQL refuses it. Both engines return nothing.
            var request = AuditEvent.order(Column("id").desc).limit(max(0, limit))
            if let actor = filter.actor { request = request.filter(Column("actor") == actor) }
            if let subject = filter.subject { request = request.filter(Column("subject") == subject) }
            if let prefix = filter.actionPrefix, !prefix.isEmpty {
                // GLOB is case-sensitive and has no escape character: wildcards in the prefix match literally.
                let escaped = prefix.replacingOccurrences(of: "[", with: "[[]")
                    .replacingOccurrences(of: "*", with: "[*]").replacingOccurrences(of: "?", with: "[?]")
                request = request.filter(sql: "action GLOB ?", arguments: [escaped + "*"])
            }
            return try request.fetchAll(db)
        }
    }
}
