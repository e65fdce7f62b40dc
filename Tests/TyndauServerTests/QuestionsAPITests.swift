import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

@Suite("JSON API /api/v1/questions")
struct QuestionsAPITests {
    let question = "Когда отремонтируют освещение во дворе дома 12 по улице Жандосова?"

    @Test func healthAnswersOK() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["status"] as? String == "ok")
            }
        }
    }

    @Test func submitsReturns201WithTicketTokenAndStatusURLThenShowsTheQuestion() async throws {
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database)
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(),
                body: jsonBody(["text": question, "street": "Жандосова", "house": "12", "category": "utilities"])
            )
            #expect(created.status == .created)
            let ticket = try #require(created.object["ticket"] as? String)
            let token = try #require(created.object["token"] as? String)
            #expect(ticket.hasPrefix("TRK-"))
            #expect(token.count == 32)
            #expect(created.object["status"] as? String == "acknowledged")
            #expect(created.object["status_url"] as? String == "/questions/\(ticket)?token=\(token)")
            #expect(created.object["duplicate"] as? Bool == false)
            #expect(created.headers[.location] == "/api/v1/questions/\(ticket)")

            // Committed before the receipt: the store already has it, acknowledged.
            let stored = try #require(try await database.question(ticket: ticket))
            #expect(stored.status == .acknowledged)
            #expect(stored.channel == .api)

            let shown = try await client.execute(uri: "/api/v1/questions/\(ticket)?token=\(token)", method: .get, headers: [.acceptLanguage: "kk"])
            #expect(shown.status == .ok)
            #expect(shown.object["text"] as? String == question)
            #expect(shown.object["status_label"] as? String == "тіркелді")
            #expect(shown.object["street"] as? String == "Жандосова")
        }
    }

    @Test(arguments: [("ru", "Вопрос не найден"), ("kk", "Сұрақ табылмады")])
    func wrongTokenAndUnknownTicketAreTheSame404(language: String, message: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let created = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": question]))
            let ticket = try #require(created.object["ticket"] as? String)
            for uri in [
                "/api/v1/questions/\(ticket)?token=00000000000000000000000000000000",
                "/api/v1/questions/\(ticket)",
                "/api/v1/questions/TRK-2026-999999?token=abc",
                "/api/v1/questions/nonsense?token=abc",
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: [.acceptLanguage: language])
                #expect(response.status == .notFound)
                #expect(response.apiError["code"] as? String == "not-found")
                #expect((response.apiError["message"] as? String)?.hasPrefix(message) == true)
            }
        }
    }

    @Test(arguments: [
        ("ru", "Проверьте заполнение полей", "слишком короткий текст (минимум 10 символов)"),
        ("kk", "Өрістердің толтырылуын тексеріңіз", "мәтін тым қысқа (кемінде 10 таңба)"),
    ])
    func validationIs422NamingEachFieldInTheRequestLanguage(language: String, message: String, tooShort: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(language: language),
                body: jsonBody(["text": "коротко", "phone": "12", "email": "not-an-email", "category": "weather"])
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.apiError["code"] as? String == "validation")
            #expect(response.apiError["message"] as? String == message)
            let fields = response.errorFields
            #expect(fields["text"] == tooShort)
            #expect(fields.keys.sorted() == ["category", "consent", "email", "phone", "text"])
            #expect(response.headers[.contentLanguage] == language)
        }
    }

    @Test(arguments: ["ru", "kk"])
    func malformedJSONIs400(language: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            for body in ["{\"text\": ", "[1,2]", "\"just a string\"", "", "{\"text\": \"a\" \"b\"}"] {
                let response = try await client.execute(
                    uri: "/api/v1/questions", method: .post, headers: .json(language: language), body: ByteBuffer(string: body)
                )
                #expect(response.status == .badRequest, "body \(body)")
                #expect(response.apiError["code"] as? String == "malformed")
                let expected = ServerText.text("error.malformed-body", UILanguage(rawValue: language)!)
                #expect(response.apiError["message"] as? String == expected)
            }
        }
    }

    @Test(arguments: ["ru", "kk"])
    func oversizeBodyIs413(language: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory(), settings: TestServer.settings(maxBody: 4096))
        try await app.test(.router) { client in
            let huge = String(repeating: "ж", count: 5000)
            let response = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(language: language), body: jsonBody(["text": huge])
            )
            #expect(response.status == .contentTooLarge)
            #expect(response.apiError["code"] as? String == "too-large")
            #expect((response.apiError["message"] as? String)?.contains("4096") == true)
        }
    }

    @Test func unsupportedContentTypeIs415() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: question)
            )
            #expect(response.status == .unsupportedMediaType)
            #expect(response.apiError["code"] as? String == "unsupported-media-type")
        }
    }

    @Test(arguments: [("ru", "Слишком много обращений"), ("kk", "өтініш тым көп")])
    func rateLimitIs429WithRetryAfterAndLiftsAfterTheHour(language: String, phrase: String) async throws {
        let clock = ManualClock()
        let app = try TestServer.application(try SQLiteStore.inMemory(), settings: TestServer.settings(rateLimit: 2), clock: clock)
        try await app.test(.router) { client in
            for index in 0..<2 {
                let response = try await client.execute(
                    uri: "/api/v1/questions", method: .post, headers: .json(language: language, client: "192.0.2.7"),
                    body: jsonBody(["text": "\(question) Вопрос номер \(index)"])
                )
                #expect(response.status == .created)
                clock.advance(60)
            }
            let limited = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(language: language, client: "192.0.2.7"),
                body: jsonBody(["text": "\(question) третий"])
            )
            #expect(limited.status == .tooManyRequests)
            #expect(limited.apiError["code"] as? String == "rate-limited")
            #expect((limited.apiError["message"] as? String)?.contains(phrase) == true)
            // The first of the two was 120 s ago: the hour frees a slot in 3480 s.
            #expect(limited.headers[.retryAfter] == "3480")

            // Another client is not affected.
            let other = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(language: language, client: "192.0.2.8"),
                body: jsonBody(["text": "\(question) другой житель"])
            )
            #expect(other.status == .created)

            clock.advance(3480)
            let later = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(language: language, client: "192.0.2.7"),
                body: jsonBody(["text": "\(question) через час"])
            )
            #expect(later.status == .created)
        }
    }

    @Test func sameTextFromSameClientWithinTenMinutesReturnsTheFirstTicket() async throws {
        let clock = ManualClock()
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database, clock: clock)
        try await app.test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": question]))
            #expect(first.status == .created)
            clock.advance(9 * 60)
            // Same text after normalisation (extra spaces), same client: the first ticket, not a new question.
            let again = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": "  " + question.replacingOccurrences(of: " ", with: "   ")])
            )
            #expect(again.status == .ok)
            #expect(again.object["ticket"] as? String == first.object["ticket"] as? String)
            #expect(again.object["duplicate"] as? Bool == true)
            // Another client with the same text is a new question.
            let other = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(client: "10.9.9.9"), body: jsonBody(["text": question]))
            #expect(other.status == .created)
            // After the window the same client gets a new ticket.
            clock.advance(2 * 60)
            let late = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": question]))
            #expect(late.status == .created)
            #expect(late.object["ticket"] as? String != first.object["ticket"] as? String)
            #expect(try await database.countQuestions(status: nil) == 3)
        }
    }

    @Test func honeypotIsRejectedAsAField() async throws {
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(language: "kk"),
                body: jsonBody(["text": question, "website": "http://spam.example"])
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.errorFields["website"] == "бұл өрісті толтырудың қажеті жоқ")
            #expect(try await database.countQuestions(status: nil) == 0)
        }
    }

    @Test func consentIsRequiredOnlyWithPersonalData() async throws {
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database)
        try await app.test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": question]))
            #expect(anonymous.status == .created)
            let withoutConsent = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(["text": question + " 2", "phone": "8 701 123 45 67"])
            )
            #expect(withoutConsent.status == .unprocessableContent)
            #expect(withoutConsent.errorFields.keys.sorted() == ["consent"])
            let withConsent = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(),
                body: jsonBody(["text": question + " 3", "phone": "8 701 123 45 67", "consent": true])
            )
            #expect(withConsent.status == .created)
            let ticket = try #require(withConsent.object["ticket"] as? String)
            let stored = try #require(try await database.question(ticket: ticket))
            #expect(try await database.contact(questionID: stored.id!)?.phone == "+77011234567")
            // Personal data is never echoed back.
            #expect(!withConsent.text.contains("7011234567"))
        }
    }

    @Test func wrongTypesAre422WithFieldNames() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(language: "kk"),
                body: ByteBuffer(string: #"{"text": 12345678901, "street": ["a"], "consent": "yes"}"#)
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.errorFields == ["text": "мән түрі қате", "street": "мән түрі қате", "consent": "мән түрі қате"])
        }
    }

    @Test func iinInTheTextIsMaskedAndNeverEchoed() async throws {
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database)
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(),
                body: jsonBody(["text": "Прошу пересчитать субсидию, мой ИИН 900101300126, ответа нет"])
            )
            #expect(response.status == .created)
            let ticket = try #require(response.object["ticket"] as? String)
            let token = try #require(response.object["token"] as? String)
            let shown = try await client.execute(uri: "/api/v1/questions/\(ticket)?token=\(token)", method: .get)
            #expect(!shown.text.contains("900101300126"))
            #expect((shown.object["text"] as? String)?.contains("[ИИН]") == true)
        }
    }

    @Test func unknownInterfaceLanguageIsNamed() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(language: "kk"),
                body: jsonBody(["text": question, "language": "de"])
            )
            #expect(response.status == .unprocessableContent)
            #expect(response.errorFields == ["language": "тіл ru, kk немесе en болуы керек"])
        }
    }

    @Test func unknownAPIRouteIsJSON404() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/nothing", method: .get, headers: [.acceptLanguage: "kk"])
            #expect(response.status == .notFound)
            #expect(response.apiError["message"] as? String == "Бет табылмады")
        }
    }
}

/// `intake.client_key_secret`: servers that share it derive the same keys, so a duplicate sent to a
/// second server behind the load balancer is recognised (the check itself is in the database).
@Suite struct SharedClientKeyTests {
    @Test func keysUnderASecretAreTheSameInEveryProcessAndRevealNothing() {
        let secret = Secret("a-shared-secret-of-the-city-servers")
        let one = ClientIdentity(address: "203.0.113.7", secret: secret)
        #expect(one.key == ClientIdentity(address: "203.0.113.7", secret: secret).key)
        // A fixed value: the same in any process, on any server sharing the secret.
        #expect(one.key == "6e056d9c5bf8fe3064cdc57be6700bcd")
        #expect(one.key.count == 32)
        #expect(!one.key.contains("203"))
        #expect(one.key != ClientIdentity(address: "203.0.113.8", secret: secret).key)
        #expect(one.key != ClientIdentity(address: "203.0.113.7", secret: Secret("another-secret-of-16-bytes")).key)
        #expect(ClientIdentity.textKey("Нет света", secret: secret) == ClientIdentity.textKey("Нет света", secret: secret))
        #expect(ClientIdentity.textKey("Нет света", secret: secret) == "03ecfd1e0d286f435f9f54cffd20c275")
    }

    @Test func aDuplicateSentToASecondServerSharingTheSecretReturnsTheFirstTicket() async throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.remove() }
        var settings = TestServer.settings()
        settings.intake.clientKeySecret = Secret("a-shared-secret-of-the-city-servers")
        let first = try TestServer.application(temporary.database, settings: settings)
        let second = try TestServer.application(temporary.database, settings: settings)
        let body = ["text": "Во дворе дома 12 на улице Абая третий день не вывозят мусор."]
        let ticket = try await first.test(.router) { client in
            let created = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(body))
            #expect(created.status == .created)
            return created.object["ticket"] as? String
        }
        try await second.test(.router) { client in
            let again = try await client.execute(uri: "/api/v1/questions", method: .post, headers: .json(), body: jsonBody(body))
            #expect(again.object["duplicate"] as? Bool == true)
            #expect(again.object["ticket"] as? String == ticket)
        }
        #expect(try await temporary.database.countQuestions(status: nil) == 1)
    }
}
