import Foundation
import HTTPClient
import Logging
import Publisher
import TelegramBot
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

/// A bot wired as `tyndau worker` wires it (the real validator, the real store on a SQLite file, real
/// libcurl) against ``FakeBotAPI``; time is manual, so 429 waits pass without sleeping.
struct BotHarness {
    static let token = "123456:TEST-token_abcdefghijklmnopqrstuvwxyz"
    let folder: URL
    let time = ManualTime()
    let api: FakeBotAPI
    var database: SQLiteStore
    let client = CurlClient(profile: .init(totalTimeout: .seconds(20), lowSpeedTime: .seconds(20)))

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-bot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let time = self.time
        api = try FakeBotAPI(clock: { time.now })
        database = try SQLiteStore.open(path: folder.appendingPathComponent("bot.sqlite").path)
    }

    var settings: TelegramBotSettings {
        TelegramBotSettings(
            token: Secret(Self.token), baseURL: api.baseURL, local: true, pollTimeout: 0,
            statusBaseURL: "https://tyndau.example.kz", errorBackoff: .seconds(1)
        )
    }

    /// A fresh poller on a freshly opened database: what a restarted process has.
    mutating func restart() throws {
        database = try SQLiteStore.open(path: folder.appendingPathComponent("bot.sqlite").path)
    }

    func poller(logger: Logger = Logger(label: "test.bot"), intake: TelegramQuestionIntake = .validator()) -> TelegramBotPoller {
        let time = self.time
        return TelegramBotPoller(
            settings: settings, store: database, intake: intake, client: client, clock: ManualClock(time: time),
            now: { time.now }, logger: logger
        )
    }

    func texts(chat: Int64) -> [String] { api.messages.filter { $0.chatID == String(chat) }.map(\.text) }

    func stop() {
        api.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Waits (off the cooperative pool) for a semaphore a server thread signals; the bound only stops a
/// broken test from hanging, so it is generous for a loaded machine.
/// (A detached task would block one of the cooperative pool's threads — two on this machine — and
/// stall every other test while it waits.)
func waitFor(_ semaphore: DispatchSemaphore, seconds: Double = 60) async -> Bool {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: semaphore.wait(timeout: .now() + seconds) == .success) }
    }
}

@Suite(.serialized) struct TelegramBotTests {
    let table = CoreText.table

    @Test func questionsAreStoredExactlyOnceAcrossARestartInTheMiddleOfABatch() async throws {
        var harness = try BotHarness()
        defer { harness.stop() }
        let texts = [
            "Во дворе дома 12 на улице Абая третий день не вывозят мусор",
            "На остановке Сайран нет навеса, люди мокнут под дождём",
            "Көшедегі шамдар түнде жанбайды, балалар қараңғыда жүреді",
            "Просим поставить лежачего полицейского у школы №45",
        ]
        for (index, text) in texts.enumerated() {
            harness.api.queue(Int64(100 + index), FakeBotAPI.message(chat: 5001, id: Int64(10 + index), text: text))
        }
        // The third receipt is held open: questions 1–3 are committed, the batch is not finished.
        harness.api.holdSend = 3
        let first = harness.poller()
        let running = Task { try await first.pollOnce() }
        #expect(await waitFor(harness.api.held))
        running.cancel()
        harness.api.release()
        await #expect(throws: CancellationError.self) { try await running.value }
        #expect(try await harness.database.countQuestions(status: nil) == 3)
        #expect(try await harness.database.botOffset(bot: "123456") == nil)

        try harness.restart()
        let second = harness.poller()
        #expect(try await second.pollOnce() == 4)
        #expect(try await second.pollOnce() == 0)
        let questions = try await harness.database.questions(QuestionQuery())
        #expect(questions.count == 4)
        #expect(questions.map(\.text) == texts)
        #expect(Set(questions.compactMap(\.externalID)).count == 4)
        // The chat id is not written into the question table (only into `asker`, after consent).
        #expect(questions.allSatisfy { $0.externalID?.hasPrefix("tgm_") == true && !$0.externalID!.contains("5001") })
        #expect(try await harness.database.contact(questionID: questions[0].id!) == nil)
        #expect(questions.allSatisfy { $0.channel == .telegram })
        #expect(try await harness.database.botOffset(bot: "123456") == 104)
        // Telegram was asked for the same batch again after the restart, then past it.
        #expect(harness.api.pollOffsets == [nil, nil, 104])
        // Every question got a receipt with its ticket (the redelivered ones again: at least once).
        for question in questions {
            #expect(harness.texts(chat: 5001).contains { $0.contains(question.ticket!) })
        }
    }

    @Test func repliesComeInTheResidentsLanguage() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        let api = harness.api
        api.queue(1, FakeBotAPI.message(chat: 71, id: 1, text: "/start", language: "kk"))
        api.queue(2, FakeBotAPI.message(chat: 72, id: 1, text: "/start", language: "en"))
        // A Russian question from an English Telegram: answered in Russian, the language it is written in.
        api.queue(3, FakeBotAPI.message(chat: 73, id: 1, text: "Когда отремонтируют дорогу на улице Жандосова?", language: "en"))
        // /lang kk wins over the language of the text.
        api.queue(4, FakeBotAPI.message(chat: 74, id: 1, text: "/lang kk", language: "ru"))
        api.queue(5, FakeBotAPI.message(chat: 74, id: 2, text: "Когда отремонтируют дорогу на улице Жандосова?", language: "ru"))
        api.queue(6, FakeBotAPI.message(chat: 75, id: 1, text: "Свет", language: "ru"))
        api.queue(7, FakeBotAPI.message(chat: 76, id: 1, text: "/status", language: "en"))
        api.queue(8, FakeBotAPI.message(chat: 77, id: 1, text: "Жарық", language: "kk"))
        try await harness.poller().pollOnce()

        #expect(harness.texts(chat: 71) == [table.text("bot.start", .kk) + "\n\n———\n\n" + table.text("bot.start", .ru)])
        #expect(harness.texts(chat: 72) == [table.text("bot.start", .en)])
        let questions = try await harness.database.questions(QuestionQuery())
        #expect(questions.count == 2)
        let receipt73 = try #require(harness.texts(chat: 73).first)
        #expect(receipt73.hasPrefix(table.text("bot.receipt", .ru, [questions[0].ticket!, CoreText.status(.acknowledged, .ru)])))
        #expect(receipt73.contains("https://tyndau.example.kz/questions/\(questions[0].ticket!)?token=\(questions[0].accessToken)"))
        #expect(receipt73.contains(table.text("bot.consent-hint", .ru)))
        #expect(harness.texts(chat: 74).first == table.text("bot.lang-set", .kk))
        #expect(harness.texts(chat: 74).last?.hasPrefix(table.text("bot.receipt", .kk, [questions[1].ticket!, CoreText.status(.acknowledged, .kk)])) == true)
        #expect(harness.texts(chat: 75) == [table.text("bot.rejected", .ru, [table.text("bot.reason.field.too-short", .ru, ["10"])])])
        #expect(harness.texts(chat: 76) == [table.text("bot.status-none", .en)])
        #expect(harness.texts(chat: 77) == [table.text("bot.rejected", .kk, [table.text("bot.reason.field.too-short", .kk, ["10"])])])
    }

    @Test func statusCommandShowsOnlyTheChatsOwnQuestions() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        harness.api.queue(1, FakeBotAPI.message(chat: 81, id: 1, text: "Во дворе не работает фонтан уже месяц"))
        try await harness.poller().pollOnce()
        let ticket = try #require(try await harness.database.questions(QuestionQuery()).first?.ticket)
        harness.api.queue(2, FakeBotAPI.message(chat: 81, id: 2, text: "/status \(ticket.lowercased())"))
        harness.api.queue(3, FakeBotAPI.message(chat: 82, id: 1, text: "/status \(ticket)"))
        harness.api.queue(4, FakeBotAPI.message(chat: 82, id: 2, text: "/status"))
        try await harness.poller().pollOnce()
        #expect(harness.texts(chat: 81).last?.hasPrefix("\(ticket) — \(CoreText.status(.acknowledged, .ru))") == true)
        #expect(harness.texts(chat: 82) == [
            table.text("bot.status-not-found", .ru, [ticket]), table.text("bot.status-none", .ru),
        ])
    }

    @Test func aChatPastTheHourlyLimitIsToldWhenToComeBackAndOtherChatsAreNot() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        let api = harness.api
        api.queue(1, FakeBotAPI.message(chat: 1601, id: 1, text: "Во дворе дома 3 по Абая не горят фонари"))
        api.queue(2, FakeBotAPI.message(chat: 1601, id: 2, text: "У школы №7 нет пешеходного перехода"))
        api.queue(3, FakeBotAPI.message(chat: 1601, id: 3, text: "На остановке Сайран нет навеса от дождя"))
        api.queue(4, FakeBotAPI.message(chat: 1602, id: 1, text: "В парке у дома 9 сломаны скамейки"))
        let poller = harness.poller(intake: .validator(rateLimit: IntakeRateLimit(limit: 2)))
        #expect(try await poller.pollOnce() == 4)
        #expect(try await harness.database.countQuestions(status: nil) == 3)
        let replies = harness.texts(chat: 1601)
        #expect(replies.count == 3)
        #expect(replies.last?.contains("слишком много вопросов") == true)
        #expect(replies.last?.contains("60 мин") == true)
        #expect(harness.texts(chat: 1602).first?.contains("TRK-") == true)

        // An hour later the chat may ask again.
        harness.time.advance(3_601)
        api.queue(5, FakeBotAPI.message(chat: 1601, id: 4, text: "На остановке Сайран нет навеса от дождя"))
        #expect(try await poller.pollOnce() == 1)
        #expect(try await harness.database.countQuestions(status: nil) == 4)
        #expect(harness.texts(chat: 1601).last?.contains("TRK-") == true)
    }

    @Test func honoursRetryAfterOnTooManyRequests() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        harness.api.script = { number, _ in number == 1 ? .tooManyRequests(retryAfter: 7) : .ok }
        harness.api.queue(1, FakeBotAPI.message(chat: 91, id: 1, text: "/start"))
        harness.api.queue(2, FakeBotAPI.message(chat: 92, id: 1, text: "/start"))
        try await harness.poller().pollOnce()
        let sent = harness.api.messages
        #expect(sent.count == 3)
        #expect(sent.map(\.chatID) == ["91", "91", "92"])
        // The retry waited the 7 seconds Telegram asked for, and so did the next chat's reply.
        #expect(sent[1].at.timeIntervalSince(sent[0].at) >= 7)
        #expect(sent[2].at.timeIntervalSince(sent[0].at) >= 7)
    }

    @Test func aReplyThatWouldWaitTooLongIsDroppedWhileQuestionsAreStillStored() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        harness.api.script = { number, _ in number == 1 ? .tooManyRequests(retryAfter: 3600) : .ok }
        harness.api.queue(1, FakeBotAPI.message(chat: 93, id: 1, text: "Во дворе дома 6 сломан забор"))
        harness.api.queue(2, FakeBotAPI.message(chat: 94, id: 1, text: "На улице Саина нет тротуара"))
        let start = harness.time.now
        try await harness.poller().pollOnce()
        #expect(try await harness.database.countQuestions(status: nil) == 2)
        // The hour-long flood wait is not sat out inside the batch: both replies are given up, and
        // the questions stay `received` (nobody was told yet).
        #expect(harness.api.messages.count == 1)
        #expect(try await harness.database.countQuestions(status: .received) == 2)
        #expect(harness.time.now.timeIntervalSince(start) < 60)
    }

    @Test func aBlockedBotMarksTheContactUnreachableWithoutRetrying() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        let blocked = Locked(true)
        harness.api.script = { number, _ in number >= 3 && blocked.value ? .blocked : .ok }
        harness.api.queue(1, FakeBotAPI.message(chat: 601, id: 1, text: "/agree"))
        harness.api.queue(2, FakeBotAPI.message(chat: 601, id: 2, text: "Во дворе дома 5 прорвало трубу, вода в подвале"))
        harness.api.queue(3, FakeBotAPI.message(chat: 601, id: 3, text: "/status"))
        try await harness.poller().pollOnce()
        #expect(harness.api.messages.count == 3)
        let question = try #require(try await harness.database.questions(QuestionQuery()).first)
        let contact = try #require(try await harness.database.contact(questionID: question.id!))
        #expect(contact.telegramChatID == 601 && contact.consent)
        // The receipt went out, so the question is acknowledged (audited like any move).
        #expect(question.status == .acknowledged)
        #expect(try await harness.database.auditEvents(subject: "question:\(question.id!)", limit: 5).contains {
            $0.details == "received → acknowledged"
        })
        #expect(try await harness.database.botChat(chatKey: TelegramChatKey.chat(601))?.unreachableAt != nil)

        // A personal notice to that asker finds no address while the bot is blocked…
        let endpoint = try EndpointDefinition(name: "residents", url: "tgram://\(BotHarness.token)/0", tags: ["residents"], baseURL: harness.api.baseURL, local: true)
        try await harness.database.syncEndpoints([endpoint.endpoint])
        try await harness.database.enqueue(OutgoingMessage(messageKey: "n1", body: "…", recipientQuestionID: question.id), endpointNames: ["residents"], now: harness.time.now)
        let claimed = try await harness.database.claimDue(now: harness.time.now, lease: 60, limit: 10)
        #expect(claimed.count == 1 && claimed[0].delivery.recipient == nil)

        // …and is addressed again once the resident writes to the bot.
        blocked.value = false
        harness.api.queue(4, FakeBotAPI.message(chat: 601, id: 4, text: "/status"))
        try await harness.poller().pollOnce()
        #expect(try await harness.database.botChat(chatKey: TelegramChatKey.chat(601))?.unreachableAt == nil)
        try await harness.database.enqueue(OutgoingMessage(messageKey: "n2", body: "…", recipientQuestionID: question.id), endpointNames: ["residents"], now: harness.time.now)
        let again = try await harness.database.claimDue(now: harness.time.now.addingTimeInterval(120), lease: 60, limit: 10)
        #expect(again.contains { $0.delivery.messageKey == "n2" && $0.delivery.recipient == "601" })
    }

    @Test func aMalformedUpdateIsLoggedAndSkippedWithoutStoppingTheLoop() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        let logs = LogRecords()
        let logger = Logger(label: "test.bot") { _ in RecordingLogHandler(records: logs) }
        harness.api.answerNextPollWith("<html>502 Bad Gateway</html>")
        harness.api.queue(10, FakeBotAPI.message(chat: 701, id: 1, text: "На улице Розыбакиева не работает светофор"))
        harness.api.queueRaw(11, #"{"update_id":11,"message":{"message_id":"seven","chat":{"id":701}}}"#)
        harness.api.queueRaw(12, #""not an update""#)
        harness.api.queueRaw(13, #"{"update_id":13,"message":{"message_id":3,"date":1,"text":"Нет чата у этого сообщения вообще"}}"#)
        harness.api.queue(14, FakeBotAPI.message(chat: 701, id: 4, text: "И ещё: на остановке сломана скамейка"))
        let poller = harness.poller(logger: logger)
        let loop = Task { try await poller.run() }
        // The loop survives the error page, then handles the batch.
        for _ in 0..<1000 where try await harness.database.botOffset(bot: "123456") != 15 {
            try await Task.sleep(for: .milliseconds(10))
        }
        loop.cancel()
        try await loop.value
        #expect(try await harness.database.botOffset(bot: "123456") == 15)
        #expect(try await harness.database.countQuestions(status: nil) == 2)
        let lines = logs.all
        #expect(lines.contains { $0.message.hasPrefix("getUpdates failed: HTTP 502") })
        let skipped = lines.filter { $0.message == "malformed update skipped" }
        #expect(skipped.map { $0.metadata["tyndau.telegram.update"] ?? "" } == ["11", "none", "13"])
        // Nothing logged names the token, a chat or a text.
        for line in lines {
            let text = line.message + " " + line.metadata.values.joined(separator: " ")
            #expect(!text.contains("TEST-token"))
            #expect(!text.contains("701"))
            #expect(!text.contains("Розыбакиева"))
        }
    }

    @Test func anUpdateThatKeepsFailingIsSkippedAfterThreeAttemptsWithoutRepeatingEarlierReplies() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        harness.api.queue(1, FakeBotAPI.message(chat: 1401, id: 1, text: "Во дворе дома 2 нет освещения"))
        harness.api.queue(2, FakeBotAPI.message(chat: 1402, id: 1, text: "POISON: this one cannot be stored"))
        harness.api.queue(3, FakeBotAPI.message(chat: 1403, id: 1, text: "У школы №12 нет пешеходного перехода"))
        let validator = TelegramQuestionIntake.validator()
        // The storage behind the question fails for one update, every time (a stand-in for a broken row).
        let intake = TelegramQuestionIntake(minimumLength: 10, maximumLength: 2000) { text, key, now in
            if text.hasPrefix("POISON") { throw TyndauError.conflict("simulated storage failure") }
            return try validator.validate(text, key, now)
        }
        let time = harness.time
        let poller = TelegramBotPoller(
            settings: harness.settings, store: harness.database, intake: intake, client: harness.client,
            clock: ManualClock(time: time), now: { time.now }, logger: Logger(label: "test.bot")
        )
        for _ in 1..<TelegramBotPoller.attemptsPerUpdate {
            await #expect(throws: TyndauError.self) { try await poller.pollOnce() }
            #expect(try await harness.database.botOffset(bot: "123456") == 2)
        }
        #expect(try await poller.pollOnce() == 2)
        #expect(try await harness.database.botOffset(bot: "123456") == 4)
        #expect(try await harness.database.countQuestions(status: nil) == 2)
        #expect(harness.texts(chat: 1401).count == 1)
        #expect(harness.texts(chat: 1402).isEmpty)
        #expect(harness.texts(chat: 1403).count == 1)
    }

    @Test func editsUpdateAnUnansweredQuestionAndMediaAreKept() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        let api = harness.api
        api.queue(1, """
            "message":{"message_id":1,"date":1,"chat":{"id":801,"type":"private"},"photo":[{"file_id":"small","file_unique_id":"u1"},\
            {"file_id":"AgACAgIAAx0-big","file_unique_id":"u2"}]}
            """)
        api.queue(2, FakeBotAPI.message(chat: 801, id: 2, text: "Во дворе дома 7 яма на дороге"))
        api.queue(3, "\"edited_message\":" + FakeBotAPI.message(chat: 801, id: 2, text: "Во дворе дома 7 по улице Гагарина глубокая яма на дороге").dropFirst(10))
        api.queue(4, """
            "message":{"message_id":4,"date":1,"chat":{"id":801,"type":"private"},"voice":{"file_id":"voice-1","file_unique_id":"v1","duration":3}}
            """)
        try await harness.poller().pollOnce()
        let question = try #require(try await harness.database.questions(QuestionQuery()).first)
        #expect(question.text == "Во дворе дома 7 по улице Гагарина глубокая яма на дороге")
        let media = try await harness.database.botMedia(questionID: question.id!)
        #expect(media.map(\.fileID) == ["AgACAgIAAx0-big", "voice-1"])
        #expect(media.map(\.kind) == [.photo, .voice])
        let replies = harness.texts(chat: 801)
        #expect(replies.count == 4)
        #expect(replies[0] == table.text("bot.text-only", .ru) + "\n\n" + table.text("bot.media-kept-next", .ru))
        #expect(replies[2] == table.text("bot.edit-updated", .ru, [question.ticket!]))
        #expect(replies[3] == table.text("bot.text-only", .ru) + "\n\n" + table.text("bot.media-attached", .ru, [question.ticket!]))

        // Once the office has triaged it, an edit no longer changes the text.
        try await harness.database.updateStatus(questionID: question.id!, to: .grouped, reason: nil, actor: "test", now: Date())
        api.queue(5, "\"edited_message\":" + FakeBotAPI.message(chat: 801, id: 2, text: "Совсем другой текст вопроса про парк").dropFirst(10))
        try await harness.poller().pollOnce()
        #expect(try await harness.database.question(id: question.id!)?.text == question.text)
        #expect(harness.texts(chat: 801).last == table.text("bot.edit-locked", .ru, [question.ticket!]))
    }

    @Test func consentCanBeWithdrawnAndTheChatIdIsErased() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        harness.api.queue(1, FakeBotAPI.message(chat: 901, id: 1, text: "Во дворе дома 3 не горят фонари"))
        harness.api.queue(2, FakeBotAPI.message(chat: 901, id: 2, text: "/agree"))
        try await harness.poller().pollOnce()
        let question = try #require(try await harness.database.questions(QuestionQuery()).first)
        // Consent given after the question still brings its answer to the chat.
        #expect(try await harness.database.contact(questionID: question.id!)?.telegramChatID == 901)
        harness.api.queue(3, FakeBotAPI.message(chat: 901, id: 3, text: "/forget"))
        try await harness.poller().pollOnce()
        #expect(try await harness.database.contact(questionID: question.id!) == nil)
        #expect(try await harness.database.botChat(chatKey: TelegramChatKey.chat(901))?.consentAt == nil)
        #expect(harness.texts(chat: 901).last == table.text("bot.consent-withdrawn", .ru))
    }

    @Test func webhookRequestsNeedTheSecretTokenAndAreHandledLikePolledUpdates() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        var settings = harness.settings
        settings.mode = .webhook
        settings.webhookURL = "https://tyndau.example.kz/telegram/webhook"
        settings.webhookSecretToken = Secret("hook_secret-42")
        let time = harness.time
        let receiver = TelegramWebhookReceiver(
            settings: settings, store: harness.database, intake: .validator(), client: harness.client,
            clock: ManualClock(time: time), now: { time.now }, logger: Logger(label: "test.webhook")
        )
        try await receiver.register()
        let registration = try #require(harness.api.registrations.first)
        #expect(registration["url"] as? String == "https://tyndau.example.kz/telegram/webhook")
        #expect(registration["secret_token"] as? String == "hook_secret-42")

        let update = Array("{\"update_id\":501,\(FakeBotAPI.message(chat: 1201, id: 1, text: "Во дворе дома 3 сломана детская горка"))}".utf8)
        #expect(await receiver.receive(secretToken: nil, body: update) == 403)
        #expect(await receiver.receive(secretToken: "hook_secret-41", body: update) == 403)
        #expect(await receiver.receive(secretToken: "hook_secret-42x", body: update) == 403)
        #expect(try await harness.database.countQuestions(status: nil) == 0)
        #expect(harness.api.messages.isEmpty)

        #expect(await receiver.receive(secretToken: "hook_secret-42", body: update) == 200)
        // Telegram resends an update it got no 2xx for: still one question.
        #expect(await receiver.receive(secretToken: "hook_secret-42", body: update) == 200)
        #expect(try await harness.database.countQuestions(status: nil) == 1)
        #expect(harness.texts(chat: 1201).count == 2)
        #expect(await receiver.receive(secretToken: "hook_secret-42", body: Array("{oops".utf8)) == 200)
    }

    @Test func noticesToDifferentChatsAreNotSpacedByTheEndpointsChatLimit() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        let time = harness.time
        let database = harness.database
        let endpoint = try EndpointDefinition(
            name: "residents-bot", url: "tgram://\(BotHarness.token)/0", tags: ["residents"], baseURL: harness.api.baseURL, local: true
        )
        try await database.syncEndpoints([endpoint.endpoint])
        for chat in [1301, 1302, 1303] as [Int64] {
            let question = try await database.insert(NewQuestion(
                question: Question(text: "Вопрос жителя номер \(chat) о дворе", language: .ru, channel: .telegram, submittedAt: time.now),
                contact: AskerContact(telegramChatID: chat, consent: true, consentAt: time.now, language: .ru)
            ))
            try await database.enqueue(
                OutgoingMessage(messageKey: "notice:q\(question.id!)", body: "Ответ", recipientQuestionID: question.id),
                endpointNames: [endpoint.name], now: time.now
            )
        }
        let worker = DeliveryWorker(
            store: database, client: workerTestClient, endpoints: [endpoint], clock: ManualClock(time: time),
            now: { time.now }, random: { 0.5 }, logger: Logger(label: "test")
        )
        let start = time.now
        #expect(try await worker.drain() == 3)
        let sent = harness.api.messages
        #expect(Set(sent.map(\.chatID)) == ["1301", "1302", "1303"])
        // One message per second per chat, 30 per second per bot: three chats need no wait at all.
        #expect(sent.allSatisfy { $0.at == start })
    }

    @Test func theAnswerNoticeReachesTheChatAfterTheMeetingCloses() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        let time = harness.time
        let api = harness.api
        api.queue(1, FakeBotAPI.message(chat: 777, id: 1, text: "/agree", language: "kk"))
        api.queue(2, FakeBotAPI.message(chat: 777, id: 2, text: "Абай даңғылындағы аялдамада шатыр жоқ, жаңбырда тұрамыз", language: "kk"))
        try await harness.poller().pollOnce()
        let database = harness.database
        let question = try #require(try await database.questions(QuestionQuery()).first)

        // The office: a topic, the week's agenda, the answer, the meeting closed.
        #expect(try await database.makeSingleQuestionTopics(actor: "test", now: time.now) == 1)
        let topicID = try #require(try await database.question(id: question.id!)?.topicID)
        let start = time.now.addingTimeInterval(86_400)
        let week = ISOWeek(containing: start)
        try await database.saveAgenda(
            AgendaRecord(
                meeting: Meeting(week: week, startsAt: start, durationMinutes: 60, timeZone: "Asia/Almaty"),
                items: [AgendaItem(meetingID: 0, topicID: topicID, position: 1, block: .landscapingUtilities, startOffsetMinutes: 5, minutes: 10, why: "test")],
                writtenAnswers: []
            ),
            actor: "test", now: time.now
        )
        let item = try #require(try await database.agendaItems(week: week).first)
        time.advance(86_400 + 600)
        try await database.recordAnswer(
            AnswerInput(text: "Аялдамаға шатыр желтоқсанда орнатылады.", language: .kk, kind: .answered), week: week, itemID: item.id!,
            actor: "office", now: time.now
        )
        time.advance(3600)
        _ = try await database.closeMeeting(week: week, actor: "office", now: time.now)

        // The worker: the meeting automation enqueues the notice, the delivery loop sends it.
        var configuration = TyndauConfiguration()
        configuration.endpoints = [
            try EndpointDefinition(name: "residents-bot", url: "tgram://\(BotHarness.token)/0", tags: ["residents"], baseURL: api.baseURL, local: true),
        ]
        configuration.server.publicURL = "https://tyndau.example.kz"
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        var automation = try await MeetingAutomation(database: database, configuration: configuration, logger: Logger(label: "test"))
        automation.now = { time.now }
        let published = try await automation.runOnce().published
        #expect(published == [week])
        let worker = DeliveryWorker(
            store: database, client: workerTestClient, endpoints: configuration.endpoints, clock: ManualClock(time: time),
            now: { time.now }, random: { 0.5 }, logger: Logger(label: "test")
        )
        #expect(try await worker.drain() == 1)
        let notice = try #require(harness.texts(chat: 777).last)
        #expect(harness.texts(chat: 777).count == 3)
        #expect(notice.contains(question.ticket!))
        #expect(notice.contains("Аялдамаға шатыр желтоқсанда орнатылады."))
        #expect(try await database.countDeliveries(status: .sent) == 1)
        // The chat id never entered the outbox.
        let delivery = try #require(try await database.deliveries(status: nil, limit: 1).first)
        #expect(!delivery.body.contains("777") && delivery.recipientQuestionID == question.id)
        // Nor did Telegram's answer, which echoes the chat: a personal notice's attempts keep no body.
        let attempts = try await database.attempts(deliveryID: delivery.id!)
        #expect(attempts.count == 1 && attempts.allSatisfy { !($0.response ?? "").contains("777") })
    }
}

/// A value shared with a server thread.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Value
    init(_ value: Value) { current = value }
    var value: Value {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}

/// Log lines kept in memory (swift-log's handler protocol; never `LoggingSystem.bootstrap`).
final class LogRecords: @unchecked Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lock = NSLock()
    private var lines: [Line] = []
    func append(_ line: Line) { lock.withLock { lines.append(line) } }
    var all: [Line] { lock.withLock { lines } }
}

struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.append(.init(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}
