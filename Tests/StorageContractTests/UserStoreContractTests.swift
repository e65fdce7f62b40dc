import Foundation
import Testing
import TyndauCore

/// `UserStore`: office accounts (names unique in any case), disabling and password changes ending
/// sessions, and the server-side sessions' idle timeout, absolute end and sign-out.
@Suite struct UserStoreContractTests {
    static let now = Fixture.now
    static let hour: TimeInterval = 3_600

    static func user(_ name: String, role: OfficeRole = .operator, hash: String = "$2b$12$hash") -> OfficeUser {
        OfficeUser(name: name, role: role, passwordHash: hash, createdAt: now)
    }

    static func session(_ digest: String, for user: OfficeUser, at date: Date = now, lasting: TimeInterval = 12 * hour) -> OfficeSession {
        OfficeSession(tokenDigest: digest, user: user, csrfToken: "csrf-\(digest)", createdAt: date, lastSeenAt: date,
                      expiresAt: date.addingTimeInterval(lasting))
    }

    @Test(arguments: StoreFactory.all)
    func accountsAreListedByNameAndFoundInAnyCase(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let zhanna = try await store.addUser(Self.user("Zhanna", role: .admin), actor: "cli", now: Self.now)
            let aigerim = try await store.addUser(Self.user("aigerim"), actor: "office:zhanna", now: Self.now)
            let bolat = try await store.addUser(Self.user("Bolat.K"), actor: "cli", now: Self.now)
            #expect(zhanna.id != nil && aigerim.id != nil && Set([zhanna.id, aigerim.id, bolat.id]).count == 3)
            #expect(try await store.officeUsers().map(\.name) == ["aigerim", "Bolat.K", "Zhanna"])
            #expect(try await store.officeUsers() == [aigerim, bolat, zhanna])
            #expect(try await store.officeUser(name: "ZHANNA") == zhanna)
            #expect(try await store.officeUser(name: "bolat.k") == bolat)
            #expect(try await store.officeUser(name: "nobody") == nil)
            let events = try await store.auditEvents(AuditFilter(actionPrefix: "user."), limit: 10)
            #expect(events.map(\.subject) == ["user:Bolat.K", "user:aigerim", "user:Zhanna"])
            #expect(events.map(\.actor) == ["cli", "office:zhanna", "cli"])
            #expect(events.allSatisfy { $0.action == "user.add" } && events.last?.details == "role admin")
        }
    }

    @Test(arguments: StoreFactory.all)
    func aTakenNameInAnyCaseIsAConflict(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await store.addUser(Self.user("aigerim"), actor: "cli", now: Self.now)
            for name in ["aigerim", "AIGERIM", "Aigerim"] {
                await #expect(throws: TyndauError.conflict("user \(name)")) {
                    try await store.addUser(Self.user(name), actor: "cli", now: Self.now)
                }
            }
            #expect(try await store.officeUsers().map(\.name) == ["aigerim"])
            #expect(try await store.auditEvents(AuditFilter(actionPrefix: "user.add"), limit: 10).count == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func disablingEndsSessionsAndReEnablingLetsTheUserSignInAgain(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let user = try await store.addUser(Self.user("aigerim"), actor: "cli", now: Self.now)
            let other = try await store.addUser(Self.user("bolat"), actor: "cli", now: Self.now)
            try await store.createSession(Self.session("a1", for: user))
            try await store.createSession(Self.session("a2", for: user))
            try await store.createSession(Self.session("b1", for: other))
            let disabled = try await store.setUserDisabled(name: "AIGERIM", disabled: true, actor: "office:zhanna", now: Self.now)
            #expect(disabled.disabled && disabled.id == user.id && disabled.name == "aigerim")
            #expect(try await store.officeUser(name: "aigerim")?.disabled == true)
            #expect(try await store.activeSession(tokenDigest: "a1", now: Self.now, idleTimeout: Self.hour) == nil)
            #expect(try await store.activeSession(tokenDigest: "a2", now: Self.now, idleTimeout: Self.hour) == nil)
            #expect(try await store.activeSession(tokenDigest: "b1", now: Self.now, idleTimeout: Self.hour)?.user == other)

            let enabled = try await store.setUserDisabled(name: "aigerim", disabled: false, actor: "office:zhanna", now: Self.now)
            #expect(!enabled.disabled)
            // The old sessions stay gone; a new one works.
            #expect(try await store.activeSession(tokenDigest: "a1", now: Self.now, idleTimeout: Self.hour) == nil)
            try await store.createSession(Self.session("a3", for: enabled))
            #expect(try await store.activeSession(tokenDigest: "a3", now: Self.now, idleTimeout: Self.hour)?.user == enabled)

            let events = try await store.auditEvents(AuditFilter(subject: "user:aigerim"), limit: 10)
            #expect(events.map(\.action) == ["user.enable", "user.disable", "user.add"])
            #expect(events.prefix(2).allSatisfy { $0.actor == "office:zhanna" })
            await #expect(throws: TyndauError.notFound("user nobody")) {
                try await store.setUserDisabled(name: "nobody", disabled: true, actor: "cli", now: Self.now)
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func aPasswordChangeEndsEverySessionOfThatUserOnly(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let user = try await store.addUser(Self.user("aigerim"), actor: "cli", now: Self.now)
            let other = try await store.addUser(Self.user("bolat"), actor: "cli", now: Self.now)
            try await store.createSession(Self.session("a1", for: user))
            try await store.createSession(Self.session("b1", for: other))
            let changed = try await store.setPasswordHash(name: "Aigerim", passwordHash: "$2b$12$new", actor: "office:aigerim", now: Self.now)
            #expect(changed.passwordHash == "$2b$12$new" && changed.id == user.id)
            #expect(try await store.officeUser(name: "aigerim")?.passwordHash == "$2b$12$new")
            #expect(try await store.activeSession(tokenDigest: "a1", now: Self.now, idleTimeout: Self.hour) == nil)
            #expect(try await store.activeSession(tokenDigest: "b1", now: Self.now, idleTimeout: Self.hour) != nil)
            let event = try #require(try await store.auditEvents(AuditFilter(actionPrefix: "user.password"), limit: 10).first)
            #expect(event.actor == "office:aigerim" && event.subject == "user:aigerim" && event.details == "sessions ended")
            // The hash itself never reaches the audit log.
            #expect(try await store.auditEvents(AuditFilter(), limit: 100).allSatisfy { !$0.details.contains("$2b$") })
            await #expect(throws: TyndauError.notFound("user nobody")) {
                try await store.setPasswordHash(name: "nobody", passwordHash: "x", actor: "cli", now: Self.now)
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func aSessionLivesWhileUsedAndUntilItsAbsoluteEnd(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let user = try await store.addUser(Self.user("aigerim"), actor: "cli", now: Self.now)
            try await store.createSession(Self.session("s1", for: user, lasting: 3 * Self.hour))
            #expect(try await store.activeSession(tokenDigest: "unknown", now: Self.now, idleTimeout: Self.hour) == nil)

            // Each use moves lastSeenAt, so 50-minute steps under a one-hour idle limit keep it alive.
            var moment = Self.now
            for _ in 0..<3 {
                moment = moment.addingTimeInterval(50 * 60)
                let live = try #require(try await store.activeSession(tokenDigest: "s1", now: moment, idleTimeout: Self.hour))
                #expect(live.lastSeenAt == moment && live.createdAt == Self.now && live.csrfToken == "csrf-s1")
                #expect(live.user == user && live.expiresAt == Self.now.addingTimeInterval(3 * Self.hour))
            }
            // Exactly at the absolute end it is over, however active: and the row is gone.
            let end = Self.now.addingTimeInterval(3 * Self.hour)
            #expect(try await store.activeSession(tokenDigest: "s1", now: end, idleTimeout: Self.hour) == nil)
            #expect(try await store.activeSession(tokenDigest: "s1", now: Self.now, idleTimeout: Self.hour) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func anIdleSessionEndsAndItsRowIsGone(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let user = try await store.addUser(Self.user("aigerim"), actor: "cli", now: Self.now)
            try await store.createSession(Self.session("s1", for: user))
            try await store.createSession(Self.session("s2", for: user))
            // Exactly the idle limit is still alive; one second more is not.
            #expect(try await store.activeSession(tokenDigest: "s1", now: Self.now.addingTimeInterval(Self.hour), idleTimeout: Self.hour) != nil)
            #expect(try await store.activeSession(tokenDigest: "s2", now: Self.now.addingTimeInterval(Self.hour + 1), idleTimeout: Self.hour) == nil)
            // Gone for good: asking again at the creation moment does not revive it.
            #expect(try await store.activeSession(tokenDigest: "s2", now: Self.now, idleTimeout: Self.hour) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aSessionOfADisabledAccountIsRefusedAndRemoved(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let user = try await store.addUser(Self.user("aigerim"), actor: "cli", now: Self.now)
            try await store.setUserDisabled(name: "aigerim", disabled: true, actor: "cli", now: Self.now)
            // A session made for an account that is disabled (e.g. a sign-in racing the disabling).
            try await store.createSession(Self.session("late", for: user))
            #expect(try await store.activeSession(tokenDigest: "late", now: Self.now, idleTimeout: Self.hour) == nil)
            try await store.setUserDisabled(name: "aigerim", disabled: false, actor: "cli", now: Self.now)
            #expect(try await store.activeSession(tokenDigest: "late", now: Self.now, idleTimeout: Self.hour) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func signingOutDeletesTheSessionAndUnknownDigestsAreIgnored(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let user = try await store.addUser(Self.user("aigerim"), actor: "cli", now: Self.now)
            try await store.createSession(Self.session("s1", for: user))
            try await store.createSession(Self.session("s2", for: user))
            try await store.deleteSession(tokenDigest: "s1")
            try await store.deleteSession(tokenDigest: "never-existed")
            #expect(try await store.activeSession(tokenDigest: "s1", now: Self.now, idleTimeout: Self.hour) == nil)
            #expect(try await store.activeSession(tokenDigest: "s2", now: Self.now, idleTimeout: Self.hour) != nil)
            // A session for an account that was never stored is refused.
            await #expect(throws: TyndauError.self) {
                try await store.createSession(Self.session("s3", for: Self.user("ghost")))
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func startingASessionSweepsExpiredOnes(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let user = try await store.addUser(Self.user("aigerim"), actor: "cli", now: Self.now)
            try await store.createSession(Self.session("old", for: user, lasting: Self.hour))
            let later = Self.now.addingTimeInterval(2 * Self.hour)
            try await store.createSession(Self.session("new", for: user, at: later))
            // The expired one is gone even for a caller whose clock says it is still valid.
            #expect(try await store.activeSession(tokenDigest: "old", now: Self.now, idleTimeout: Self.hour) == nil)
            #expect(try await store.activeSession(tokenDigest: "new", now: later, idleTimeout: Self.hour) != nil)
        }
    }
}
