import Foundation
import Testing
import TyndauCore

@testable import TyndauSQLite

@Suite struct UserStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func user(_ name: String, _ role: OfficeRole = .operator) -> OfficeUser {
        OfficeUser(name: name, role: role, passwordHash: "$2b$04$notarealhashnotarealhashnotarealhashnotarealhash", createdAt: now)
    }

    static func session(_ digest: String, _ user: OfficeUser, lifetime: TimeInterval = 3600) -> OfficeSession {
        OfficeSession(tokenDigest: digest, user: user, csrfToken: "csrf-" + digest, createdAt: now, lastSeenAt: now, expiresAt: now.addingTimeInterval(lifetime))
    }

    @Test func namesAreUniqueWhateverTheCaseAndAdditionsAreAudited() async throws {
        let database = try SQLiteStore.inMemory()
        let stored = try await database.addUser(Self.user("Aigerim"), actor: "cli:root", now: Self.now)
        #expect(stored.id != nil)
        await #expect(throws: TyndauError.self) { try await database.addUser(Self.user("aigerim"), actor: "cli:root", now: Self.now) }
        #expect(try await database.officeUser(name: "AIGERIM")?.name == "Aigerim")
        #expect(try await database.officeUsers().map(\.name) == ["Aigerim"])
        let events = try await database.auditEvents(subject: "user:Aigerim", limit: 5)
        #expect(events.map(\.action) == ["user.add"] && events.first?.actor == "cli:root")
    }

    @Test func sessionsExpireWhenIdleOrPastTheirEndAndMoveTheirIdleClock() async throws {
        let database = try SQLiteStore.inMemory()
        let user = try await database.addUser(Self.user("dana"), actor: "test", now: Self.now)
        try await database.createSession(Self.session("a", user))
        let touched = try await database.activeSession(tokenDigest: "a", now: Self.now.addingTimeInterval(600), idleTimeout: 900)
        #expect(touched?.csrfToken == "csrf-a")
        #expect(touched?.lastSeenAt == Self.now.addingTimeInterval(600))
        // 1000 s after the last use, with a 900 s idle timeout: gone, and the row with it.
        #expect(try await database.activeSession(tokenDigest: "a", now: Self.now.addingTimeInterval(1600), idleTimeout: 900) == nil)
        #expect(try await database.activeSession(tokenDigest: "a", now: Self.now.addingTimeInterval(601), idleTimeout: 900) == nil)

        try await database.createSession(Self.session("b", user, lifetime: 100))
        #expect(try await database.activeSession(tokenDigest: "b", now: Self.now.addingTimeInterval(99), idleTimeout: 900) != nil)
        #expect(try await database.activeSession(tokenDigest: "b", now: Self.now.addingTimeInterval(101), idleTimeout: 900) == nil)
    }

    @Test func disablingEndsSessionsAndSignOutDeletesOne() async throws {
        let database = try SQLiteStore.inMemory()
        let user = try await database.addUser(Self.user("dana"), actor: "test", now: Self.now)
        try await database.createSession(Self.session("a", user))
        try await database.createSession(Self.session("b", user))
        try await database.deleteSession(tokenDigest: "a")
        #expect(try await database.activeSession(tokenDigest: "a", now: Self.now, idleTimeout: 900) == nil)
        #expect(try await database.activeSession(tokenDigest: "b", now: Self.now, idleTimeout: 900) != nil)
        let disabled = try await database.setUserDisabled(name: "DANA", disabled: true, actor: "office:boss", now: Self.now)
        #expect(disabled.disabled)
        #expect(try await database.activeSession(tokenDigest: "b", now: Self.now, idleTimeout: 900) == nil)
        await #expect(throws: TyndauError.self) {
            try await database.setUserDisabled(name: "nobody", disabled: true, actor: "office:boss", now: Self.now)
        }
        let events = try await database.auditEvents(AuditFilter(actor: "office:boss"), limit: 5)
        #expect(events.map(\.action) == ["user.disable"])
    }

    @Test func aNewPasswordEndsTheAccountsSessions() async throws {
        let database = try SQLiteStore.inMemory()
        let user = try await database.addUser(Self.user("dana"), actor: "test", now: Self.now)
        try await database.createSession(Self.session("a", user))
        let changed = try await database.setPasswordHash(name: "Dana", passwordHash: "$2b$04$another", actor: "office:boss", now: Self.now)
        #expect(changed.passwordHash == "$2b$04$another")
        #expect(try await database.officeUser(name: "dana")?.passwordHash == "$2b$04$another")
        #expect(try await database.activeSession(tokenDigest: "a", now: Self.now, idleTimeout: 900) == nil)
        #expect(try await database.auditEvents(AuditFilter(actionPrefix: "user.password"), limit: 5).first?.actor == "office:boss")
    }

    @Test func auditFilterMatchesActorSubjectAndActionPrefixLiterally() async throws {
        let database = try SQLiteStore.inMemory()
        for (actor, action, subject) in [
            ("office:a", "topic.merge", "topic:1"), ("office:b", "topic.rename", "topic:2"), ("office:a", "question.status", "question:3"),
            ("office:a", "topic*x", "topic:4"),
        ] {
            try await database.record(AuditEvent(at: Self.now, actor: actor, action: action, subject: subject, details: ""))
        }
        #expect(try await database.auditEvents(AuditFilter(actionPrefix: "topic."), limit: 10).count == 2)
        #expect(try await database.auditEvents(AuditFilter(actor: "office:a", actionPrefix: "topic."), limit: 10).map(\.subject) == ["topic:1"])
        #expect(try await database.auditEvents(AuditFilter(actionPrefix: "topic*"), limit: 10).map(\.subject) == ["topic:4"])
        #expect(try await database.auditEvents(AuditFilter(subject: "question:3"), limit: 10).count == 1)
        #expect(try await database.auditEvents(AuditFilter(), limit: 2).count == 2)
    }
}
