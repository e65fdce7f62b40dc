import AgendaScheduler
import Foundation
import Logging
import LoopbackServers
import Publisher
import QuestionCollection
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite
@testable import TyndauCLI

@Suite struct OutboxAcknowledgementTests {
    @Test func residentWithAnEmailGetsOneAcknowledgementThroughResidentEndpoints() async throws {
        let database = try SQLiteStore.inMemory()
        let endpoints = [
            try EndpointDefinition(name: "residents-mail", url: "mailto://smtp.example.kz?to=office@example.kz", tags: ["residents"]),
            try EndpointDefinition(name: "public-mail", url: "mailto://smtp.example.kz?to=news@example.kz", tags: ["public"]),
        ]
        try await database.syncEndpoints(endpoints.map(\.endpoint))
        let acknowledgements = OutboxAcknowledgements(
            endpoints: endpoints, noticeTags: ["residents"], publicURL: "https://tyndau.example.kz/"
        )
        let intake = QuestionIntake(store: database, settings: IntakeSettings(rateLimitPerHour: 0), acknowledgements: acknowledgements, now: { Date() })
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let client = ClientIdentity(address: "192.0.2.4")

        let withEmail = Submission(text: "Когда отремонтируют крышу школы 120? Течёт уже месяц.", email: "aigerim@example.kz", consent: true, channel: .web, language: .kk)
        let receipt = try await intake.submit(withEmail, honeypot: nil, client: client, logger: logger)
        _ = try await intake.submit(withEmail, honeypot: nil, client: client, logger: logger)
        let anonymous = Submission(text: "Во дворе Сатпаева 30 не горят фонари", channel: .web)
        _ = try await intake.submit(anonymous, honeypot: nil, client: client, logger: logger)

        let deliveries = try await database.deliveries(status: nil, limit: 10)
        #expect(deliveries.count == 1)
        let delivery = try #require(deliveries.first)
        let ticket = try #require(receipt.question.ticket)
        #expect(delivery.endpointName == "residents-mail")
        #expect(delivery.messageKey == "ack:q\(receipt.question.id!)")
        #expect(delivery.body.contains(ticket))
        #expect(delivery.body.contains("https://tyndau.example.kz/questions/\(ticket)?token=\(receipt.question.accessToken)"))
        #expect(delivery.body.contains("қабылданды"))
        // The address itself is looked up when the message is sent, never copied into the outbox.
        #expect(!delivery.body.contains("aigerim"))
    }

    /// The acknowledgement says when the answer comes, in the resident's language, with the receipt's
    /// wording — checked in the message the SMTP server received from the delivery worker.
    @Test func theAcknowledgementMailNamesTheCandidateMeetingAndTheWrittenAnswerDate() async throws {
        let database = try SQLiteStore.inMemory()
        let mail = try LoopbackSMTPServer()
        defer { mail.stop() }
        let endpoints = [
            try EndpointDefinition(
                name: "residents-mail", url: "mailto://127.0.0.1:\(mail.port)?from=akimat@example.kz", tags: ["residents"], local: true)
        ]
        try await database.syncEndpoints(endpoints.map(\.endpoint))
        // Tuesday 1 December 2026, 10:00 in Almaty: before Wednesday's cut-off of Thursday's meeting.
        let tuesday = ISODate.parse("2026-12-01T10:00:00+05:00")!
        let acknowledgements = OutboxAcknowledgements(
            endpoints: endpoints, noticeTags: ["residents"], publicURL: "https://tyndau.example.kz",
            series: SeriesInEffect(configured: SeriesSettings(), store: database), now: { tuesday })
        let intake = QuestionIntake(
            store: database, settings: IntakeSettings(rateLimitPerHour: 0), acknowledgements: acknowledgements, now: { tuesday })
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let submission = Submission(
            text: "Аулада балалар алаңы жоқ, қашан салынады? Абай 45", email: "aigerim@example.kz", consent: true, channel: .web,
            language: .kk)
        let receipt = try await intake.submit(submission, honeypot: nil, client: ClientIdentity(address: "192.0.2.9"), logger: logger)

        let worker = DeliveryWorker(store: database, client: workerTestClient, endpoints: endpoints, now: { tuesday }, logger: logger)
        try await worker.drain()
        let message = try #require(mail.messages.first)
        #expect(message.recipients == ["aigerim@example.kz"])
        let expected = ReceiptTimeframe(submittedAt: tuesday, settings: SeriesSettings()).lines(.kk)
        #expect(expected.count == 2)
        let decoded = Self.decodedBody(message.data)
        for line in expected { #expect(decoded.contains(line)) }
        #expect(decoded.contains("03.12.2026 15:00 (Asia/Almaty)") && decoded.contains("23.12.2026"))
        #expect(decoded.contains(receipt.question.ticket!))
    }

    /// The text of a received message: base64 or quoted-printable parts decoded, headers kept.
    static func decodedBody(_ data: String) -> String {
        let lines = data.replacingOccurrences(of: "\r\n", with: "\n")
        var text = lines
        for block in lines.components(separatedBy: "\n\n") {
            let joined = block.replacingOccurrences(of: "\n", with: "").trimmingCharacters(in: .whitespaces)
            if let decoded = Data(base64Encoded: joined).flatMap({ String(data: $0, encoding: .utf8) }) { text += "\n" + decoded }
        }
        return text
    }
}
