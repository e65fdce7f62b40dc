import Foundation
import GRDB
import Testing
import TyndauCore
@testable import TyndauSQLite

@Suite struct BotStoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func botQuestion(_ text: String, chatKey: String = "tgc_a", message: Int64, contact: AskerContact? = nil) -> BotQuestion {
        BotQuestion(
            newQuestion: NewQuestion(
                question: Question(text: text, language: .ru, channel: .telegram, externalID: "tgm_\(chatKey)_\(message)", submittedAt: now),
                contact: contact, sourceKey: "tgm_\(chatKey)_\(message)"
            ),
            chatKey: chatKey, messageID: message
        )
    }

    @Test func theOffsetNeverMovesBack() async throws {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        #expect(try await database.botOffset(bot: "42") == nil)
        try await database.saveBotOffset(120, bot: "42", now: now)
        try await database.saveBotOffset(100, bot: "42", now: now)
        #expect(try await database.botOffset(bot: "42") == 120)
        #expect(try await database.botOffset(bot: "43") == nil)
    }

    @Test func aRedeliveredMessageReturnsTheStoredQuestion() async throws {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        guard case .stored(let first) = try await database.storeBotQuestion(botQuestion("Нет света в подъезде дома 4", message: 1), now: now) else {
            Issue.record("not stored")
            return
        }
        guard case .alreadyStored(let again) = try await database.storeBotQuestion(botQuestion("Нет света в подъезде дома 4", message: 1), now: now) else {
            Issue.record("stored twice")
            return
        }
        #expect(again.id == first.id && again.ticket == first.ticket)
        #expect(try await database.countQuestions(status: nil) == 1)
    }

    @Test func consentAddsTheChatIdOnlyToOpenQuestionsOfThatChat() async throws {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        _ = try await database.storeBotQuestion(botQuestion("Нет света в подъезде дома 4", message: 1), now: now)
        _ = try await database.storeBotQuestion(botQuestion("Яма во дворе дома 8 по Абая", message: 2), now: now)
        _ = try await database.storeBotQuestion(botQuestion("Другой чат, другой вопрос", chatKey: "tgc_b", message: 1), now: now)
        try await database.updateStatus(questionID: 2, to: .rejected, reason: "spam", actor: "test", now: Date())
        #expect(try await database.recordBotConsent(chatKey: "tgc_a", chatID: 5, language: .kk, now: now) == 1)
        #expect(try await database.contact(questionID: 1)?.telegramChatID == 5)
        #expect(try await database.contact(questionID: 1)?.language == .kk)
        #expect(try await database.contact(questionID: 2) == nil)
        #expect(try await database.contact(questionID: 3) == nil)
        #expect(try await database.withdrawBotConsent(chatKey: "tgc_a", chatID: 5, now: now) == 1)
        #expect(try await database.contact(questionID: 1) == nil)
    }

    @Test func mediaWaitForTheNextQuestionAndAreKeptOnce() async throws {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        let photo = BotMedia(kind: .photo, fileID: "file-1", fileUniqueID: "u1", messageID: 7)
        #expect(try await database.keepBotMedia([photo], chatKey: "tgc_a", now: now) == .keptForNextQuestion)
        #expect(try await database.keepBotMedia([photo], chatKey: "tgc_a", now: now) == .keptForNextQuestion)
        guard case .stored(let question) = try await database.storeBotQuestion(botQuestion("Нет света в подъезде дома 4", message: 8), now: now) else {
            Issue.record("not stored")
            return
        }
        #expect(try await database.botMedia(questionID: question.id!) == [photo])
    }

    @Test func oneHolderPollsABotUntilItsLeaseRunsOutOrIsReleased() async throws {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        let later = now.addingTimeInterval(40)
        #expect(try await database.claimBotPolling(bot: "42", holder: "serve", until: later, now: now))
        #expect(try await !database.claimBotPolling(bot: "42", holder: "worker", until: later, now: now))
        #expect(try await database.claimBotPolling(bot: "43", holder: "worker", until: later, now: now))
        // The holder renews; the other takes over only once the lease has run out.
        #expect(try await database.claimBotPolling(bot: "42", holder: "serve", until: later.addingTimeInterval(40), now: later))
        #expect(try await !database.claimBotPolling(bot: "42", holder: "worker", until: later, now: later.addingTimeInterval(39)))
        #expect(try await database.claimBotPolling(bot: "42", holder: "worker", until: later.addingTimeInterval(120), now: later.addingTimeInterval(40)))
        // A release hands it over at once; releasing someone else's lease does nothing.
        try await database.releaseBotPolling(bot: "42", holder: "serve")
        #expect(try await !database.claimBotPolling(bot: "42", holder: "serve", until: later, now: later))
        try await database.releaseBotPolling(bot: "42", holder: "worker")
        #expect(try await database.claimBotPolling(bot: "42", holder: "serve", until: later, now: later))
    }
}
