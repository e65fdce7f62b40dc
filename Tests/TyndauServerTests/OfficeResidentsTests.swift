import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// The console's residents' personal data page: find by ticket, e-mail, phone or Telegram, erase on
/// request with a ticked confirmation — admins only, form posts only, contact values never shown.
@Suite("Office console: residents' personal data")
struct OfficeResidentsTests {
    static func stored(_ database: SQLiteStore, _ text: String, contact: AskerContact, at now: Date) async throws -> Question {
        try await database.insert(NewQuestion(
            question: Question(text: text, language: .ru, category: .improvement, street: "Жансугурова", channel: .web, submittedAt: now),
            contact: contact))
    }

    @Test func adminFindsAndErasesAPersonAndTheirQuestionsStay() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "boss", .admin, at: clock.now)
        let first = try await Self.stored(
            database, "Не горят фонари на Жансугурова 45, очень темно", contact: AskerContact(name: "Айгерим", email: "aigerim@example.kz"),
            at: clock.now)
        let second = try await Self.stored(
            database, "Во дворе дома 12 не вывозят мусор вторую неделю", contact: AskerContact(email: "Aigerim@Example.kz", telegramUsername: "aigerim_k"),
            at: clock.now)
        let other = try await Self.stored(
            database, "Когда отремонтируют дорогу на улице Абая у школы", contact: AskerContact(phone: "+77011234567"), at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let admin = try await Office.signIn(client, "boss")
            let page = try await admin.get(client, "/office/residents")
            #expect(page.status == .ok)
            #expect(page.text.contains("name=\"person\""))

            // Found by e-mail, whatever its case: both questions, by ticket; the values are not echoed back but the one typed.
            let found = try await admin.post(client, "/office/residents", [("person", "email"), ("value", " AIGERIM@example.kz ")])
            #expect(found.status == .ok)
            #expect(found.text.contains(try #require(first.ticket)))
            #expect(found.text.contains(try #require(second.ticket)))
            #expect(!found.text.contains(try #require(other.ticket)))
            #expect(!found.text.contains("Айгерим"))
            #expect(!found.text.contains("aigerim_k"))
            #expect(found.text.contains("Questions: 2; contacts: 2"))

            // Erasure needs the box ticked.
            let unconfirmed = try await admin.post(client, "/office/residents/forget", [("person", "email"), ("value", "aigerim@example.kz")])
            #expect(unconfirmed.status == .unprocessableContent)
            #expect(try await database.contact(questionID: try #require(first.id)) != nil)

            let erased = try await admin.post(
                client, "/office/residents/forget", [("person", "email"), ("value", "aigerim@example.kz"), ("confirm", "yes")])
            #expect(erased.status == .ok)
            #expect(erased.text.contains("Erased: contacts 2"))
            #expect(try await database.contact(questionID: try #require(first.id)) == nil)
            #expect(try await database.contact(questionID: try #require(second.id)) == nil)
            #expect(try await database.contact(questionID: try #require(other.id)) != nil)
            #expect(try await database.question(id: try #require(first.id))?.text == first.text)
            let audit = try await database.auditEvents(subject: nil, limit: 50)
            #expect(audit.contains { $0.actor == "office:boss" && $0.action.hasPrefix("asker.erase") })
            #expect(!audit.contains { $0.details.lowercased().contains("aigerim") || $0.subject.lowercased().contains("aigerim") })

            let again = try await admin.post(
                client, "/office/residents/forget", [("person", "email"), ("value", "aigerim@example.kz"), ("confirm", "yes")])
            #expect(again.text.contains("Nothing to erase"))
        }
    }

    @Test func badKeysAreNamedInTheUsersLanguageAndOperatorsAreRefused() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "boss", .admin, at: clock.now)
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let admin = try await Office.signIn(client, "boss")
            for (person, value, reason) in [
                ("email", "not-an-address", "адрес"), ("phone", "12", "телефон"), ("ticket", "T-1", "номер обращения"),
                ("telegram", "@x", "Telegram"), ("passport", "123", "Что известно"),
            ] {
                let response = try await admin.post(client, "/office/residents", [("person", person), ("value", value)], language: "ru")
                #expect(response.status == .unprocessableContent, "\(person)")
                #expect(response.text.contains(reason), "\(person): \(reason)")
            }
            let unknownTicket = try await admin.post(client, "/office/residents", [("person", "ticket"), ("value", "TRK-2026-999999")])
            #expect(unknownTicket.status == .notFound)

            let operatorBrowser = try await Office.signIn(client, "aigerim", ip: "10.0.0.12")
            #expect(try await operatorBrowser.get(client, "/office/residents").status == .forbidden)
            let post = try await operatorBrowser.post(client, "/office/residents", [("person", "email"), ("value", "a@b.kz")])
            #expect(post.status == .forbidden)
            #expect(!(try await operatorBrowser.get(client, "/office/inbox")).text.contains("/office/residents"))
        }
    }
}
