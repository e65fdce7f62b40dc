import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// The resident withdraws their contact details from the status page with the question's token.
@Suite("Withdrawal on the status page")
struct WithdrawalPageTests {
    let question = "Во дворе дома 45 по Абая нет детской площадки, когда построят?"

    /// A question with an e-mail contact, submitted through the API: its ticket, token and id.
    func submit(_ client: some TestClientProtocol) async throws -> (ticket: String, token: String) {
        let created = try await client.execute(
            uri: "/api/v1/questions", method: .post, headers: .json(),
            body: jsonBody(["text": question, "email": "aigul@example.kz", "name": "Айгуль", "consent": true]))
        #expect(created.status == .created)
        return (try #require(created.object["ticket"] as? String), try #require(created.object["token"] as? String))
    }

    @Test(arguments: [
        ("ru", "Удалить контактные данные", "Контактные данные удалены", "удалены. Вопрос остаётся анонимным"),
        ("kk", "Байланыс деректерін жою", "Байланыс деректері жойылды", "байланыс деректеріңіз жойылды"),
        ("en", "Erase my contact details", "Contact details erased", "were erased. The question stays, anonymous"),
    ])
    func theStatusPageOffersWithdrawalAndErasesTheContact(language: String, button: String, heading: String, line: String)
        async throws
    {
        let temporary = try TemporaryDatabase()
        defer { temporary.remove() }
        let clock = ManualClock()
        let app = try TestServer.application(temporary.database, clock: clock)
        try await app.test(.router) { client in
            let (ticket, token) = try await submit(client)
            let id = try #require(Ticket.id(from: ticket))
            let page = try await client.execute(uri: "/questions/\(ticket)?token=\(token)&lang=\(language)", method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("action=\"/questions/\(ticket)/withdraw?lang=\(language)\""))
            #expect(page.text.contains("name=\"token\" value=\"\(token)\""))
            #expect(page.text.contains(button))

            let withdrawn = try await client.execute(
                uri: "/questions/\(ticket)/withdraw?lang=\(language)", method: .post, headers: .form(language: language),
                body: formBody([("token", token), ("confirm", "yes")]))
            #expect(withdrawn.status == .ok)
            #expect(withdrawn.text.contains(heading) && withdrawn.text.contains(line) && withdrawn.text.contains(ticket))
            #expect(withdrawn.headers[.cacheControl] == "no-store")

            #expect(try await temporary.database.contact(questionID: id) == nil)
            #expect(try await temporary.database.question(id: id)?.text == question)
            let events = try await temporary.database.auditEvents(subject: "question:\(id)", limit: 10)
            let erase = try #require(events.first { $0.action == "asker.erase" })
            #expect(erase.actor == "resident" && erase.at == clock.now)
            #expect(erase.details.hasPrefix("withdrawn by the resident on the status page; contacts 1"))
            #expect(!erase.details.contains("aigul") && !erase.details.contains("Айгуль"))

            // Nothing left to withdraw: the form is gone, and a second post says so plainly.
            let after = try await client.execute(uri: "/questions/\(ticket)?token=\(token)&lang=\(language)", method: .get)
            #expect(after.status == .ok && !after.text.contains("/withdraw"))
            let again = try await client.execute(
                uri: "/questions/\(ticket)/withdraw?lang=\(language)", method: .post, headers: .form(language: language),
                body: formBody([("token", token), ("confirm", "yes")]))
            #expect(again.status == .ok && !again.text.contains(heading))
        }
    }

    @Test(arguments: [
        ("ru", "Вопрос не найден", "Подтвердите удаление"),
        ("kk", "Сұрақ табылмады", "Жоюды растаңыз"),
        ("en", "Question not found", "Confirm the erasure"),
    ])
    func aBadOrMissingTokenOrConfirmationIsAClearLocalisedErrorAndErasesNothing(
        language: String, notFound: String, unconfirmed: String
    ) async throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.remove() }
        let app = try TestServer.application(temporary.database)
        try await app.test(.router) { client in
            let (ticket, token) = try await submit(client)
            let id = try #require(Ticket.id(from: ticket))
            func post(_ path: String, _ body: ByteBuffer, contentType: String = "application/x-www-form-urlencoded") async throws
                -> TestResponse
            {
                try await client.execute(
                    uri: path + "?lang=\(language)", method: .post, headers: [.contentType: contentType], body: body)
            }
            let cases: [(String, ByteBuffer, HTTPResponse.Status, String)] = [
                ("/questions/\(ticket)/withdraw", formBody([("token", "deadbeef"), ("confirm", "yes")]), .notFound, notFound),
                ("/questions/\(ticket)/withdraw", formBody([("confirm", "yes")]), .notFound, notFound),
                ("/questions/\(ticket)/withdraw", formBody([("token", ""), ("confirm", "yes")]), .notFound, notFound),
                ("/questions/TRK-2026-999999/withdraw", formBody([("token", token), ("confirm", "yes")]), .notFound, notFound),
                ("/questions/not-a-ticket/withdraw", formBody([("token", token), ("confirm", "yes")]), .notFound, notFound),
                ("/questions/\(ticket)/withdraw", formBody([("token", token)]), .unprocessableContent, unconfirmed),
                ("/questions/\(ticket)/withdraw", formBody([("token", token), ("confirm", "no")]), .unprocessableContent, unconfirmed),
            ]
            for (path, body, status, message) in cases {
                let response = try await post(path, body)
                #expect(response.status == status, "\(path)")
                #expect(response.text.contains(message), "\(path): \(response.text.prefix(300))")
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            }
            // Broken bodies are refused as such, never a 500.
            let broken = try await post("/questions/\(ticket)/withdraw", ByteBuffer(string: "token=%zz&confirm=yes"))
            #expect(broken.status == .badRequest)
            let tooBig = try await post(
                "/questions/\(ticket)/withdraw", ByteBuffer(string: "token=" + String(repeating: "a", count: 10_000)))
            #expect(tooBig.status == .contentTooLarge)
            let wrongType = try await post("/questions/\(ticket)/withdraw", ByteBuffer(string: "<x/>"), contentType: "text/xml")
            #expect(wrongType.status == .unsupportedMediaType)
            // A GET on the action is no way in either.
            let get = try await client.execute(uri: "/questions/\(ticket)/withdraw?token=\(token)", method: .get)
            #expect(get.status != .ok && get.status != .internalServerError)

            #expect(try await temporary.database.contact(questionID: id)?.email == "aigul@example.kz")
            let events = try await temporary.database.auditEvents(subject: "question:\(id)", limit: 10)
            #expect(!events.contains { $0.action == "asker.erase" })
        }
    }
}
