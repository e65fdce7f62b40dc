import Foundation
import HTTPClient
import LoopbackServers
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

@Suite struct TelegramBotConfigurationTests {
    /// Given to the parser, never set in the process: setenv races with tests that start processes.
    static let environment = ["TYNDAU_TEST_BOT_TOKEN": "7000001:AAH-bot-secret_0123456789", "TYNDAU_TEST_BOT_HOOK": "hook-secret_42"]

    func parse(_ yaml: String) throws -> TyndauConfiguration {
        try TyndauConfiguration.parse(yaml, environment: Self.environment)
    }

    @Test func readsTheTelegramBotSectionWithTheTokenFromTheEnvironment() throws {
        let configuration = try parse("""
            server:
              public_url: https://tyndau.almaty.kz
            telegram_bot:
              token: ${TYNDAU_TEST_BOT_TOKEN}
              base_url: http://127.0.0.1:8081
              local: true
              poll_timeout_seconds: 40
              mode: polling
            """)
        let bot = try #require(configuration.telegramBot)
        #expect(bot.token.value == "7000001:AAH-bot-secret_0123456789")
        #expect(bot.botID == "7000001")
        #expect(bot.baseURL == "http://127.0.0.1:8081")
        #expect(bot.local)
        #expect(bot.pollTimeout == 40)
        #expect(bot.mode == .polling)
        #expect(bot.statusBaseURL == "https://tyndau.almaty.kz")
        // The long poll must not be cut by the client's own timeouts.
        #expect(bot.clientProfile.totalTimeout > .seconds(40) && bot.clientProfile.lowSpeedTime > .seconds(40))
        #expect(!"\(bot.token)".contains("AAH-bot"))
    }

    @Test func rejectsUnknownKeysAndBadValuesWithTheirPath() {
        #expect(throws: TyndauError.configuration("telegram_bot.poll_timeout", "unknown key")) {
            try parse("telegram_bot:\n  token: ${TYNDAU_TEST_BOT_TOKEN}\n  poll_timeout: 5\n")
        }
        #expect(throws: TyndauError.configuration("telegram_bot.poll_timeout_seconds", "must be 0–50")) {
            try parse("telegram_bot:\n  token: ${TYNDAU_TEST_BOT_TOKEN}\n  poll_timeout_seconds: 90\n")
        }
        #expect(throws: TyndauError.configuration("telegram_bot.mode", "must be polling or webhook")) {
            try parse("telegram_bot:\n  token: ${TYNDAU_TEST_BOT_TOKEN}\n  mode: push\n")
        }
        #expect(throws: TyndauError.configuration("telegram_bot.base_url", "plain http needs local: true")) {
            try parse("telegram_bot:\n  token: ${TYNDAU_TEST_BOT_TOKEN}\n  base_url: http://10.0.0.5:8081\n")
        }
        #expect(throws: TyndauError.configuration("telegram_bot.token", "environment variable TYNDAU_TEST_BOT_UNSET is not set")) {
            try parse("telegram_bot:\n  token: ${TYNDAU_TEST_BOT_UNSET}\n")
        }
        #expect(throws: TyndauError.configuration("telegram_bot.token", "expected a BotFather token (digits:letters), e.g. from ${TELEGRAM_BOT_TOKEN}")) {
            try parse("telegram_bot:\n  token: not-a-token\n")
        }
    }

    @Test func webhookModeNeedsAnHTTPSURLAndASecretToken() throws {
        #expect(throws: TyndauError.configuration("telegram_bot.webhook_secret_token", "required in webhook mode")) {
            try parse("""
                telegram_bot:
                  token: ${TYNDAU_TEST_BOT_TOKEN}
                  mode: webhook
                  webhook_url: https://tyndau.almaty.kz/telegram/webhook
                """)
        }
        let configuration = try parse("""
            telegram_bot:
              token: ${TYNDAU_TEST_BOT_TOKEN}
              mode: webhook
              webhook_url: https://tyndau.almaty.kz/telegram/webhook
              webhook_secret_token: ${TYNDAU_TEST_BOT_HOOK}
            """)
        #expect(configuration.telegramBot?.webhookSecretToken?.value == "hook-secret_42")
        // Telegram calls `tyndau serve`; the worker does not poll.
        #expect(try PublishingSetup.telegramPoller(configuration, database: try SQLiteStore.inMemory(), logs: LogSettings(level: .info)) == nil)
    }

    @Test func theTokenNeverReachesConfigCheckOutput() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-botcfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("tyndau.yaml")
        try "telegram_bot:\n  token: ${TYNDAU_TEST_BOT_TOKEN}\n".write(to: file, atomically: true, encoding: .utf8)
        let (status, output) = try TyndauProcess.run(
            ["config", "check", file.path], environment: ["TYNDAU_TEST_BOT_TOKEN": "7000001:AAH-bot-secret_0123456789"]
        )
        #expect(status == 0)
        #expect(output.contains("telegram_bot: bot 7000001, token [secret], polling"))
        #expect(!output.contains("AAH-bot-secret"))
    }

    @Test func workerOnceTakesTheQuestionsWaitingAtTelegram() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-botworker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let api = try FakeBotAPI(clock: { Date() })
        defer { api.stop() }
        api.queue(41, FakeBotAPI.message(chat: 4242, id: 1, text: "Сломаны качели на детской площадке у дома 9"))
        let file = folder.appendingPathComponent("tyndau.yaml")
        try """
            database:
              path: \(folder.appendingPathComponent("w.sqlite").path)
            telegram_bot:
              token: ${TYNDAU_TEST_BOT_TOKEN}
              base_url: \(api.baseURL)
              local: true
            """.write(to: file, atomically: true, encoding: .utf8)
        let (status, _) = try TyndauProcess.run(
            ["worker", "--once", "--config", file.path], environment: ["TYNDAU_TEST_BOT_TOKEN": "7000001:AAH-bot-secret_0123456789"]
        )
        #expect(status == 0)
        #expect(api.pollOffsets == [nil])
        #expect(api.messages.count == 1)
        #expect(api.messages.first?.chatID == "4242")
        #expect(api.messages.first?.text.hasPrefix("Вопрос принят. Номер обращения: TRK-") == true)
    }
}

/// The bot inside the real `tyndau worker`, killed with SIGKILL in the middle of a batch.
@Suite(.serialized) struct TelegramBotProcessTests {
    @Test func aWorkerKilledInTheMiddleOfABatchStoresEachQuestionOnceAfterRestart() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-botkill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let api = try FakeBotAPI(clock: { Date() })
        defer { api.stop() }
        let texts = [
            "Во дворе дома 12 на улице Абая третий день не вывозят мусор",
            "На остановке Сайран нет навеса, люди мокнут под дождём",
            "Көшедегі шамдар түнде жанбайды, балалар қараңғыда жүреді",
            "Просим поставить лежачего полицейского у школы №45",
        ]
        for (index, text) in texts.enumerated() {
            api.queue(Int64(200 + index), FakeBotAPI.message(chat: 6001, id: Int64(index + 1), text: text))
        }
        api.holdSend = 3
        let databasePath = folder.appendingPathComponent("k.sqlite").path
        let file = folder.appendingPathComponent("tyndau.yaml")
        try """
            database:
              path: \(databasePath)
            telegram_bot:
              token: ${TYNDAU_TEST_BOT_TOKEN}
              base_url: \(api.baseURL)
              local: true
              poll_timeout_seconds: 10
            """.write(to: file, atomically: true, encoding: .utf8)
        let environment = ["TYNDAU_TEST_BOT_TOKEN": "7000001:AAH-bot-secret_0123456789"]

        let (first, _) = try TyndauProcess.start(["worker", "--config", file.path], environment: environment)
        #expect(await waitFor(api.held, seconds: 60))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        api.release()
        let database = try SQLiteStore.open(path: databasePath)
        #expect(try await database.countQuestions(status: nil) == 3)
        #expect(try await database.botOffset(bot: "7000001") == nil)

        let (second, _) = try TyndauProcess.start(["worker", "--config", file.path], environment: environment)
        // The killed worker's polling lease runs out (poll timeout + 15 s), then the new one takes over.
        var offset: Int64?
        // A deadline, not a count: on a loaded machine the process start and the lease take longer.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            offset = try await database.botOffset(bot: "7000001")
            if offset == 204 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        second.terminate()
        second.waitUntilExit()
        #expect(offset == 204)
        let questions = try await database.questions(QuestionQuery())
        #expect(questions.map(\.text) == texts)
        #expect(Array(api.pollOffsets.prefix(2)) == [nil, nil])
        #expect(api.pollOffsets.dropFirst(2).allSatisfy { $0 == 204 })
    }

    @Test func serveTakesTelegramWebhookCallsOnlyWithTheSecretToken() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-botserve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let api = try FakeBotAPI(clock: { Date() })
        defer { api.stop() }
        let probe = try LoopbackHTTPServer { _ in .init(status: 204) }
        let port = probe.port
        probe.stop()
        let databasePath = folder.appendingPathComponent("s.sqlite").path
        let file = folder.appendingPathComponent("tyndau.yaml")
        try """
            database:
              path: \(databasePath)
            server:
              host: 127.0.0.1
              port: \(port)
            telegram_bot:
              token: ${TYNDAU_TEST_BOT_TOKEN}
              base_url: \(api.baseURL)
              local: true
              mode: webhook
              webhook_url: https://tyndau.example.kz/telegram/hook-9
              webhook_secret_token: ${TYNDAU_TEST_BOT_HOOK}
            """.write(to: file, atomically: true, encoding: .utf8)
        let (serve, _) = try TyndauProcess.start(["serve", "--config", file.path], environment: [
            "TYNDAU_TEST_BOT_TOKEN": "7000001:AAH-bot-secret_0123456789", "TYNDAU_TEST_BOT_HOOK": "hook-secret_42",
        ])
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        let base = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<1000 where !ready {
            ready = await workerTestClient.perform(TransferRequest(method: .get, url: base + "/health", allowLocal: true)).status == 200
            if !ready { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(ready)
        let registration = try #require(api.registrations.first)
        #expect(registration["url"] as? String == "https://tyndau.example.kz/telegram/hook-9")
        #expect(registration["secret_token"] as? String == "hook-secret_42")

        let update = Array("{\"update_id\":77,\(FakeBotAPI.message(chat: 8801, id: 1, text: "Во дворе дома 21 затопило подвал"))}".utf8)
        func post(_ headers: [String]) async -> Int {
            await workerTestClient.perform(.json(url: base + "/telegram/hook-9", body: update, headers: headers, allowLocal: true)).status
        }
        #expect(await post([]) == 403)
        #expect(await post(["X-Telegram-Bot-Api-Secret-Token: hook-secret_41"]) == 403)
        #expect(await post(["X-Telegram-Bot-Api-Secret-Token: hook-secret_42"]) == 200)
        #expect(await post(["X-Telegram-Bot-Api-Secret-Token: hook-secret_42"]) == 200)
        // Over 1 MiB: refused before the body is read without the token (403), 413 with it — never 500.
        let oversized = Array(repeating: UInt8(ascii: "x"), count: (1 << 20) + 4096)
        func postLarge(_ headers: [String]) async -> Int {
            await workerTestClient.perform(.json(url: base + "/telegram/hook-9", body: oversized, headers: headers, allowLocal: true)).status
        }
        #expect(await postLarge([]) == 403)
        #expect(await postLarge(["X-Telegram-Bot-Api-Secret-Token: hook-secret_41"]) == 403)
        #expect(await postLarge(["X-Telegram-Bot-Api-Secret-Token: hook-secret_42"]) == 413)
        let database = try SQLiteStore.open(path: databasePath)
        #expect(try await database.countQuestions(status: nil) == 1)
        #expect(api.messages.map(\.chatID) == ["8801", "8801"])
    }
}
