import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

@Suite("Real server on a loopback port")
struct LiveServerTests {
    @Test func submitsOverRealHTTPAndTheQuestionIsInTheFileAfterShutdown() async throws {
        let temporary = try TemporaryDatabase()
        defer { temporary.remove() }
        let app = try buildApplication(
            TestServer.settings(rateLimit: 10), database: temporary.database, logger: TestServer.quietLogger, now: { Date() }
        )
        let ticket = try await app.test(.live) { client in
            #expect(client.port != nil && client.port != 0)
            let created = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: [.contentType: "application/json", .acceptLanguage: "kk"],
                body: jsonBody(["text": "Біздің көшеде аялдама жоқ, балалар мектепке жаяу барады"])
            )
            #expect(created.status == .created)
            let ticket = try #require(created.object["ticket"] as? String)
            let token = try #require(created.object["token"] as? String)
            let page = try await client.execute(uri: "/questions/\(ticket)?token=\(token)", method: .get, headers: [.acceptLanguage: "kk"])
            #expect(page.status == .ok)
            #expect(page.text.contains("аялдама жоқ"))
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            return ticket
        }
        // After graceful shutdown the database was checkpointed: a fresh connection sees the question.
        let reopened = try SQLiteStore.open(path: temporary.path)
        let stored = try await reopened.question(ticket: ticket)
        #expect(stored?.language == .kk)
        #expect(stored?.status == .acknowledged)
    }
}
