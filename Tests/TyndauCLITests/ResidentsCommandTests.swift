import Foundation
import TelegramBot
import Testing
import TyndauCore
import TyndauSQLite

/// `tyndau residents forget|export` and `privacy.retention_days` in `tyndau worker --once`, as a real
/// child process on a real SQLite file.
@Suite(.serialized) struct ResidentsCommandTests {
    /// Runs `tyndau ARGS` in English; returns the exit code, standard output and standard error.
    func tyndau(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = TyndauProcess.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["TYNDAU_LANG": "en"]) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-residents-\(UUID().uuidString)\(suffix)").path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test func forgetAndExportFindThePersonByEveryKeyAndEraseEverywhere() async throws {
        let path = Self.temporaryPath(".sqlite")
        defer { Self.remove(path) }
        let now = Date()
        let chatID: Int64 = 777_001
        let chatKey = TelegramChatKey.chat(chatID)
        let (web, bot) = try await {
            let database = try SQLiteStore.open(path: path)
            try await database.syncEndpoints([Endpoint(name: "mail", kind: "email")])
            let web = try await database.insert(NewQuestion(
                question: Question(text: "Когда починят фонари на улице Саина?", language: .ru, channel: .web, submittedAt: now),
                contact: AskerContact(
                    name: "Айгуль", phone: "+77011234567", email: "aigul@example.kz", telegramChatID: chatID, consent: true,
                    consentAt: now)))
            guard case .stored(let bot) = try await database.storeBotQuestion(
                BotQuestion(
                    newQuestion: NewQuestion(
                        question: Question(text: "Нет света в подъезде дома 4", language: .ru, channel: .telegram, submittedAt: now),
                        sourceKey: TelegramChatKey.message(chatID: chatID, messageID: 9)),
                    chatKey: chatKey, messageID: 9),
                now: now)
            else { throw TyndauError.conflict("bot question") }
            try await database.recordBotConsent(chatKey: chatKey, chatID: chatID, language: .ru, now: now)
            try await database.enqueue(
                OutgoingMessage(messageKey: "notice:\(web.id!)", body: "Ответ готов", recipientQuestionID: web.id),
                endpointNames: ["mail"], now: now)
            try await database.close()
            return (web, bot)
        }()
        let db = ["--db", path]

        // Exactly one key, each checked.
        var run = try tyndau(["residents", "forget"] + db)
        #expect(run.status == 2 && run.errors.contains("exactly one of"), "\(run)")
        run = try tyndau(["residents", "forget", "--email", "a@b.kz", "--phone", "87011234567"] + db)
        #expect(run.status == 2 && run.errors.contains("exactly one of"))
        run = try tyndau(["residents", "export", "--phone", "hello"] + db)
        #expect(run.status == 2 && run.errors.contains("--phone: not a phone number"))
        run = try tyndau(["residents", "export", "--email", "not-an-address"] + db)
        #expect(run.status == 2 && run.errors.contains("--email: not an e-mail address"))
        run = try tyndau(["residents", "forget", "TRK-NOPE"] + db)
        #expect(run.status == 2 && run.errors.contains("not a ticket number"))
        run = try tyndau(["residents", "forget", "TRK-2026-999999"] + db)
        #expect(run.status == 1 && run.errors.contains("Not found: ticket TRK-2026-999999"), "\(run)")

        // Export by the phone as residents write it: both questions (the bot's through the chat id).
        run = try tyndau(["residents", "export", "--phone", "8 701 123 45 67"] + db)
        #expect(run.status == 0, "\(run)")
        let export = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let questions = try #require(export["questions"] as? [[String: Any]])
        #expect(questions.compactMap { $0["ticket"] as? String } == [web.ticket, bot.ticket].compactMap { $0 })
        let contacts = try #require(export["contacts"] as? [[String: Any]])
        #expect(contacts.contains { $0["email"] as? String == "aigul@example.kz" && $0["name"] as? String == "Айгуль" })
        #expect((export["telegram_chats"] as? [Any])?.count == 1)
        #expect((export["telegram_messages"] as? [[String: Any]])?.first?["message_id"] as? Int == 9)
        #expect((export["notices"] as? [[String: Any]])?.first?["body"] as? String == "Ответ готов")

        // Forget by the Telegram chat id: everything, in one go; the questions stay.
        run = try tyndau(["residents", "forget", "--telegram", "\(chatID)"] + db)
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains(
            "Erased: 2 contact record(s), 1 notice(s) in the outbox, 1 bot link(s), 0 bot file(s), 1 bot chat(s). Questions kept, anonymous: 2."),
            "\(run.output)")
        #expect(!run.output.contains("aigul") && !run.output.contains("7011234567"))
        run = try tyndau(["residents", "forget", "--email", "AIGUL@example.kz", "--json"] + db)
        #expect(run.status == 0 && run.output.contains("\"contacts\" : 0"), "\(run)")
        run = try tyndau(["residents", "forget", "--email", "aigul@example.kz"] + db)
        #expect(run.output.contains("No personal data is held about this person"))
        run = try tyndau(["residents", "export", try #require(web.ticket)] + db)
        let after = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect((after["contacts"] as? [Any])?.isEmpty == true && (after["notices"] as? [Any])?.isEmpty == true)

        let database = try SQLiteStore.open(path: path)
        #expect(try await database.contact(questionID: web.id!) == nil)
        #expect(try await database.question(id: web.id!)?.text == web.text)
        #expect(try await database.question(id: bot.id!)?.text == bot.text)
        #expect(try await database.botChat(chatKey: chatKey) == nil)
        let events = try await database.auditEvents(subject: "personal-data", limit: 5)
        #expect(events.count == 1 && events.first?.details.contains("named by telegram chat") == true)
        #expect(events.first?.actor.hasPrefix("cli:") == true)
        try await database.close()
    }

    @Test func theWorkerPurgesPersonalDataPastTheRetentionPeriod() async throws {
        let path = Self.temporaryPath(".sqlite")
        let config = Self.temporaryPath(".yaml")
        defer {
            Self.remove(path)
            try? FileManager.default.removeItem(atPath: config)
        }
        let now = Date()
        let (old, recent) = try await {
            let database = try SQLiteStore.open(path: path)
            func closed(_ text: String, daysAgo: Double) async throws -> Question {
                try await database.insert(NewQuestion(
                    question: Question(
                        text: text, language: .ru, channel: .web, submittedAt: now.addingTimeInterval(-daysAgo * 86_400),
                        status: .answered),
                    contact: AskerContact(name: "Айгуль", email: "aigul@example.kz", consent: true)))
            }
            let old = try await closed("Вопрос о фонарях, закрыт давно", daysAgo: 40)
            let recent = try await closed("Вопрос о дороге, закрыт недавно", daysAgo: 10)
            try await database.close()
            return (old, recent)
        }()

        // Validated: a clear error naming the key.
        try "privacy:\n  retention_days: 0\n".write(toFile: config, atomically: true, encoding: .utf8)
        var run = try tyndau(["config", "check", "--config", config, "--db", path])
        #expect(run.status == 1 && run.errors.contains("privacy.retention_days") && run.errors.contains("1–36500"), "\(run)")
        try "privacy:\n  retention_period: 30\n".write(toFile: config, atomically: true, encoding: .utf8)
        run = try tyndau(["config", "check", "--config", config, "--db", path])
        #expect(run.status == 1 && run.errors.contains("retention_period"), "\(run)")

        try "privacy:\n  retention_days: 30\n".write(toFile: config, atomically: true, encoding: .utf8)
        run = try tyndau(["worker", "--once", "--config", config, "--db", path])
        #expect(run.status == 0, "\(run)")
        #expect(run.output.contains("Retention: personal data of 1 closed question(s) erased"), "\(run.output)")

        let database = try SQLiteStore.open(path: path)
        #expect(try await database.contact(questionID: old.id!) == nil)
        #expect(try await database.contact(questionID: recent.id!)?.email == "aigul@example.kz")
        #expect(try await database.question(id: old.id!)?.text == old.text)
        let events = try await database.auditEvents(subject: "question:\(old.id!)", limit: 5)
        #expect(events.first?.action == "asker.erase" && events.first?.actor == "system:retention")
        try await database.close()
    }
}
