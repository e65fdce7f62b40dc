import AgendaScheduler
import Foundation
import HTTPClient
import LoopbackServers
import Publisher
import Testing
import TyndauCore
import TyndauSQLite
import TyndauTestSupport
@testable import TyndauCLI

/// The whole loop on the real `tyndau serve` process and a real SQLite file: residents submit over
/// HTTP, the office groups, builds the agenda, answers through the office API, closes the meeting;
/// the server's own worker posts the digest to a signed webhook and mails the asker who left an e-mail.
@Suite struct EndToEndTests {
    static let client = CurlClient()

    static func request(_ method: TransferRequest.Method, _ url: String, json: [String: Any]? = nil, token: String? = nil) async -> TransferResponse {
        var headers = ["Content-Type: application/json", "Accept-Language: ru"]
        if let token { headers.append("Authorization: Bearer \(token)") }
        let body = json.map { Array((try? JSONSerialization.data(withJSONObject: $0)) ?? Data()) } ?? []
        return await client.perform(TransferRequest(method: method, url: url, headers: headers, body: body, allowLocal: true))
    }

    /// Polls `condition` every 100 ms for up to `seconds`.
    static func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test func questionsSubmittedOverHTTPEndInAPostedDigestAndAMailedNotice() async throws {
        let smtp = try SMTPSink()
        defer { smtp.stop() }
        let received = ReceivedRequests()
        let hook = try LoopbackHTTPServer { request in
            received.append(request)
            return .init(status: 204)
        }
        defer { hook.stop() }
        let port = try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secret = "whsec_" + Data("end-to-end-signing-key".utf8).base64EncodedString()
        let token = "office-token-0123456789abcdef"
        let config = folder.appendingPathComponent("tyndau.yaml").path
        try """
            server: {port: \(port), public_url: "http://127.0.0.1:\(port)", office_token: "${E2E_OFFICE_TOKEN}"}
            intake: {rate_limit_per_hour: 0}
            publisher: {poll_seconds: 0.2}
            endpoints:
              - {name: city-webhook, url: "json://127.0.0.1:\(hook.port)/hooks/tyndau", tags: [public], local: true, secrets: ["${E2E_WHSEC}"]}
              - {name: residents-mail, url: "mailto://127.0.0.1:\(smtp.port)?from=akimat@example.kz", tags: [residents], local: true}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("tyndau.sqlite").path
        let (server, _) = try TyndauProcess.start(
            ["serve", "--config", config, "--db", db], environment: ["E2E_OFFICE_TOKEN": token, "E2E_WHSEC": secret]
        )
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(port)"
        let up = try await Self.eventually(20) { await Self.request(.get, base + "/health").status == 200 }
        #expect(up)

        // Residents submit: two about the same dark street (one leaves an e-mail), one about water.
        let submissions: [[String: Any]] = [
            ["text": "Когда установят фонари на улице Момышулы возле дома 12? Вечером очень темно.",
             "name": "Айгуль", "email": "aigul@example.kz", "consent": true],
            ["text": "Момышұлы көшесінде жарық жоқ, кешке қараңғы, шам орнатыңыздар."],
            ["text": "В микрорайоне Саялы третий день нет воды, когда дадут?"],
        ]
        for submission in submissions {
            let created = await Self.request(.post, base + "/api/v1/questions", json: submission)
            #expect(created.status == 201, "\(created.bodyText)")
        }

        // The office groups and builds the agenda of the next meeting (the clock set before its cut-off).
        let (grouped, groupOutput) = try TyndauProcess.run(["topics", "group", "--db", db], errors: true)
        #expect(grouped == 0, "\(groupOutput)")
        let database = try SQLiteStore.open(path: db)
        let series = MeetingSeries()
        let week = MeetingCalendar(series: series).nextMeeting(after: Date()).adding(weeks: 1)
        let result = try await AgendaWorkflow.build(
            week: week, settings: SeriesSettings(series: series), database: database,
            now: MeetingCalendar(series: series).cutoff(of: week).addingTimeInterval(-60), outputFolder: folder.path
        )
        let lighting = try #require(result.agenda.topics.first(where: { $0.reasons.askers == 2 }))

        // The secretary answers through the office API; a request without the token is refused.
        let url = base + "/api/v1/meetings/\(week)/items/\(lighting.position)/answer"
        let answer: [String: Any] = [
            "text": "Установим 24 опоры освещения до 31 марта.", "status": "commitment",
            "responsible": "Отдел ЖКХ района", "due": "2027-03-31",
        ]
        #expect(await Self.request(.put, url, json: answer).status == 401)
        let recorded = await Self.request(.put, url, json: answer, token: token)
        #expect(recorded.status == 200, "\(recorded.bodyText)")
        #expect((recorded.jsonObject?["askers"] as? Int) == 2)

        // The meeting ends and is closed; the server's worker does the rest on its own.
        let meeting = try #require(try await database.meeting(week: week))
        _ = try await database.closeMeeting(week: week, actor: "test:secretary", now: meeting.endsAt)
        let delivered = try await Self.eventually(30) {
            let mails = try smtp.messages()
            return !received.all.isEmpty && !mails.isEmpty
        }
        #expect(delivered)

        let digest = try #require(received.all.first)
        let id = try #require(digest.headers["webhook-id"])
        let timestamp = try #require(digest.headers["webhook-timestamp"].flatMap(Int.init))
        let signature = try StandardWebhookSigner(secrets: [secret]).signature(id: id, timestamp: timestamp, body: digest.body)
        let signatures = (digest.headers["webhook-signature"] ?? "").split(separator: " ").map(String.init)
        #expect(signatures.contains(signature))
        #expect(digest.bodyText.contains("Установим 24 опоры освещения до 31 марта."))
        #expect(!digest.bodyText.contains("aigul@example.kz") && !digest.bodyText.contains("Айгуль"))

        // She got the acknowledgement at submission and now the answer; the others left no e-mail.
        let noticed = try await Self.eventually(30) { try smtp.messages().count >= 2 }
        #expect(noticed)
        let mails = try smtp.messages()
        #expect(mails.count == 2)
        #expect(mails.allSatisfy { $0.contains("X-Envelope-To: aigul@example.kz") })
        let bodies = mails.map { DemoCommand.mailBody($0) }
        #expect(bodies.contains { $0.contains("Установим 24 опоры освещения до 31 марта.") && $0.contains("Отдел ЖКХ района") })
    }
}

extension LoopbackHTTPServer {
    /// A free loopback port: bound, read, released.
    func portThenStop() -> Int {
        stop()
        return port
    }
}
