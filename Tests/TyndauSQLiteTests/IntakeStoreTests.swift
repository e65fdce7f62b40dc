import Foundation
import Testing
import TyndauCore
@testable import TyndauSQLite

@Suite struct IntakeStoreTests {
    func submission(_ text: String, client: String? = "c1", at date: Date = Date()) -> IntakeSubmission {
        let question = Question(text: text, language: .ru, channel: .api, submittedAt: date)
        return IntakeSubmission(newQuestion: NewQuestion(question: question), clientKey: client, textKey: "k:" + text, duplicateWindow: 600)
    }

    @Test func batchIsStoredAcknowledgedAndInOrder() async throws {
        let database = try SQLiteStore.inMemory()
        let receipts = try await database.submit((1...5).map { submission("Вопрос номер \($0) про двор") }, now: Date())
        #expect(receipts.count == 5)
        #expect(receipts.map(\.question.text) == (1...5).map { "Вопрос номер \($0) про двор" })
        #expect(receipts.allSatisfy { $0.question.status == .acknowledged && !$0.isDuplicate && $0.question.ticket != nil })
        #expect(try await database.countQuestions(status: .acknowledged) == 5)
        let events = try await database.auditEvents(subject: "question:\(receipts[0].question.id!)", limit: 5)
        #expect(events.first?.details == "received → acknowledged")
    }

    @Test func duplicateWithinTheWindowReturnsTheFirstEvenInTheSameBatch() async throws {
        let database = try SQLiteStore.inMemory()
        let now = Date()
        let receipts = try await database.submit([submission("Одинаковый текст вопроса"), submission("Одинаковый текст вопроса")], now: now)
        #expect(receipts[1].isDuplicate)
        #expect(receipts[1].question.id == receipts[0].question.id)
        let otherClient = try await database.submit([submission("Одинаковый текст вопроса", client: "c2")], now: now)
        #expect(!otherClient[0].isDuplicate)
        let afterWindow = try await database.submit([submission("Одинаковый текст вопроса")], now: now.addingTimeInterval(601))
        #expect(!afterWindow[0].isDuplicate)
        #expect(try await database.countQuestions(status: nil) == 3)
    }

    @Test func triagedAtIsStampedByAnyStatusChangeOutOfTriage() async throws {
        let database = try SQLiteStore.inMemory()
        let now = Date()
        let stored = try await database.submit([submission("Вопрос для сортировки", at: now.addingTimeInterval(-7200))], now: now)
        let id = stored[0].question.id!
        try await database.updateStatus(questionID: id, to: .rejected, reason: "спам", actor: "office", now: Date())
        let report = try await database.goldenHour(since: nil, now: now, window: 3600, oldestLimit: 5)
        #expect(report.total == 1)
        #expect(report.triagedLate == 1)
        #expect(report.triagedWithin == 0)
        #expect(report.oldestUntriaged.isEmpty)
    }

    @Test func progressOfAnUnknownTicketIsNil() async throws {
        let database = try SQLiteStore.inMemory()
        #expect(try await database.progress(ticket: "TRK-2026-000001") == nil)
    }
}
