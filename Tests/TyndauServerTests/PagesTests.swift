import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

@Suite("Resident pages")
struct PagesTests {
    let question = "Во дворе дома 45 по Абая нет детской площадки, когда построят?"

    @Test(arguments: [("ru", "Задать вопрос акиму"), ("kk", "Әкімге сұрақ қою"), ("en", "Ask the akim a question")])
    func formFollowsAcceptLanguage(language: String, heading: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get, headers: [.acceptLanguage: "\(language);q=0.9, de;q=0.5"])
            #expect(response.status == .ok)
            #expect(response.text.contains("<h1>\(heading)</h1>"))
            #expect(response.text.contains("<html lang=\"\(language)\">"))
            // Accessible labels for every input, the honeypot, the visible switch.
            for field in ["text", "category", "street", "house", "name", "phone", "email", "telegram", "consent", "website"] {
                #expect(response.text.contains("<label for=\"\(field)\">"), "label for \(field)")
            }
            #expect(response.text.contains("қаз"))
            #expect(!response.text.contains("<script"))
        }
    }

    @Test func langQueryWinsAndIsRememberedInACookie() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let chosen = try await client.execute(uri: "/?lang=kk", method: .get, headers: [.acceptLanguage: "ru"])
            #expect(chosen.text.contains("Әкімге сұрақ қою"))
            #expect(chosen.headers[.setCookie]?.hasPrefix("lang=kk") == true)
            let remembered = try await client.execute(uri: "/", method: .get, headers: [.acceptLanguage: "ru", .cookie: "lang=kk"])
            #expect(remembered.text.contains("Әкімге сұрақ қою"))
        }
    }

    @Test func formSubmissionShowsReceiptAndTheStatusPageEscapesTheText() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let hostile = question + " <script>alert('x')</script> & \"quotes\""
            let receipt = try await client.execute(
                uri: "/questions?lang=ru", method: .post, headers: .form(),
                body: formBody([("text", hostile), ("street", "<b>Абая</b>"), ("consent", "yes"), ("website", "")])
            )
            #expect(receipt.status == .created)
            let html = receipt.text
            let ticket = try #require(html.firstMatch(of: /TRK-\d{4}-\d{6}/).map { String($0.output) })
            let statusPath = try #require(html.firstMatch(of: /\/questions\/TRK-\d{4}-\d{6}\?token=[0-9a-f]{32}/).map { String($0.output) })
            #expect(html.contains("Вопрос принят"))

            let status = try await client.execute(uri: statusPath, method: .get, headers: [.acceptLanguage: "kk"])
            #expect(status.status == .ok)
            #expect(status.text.contains(ticket))
            #expect(status.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"))
            #expect(!status.text.contains("<script"))
            #expect(status.text.contains("&lt;b&gt;Абая&lt;/b&gt;"))
            #expect(status.text.contains("тіркелді"))
        }
    }

    @Test(arguments: [("ru", "обязательное поле"), ("kk", "міндетті өріс")])
    func invalidFormIsShownAgainWith422AndFieldReasons(language: String, reason: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/questions", method: .post, headers: .form(language: language),
                body: formBody([("text", ""), ("street", "<i>Сатпаева</i>"), ("phone", "abc")])
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains(reason))
            #expect(response.text.contains("value=\"&lt;i&gt;Сатпаева&lt;/i&gt;\""))
            #expect(response.text.contains("aria-invalid=\"true\""))
        }
    }

    @Test func filledHoneypotIsRefused() async throws {
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/questions", method: .post, headers: .form(), body: formBody([("text", question), ("website", "buy now")])
            )
            #expect(response.status == .unprocessableContent)
            #expect(try await database.countQuestions(status: nil) == 0)
        }
    }

    @Test(arguments: [("ru", "Слишком много обращений"), ("kk", "өтініш тым көп")])
    func rateLimitedFormShowsA429Page(language: String, phrase: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory(), settings: TestServer.settings(rateLimit: 1))
        try await app.test(.router) { client in
            _ = try await client.execute(uri: "/questions", method: .post, headers: .form(language: language), body: formBody([("text", question)]))
            let response = try await client.execute(
                uri: "/questions", method: .post, headers: .form(language: language), body: formBody([("text", question + " ещё")])
            )
            #expect(response.status == .tooManyRequests)
            #expect(response.headers[.retryAfter] != nil)
            #expect(response.text.contains(phrase))
        }
    }

    @Test(arguments: [("ru", "Вопрос не найден"), ("kk", "Сұрақ табылмады")])
    func statusPageWithWrongTokenIs404(language: String, message: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/status/TRK-2026-000001?token=deadbeef", method: .get, headers: [.acceptLanguage: language])
            #expect(response.status == .notFound)
            #expect(response.text.contains(message))
        }
    }

    @Test func unknownPageIsAnHTML404() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/no/such/page", method: .get, headers: [.acceptLanguage: "kk"])
            #expect(response.status == .notFound)
            #expect(response.text.contains("Бет табылмады"))
        }
    }

    @Test func stylesheetIsServed() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/static/style.css", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
            #expect(response.text.contains("@media"))
        }
    }

    @Test func statusPageShowsTopicAgendaWeekAndAnswer() async throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.remove() }
        let app = try TestServer.application(temporary.database)
        try await app.test(.router) { client in
            let created = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": question]))
            let ticket = try #require(created.object["ticket"] as? String)
            let token = try #require(created.object["token"] as? String)

            // What grouping, the scheduler and the meeting will write, written here directly.
            let queue = try DatabaseQueue(path: temporary.path)
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO topic (id, title, state, createdAt) VALUES (7, 'Детская площадка во дворе Абая 45', 'scheduled', ?)", arguments: [Date()])
                try db.execute(sql: "UPDATE question SET topicID = 7, status = 'scheduled', triagedAt = ? WHERE ticket = ?", arguments: [Date(), ticket])
                try db.execute(
                    // Closed: residents see an answer only once its meeting is closed (HardeningTests has the draft case).
                    sql: "INSERT INTO meeting (id, week, startsAt, durationMinutes, timeZone, state, closedAt) VALUES (3, '2026-W49', ?, 60, 'Asia/Almaty', 'closed', ?)",
                    arguments: [Date(timeIntervalSince1970: 1_796_468_400), Date(timeIntervalSince1970: 1_796_472_000)]
                )
                try db.execute(sql: "INSERT INTO agendaItem (id, meetingID, topicID, position, block, startOffsetMinutes, minutes, why) VALUES (11, 3, 7, 2, 'landscaping-utilities', 15, 5, '3 askers')")
                try db.execute(sql: "INSERT INTO answer (agendaItemID, text, kind, recordedBy, recordedAt) VALUES (11, 'Площадку установят <до мая>', 'commitment', 'office', ?)", arguments: [Date()])
            }
            let page = try await client.execute(uri: "/status/\(ticket)?token=\(token)", method: .get, headers: [.acceptLanguage: "ru"])
            #expect(page.text.contains("Детская площадка во дворе Абая 45"))
            #expect(page.text.contains("неделя 49"))
            #expect(page.text.contains("Площадку установят &lt;до мая&gt;"))
            // The timeline: received, triaged (stamped above, as updateStatus does), topic with its residents, agenda, answer.
            #expect(page.text.contains("Получен и зарегистрирован: "))
            #expect(page.text.contains("Рассмотрен сотрудниками акимата: "))
            #expect(page.text.contains("Тема: «Детская площадка во дворе Абая 45» — жителей с этим вопросом: 1"))
            #expect(!page.text.contains("кандидат в повестку"))
            let json = try await client.execute(uri: "/api/v1/questions/\(ticket)?token=\(token)", method: .get)
            #expect((json.object["agenda"] as? [String: Any])?["week"] as? String == "2026-W49")
            #expect((json.object["answer"] as? [String: Any])?["kind"] as? String == "commitment")
            #expect((json.object["topic"] as? [String: Any])?["title"] as? String == "Детская площадка во дворе Абая 45")
        }
    }
}
