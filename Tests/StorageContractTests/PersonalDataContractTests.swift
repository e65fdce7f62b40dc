import Foundation
import Testing
import TyndauCore

/// `PersonalDataStore` under `PersonalDataRights`: forget by every key, export, withdrawal of one
/// question, the retention purge at its boundary — the same rule on every engine.
@Suite struct PersonalDataContractTests {
    static let now = Fixture.now
    static let email = "Aigul.S@Example.kz"
    static let phone = "+77011234567"
    static let chatID: Int64 = 424_242
    /// The tests' stand-in for `TelegramChatKey.chat` (a digest in TelegramBot).
    static let chatKey: @Sendable (Int64) -> String = { "tgc_test_\($0)" }

    /// One person with a web question (name, phone, e-mail, chat id) and a bot question from the same
    /// chat (consented, with a photo, the chat's language chosen), notices queued and sent to both;
    /// and a stranger whose data must survive.
    struct Scene {
        var web: Question
        var bot: Question
        var stranger: Question
    }

    static func scene(_ store: any TyndauStore) async throws -> Scene {
        try await store.syncEndpoints([Endpoint(name: "mail", kind: "email"), Endpoint(name: "tg", kind: "telegram")])
        var webQuestion = Fixture.newQuestion("Когда починят фонари на улице Саина?")
        webQuestion.contact = AskerContact(
            name: "Айгуль Серікова", phone: phone, email: email, telegramChatID: chatID, consent: true, consentAt: now,
            language: .kk)
        let web = try await store.insert(webQuestion)
        let key = chatKey(chatID)
        let botQuestion = BotQuestion(
            newQuestion: NewQuestion(
                question: Question(
                    text: "Нет света в подъезде дома 4", language: .ru, channel: .telegram, externalID: "tgm_x_7",
                    submittedAt: now),
                sourceKey: "tgm_x_7"),
            chatKey: key, messageID: 7,
            media: [BotMedia(kind: .photo, fileID: "file-photo-1", fileUniqueID: "u1", messageID: 7)])
        guard case .stored(let bot) = try await store.storeBotQuestion(botQuestion, now: now) else {
            throw TyndauError.conflict("bot question")
        }
        try await store.setBotChatLanguage(.kk, chatKey: key, now: now)
        #expect(try await store.recordBotConsent(chatKey: key, chatID: chatID, language: .kk, now: now) == 1)
        var strangerQuestion = Fixture.newQuestion("Когда отремонтируют дорогу на Жандосова?")
        strangerQuestion.contact = AskerContact(name: "Болат", email: "bolat@example.kz", consent: true)
        let stranger = try await store.insert(strangerQuestion)

        for question in [web, bot, stranger] {
            let id = try #require(question.id)
            try await store.enqueue(
                OutgoingMessage(messageKey: "ack:\(id)", body: "Принято: \(question.ticket ?? "")", recipientQuestionID: id),
                endpointNames: ["mail", "tg"], now: now)
        }
        // The acknowledgements go out; then the answer notices wait in the queue.
        let claimed = try await store.claimDue(now: now, lease: 60, limit: 50)
        try await store.apply(claimed.map {
            DeliveryReport(claimed: $0, attempts: [], partsSent: 1, resolution: .sent(remoteID: "r\($0.id)"), now: now)
        })
        for question in [web, bot, stranger] {
            let id = try #require(question.id)
            try await store.enqueue(
                OutgoingMessage(messageKey: "notice:\(id)", body: "Ответ готов", recipientQuestionID: id),
                endpointNames: ["mail", "tg"], now: now)
        }
        return Scene(web: web, bot: bot, stranger: stranger)
    }

    enum KeyKind: String, CaseIterable, Sendable {
        case ticket, email, phone, telegram
    }

    static func key(_ kind: KeyKind, _ scene: Scene) -> ResidentKey {
        switch kind {
        case .ticket: .ticket(scene.web.ticket ?? "")
        case .email: .email(email.lowercased())
        case .phone: .phone(phone)
        case .telegram: .telegramChat(chatID)
        }
    }

    @Test(arguments: StoreFactory.all, KeyKind.allCases)
    func forgettingByAnyKeyErasesEverythingPersonalAndKeepsTheQuestionsAnonymous(
        _ factory: StoreFactory, _ kind: KeyKind
    ) async throws {
        try await factory.withStore { store in
            let scene = try await Self.scene(store)
            let rights = PersonalDataRights(store: store, chatKey: Self.chatKey)
            let webID = try #require(scene.web.id)
            let botID = try #require(scene.bot.id)
            let strangerID = try #require(scene.stranger.id)

            let forgotten = try await rights.forget(Self.key(kind, scene), actor: "cli:dpo", now: Self.now)
            #expect(
                forgotten.erased
                    == PersonalDataErasureCount(contacts: 2, notices: 8, botLinks: 1, botMedia: 1, botChats: 1))
            #expect(forgotten.questionsKept == 2)

            // Nothing personal is left about them: contacts, the outbox, the bot's tables.
            #expect(try await store.contact(questionID: webID) == nil)
            #expect(try await store.contact(questionID: botID) == nil)
            #expect(try await store.deliveries(recipientQuestionIDs: [webID, botID]).isEmpty)
            let everyKey = PersonalDataKeys(
                questionIDs: [webID, botID], emails: [Self.email], phones: [Self.phone], telegramChatIDs: [Self.chatID],
                chatKeys: [Self.chatKey(Self.chatID)])
            #expect(try await store.personalDataRows(matching: everyKey) == PersonalDataRows())
            #expect(try await store.botChat(chatKey: Self.chatKey(Self.chatID)) == nil)
            #expect(try await store.botQuestions(chatKey: Self.chatKey(Self.chatID), limit: 10).isEmpty)
            #expect(try await store.botMedia(questionID: botID).isEmpty)
            let outbox = try await store.deliveries(status: nil, limit: 100)
            #expect(!outbox.contains { $0.body.contains(scene.web.ticket ?? "-") || $0.body.contains(scene.bot.ticket ?? "-") })

            // The questions stay as they were, anonymous.
            #expect(try await store.question(id: webID) == scene.web)
            #expect(try await store.question(id: botID)?.text == scene.bot.text)

            // The stranger keeps everything.
            #expect(try await store.contact(questionID: strangerID)?.email == "bolat@example.kz")
            #expect(try await store.deliveries(recipientQuestionIDs: [strangerID]).count == 4)

            // Audited per question and in sum, with kinds and counts and no personal value.
            let events = try await store.auditEvents(subject: nil, limit: 50).filter {
                $0.action == "asker.erase" || $0.action == "personal-data.erase"
            }
            #expect(Set(events.map(\.subject)) == ["question:\(webID)", "question:\(botID)", "personal-data"])
            #expect(events.allSatisfy { $0.actor == "cli:dpo" && $0.at == Self.now })
            let summary = try #require(events.first { $0.action == "personal-data.erase" })
            #expect(summary.details.contains("contacts 2, notices 8, bot links 1, media 1, bot chats 1"))
            for event in events {
                for secret in ["Айгуль", "aigul", "7011234567", "424242", "tgc_", "TRK-"] {
                    #expect(!event.details.lowercased().contains(secret.lowercased()), "audit text leaks \(secret)")
                    #expect(!event.subject.contains(secret), "audit subject leaks \(secret)")
                }
            }

            // Forgetting again finds nothing and records nothing.
            let again = try await rights.forget(Self.key(kind, scene), actor: "cli:dpo", now: Self.now)
            #expect(again.erased.total == 0)
            #expect(try await store.auditEvents(subject: "personal-data", limit: 10).count == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func exportHoldsEverythingAboutThePersonAndNothingAboutOthers(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let scene = try await Self.scene(store)
            let rights = PersonalDataRights(store: store, chatKey: Self.chatKey)
            let export = try await rights.export(.email("AIGUL.S@example.kz"), now: Self.now)
            #expect(export.request == "e-mail")
            #expect(export.questions.map(\.ticket) == [scene.web.ticket, scene.bot.ticket].compactMap { $0 })
            #expect(export.questions.map(\.text) == [scene.web.text, scene.bot.text])
            #expect(export.questions.allSatisfy { $0.status == "received" })
            #expect(export.contacts.count == 2)
            let web = try #require(export.contacts.first { $0.ticket == scene.web.ticket })
            #expect(web.name == "Айгуль Серікова" && web.phone == Self.phone && web.email == Self.email)
            #expect(web.telegramChatID == Self.chatID && web.consent && web.consentAt == Self.now)
            #expect(export.telegramChats.count == 1 && export.telegramChats.first?.language == "kk")
            #expect(export.telegramChats.first?.consentAt == Self.now)
            #expect(export.telegramMessages.map(\.messageID) == [7])
            #expect(export.telegramMedia.map(\.fileID) == ["file-photo-1"])
            #expect(export.notices.count == 8)
            #expect(export.notices.filter { $0.status == "sent" }.count == 4)
            #expect(export.notices.filter { $0.status == "pending" }.count == 4)
            #expect(!export.notices.contains { $0.body.contains(scene.stranger.ticket ?? "-") })

            // JSON with snake_case keys, nothing of the stranger's.
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let json = String(decoding: try encoder.encode(export), as: UTF8.self)
            for key in ["\"telegram_chat_id\"", "\"consent_at\"", "\"telegram_media\"", "\"file_id\"", "\"submitted_at\""] {
                #expect(json.contains(key))
            }
            #expect(!json.contains("bolat") && !json.contains("Жандосова"))

            // Somebody unknown: an empty export; an unknown ticket: not found.
            #expect(try await rights.export(.phone("+77770000000"), now: Self.now).isEmpty)
            #expect(try await rights.export(.ticket(scene.stranger.ticket ?? ""), now: Self.now).contacts.map(\.name) == ["Болат"])
            await #expect(throws: TyndauError.self) { _ = try await rights.export(.ticket("TRK-2026-999999"), now: Self.now) }
        }
    }

    @Test(arguments: StoreFactory.all)
    func withdrawingOneQuestionLeavesThePersonsOtherQuestions(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let scene = try await Self.scene(store)
            let webID = try #require(scene.web.id)
            let erased = try await PersonalDataRights(store: store).withdraw(
                questionID: webID, reason: .statusPage, actor: "resident", now: Self.now)
            #expect(erased == PersonalDataErasureCount(contacts: 1, notices: 4))
            #expect(try await store.contact(questionID: webID) == nil)
            #expect(try await store.contact(questionID: try #require(scene.bot.id)) != nil)
            #expect(try await store.botChat(chatKey: Self.chatKey(Self.chatID)) != nil)
            let events = try await store.auditEvents(subject: "question:\(webID)", limit: 5)
            #expect(events.map(\.action) == ["asker.erase"])
            #expect(events.first?.details == "withdrawn by the resident on the status page; contacts 1, notices 4, bot links 0, media 0, bot chats 0")
        }
    }

    /// A question in a final status with no status change recorded closes at its submission.
    static func closedQuestion(_ store: any TyndauStore, submittedAt: Date, status: QuestionStatus = .answered) async throws
        -> Question.ID
    {
        var question = Fixture.newQuestion("Вопрос о парке на Саина, закрыт", at: submittedAt)
        question.question.status = status
        question.contact = AskerContact(name: "Айгуль", email: "closed@example.kz", consent: true)
        let id = try #require(try await store.insert(question).id)
        try await store.enqueue(
            OutgoingMessage(messageKey: "notice:\(id)", body: "Ответ", recipientQuestionID: id), endpointNames: ["mail"],
            now: submittedAt)
        return id
    }

    @Test(arguments: StoreFactory.all)
    func retentionPurgesClosedQuestionsOnlyOnceTheirPeriodHasPassed(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            try await store.syncEndpoints([Endpoint(name: "mail", kind: "email")])
            let closedAt = Self.now
            let expired = try await Self.closedQuestion(store, submittedAt: closedAt)
            let rejected = try await Self.closedQuestion(store, submittedAt: closedAt, status: .rejected)
            // Open for long: notices may still be due, so it is kept whatever its age.
            let open = try await store.insert(Fixture.newQuestion("Старый открытый вопрос о дворе", at: closedAt.addingTimeInterval(-400 * 86_400)))
            let rights = PersonalDataRights(store: store)
            let period = 30 * 86_400.0

            // Exactly at the boundary: not yet.
            var result = try await rights.purgeExpired(retentionDays: 30, now: closedAt.addingTimeInterval(period))
            #expect(result.questions == 0 && result.erased.total == 0)
            #expect(try await store.contact(questionID: expired) != nil)

            // One second later: both closed questions lose their personal data, not the open one.
            result = try await rights.purgeExpired(retentionDays: 30, now: closedAt.addingTimeInterval(period + 1), batchSize: 1)
            #expect(result.questions == 2)
            #expect(result.erased == PersonalDataErasureCount(contacts: 2, notices: 2))
            #expect(try await store.contact(questionID: expired) == nil)
            #expect(try await store.contact(questionID: rejected) == nil)
            #expect(try await store.deliveries(recipientQuestionIDs: [expired, rejected]).isEmpty)
            #expect(try await store.contact(questionID: try #require(open.id)) != nil)
            #expect(try await store.question(id: expired)?.text == "Вопрос о парке на Саина, закрыт")
            let events = try await store.auditEvents(subject: "question:\(expired)", limit: 5)
            #expect(events.map(\.action) == ["asker.erase"])
            #expect(events.first?.actor == "system:retention")
            #expect(events.first?.details.hasPrefix("retention period of 30 days elapsed") == true)

            // Nothing left to purge: a later pass does nothing and records nothing.
            result = try await rights.purgeExpired(retentionDays: 30, now: closedAt.addingTimeInterval(2 * period))
            #expect(result.questions == 0)
            #expect(try await store.auditEvents(subject: "question:\(expired)", limit: 5).count == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func retentionCountsFromTheLastStatusChangeNotTheSubmission(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            // Asked long ago, closed "now" (the status change is stamped with the caller's clock).
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let id = try #require(try await store.insert(Fixture.newQuestion(at: now.addingTimeInterval(-400 * 86_400))).id)
            try await store.updateStatus(questionID: id, to: .rejected, reason: "spam", actor: "office", now: now)
            let rights = PersonalDataRights(store: store)
            #expect(try await rights.purgeExpired(retentionDays: 30, now: now).questions == 0)
            #expect(try await store.contact(questionID: id) != nil)
            #expect(try await rights.purgeExpired(retentionDays: 30, now: now.addingTimeInterval(31 * 86_400)).questions == 1)
            #expect(try await store.contact(questionID: id) == nil)
        }
    }
}
