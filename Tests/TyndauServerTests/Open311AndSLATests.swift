import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

@Suite("Open311 GeoReport v2 adapter")
struct Open311Tests {
    let description = "Большая яма на дороге у остановки Тастак, машины объезжают по тротуару"

    @Test(arguments: [("ru", "дороги и транспорт"), ("kk", "жол және көлік")])
    func servicesListOurCategoriesAsServiceCodes(language: String, transportName: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/open311/v2/services.json", method: .get, headers: [.acceptLanguage: language])
            #expect(response.status == .ok)
            let services = response.array
            #expect(services.compactMap { $0["service_code"] as? String } == QuestionCategory.allCases.map(\.rawValue))
            #expect(services.first { $0["service_code"] as? String == "transport" }?["service_name"] as? String == transportName)
            #expect(services.allSatisfy { $0["metadata"] as? Bool == false && $0["type"] as? String == "realtime" })
        }
    }

    @Test func formPostCreatesARequestAndLookupShowsStatusWithoutTextUnlessTokenGiven() async throws {
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database)
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: "/open311/v2/requests.json", method: .post, headers: .form(),
                body: formBody([("service_code", "pothole"), ("description", description), ("address_string", "Тастак, 5"), ("lat", "43.24"), ("long", "76.88")])
            )
            #expect(created.status == .created)
            let entry = try #require(created.array.first)
            let id = try #require(entry["service_request_id"] as? String)
            let statusURL = try #require(entry["status_url"] as? String)
            let stored = try #require(try await database.question(ticket: id))
            #expect(stored.category == .transport)
            #expect(stored.channel == .open311)
            #expect(stored.street == "Тастак, 5")

            let anonymous = try await client.execute(uri: "/open311/v2/requests/\(id).json", method: .get)
            #expect(anonymous.status == .ok)
            let publicView = try #require(anonymous.array.first)
            #expect(publicView["status"] as? String == "open")
            #expect(publicView["service_code"] as? String == "transport")
            #expect(publicView["description"] == nil)

            let token = String(statusURL.split(separator: "=").last ?? "")
            let owner = try await client.execute(uri: "/open311/v2/requests/\(id).json?token=\(token)", method: .get)
            #expect(owner.array.first?["description"] as? String == description)
        }
    }

    @Test func jsonPostWorksToo() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/open311/v2/requests.json", method: .post, headers: .json(),
                body: jsonBody(["service_code": "utilities", "description": "Нет горячей воды третий день в доме 10 по Саина", "email": "a@example.kz", "consent": true, "lat": 43.23, "long": 76.85])
            )
            #expect(response.status == .created)
            #expect((response.array.first?["service_request_id"] as? String)?.hasPrefix("TRK-") == true)
        }
    }

    @Test(arguments: [("ru", "неизвестный код услуги"), ("kk", "қызмет коды белгісіз")])
    func errorsUseGeoReportShape(language: String, reason: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let unknownCode = try await client.execute(
                uri: "/open311/v2/requests.json", method: .post, headers: .form(language: language),
                body: formBody([("service_code", "weather"), ("description", description)])
            )
            #expect(unknownCode.status == .badRequest)
            #expect(unknownCode.array.first?["code"] as? Int == 400)
            #expect(unknownCode.array.first?["description"] as? String == "service_code: \(reason)")

            let shortText = try await client.execute(
                uri: "/open311/v2/requests.json", method: .post, headers: .form(language: language),
                body: formBody([("service_code", "transport"), ("description", "яма")])
            )
            #expect(shortText.status == .badRequest)
            #expect((shortText.array.first?["description"] as? String)?.hasPrefix("description: ") == true)

            let missing = try await client.execute(uri: "/open311/v2/requests/TRK-2026-424242.json", method: .get, headers: [.acceptLanguage: language])
            #expect(missing.status == .notFound)
            #expect(missing.array.first?["code"] as? Int == 404)
        }
    }
}

@Suite("Golden hour")
struct GoldenHourTests {
    @Test func slaCountsTriagedWithinLateAndOverdueAndListsTheOldest() async throws {
        let realNow = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let clock = ManualClock(realNow.addingTimeInterval(-3 * 3600))
        let database = try SQLiteStore.inMemory()
        var settings = TestServer.settings()
        settings.officeToken = "office-token-for-sla"
        let app = try TestServer.application(database, settings: settings, clock: clock)
        try await app.test(.router) { client in
            func submit(_ text: String) async throws -> String {
                let response = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": text]))
                return response.object["ticket"] as? String ?? ""
            }
            let late = try await submit("Вопрос A: сломан светофор на Розыбакиева")
            let overdue = try await submit("Вопрос D: не вывозят мусор неделю")
            clock.advance(150 * 60)
            let within = try await submit("Вопрос B: нет освещения в парке")
            let pending = try await submit("Вопрос C: яма у школы 120")
            clock.advance(30 * 60)
            for ticket in [late, within] {
                let question = try #require(try await database.question(ticket: ticket))
                try await database.updateStatus(questionID: question.id!, to: .grouped, reason: nil, actor: "office", now: Date())
            }

            // The tickets and times of the oldest are the office's: with its token.
            let response = try await client.execute(uri: "/api/v1/sla", method: .get, headers: [.authorization: "Bearer office-token-for-sla"])
            #expect(response.status == .ok)
            let report = response.object
            #expect(report["total"] as? Int == 4)
            #expect(report["triaged_within"] as? Int == 1)
            #expect(report["triaged_late"] as? Int == 1)
            #expect(report["pending_within"] as? Int == 1)
            #expect(report["pending_overdue"] as? Int == 1)
            #expect(report["past_window"] as? Int == 2)
            let oldest = report["oldest_untriaged"] as? [[String: Any]] ?? []
            #expect(oldest.compactMap { $0["ticket"] as? String } == [overdue, pending])
            #expect(oldest.first?["waiting_minutes"] as? Int == 180)

            let recent = try await client.execute(uri: "/api/v1/sla?since=1h", method: .get)
            #expect(recent.object["total"] as? Int == 2)
        }
    }

    @Test(arguments: ["ru", "kk"])
    func badSinceIs400(language: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/sla?since=yesterday-ish", method: .get, headers: [.acceptLanguage: language])
            #expect(response.status == .badRequest)
            #expect(response.apiError["code"] as? String == "bad-parameter")
        }
    }

    @Test func sinceParserReadsDurationsDatesAndInstants() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(SinceParser.parse("24h", now: now) == now.addingTimeInterval(-86_400))
        #expect(SinceParser.parse("90m", now: now) == now.addingTimeInterval(-5_400))
        #expect(SinceParser.parse("7d", now: now) == now.addingTimeInterval(-7 * 86_400))
        #expect(SinceParser.parse("2026-11-01T09:00:00+05:00", now: now) == Date(timeIntervalSince1970: 1_793_505_600))
        #expect(SinceParser.parse("2026-11-01", now: now) == Date(timeIntervalSince1970: 1_793_473_200))
        #expect(SinceParser.parse("soon", now: now) == nil)
    }
}

@Suite("Rate limiter and tokens")
struct RateLimiterTests {
    @Test func allowsTheLimitPerSlidingHourThenTellsWhenToRetry() async {
        let clock = ManualClock()
        let limiter = SubmissionRateLimiter(limit: 3, now: clock.closure)
        for _ in 0..<3 {
            #expect(await limiter.check("a") == .allowed)
            await limiter.record("a")
            clock.advance(600)
        }
        #expect(await limiter.check("a") == .limited(retryAfter: 1800))
        #expect(await limiter.check("b") == .allowed)
        clock.advance(1800)
        #expect(await limiter.check("a") == .allowed)
    }

    @Test func zeroLimitAllowsEverything() async {
        let limiter = SubmissionRateLimiter(limit: 0, now: { Date() })
        for _ in 0..<100 { await limiter.record("a") }
        #expect(await limiter.check("a") == .allowed)
    }

    @Test func constantTimeComparisonIsExact() {
        #expect(ConstantTime.equals("abc123", "abc123"))
        #expect(!ConstantTime.equals("abc123", "abc124"))
        #expect(!ConstantTime.equals("abc123", "abc1234"))
        #expect(!ConstantTime.equals("", "a"))
        #expect(ConstantTime.equals("", ""))
    }

    @Test func clientKeyDoesNotContainTheAddress() {
        let identity = ClientIdentity(address: "203.0.113.5")
        #expect(!identity.key.contains("203"))
        #expect(identity == ClientIdentity(address: "203.0.113.5"))
        #expect(identity != ClientIdentity(address: "203.0.113.6"))
        #expect(ClientIdentity.forwardedAddress(" 198.51.100.1 , 10.0.0.1") == "198.51.100.1")
    }
}
