import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

@Suite("Office console: accounts and security")
struct OfficeSecurityTests {
    @Test func signInSetsAHardenedCookieAndStoresOnlyTheTokensDigest() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let response = try await Office.postSignIn(client, name: "aigerim", password: Office.password)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/office/inbox")
            let cookie = try #require(Office.cookie(response, "tyndau_office"))
            #expect(cookie.header.contains("HttpOnly"))
            #expect(cookie.header.contains("SameSite=Lax"))
            #expect(cookie.header.contains("Path=/office"))
            #expect(!cookie.header.contains("Secure"))
            #expect(cookie.value.count == 64)
            // Only the SHA-256 digest of the token is stored: the token itself does not find a session.
            #expect(try await database.activeSession(tokenDigest: cookie.value, now: clock.now, idleTimeout: 60) == nil)
            // The digest is SHA-256 (the FIPS 180-2 test vector), of the cookie's token.
            #expect(OfficeCredentials.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            let digest = OfficeCredentials.digest(cookie.value)
            let session = try #require(try await database.activeSession(tokenDigest: digest, now: clock.now, idleTimeout: 60))
            #expect(session.user.name == "aigerim")
            let events = try await database.auditEvents(AuditFilter(actor: "office:aigerim", actionPrefix: "office.sign-in"), limit: 5)
            #expect(events.count == 1)
        }
    }

    @Test func cookiesAreSecureWhenTheConsoleIsServedOverHTTPS() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock, publicURL: "https://tyndau.example.kz")
        try await app.test(.router) { client in
            let response = try await Office.postSignIn(client, name: "aigerim", password: Office.password)
            #expect(Office.cookie(response, "tyndau_office")?.header.contains("; Secure") == true)
        }
    }

    @Test func wrongPasswordsAreRefusedThenRateLimitedPerAccountFromThatAddress() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            for _ in 0..<5 {
                let response = try await Office.postSignIn(client, name: "aigerim", password: "wrong password", ip: "10.1.0.1")
                #expect(response.status == .unauthorized)
                #expect(response.text.contains("Wrong name or password"))
                #expect(Office.cookie(response, "tyndau_office") == nil)
            }
            let limited = try await Office.postSignIn(client, name: "aigerim", password: Office.password, ip: "10.1.0.1")
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(Office.cookie(limited, "tyndau_office") == nil)
            // Whoever typed the wrong passwords did not lock the owner out: from another address she signs in.
            let owner = try await Office.postSignIn(client, name: "aigerim", password: Office.password, ip: "10.1.0.99")
            #expect(owner.status == .seeOther)
            // The window passes: the right password works again from the first address too.
            clock.advance(16 * 60)
            let allowed = try await Office.postSignIn(client, name: "aigerim", password: Office.password, ip: "10.1.0.1")
            #expect(allowed.status == .seeOther)
        }
    }

    @Test func wrongPasswordsFromManyAddressesDoNotLockTheAccount() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            for attempt in 0..<12 {
                let response = try await Office.postSignIn(client, name: "aigerim", password: "wrong password", ip: "10.3.0.\(attempt)")
                #expect(response.status == .unauthorized)
            }
            let owner = try await Office.postSignIn(client, name: "aigerim", password: Office.password, ip: "10.3.1.1")
            #expect(owner.status == .seeOther)
        }
    }

    @Test func signInIsRateLimitedPerAddressAcrossAccounts() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            for attempt in 0..<20 {
                let response = try await Office.postSignIn(client, name: "guess\(attempt)", password: "nope nope nope", ip: "10.2.0.1")
                #expect(response.status == .unauthorized)
            }
            let limited = try await Office.postSignIn(client, name: "aigerim", password: Office.password, ip: "10.2.0.1")
            #expect(limited.status == .tooManyRequests)
            let elsewhere = try await Office.postSignIn(client, name: "aigerim", password: Office.password, ip: "10.2.0.2")
            #expect(elsewhere.status == .seeOther)
        }
    }

    @Test func signInWithoutTheFormsTokenIsRefused() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/office/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: formBody([("name", "aigerim"), ("password", Office.password)])
            )
            #expect(response.status == .forbidden)
            #expect(Office.cookie(response, "tyndau_office") == nil)
        }
    }

    @Test(arguments: ["/office/inbox", "/office/topics", "/office/agenda", "/office/meeting", "/office/deliveries", "/office/commitments", "/office/audit", "/office/users"])
    func pagesSendVisitorsWithoutASessionToSignIn(path: String) async throws {
        let app = try Office.application(try SQLiteStore.inMemory(), clock: ManualClock())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: path, method: .get, headers: [.cookie: "tyndau_office=forged"])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/office/sign-in?next=" + path)
        }
    }

    @Test func formPostsWithoutTheSessionsCSRFTokenAreRefusedAndChangeNothing() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let question = try await Office.question(database, "Не горят фонари во дворе", minutesAgo: 5, now: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let uri = "/office/inbox/\(question.id!)/reject"
            let missing = try await browser.post(client, uri, [("kind", "spam")], csrf: false)
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("out of date"))
            let forged = try await browser.post(client, uri, [("kind", "spam")], token: String(repeating: "0", count: 64))
            #expect(forged.status == .forbidden)
            #expect(try await database.question(id: question.id!)?.status == .received)
            // Another session's token does not work either.
            try await Office.user(database, "dana", .operator, at: clock.now)
            let other = try await Office.signIn(client, "dana", ip: "10.0.0.10")
            let crossed = try await browser.post(client, uri, [("kind", "spam")], token: other.csrf)
            #expect(crossed.status == .forbidden)
            let accepted = try await browser.post(client, uri, [("kind", "spam")])
            #expect(accepted.status == .seeOther)
            #expect(try await database.question(id: question.id!)?.status == .rejected)
        }
    }

    @Test func operatorsCannotReachAdminPagesAndAdminsCan() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        try await Office.user(database, "boss", .admin, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let operatorBrowser = try await Office.signIn(client, "aigerim")
            for path in ["/office/users", "/office/endpoints", "/office/series"] {
                let response = try await operatorBrowser.get(client, path)
                #expect(response.status == .forbidden, "\(path)")
                #expect(response.text.contains("Only admins"))
            }
            let post = try await operatorBrowser.post(client, "/office/users", [("name", "mallory"), ("role", "admin"), ("password", "0123456789ab")])
            #expect(post.status == .forbidden)
            #expect(try await database.officeUser(name: "mallory") == nil)
            let inbox = try await operatorBrowser.get(client, "/office/inbox")
            #expect(!inbox.text.contains("/office/users"))

            let admin = try await Office.signIn(client, "boss", ip: "10.0.0.11")
            for path in ["/office/users", "/office/endpoints", "/office/series"] {
                #expect(try await admin.get(client, path).status == .ok, "\(path)")
            }
        }
    }

    @Test func idleSessionsEndAndSignOutEndsTheSession() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            clock.advance(29 * 60)
            #expect(try await browser.get(client, "/office/inbox").status == .ok)
            clock.advance(29 * 60)
            #expect(try await browser.get(client, "/office/inbox").status == .ok)
            clock.advance(31 * 60)
            #expect(try await browser.get(client, "/office/inbox").status == .seeOther)

            let again = try await Office.signIn(client, "aigerim")
            let out = try await again.post(client, "/office/sign-out")
            #expect(out.status == .seeOther)
            #expect(Office.cookie(out, "tyndau_office")?.header.contains("Max-Age=0") == true)
            #expect(try await again.get(client, "/office/inbox").status == .seeOther)
        }
    }

    @Test func disablingAnAccountEndsItsSessionsAndItsSignIn() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        try await Office.user(database, "boss", .admin, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let admin = try await Office.signIn(client, "boss", ip: "10.0.0.12")
            let disabled = try await admin.post(client, "/office/users/aigerim/disable")
            #expect(disabled.status == .seeOther)
            #expect(try await browser.get(client, "/office/inbox").status == .seeOther)
            let refused = try await Office.postSignIn(client, name: "aigerim", password: Office.password)
            #expect(refused.status == .unauthorized)
            // Admins cannot lock themselves out.
            let own = try await admin.post(client, "/office/users/boss/disable")
            #expect(own.status == .unprocessableContent)
            #expect(own.text.contains("you cannot disable yourself"))
            let audit = try await database.auditEvents(AuditFilter(actor: "office:boss", actionPrefix: "user."), limit: 10)
            #expect(audit.map(\.action) == ["user.disable"])
        }
    }

    @Test func adminsAddUsersWithFieldNamedErrors() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "boss", .admin, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let admin = try await Office.signIn(client, "boss")
            let bad = try await admin.post(client, "/office/users", [("name", "x"), ("role", "king"), ("password", "short")], language: "ru")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Имя пользователя"))
            #expect(bad.text.contains("не короче 10 символов"))
            #expect(bad.text.contains("Роль"))
            let good = try await admin.post(client, "/office/users", [("name", "dana"), ("role", "operator"), ("password", "a long passphrase")])
            #expect(good.status == .seeOther)
            let dana = try #require(try await database.officeUser(name: "DANA"))
            #expect(dana.role == .operator)
            #expect(dana.passwordHash.hasPrefix("$2"))
            #expect(!dana.passwordHash.contains("passphrase"))
            let duplicate = try await admin.post(client, "/office/users", [("name", "Dana"), ("role", "admin"), ("password", "a long passphrase")])
            #expect(duplicate.status == .conflict)
            #expect(try await Office.signIn(client, "dana", password: "a long passphrase", ip: "10.0.0.13").csrf.count == 64)
        }
    }

    @Test func consolePagesMayLoadOnlyTheirOwnScriptAndResidentPagesNone() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let inbox = try await browser.get(client, "/office/inbox")
            let policy = inbox.headers[.init("Content-Security-Policy")!] ?? ""
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
            #expect(inbox.text.contains("<script src=\"/static/office.js\" defer></script>"))
            #expect(inbox.text.contains("data-refresh=\"60\""))
            #expect(inbox.text.contains("data-key=\"t\""))
            // No inline script anywhere: the only <script> is the external file.
            #expect(inbox.text.components(separatedBy: "<script").count == 2)
            let script = try await client.execute(uri: "/static/office.js", method: .get)
            #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(script.text.contains("data-refresh"))
            let resident = try await client.execute(uri: "/", method: .get)
            #expect(resident.headers[.init("Content-Security-Policy")!]?.contains("script-src 'none'") == true)
            let signIn = try await client.execute(uri: "/office/sign-in", method: .get)
            #expect(!signIn.text.contains("<script"))
        }
    }

    @Test func adminsSetANewPasswordWhichEndsTheAccountsSessions() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        try await Office.user(database, "boss", .admin, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let admin = try await Office.signIn(client, "boss", ip: "10.0.0.14")
            let short = try await admin.post(client, "/office/users/aigerim/password", [("password", "short")])
            #expect(short.status == .unprocessableContent)
            #expect(short.text.contains("at least 10 characters"))
            let reset = try await admin.post(client, "/office/users/aigerim/password", [("password", "a brand new passphrase")])
            #expect(reset.status == .seeOther)
            #expect(try await browser.get(client, "/office/inbox").status == .seeOther)
            #expect(try await Office.postSignIn(client, name: "aigerim", password: Office.password).status == .unauthorized)
            _ = try await Office.signIn(client, "aigerim", password: "a brand new passphrase", ip: "10.0.0.15")
            let byOperator = try await browser.post(client, "/office/users/boss/password", [("password", "a brand new passphrase")])
            #expect(byOperator.status == .forbidden)
            #expect(try await admin.post(client, "/office/users/nobody/password", [("password", "a brand new passphrase")]).status == .notFound)
        }
    }

    @Test func endpointsPageShowsOnlyMaskedAddresses() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "boss", .admin, at: clock.now)
        try await database.syncEndpoints([Endpoint(name: "chat", kind: "webhook", tags: ["public"])])
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let admin = try await Office.signIn(client, "boss")
            let page = try await admin.get(client, "/office/endpoints")
            #expect(page.status == .ok)
            #expect(page.text.contains("https://hooks.example.kz/***"))
            #expect(page.text.contains("webhook"))
        }
    }
}
