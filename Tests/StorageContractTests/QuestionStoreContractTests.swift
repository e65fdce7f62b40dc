import Foundation
import Testing
import TyndauCore

/// `QuestionStore` and `AuditLog`: questions, tickets, the asker's personal data apart, the lifecycle.
@Suite struct QuestionStoreContractTests {
    @Test(arguments: StoreFactory.all)
    func storesAQuestionWithItsTicketAndTheContactApart(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let stored = try await store.insert(Fixture.newQuestion())
            let id = try #require(stored.id)
            #expect(stored.ticket == Ticket.make(id: id, submittedAt: stored.submittedAt))
            #expect(stored.status == .received)

            let fetched = try #require(try await store.question(id: id))
            #expect(fetched.text == stored.text && fetched.ticket == stored.ticket && fetched.submittedAt == Fixture.now)
            #expect(fetched.accessToken == stored.accessToken)
            let contact = try #require(try await store.contact(questionID: id))
            #expect(contact.name == "Айгуль" && contact.phone == "+77011234567" && contact.consent)
            // Tickets are found whatever the case the resident typed.
            #expect(try await store.question(ticket: try #require(stored.ticket).lowercased())?.id == id)
            #expect(try await store.question(ticket: "TRK-2026-999999") == nil)
            #expect(try await store.question(id: id + 1000) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func erasingTheContactKeepsTheQuestionAndIsAudited(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let id = try #require(try await store.insert(Fixture.newQuestion()).id)
            try await store.eraseContact(questionID: id, actor: "office:dpo", now: Fixture.now)
            #expect(try await store.contact(questionID: id) == nil)
            #expect(try await store.question(id: id)?.text == Fixture.newQuestion().question.text)
            let events = try await store.auditEvents(subject: "question:\(id)", limit: 10)
            #expect(events.map(\.action) == ["asker.erase"])
            #expect(events.first?.actor == "office:dpo")
            // Erasing again (nothing left) changes and records nothing.
            try await store.eraseContact(questionID: id, actor: "office:dpo", now: Fixture.now)
            #expect(try await store.auditEvents(subject: "question:\(id)", limit: 10).count == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aQuestionWithoutPersonalDataHasNoContact(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let anonymous = try await store.insert(Fixture.newQuestion(phone: nil))
            #expect(try await store.contact(questionID: try #require(anonymous.id)) == nil)
            var empty = Fixture.newQuestion(phone: nil)
            empty.contact = AskerContact(consent: false)
            #expect(try await store.contact(questionID: try #require(try await store.insert(empty).id)) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func ticketsAreUniqueUnderConcurrentInserts(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let stored = try await withThrowingTaskGroup(of: Question.self) { group in
                for index in 0..<24 {
                    group.addTask { try await store.insert(Fixture.newQuestion("Вопрос номер \(index) о дворе")) }
                }
                return try await group.reduce(into: [Question]()) { $0.append($1) }
            }
            let tickets = stored.compactMap(\.ticket)
            #expect(tickets.count == 24)
            #expect(Set(tickets).count == 24)
            #expect(Set(stored.compactMap(\.id)).count == 24)
            for question in stored {
                #expect(question.ticket == Ticket.make(id: question.id!, submittedAt: question.submittedAt))
                #expect(try await store.question(ticket: question.ticket!)?.id == question.id)
            }
            #expect(try await store.countQuestions(status: nil) == 24)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aLegalMoveIsStoredAndAudited(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let id = try #require(try await store.insert(Fixture.newQuestion()).id)
            let moved = try await store.updateStatus(questionID: id, to: .rejected, reason: "спам", actor: "cli:test", now: Date())
            #expect(moved.status == .rejected && moved.statusReason == "спам")
            let stored = try #require(try await store.question(id: id))
            #expect(stored.status == .rejected && stored.statusReason == "спам")
            let events = try await store.auditEvents(subject: "question:\(id)", limit: 10)
            #expect(events.count == 1)
            #expect(events.first?.action == "question.status")
            #expect(events.first?.actor == "cli:test")
            #expect(events.first?.details == "received → rejected: спам")
        }
    }

    @Test(arguments: StoreFactory.all)
    func anIllegalMoveThrowsAndChangesNothing(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let id = try #require(try await store.insert(Fixture.newQuestion()).id)
            await #expect(throws: TyndauError.illegalTransition(from: .received, to: .answered)) {
                try await store.updateStatus(questionID: id, to: .answered, reason: "нет", actor: "test", now: Date())
            }
            let stored = try #require(try await store.question(id: id))
            #expect(stored.status == .received && stored.statusReason == nil)
            #expect(try await store.auditEvents(subject: "question:\(id)", limit: 10).isEmpty)

            // A final status is final.
            try await store.updateStatus(questionID: id, to: .rejected, reason: nil, actor: "test", now: Date())
            await #expect(throws: TyndauError.illegalTransition(from: .rejected, to: .grouped)) {
                try await store.updateStatus(questionID: id, to: .grouped, reason: nil, actor: "test", now: Date())
            }
            #expect(try await store.question(id: id)?.status == .rejected)
            #expect(try await store.auditEvents(subject: "question:\(id)", limit: 10).count == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func movingAnUnknownQuestionIsNotFound(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            await #expect(throws: TyndauError.notFound("question 4242")) {
                try await store.updateStatus(questionID: 4242, to: .acknowledged, reason: nil, actor: "test", now: Date())
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func batchImportIsIdempotentBySourceKeyPerChannel(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let batch = [
                Fixture.newQuestion(sourceKey: "ext:1", channel: .import),
                Fixture.newQuestion("Второй вопрос про воду в Шугыле", sourceKey: "ext:2", channel: .import),
            ]
            let first = try await store.insert(batch: batch)
            #expect(first.inserted.count == 2 && first.alreadyPresent == 0)
            #expect(Set(first.inserted.compactMap(\.ticket)).count == 2)
            let again = try await store.insert(batch: batch + [Fixture.newQuestion("Третий", sourceKey: "ext:3", channel: .import)])
            #expect(again.inserted.map(\.text) == ["Третий"])
            #expect(again.alreadyPresent == 2)
            // The same key from another channel is another question.
            let other = try await store.insert(batch: [Fixture.newQuestion(sourceKey: "ext:1", channel: .open311)])
            #expect(other.inserted.count == 1)
            // One by one, a stored key is a conflict and stores nothing.
            await #expect(throws: TyndauError.self) {
                _ = try await store.insert(Fixture.newQuestion(sourceKey: "ext:2", channel: .import))
            }
            #expect(try await store.countQuestions(status: nil) == 4)
            // Questions without a key are never taken for each other.
            _ = try await store.insert(batch: [Fixture.newQuestion(), Fixture.newQuestion()])
            #expect(try await store.countQuestions(status: nil) == 6)
        }
    }

    @Test(arguments: StoreFactory.all)
    func listsByStatusSinceAndLimitInSubmissionOrder(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            var ids: [Question.ID] = []
            for offset in [300.0, 100, 200, 0] {
                ids.append(try #require(try await store.insert(Fixture.newQuestion("Вопрос \(Int(offset))", at: Fixture.now.addingTimeInterval(offset))).id))
            }
            try await store.updateStatus(questionID: ids[1], to: .rejected, reason: "spam", actor: "test", now: Date())
            let all = try await store.questions(QuestionQuery())
            #expect(all.map(\.text) == ["Вопрос 0", "Вопрос 100", "Вопрос 200", "Вопрос 300"])
            let rejected = try await store.questions(QuestionQuery(statuses: [.rejected]))
            #expect(rejected.map(\.id) == [ids[1]])
            #expect(rejected.first?.statusReason == "spam")
            let since = try await store.questions(QuestionQuery(since: Fixture.now.addingTimeInterval(150)))
            #expect(since.map(\.text) == ["Вопрос 200", "Вопрос 300"])
            let limited = try await store.questions(QuestionQuery(statuses: [.received], limit: 2))
            #expect(limited.map(\.text) == ["Вопрос 0", "Вопрос 200"])
            #expect(try await store.countQuestions(status: .received) == 3)
            #expect(try await store.countQuestions(status: .rejected) == 1)
            #expect(try await store.countQuestions(status: .grouped) == 0)
        }
    }

    @Test(arguments: StoreFactory.all)
    func theAuditLogKeepsEventsNewestFirstBySubject(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            for index in 0..<5 {
                try await store.record(AuditEvent(
                    at: Fixture.now.addingTimeInterval(Double(index)), actor: "test", action: "note",
                    subject: index.isMultiple(of: 2) ? "topic:1" : "topic:2", details: "событие \(index)"))
            }
            let topicOne = try await store.auditEvents(subject: "topic:1", limit: 10)
            #expect(topicOne.map(\.details) == ["событие 4", "событие 2", "событие 0"])
            #expect(topicOne.first?.at == Fixture.now.addingTimeInterval(4))
            #expect(topicOne.allSatisfy { $0.id != nil })
            #expect(try await store.auditEvents(subject: nil, limit: 2).map(\.details) == ["событие 4", "событие 3"])
        }
    }
}
