import Foundation
import Logging
import QuestionCollection
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// An outbox routing every acknowledgement to one endpoint, with the language in the message: the
/// intake's promise is "for new questions with a contact, in the asker's language, in the question's
/// own transaction". (The CLI's ``OutboxAcknowledgements`` adds the real routing and wording.)
struct OneEndpointOutbox: AcknowledgementOutbox {
    func acknowledgement(for newQuestion: NewQuestion, language: UILanguage) -> IntakeAcknowledgement? {
        guard let contact = newQuestion.contact, !contact.isEmpty else { return nil }
        return IntakeAcknowledgement(endpointNames: ["residents"]) { question in
            OutgoingMessage(
                messageKey: "ack:q\(question.id ?? 0)", body: "received \(question.ticket ?? "")", language: language,
                recipientQuestionID: question.id)
        }
    }
}

@Suite struct AcknowledgementTests {
    @Test func acknowledgementIsQueuedWithTheQuestionOnlyForNewQuestionsWithAContact() async throws {
        let database = try SQLiteStore.inMemory()
        let intake = QuestionIntake(store: database, settings: IntakeSettings(rateLimitPerHour: 0), acknowledgements: OneEndpointOutbox(), now: { Date() })
        let client = ClientIdentity(address: "192.0.2.1")
        let logger = TestServer.quietLogger

        let anonymous = Submission(text: "Аулада жарық жоқ, қашан жөндейсіздер?", channel: .web, language: .kk)
        _ = try await intake.submit(anonymous, honeypot: nil, client: client, logger: logger)
        let withContact = Submission(text: "Біздің көшеде жол жөндеу керек, шұңқыр көп", email: "erlan@example.kz", consent: true, channel: .web, language: .kk)
        let receipt = try await intake.submit(withContact, honeypot: nil, client: client, logger: logger)
        let again = try await intake.submit(withContact, honeypot: nil, client: client, logger: logger)
        #expect(again.isDuplicate)

        let queued = try await database.deliveries(status: nil, limit: 10)
        #expect(queued.count == 1)
        #expect(queued.first?.messageKey == "ack:q\(receipt.question.id!)")
        #expect(queued.first?.body == "received \(receipt.question.ticket!)")
        #expect(queued.first?.language == .kk)
    }
}
