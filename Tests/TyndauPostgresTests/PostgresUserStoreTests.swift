import Foundation
import Testing
import TyndauCore
import TyndauPostgres

/// Office accounts, sessions and the console's extra store on PostgreSQL: the same behaviour as
/// SQLite's `UserStoreTests`.
@Suite(.enabled(if: TestServer.available, "TYNDAU_TEST_POSTGRES_URL is not set"))
struct PostgresUserStoreTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func user(_ name: String) -> OfficeUser {
        OfficeUser(name: name, role: .operator, passwordHash: "$2b$04$notarealhash", createdAt: now)
    }

    static func session(_ digest: String, _ user: OfficeUser, lifetime: TimeInterval = 3600) -> OfficeSession {
        OfficeSession(tokenDigest: digest, user: user, csrfToken: "csrf-" + digest, createdAt: now, lastSeenAt: now, expiresAt: now.addingTimeInterval(lifetime))
    }

    @Test func accountsAndSessionsFollowTheSameRulesAsOnSQLite() async throws {
        try await TestServer.withStore { database in
            let user = try await database.addUser(Self.user("Aigerim"), actor: "cli:root", now: Self.now)
            #expect(user.id != nil)
            await #expect(throws: TyndauError.self) { try await database.addUser(Self.user("aigerim"), actor: "cli:root", now: Self.now) }
            #expect(try await database.officeUser(name: "AIGERIM")?.role == .operator)

            try await database.createSession(Self.session("a", user))
            let touched = try await database.activeSession(tokenDigest: "a", now: Self.now.addingTimeInterval(600), idleTimeout: 900)
            #expect(touched?.csrfToken == "csrf-a" && touched?.user.name == "Aigerim")
            #expect(try await database.activeSession(tokenDigest: "a", now: Self.now.addingTimeInterval(1600), idleTimeout: 900) == nil)

            try await database.createSession(Self.session("b", user))
            try await database.setPasswordHash(name: "aigerim", passwordHash: "$2b$04$other", actor: "office:boss", now: Self.now)
            #expect(try await database.activeSession(tokenDigest: "b", now: Self.now, idleTimeout: 900) == nil)
            try await database.createSession(Self.session("c", user))
            try await database.setUserDisabled(name: "aigerim", disabled: true, actor: "office:boss", now: Self.now)
            #expect(try await database.activeSession(tokenDigest: "c", now: Self.now, idleTimeout: 900) == nil)
            #expect(try await database.officeUsers().map(\.disabled) == [true])

            let events = try await database.auditEvents(AuditFilter(actor: "office:boss", actionPrefix: "user."), limit: 10)
            #expect(events.map(\.action) == ["user.disable", "user.password"])
            #expect(try await database.auditEvents(AuditFilter(subject: "user:Aigerim"), limit: 10).count == 3)
        }
    }
}
