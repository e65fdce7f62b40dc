import Foundation
import Logging
import QuestionCollection
import Synchronization
import Testing
import TyndauCore
import TyndauServer
import TyndauStorage

/// An outbox that keeps what it was given: the publisher's real one does not exist yet, and the
/// intake's promise is only "call it for new questions with a contact, in the asker's language".
final class CollectingOutbox: AcknowledgementOutbox {
    let queued = Mutex<[(String, UILanguage)]>([])

    func enqueueAcknowledgement(for question: Question, language: UILanguage) async throws {
        queued.withLock { $0.append((question.ticket ?? "", language)) }
    }
}

@Suite struct AcknowledgementTests {
    @Test func acknowledgementIsQueuedOnlyForNewQuestionsWithAContact() async throws {
        let database = try AppDatabase.inMemory()
        let outbox = CollectingOutbox()
        let intake = QuestionIntake(store: database, settings: IntakeSettings(rateLimitPerHour: 0), acknowledgements: outbox)
        let client = ClientIdentity(address: "192.0.2.1")
        let logger = TestServer.quietLogger

        let anonymous = Submission(text: "Аулада жарық жоқ, қашан жөндейсіздер?", channel: .web, language: .kk)
        _ = try await intake.submit(anonymous, honeypot: nil, client: client, logger: logger)
        let withContact = Submission(text: "Біздің көшеде жол жөндеу керек, шұңқыр көп", telegram: "@erlan_almaty", consent: true, channel: .web, language: .kk)
        let receipt = try await intake.submit(withContact, honeypot: nil, client: client, logger: logger)
        let again = try await intake.submit(withContact, honeypot: nil, client: client, logger: logger)
        #expect(again.isDuplicate)

        let queued = outbox.queued.withLock { $0 }
        #expect(queued.count == 1)
        #expect(queued.first?.0 == receipt.question.ticket)
        #expect(queued.first?.1 == .kk)
    }
}
