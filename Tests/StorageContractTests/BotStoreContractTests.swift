import Foundation
import Testing
import TyndauCore

/// `BotStore`: the update offset, the polling lease, redelivered updates, consent, media, edits and
/// reachability of a Telegram chat.
@Suite struct BotStoreContractTests {
    static let now = Fixture.now

    static func botQuestion(_ text: String, chatKey: String = "tgc_a", message: Int64, media: [BotMedia] = []) -> BotQuestion {
        BotQuestion(
            newQuestion: NewQuestion(
                question: Question(text: text, language: .ru, channel: .telegram, externalID: "tgm_\(chatKey)_\(message)", submittedAt: now),
                sourceKey: "tgm_\(chatKey)_\(message)"),
            chatKey: chatKey, messageID: message, media: media)
    }

    static func stored(_ store: any TyndauStore, _ question: BotQuestion) async throws -> Question {
        guard case .stored(let stored) = try await store.storeBotQuestion(question, now: now) else {
            throw TyndauError.conflict("already stored")
        }
        return stored
    }

    @Test(arguments: StoreFactory.all)
    func theOffsetIsPerBotAndNeverMovesBack(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            #expect(try await store.botOffset(bot: "42") == nil)
            try await store.saveBotOffset(120, bot: "42", now: Self.now)
            try await store.saveBotOffset(100, bot: "42", now: Self.now)
            #expect(try await store.botOffset(bot: "42") == 120)
            try await store.saveBotOffset(121, bot: "42", now: Self.now)
            #expect(try await store.botOffset(bot: "42") == 121)
            #expect(try await store.botOffset(bot: "43") == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func oneHolderPollsABotUntilItsLeaseRunsOutOrIsReleased(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let now = Self.now
            let later = now.addingTimeInterval(40)
            #expect(try await store.claimBotPolling(bot: "42", holder: "serve", until: later, now: now))
            #expect(try await !store.claimBotPolling(bot: "42", holder: "worker", until: later, now: now))
            #expect(try await store.claimBotPolling(bot: "43", holder: "worker", until: later, now: now))
            // The holder renews; the other takes over only once the lease has run out.
            #expect(try await store.claimBotPolling(bot: "42", holder: "serve", until: later.addingTimeInterval(40), now: later))
            #expect(try await !store.claimBotPolling(bot: "42", holder: "worker", until: later, now: later.addingTimeInterval(39)))
            #expect(try await store.claimBotPolling(bot: "42", holder: "worker", until: later.addingTimeInterval(120), now: later.addingTimeInterval(40)))
            // A release hands it over at once; releasing someone else's lease does nothing.
            try await store.releaseBotPolling(bot: "42", holder: "serve")
            #expect(try await !store.claimBotPolling(bot: "42", holder: "serve", until: later, now: later))
            try await store.releaseBotPolling(bot: "42", holder: "worker")
            #expect(try await store.claimBotPolling(bot: "42", holder: "serve", until: later, now: later))
        }
    }

    @Test(arguments: StoreFactory.all)
    func racingProcessesGetThePollingLeaseOnce(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<6 {
                    group.addTask { try await store.claimBotPolling(bot: "42", holder: "p\(index)", until: Self.now.addingTimeInterval(30), now: Self.now) }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(winners.filter { $0 }.count == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aRedeliveredUpdateReturnsTheStoredQuestion(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let first = try await Self.stored(store, Self.botQuestion("Нет света в подъезде дома 4", message: 1))
            #expect(first.ticket != nil && first.channel == .telegram)
            guard case .alreadyStored(let again) = try await store.storeBotQuestion(Self.botQuestion("Нет света в подъезде дома 4", message: 1), now: Self.now) else {
                Issue.record("stored twice")
                return
            }
            #expect(again.id == first.id && again.ticket == first.ticket)
            #expect(try await store.countQuestions(status: nil) == 1)
            #expect(try await store.botQuestions(chatKey: "tgc_a", limit: 5).map(\.id) == [first.id])
            #expect(try await store.botChat(chatKey: "tgc_a")?.consentAt == nil)
            var keyless = Self.botQuestion("Без ключа", message: 2)
            keyless.newQuestion.sourceKey = nil
            await #expect(throws: TyndauError.self) { _ = try await store.storeBotQuestion(keyless, now: Self.now) }
        }
    }

    @Test(arguments: StoreFactory.all)
    func acknowledgingMovesOnlyAReceivedQuestion(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let question = try await Self.stored(store, Self.botQuestion("Яма во дворе", message: 1))
            try await store.acknowledgeBotQuestion(question.id!, now: Self.now)
            #expect(try await store.question(id: question.id!)?.status == .acknowledged)
            try await store.acknowledgeBotQuestion(question.id!, now: Self.now)
            #expect(try await store.auditEvents(subject: "question:\(question.id!)", limit: 5).count == 1)
            try await store.updateStatus(questionID: question.id!, to: .rejected, reason: nil, actor: "office", now: Date())
            try await store.acknowledgeBotQuestion(question.id!, now: Self.now)
            #expect(try await store.question(id: question.id!)?.status == .rejected)
        }
    }

    @Test(arguments: StoreFactory.all)
    func editsChangeTheTextUntilTheOfficeTriagesTheQuestion(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let question = try await Self.stored(store, Self.botQuestion("Яма во дворе", message: 1))
            let sourceKey = "tgm_tgc_a_1"
            guard case .updated(let edited) = try await store.editBotQuestion(
                sourceKey: sourceKey, text: "Yama aulada", language: .kkLatn, actor: "resident:telegram", now: Self.now)
            else { Issue.record("not updated"); return }
            #expect(edited.text == "Yama aulada" && edited.language == .kkLatn)
            #expect(try await store.question(id: question.id!)?.text == "Yama aulada")
            #expect(try await store.auditEvents(subject: "question:\(question.id!)", limit: 5).map(\.action) == ["question.edit"])
            try await store.updateStatus(questionID: question.id!, to: .grouped, reason: nil, actor: "office", now: Date())
            let triaged = try #require(try await store.question(id: question.id!))
            let locked = try await store.editBotQuestion(sourceKey: sourceKey, text: "Новый текст", language: .ru, actor: "resident:telegram", now: Self.now)
            #expect(locked == .locked(triaged))
            #expect(try await store.question(id: question.id!)?.text == "Yama aulada")
            #expect(try await store.editBotQuestion(sourceKey: "tgm_tgc_a_99", text: "x", language: .ru, actor: "r", now: Self.now) == .unknown)
        }
    }

    @Test(arguments: StoreFactory.all)
    func consentAddsTheChatIDOnlyToOpenQuestionsOfThatChatAndWithdrawalErasesIt(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let open = try await Self.stored(store, Self.botQuestion("Нет света в подъезде дома 4", message: 1))
            let rejected = try await Self.stored(store, Self.botQuestion("Яма во дворе дома 8 по Абая", message: 2))
            let other = try await Self.stored(store, Self.botQuestion("Другой чат, другой вопрос", chatKey: "tgc_b", message: 1))
            try await store.updateStatus(questionID: rejected.id!, to: .rejected, reason: "spam", actor: "test", now: Date())
            #expect(try await store.recordBotConsent(chatKey: "tgc_a", chatID: 5, language: .kk, now: Self.now) == 1)
            let contact = try #require(try await store.contact(questionID: open.id!))
            #expect(contact.telegramChatID == 5 && contact.language == .kk && contact.consent && contact.consentAt == Self.now)
            #expect(try await store.contact(questionID: rejected.id!) == nil)
            #expect(try await store.contact(questionID: other.id!) == nil)
            #expect(try await store.botChat(chatKey: "tgc_a")?.consentAt == Self.now)
            // Consenting again keeps the first moment and adds nothing twice.
            #expect(try await store.recordBotConsent(chatKey: "tgc_a", chatID: 5, language: .kk, now: Self.now.addingTimeInterval(60)) == 0)
            #expect(try await store.botChat(chatKey: "tgc_a")?.consentAt == Self.now)

            #expect(try await store.withdrawBotConsent(chatKey: "tgc_a", chatID: 5, now: Self.now) == 1)
            #expect(try await store.contact(questionID: open.id!) == nil)
            #expect(try await store.botChat(chatKey: "tgc_a")?.consentAt == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func withdrawalKeepsAWebFormContactButDropsTheChatID(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            var question = Self.botQuestion("Вопрос с почтой", message: 1)
            question.newQuestion.contact = AskerContact(email: "a@example.kz", telegramChatID: 5, consent: true)
            let stored = try await Self.stored(store, question)
            #expect(try await store.withdrawBotConsent(chatKey: "tgc_a", chatID: 5, now: Self.now) == 1)
            let contact = try #require(try await store.contact(questionID: stored.id!))
            #expect(contact.email == "a@example.kz" && contact.telegramChatID == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func languageAndReachabilityFollowTheChat(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await store.syncEndpoints([Endpoint(name: "tg", kind: "telegram")])
            let question = try await Self.stored(store, Self.botQuestion("Нет света", message: 1))
            _ = try await store.recordBotConsent(chatKey: "tgc_a", chatID: 5, language: .ru, now: Self.now)
            try await store.setBotChatLanguage(.en, chatKey: "tgc_a", now: Self.now)
            #expect(try await store.botChat(chatKey: "tgc_a")?.language == .en)
            #expect(try await store.contact(questionID: question.id!)?.language == .en)

            try await store.markBotChatUnreachable(chatKey: "tgc_a", chatID: 5, now: Self.now)
            #expect(try await store.botChat(chatKey: "tgc_a")?.unreachableAt == Self.now)
            let notice = OutgoingMessage(messageKey: "notice:\(question.id!)", body: "Ответ", recipientQuestionID: question.id!)
            try await store.enqueue(notice, endpointNames: ["tg"], now: Self.now)
            let blocked = try await store.claimDue(now: Self.now, lease: 60, limit: 1)
            #expect(blocked.count == 1 && blocked[0].delivery.recipient == nil)
            try await store.apply([DeliveryReport(claimed: blocked[0], attempts: [], partsSent: 0, resolution: .released, now: Self.now)])

            try await store.markBotChatReachable(chatKey: "tgc_a", chatID: 5)
            #expect(try await store.botChat(chatKey: "tgc_a")?.unreachableAt == nil)
            #expect(try await store.claimDue(now: Self.now, lease: 60, limit: 1).first?.delivery.recipient == "5")
        }
    }

    @Test(arguments: StoreFactory.all)
    func mediaWaitForTheNextQuestionOrJoinTheLatestOpenOneAndAreKeptOnce(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let photo = BotMedia(kind: .photo, fileID: "file-1", fileUniqueID: "u1", messageID: 7)
            #expect(try await store.keepBotMedia([photo], chatKey: "tgc_a", now: Self.now) == .keptForNextQuestion)
            #expect(try await store.keepBotMedia([photo], chatKey: "tgc_a", now: Self.now) == .keptForNextQuestion)
            let voice = BotMedia(kind: .voice, fileID: "file-2", fileUniqueID: "u2", messageID: 8)
            let question = try await Self.stored(store, Self.botQuestion("Нет света в подъезде дома 4", message: 8, media: [voice]))
            #expect(try await store.botMedia(questionID: question.id!) == [photo, voice])
            let video = BotMedia(kind: .videoNote, fileID: "file-3", fileUniqueID: "u3", messageID: 9)
            #expect(try await store.keepBotMedia([video], chatKey: "tgc_a", now: Self.now) == .attached(question))
            #expect(try await store.botMedia(questionID: question.id!).map(\.kind) == [.photo, .voice, .videoNote])
            #expect(try await store.botMedia(questionID: 9999).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aChatsQuestionsAreListedNewestFirst(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            var ids: [Question.ID] = []
            for message in 1...3 {
                ids.append(try await Self.stored(store, Self.botQuestion("Вопрос \(message)", message: Int64(message))).id!)
            }
            _ = try await Self.stored(store, Self.botQuestion("Чужой", chatKey: "tgc_b", message: 1))
            #expect(try await store.botQuestions(chatKey: "tgc_a", limit: 2).map(\.id) == [ids[2], ids[1]])
            #expect(try await store.botQuestions(chatKey: "tgc_c", limit: 2).isEmpty)
        }
    }
}
