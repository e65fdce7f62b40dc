import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// "Me too" on the resident pages: the form's second step shows unanswered topics like the question
/// (scrubbed titles) before anything is stored; joining counts a resident once; the status page shows
/// the timeline and lets a waiting question join a topic.
@Suite("Me too on the resident pages")
struct MeTooPagesTests {
    static let text = "Фонари на улице Терехина не горят уже неделю, когда починят?"
    static let now = ISODate.parse("2026-12-01T10:00:00+05:00")!

    /// A topic of two residents about the lamps on Terekhin St; its title carries a phone number that
    /// must never reach a resident page.
    static func lampsTopic(_ database: SQLiteStore) async throws -> Topic.ID {
        var ids: [Question.ID] = []
        for email in ["a@example.kz", "b@example.kz"] {
            let question = try await database.insert(NewQuestion(
                question: Question(text: text, language: .ru, channel: .web, submittedAt: now.addingTimeInterval(-3600)),
                contact: AskerContact(email: email, consent: true)))
            ids.append(try #require(question.id))
        }
        let facts = TopicFacts(
            representativeQuestionID: ids[0], title: text + " Тел. 8 701 123 45 67", category: .improvement, placeKey: nil,
            place: nil, conceptKey: "lighting", reason: "lighting")
        return try await database.saveGrouping([TopicAssignment(topicID: nil, questionIDs: ids, facts: facts)], actor: "grouper", now: now)[0]
    }

    static func statusLink(_ page: String) throws -> String {
        let range = try #require(page.range(of: #"/questions/TRK-[0-9-]+\?token=[0-9a-f]+"#, options: .regularExpression))
        return String(page[range])
    }

    @Test func theFormsSecondStepOffersSimilarTopicsAndAJoinCountsOnce() async throws {
        let database = try SQLiteStore.inMemory()
        let topic = try await Self.lampsTopic(database)
        let app = try TestServer.application(database, clock: ManualClock(Self.now))
        let fields = [("text", Self.text + " Уже темно в 18:00."), ("email", "c@example.kz"), ("consent", "yes")]
        try await app.test(.router) { client in
            // Step two: nothing stored yet, the open topic shown with its residents and a scrubbed title.
            let step = try await client.execute(uri: "/questions?lang=en", method: .post, headers: .form(language: "en"), body: formBody(fields))
            #expect(step.status == .ok)
            #expect(step.text.contains("Residents have already asked something similar"))
            #expect(step.text.contains("residents with this question: 2"))
            #expect(step.text.contains(#"name="join" value="\#(topic)""#))
            #expect(step.text.contains(#"<input type="hidden" name="email" value="c@example.kz">"#))
            #expect(!step.text.contains("123 45 67"))
            #expect(try await database.countQuestions(status: nil) == 2)

            // Join: stored, in the topic, counted.
            let joined = try await client.execute(
                uri: "/questions?lang=en", method: .post, headers: .form(language: "en"), body: formBody(fields + [("join", String(topic))]))
            #expect(joined.status == .created)
            #expect(joined.text.contains("You joined the topic. Residents with this question now: 3."))
            #expect(try await database.countQuestions(status: nil) == 3)
            let ticket = try #require(joined.text.firstMatch(of: /TRK-\d{4}-\d{6}/).map { String($0.output) })
            let id = try #require(Ticket.id(from: ticket))
            let question = try #require(try await database.question(id: id))
            #expect(question.topicID == topic)

            // The same contact joins again (another text): counted once, nothing stored.
            let again = try await client.execute(
                uri: "/questions?lang=en", method: .post, headers: .form(language: "en"),
                body: formBody([("text", "Терехина: фонари так и не горят, сколько ждать?"), ("email", "C@example.kz"), ("consent", "yes"), ("join", String(topic))]))
            #expect(again.status == .ok)
            #expect(again.text.contains("Your voice is already counted in this topic"))
            #expect(try await database.countQuestions(status: nil) == 3)
            #expect(try await database.topicOverview(id: topic)?.summary.askers == 3)

            // "Send my question anyway" files it on its own, even with a topic still selected.
            let filed = try await client.execute(
                uri: "/questions?lang=en", method: .post, headers: .form(language: "en"),
                body: formBody([("text", Self.text + " Двор 7."), ("join", String(topic)), ("step", "file")]))
            #expect(filed.status == .created)
            #expect(!filed.text.contains("You joined"))
            #expect(try await database.countQuestions(status: nil) == 4)
            #expect(try await database.topicOverview(id: topic)?.summary.askers == 3)
        }
    }

    @Test func aQuestionLikeNoOpenTopicIsStoredAtOnce() async throws {
        let database = try SQLiteStore.inMemory()
        _ = try await Self.lampsTopic(database)
        let app = try TestServer.application(database, clock: ManualClock(Self.now))
        try await app.test(.router) { client in
            let receipt = try await client.execute(
                uri: "/questions?lang=ru", method: .post, headers: .form(),
                body: formBody([("text", "В школе 120 течёт крыша в спортзале, когда отремонтируют?")]))
            #expect(receipt.status == .created)
        }
    }

    @Test func theStatusPageShowsTheTimelineAndJoinsAWaitingQuestion() async throws {
        let database = try SQLiteStore.inMemory()
        let topic = try await Self.lampsTopic(database)
        let clock = ManualClock(Self.now)
        let app = try TestServer.application(database, clock: clock)
        try await app.test(.router) { client in
            let receipt = try await client.execute(
                uri: "/questions?lang=en", method: .post, headers: .form(language: "en"),
                body: formBody([("text", Self.text + " Дом 12."), ("step", "file")]))
            #expect(receipt.status == .created)
            let link = try Self.statusLink(receipt.text)
            let waiting = try await client.execute(uri: link + "&lang=en", method: .get)
            #expect(waiting.text.contains("Received and registered: 01.12.2026 10:00"))
            #expect(!waiting.text.contains("Looked at by the office"))
            #expect(waiting.text.contains("a candidate for the agenda of the meeting on 03.12.2026 15:00 (Asia/Almaty)"))
            #expect(waiting.text.contains("Similar open topics"))
            #expect(waiting.text.contains("residents with this question: 2"))
            #expect(!waiting.text.contains("123 45 67"))

            let token = try #require(link.split(separator: "=").last.map(String.init))
            let ticket = try #require(link.firstMatch(of: /TRK-\d{4}-\d{6}/).map { String($0.output) })
            // A wrong token joins nothing.
            let forged = try await client.execute(
                uri: "/questions/\(ticket)/join?lang=en", method: .post, headers: .form(language: "en"),
                body: formBody([("token", "0000"), ("topic", String(topic))]))
            #expect(forged.status == .notFound)
            let join = try await client.execute(
                uri: "/questions/\(ticket)/join?lang=en", method: .post, headers: .form(language: "en"),
                body: formBody([("token", token), ("topic", String(topic))]))
            #expect(join.status == .seeOther)
            let location = try #require(join.headers[.location])
            #expect(location.hasSuffix("&lang=en&joined=join"))
            let joined = try await client.execute(uri: location, method: .get)
            #expect(joined.text.contains("You joined the topic. Residents with this question now: 3."))
            #expect(joined.text.contains("Topic: «Фонари на улице Терехина не горят уже неделю, когда починят? Тел. [***]» — residents with this question: 3"))
            #expect(!joined.text.contains("Similar open topics"))

            // The same link again: counted once.
            let again = try await client.execute(
                uri: "/questions/\(ticket)/join?lang=en", method: .post, headers: .form(language: "en"),
                body: formBody([("token", token), ("topic", String(topic))]))
            #expect(again.headers[.location]?.hasSuffix("joined=already-counted") == true)
            #expect(try await database.topicOverview(id: topic)?.summary.askers == 3)

            // The office triages it: the timeline says when.
            clock.advance(1800)
            let id = try #require(Ticket.id(from: ticket))
            _ = try await database.updateStatus(questionID: id, to: .grouped, reason: nil, actor: "office", now: Date())
            let triaged = try await client.execute(uri: link + "&lang=en", method: .get)
            #expect(triaged.text.contains("Looked at by the office: "))
        }
    }

    @Test func joinsFromStatusPagesAreRateLimitedPerClient() async throws {
        let database = try SQLiteStore.inMemory()
        let topic = try await Self.lampsTopic(database)
        // One submission an hour per client: the second question comes from another address.
        let app = try TestServer.application(database, settings: TestServer.settings(rateLimit: 1), clock: ManualClock(Self.now))
        try await app.test(.router) { client in
            var links: [String] = []
            for address in ["10.0.0.7", "10.0.0.8"] {
                let receipt = try await client.execute(
                    uri: "/questions?lang=en", method: .post, headers: .form(language: "en", client: address),
                    body: formBody([("text", Self.text + " Адрес \(address)."), ("step", "file")]))
                #expect(receipt.status == .created)
                links.append(try Self.statusLink(receipt.text))
            }
            var statuses: [Int] = []
            for link in links {
                let ticket = try #require(link.firstMatch(of: /TRK-\d{4}-\d{6}/).map { String($0.output) })
                let token = try #require(link.split(separator: "=").last.map(String.init))
                let join = try await client.execute(
                    uri: "/questions/\(ticket)/join?lang=en", method: .post, headers: .form(language: "en", client: "10.0.0.9"),
                    body: formBody([("token", token), ("topic", String(topic))]))
                statuses.append(join.status.code)
                if join.status == .tooManyRequests { #expect(join.headers[.retryAfter] != nil) }
            }
            #expect(statuses == [303, 429])
            #expect(try await database.topicOverview(id: topic)?.summary.askers == 3)
        }
    }
}
