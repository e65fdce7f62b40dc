import Foundation
import Logging
import Publisher
import QuestionCollection
import Testing
import TyndauCore
import TyndauServer
import TyndauStorage
@testable import TyndauCLI

@Suite struct OutboxAcknowledgementTests {
    @Test func residentWithAnEmailGetsOneAcknowledgementThroughResidentEndpoints() async throws {
        let database = try AppDatabase.inMemory()
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
}
