import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
@testable import TyndauServer
import TyndauSQLite

/// What the attacker's probe of issue 17 found, one test each: headers, HEAD, the media type, `next=`,
/// the office token and the SLA's details, and answers before the meeting is closed.
@Suite struct HardeningTests {
    static let question = "Во дворе дома 12 на Абая третий день не горят фонари, просим починить"

    static func settings(officeToken: String? = nil, publicURL: String? = nil) -> ServerSettings {
        var settings = TestServer.settings()
        settings.officeToken = officeToken
        settings.publicURL = publicURL
        return settings
    }

    @Test func headOnExistingPagesAnswersLikeGetWithoutABody() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            for path in ["/", "/health", "/open311/v2/services.json"] {
                let get = try await client.execute(uri: path, method: .get)
                let head = try await client.execute(uri: path, method: .head)
                #expect(head.status == get.status && get.status == .ok, "\(path)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
            }
            #expect(try await client.execute(uri: "/no-such-page", method: .head).status == .notFound)
        }
    }

    @Test func theStatusJSONIsNeitherCachedNorSniffed() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(),
                body: jsonBody(["text": Self.question, "street": "Абая", "house": "12"]))
            #expect(created.status == .created)
            let ticket = try #require(created.object["ticket"] as? String)
            let token = try #require(created.object["token"] as? String)
            let status = try await client.execute(uri: "/api/v1/questions/\(ticket)?token=\(token)", method: .get)
            #expect(status.status == .ok && status.object["house"] as? String == "12")
            for response in [created, status] {
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
            }
            #expect(status.headers[.strictTransportSecurity] == nil)
        }
    }

    @Test func anHTTPSPublicURLAddsHSTSAndPagesForbidBaseURI() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory(), settings: Self.settings(publicURL: "https://tyndau.example.kz"))
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.headers[.strictTransportSecurity]?.hasPrefix("max-age=") == true)
            #expect(page.headers[.init("Content-Security-Policy")!]?.contains("base-uri 'none'") == true)
            let error = try await client.execute(uri: "/api/v1/questions/TRK-2026-000001", method: .get)
            #expect(error.headers[.strictTransportSecurity] != nil && error.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test(arguments: ["text/html; a=+json", "text/plain;charset=application/json", "application/jsonx", "text/x-json-ish"])
    func aMediaTypeIsJSONOnlyByItsTypeNotItsParameters(contentType: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: [.contentType: contentType],
                body: jsonBody(["text": Self.question]))
            #expect(response.status == .unsupportedMediaType)
        }
        let media = RequestFields.mediaType
        #expect(media("Application/JSON ; charset=utf-8") == "application/json")
        #expect(media("application/merge-patch+json") == "application/merge-patch+json")
    }

    @Test(arguments: [
        ("/office/topics\tx", "/office/inbox"), ("/office/topics x", "/office/inbox"), ("/office/тема", "/office/inbox"),
        ("/office//evil.example", "/office/inbox"), ("https://evil.example/office/", "/office/inbox"),
        ("/office/topics%0d%0aSet-Cookie:x", "/office/inbox"), ("/office/topics%0d%0aX", "/office/topics%0d%0aX"), ("/office/topics?sort=new", "/office/topics?sort=new"),
    ])
    func signInFollowsOnlyASameSitePathOfSafeCharacters(next: String, location: String) async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let form = try await client.execute(uri: "/office/sign-in", method: .get)
            let token = Office.cookie(form, "tyndau_office_signin")?.value ?? ""
            let response = try await client.execute(
                uri: "/office/sign-in", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "tyndau_office_signin=\(token)"],
                body: formBody([("csrf", Office.csrf(form.text) ?? ""), ("name", "aigerim"), ("password", Office.password), ("next", next)]))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == location)
        }
    }

    @Test func theSLAShowsTicketsAndTimesOnlyWithTheOfficeToken() async throws {
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database, settings: Self.settings(officeToken: "office-token-0123456789"))
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": Self.question]))
            let anyone = try await client.execute(uri: "/api/v1/sla", method: .get)
            #expect(anyone.status == .ok && anyone.object["total"] as? Int == 1)
            #expect(anyone.object["oldest_untriaged"] == nil && !anyone.text.contains("TRK-"))
            let office = try await client.execute(
                uri: "/api/v1/sla", method: .get, headers: [.authorization: "Bearer office-token-0123456789"])
            #expect((office.object["oldest_untriaged"] as? [[String: Any]])?.count == 1)
            let wrong = try await client.execute(uri: "/api/v1/sla", method: .get, headers: [.authorization: "Bearer guess"])
            #expect(wrong.status == .unauthorized)
        }
    }

    @Test func wrongOfficeTokensAreLimitedPerAddressAndAskForBearer() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory(), settings: Self.settings(officeToken: "office-token-0123456789"))
        try await app.test(.router) { client in
            func call(_ token: String?, from address: String) async throws -> TestResponse {
                var headers: HTTPFields = [.init("X-Forwarded-For")!: address]
                if let token { headers[.authorization] = "Bearer \(token)" }
                return try await client.execute(uri: "/api/v1/meetings/2026-W49", method: .get, headers: headers)
            }
            let missing = try await call(nil, from: "192.0.2.1")
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            for attempt in 0..<10 {
                let wrong = try await call("guess-\(attempt)", from: "192.0.2.1")
                #expect(wrong.status == .unauthorized && wrong.headers[.wwwAuthenticate] != nil)
            }
            let limited = try await call("office-token-0123456789", from: "192.0.2.1")
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Another address with the right token is not affected (no meeting yet: 404, not 401/429).
            #expect(try await call("office-token-0123456789", from: "192.0.2.2").status == .notFound)
        }
    }

    @Test func answersSavedDuringTheMeetingReachTheResidentOnlyAfterItIsClosed() async throws {
        let week = try await GeoReportWeek.make()
        let store = week.database
        let ticket = try #require(week.tickets["scheduled"])
        let question = try #require(try await store.question(ticket: ticket))
        let item = try #require(try await store.agendaItems(week: GeoReportWeek.thisWeek).first)
        try await store.recordAnswer(
            AnswerInput(text: "Черновик ответа: фонари заменят", kind: .answered),
            week: GeoReportWeek.thisWeek, itemID: item.id!, actor: "office", now: GeoReportWeek.nextMeeting.addingTimeInterval(600))
        let app = try TestServer.application(store, clock: ManualClock(GeoReportWeek.nextMeeting.addingTimeInterval(900)))
        try await app.test(.router) { client in
            let query = "\(ticket)?token=\(question.accessToken)"
            func views() async throws -> [String] {
                let page = try await client.execute(uri: "/questions/\(query)", method: .get)
                let status = try await client.execute(uri: "/api/v1/questions/\(query)", method: .get)
                let open311 = try await client.execute(
                    uri: "/open311/v2/requests/\(ticket).json?token=\(question.accessToken)", method: .get)
                return [page.text, status.text, open311.text]
            }
            for view in try await views() { #expect(!view.contains("Черновик ответа"), "\(view)") }
            _ = try await store.closeMeeting(week: GeoReportWeek.thisWeek, actor: "office", now: GeoReportWeek.nextMeeting.addingTimeInterval(3600))
            for view in try await views() { #expect(view.contains("Черновик ответа"), "\(view)") }
        }
    }
}
