import Foundation
import GRDB
import TyndauCore

extension SQLiteStore {
    /// The Telegram bot's tables: the update offset per bot, per-chat state keyed by a digest of the chat
    /// id (language, consent, blocked), the link from a question to its chat and message, and media file
    /// ids. The raw chat id lives only in `asker`, after consent; `asker.telegramUnreachableAt` marks a
    /// chat that blocked the bot so notices stop being addressed to it.
    static func registerBot(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("telegram-bot-v1") { db in
            try db.create(table: "botState") { t in
                t.primaryKey("bot", .text)
                t.column("updateOffset", .integer).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "botPolling") { t in
                t.primaryKey("bot", .text)
                t.column("holder", .text).notNull()
                t.column("leaseUntil", .datetime).notNull()
            }
            try db.create(table: "botChat") { t in
                t.primaryKey("chatKey", .text)
                t.column("language", .text)
                t.column("consentAt", .datetime)
                t.column("unreachableAt", .datetime)
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "botQuestion") { t in
                t.primaryKey("questionID", .integer).references("question", onDelete: .cascade)
                t.column("chatKey", .text).notNull().indexed()
                t.column("messageID", .integer).notNull()
            }
            try db.create(table: "botMedia") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("chatKey", .text).notNull().indexed()
                t.column("questionID", .integer).indexed().references("question", onDelete: .cascade)
                t.column("messageID", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("fileID", .text).notNull()
                t.column("fileUniqueID", .text).notNull()
                t.column("receivedAt", .datetime).notNull()
                t.uniqueKey(["chatKey", "messageID", "fileUniqueID"])
            }
            try db.alter(table: "asker") { t in
                t.add(column: "telegramUnreachableAt", .datetime)
            }
            try db.create(index: "asker_on_telegramChatID", on: "asker", columns: ["telegramChatID"])
        }
    }

    private static func touchChat(_ chatKey: String, now: Date, _ db: Database) throws {
        try db.execute(
            sql:
                "INSERT INTO botChat (chatKey, updatedAt) VALUES (?, ?) ON CONFLICT(chatKey) DO UPDATE SET updatedAt = excluded.updatedAt",
            arguments: [chatKey, now]
        )
    }

    private static func insertMedia(
        _ media: [BotMedia], chatKey: String, questionID: Question.ID?, now: Date, _ db: Database
    ) throws {
        for item in media {
            try db.execute(
                sql: """
                    INSERT INTO botMedia (chatKey, questionID, messageID, kind, fileID, fileUniqueID, receivedAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(chatKey, messageID, fileUniqueID) DO NOTHING
                    """,
                arguments: [
                    chatKey, questionID, item.messageID, item.kind.rawValue, item.fileID, item.fileUniqueID, now,
                ]
            )
        }
    }

    private static let openStatuses = QuestionStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
}

extension SQLiteStore: BotStore {
    public func botOffset(bot: String) async throws -> Int64? {
        try await reader.read { db in
            try Int64.fetchOne(db, sql: "SELECT updateOffset FROM botState WHERE bot = ?", arguments: [bot])
        }
    }

    public func saveBotOffset(_ offset: Int64, bot: String, now: Date) async throws {
        try await writer.write { db in
            // Never moves back: two pollers racing (which Telegram refuses anyway) cannot replay updates.
            try db.execute(
                sql: """
                    INSERT INTO botState (bot, updateOffset, updatedAt) VALUES (?, ?, ?)
                    ON CONFLICT(bot) DO UPDATE SET updateOffset = MAX(updateOffset, excluded.updateOffset),
                      updatedAt = excluded.updatedAt
                    """,
                arguments: [bot, offset, now]
            )
        }
    }

    public func claimBotPolling(bot: String, holder: String, until: Date, now: Date) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO botPolling (bot, holder, leaseUntil) VALUES (?, ?, ?)
                    ON CONFLICT(bot) DO UPDATE SET holder = excluded.holder, leaseUntil = excluded.leaseUntil
                    WHERE botPolling.holder = excluded.holder OR botPolling.leaseUntil <= ?
                    """,
                arguments: [bot, holder, until, now]
            )
            return db.changesCount == 1
        }
    }

    public func releaseBotPolling(bot: String, holder: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM botPolling WHERE bot = ? AND holder = ?", arguments: [bot, holder])
        }
    }

    public func botChat(chatKey: String) async throws -> BotChatState? {
        try await reader.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM botChat WHERE chatKey = ?", arguments: [chatKey])
            else {
                return nil
            }
            return BotChatState(
                chatKey: row["chatKey"], language: (row["language"] as String?).flatMap(UILanguage.init(rawValue:)),
                consentAt: row["consentAt"], unreachableAt: row["unreachableAt"]
            )
        }
    }

    public func setBotChatLanguage(_ language: UILanguage, chatKey: String, now: Date) async throws {
        try await writer.write { db in
            try Self.touchChat(chatKey, now: now, db)
            try db.execute(
                sql: "UPDATE botChat SET language = ? WHERE chatKey = ?", arguments: [language.rawValue, chatKey])
            // Notices follow the language the resident chose, also for questions already asked.
            try db.execute(
                sql: """
                    UPDATE asker SET language = ? WHERE questionID IN (SELECT questionID FROM botQuestion WHERE chatKey = ?)
                    """,
                arguments: [language.rawValue, chatKey]
            )
        }
    }

    public func markBotChatReachable(chatKey: String, chatID: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE botChat SET unreachableAt = NULL WHERE chatKey = ? AND unreachableAt IS NOT NULL",
                arguments: [chatKey])
            try db.execute(
                sql:
                    "UPDATE asker SET telegramUnreachableAt = NULL WHERE telegramChatID = ? AND telegramUnreachableAt IS NOT NULL",
                arguments: [chatID]
            )
        }
    }

    public func storeBotQuestion(_ botQuestion: BotQuestion, now: Date) async throws -> BotQuestionOutcome {
        let sourceKey = try botQuestion.requiredSourceKey()
        return try await writer.write { db in
            let channel = botQuestion.newQuestion.question.channel.rawValue
            if let existing = try Question.filter(Column("channel") == channel && Column("sourceKey") == sourceKey)
                .fetchOne(db)
            {
                return .alreadyStored(existing)
            }
            // Looked for above in this (single-writer) transaction: an insert storing nothing now is the engine's fault.
            guard let stored = try Self.insert(botQuestion.newQuestion, db), let id = stored.id else {
                throw TyndauError.databaseFailed("bot question insert stored nothing")
            }
            try Self.touchChat(botQuestion.chatKey, now: now, db)
            try db.execute(
                sql: "INSERT INTO botQuestion (questionID, chatKey, messageID) VALUES (?, ?, ?)",
                arguments: [id, botQuestion.chatKey, botQuestion.messageID]
            )
            try db.execute(
                sql: "UPDATE botMedia SET questionID = ? WHERE chatKey = ? AND questionID IS NULL",
                arguments: [id, botQuestion.chatKey]
            )
            try Self.insertMedia(botQuestion.media, chatKey: botQuestion.chatKey, questionID: id, now: now, db)
            return .stored(stored)
        }
    }

    public func acknowledgeBotQuestion(_ id: Question.ID, now: Date) async throws {
        try await writer.write { db in
            let status = try String.fetchOne(db, sql: "SELECT status FROM question WHERE id = ?", arguments: [id])
            guard status == QuestionStatus.received.rawValue else { return }
            _ = try Self.updateStatus(questionID: id, to: .acknowledged, reason: nil, actor: "telegram-bot", now: now, db)
        }
    }

    public func editBotQuestion(sourceKey: String, text: String, language: TextLanguage, actor: String, now: Date)
        async throws -> BotEditOutcome
    {
        try await writer.write { db in
            guard
                var question = try Question.filter(
                    Column("channel") == Channel.telegram.rawValue && Column("sourceKey") == sourceKey
                ).fetchOne(db),
                let id = question.id
            else { return .unknown }
            guard !question.status.isTriaged else { return .locked(question) }
            guard question.text != text else { return .updated(question) }
            question.text = text
            question.language = language
            try question.update(db, columns: ["text", "language"])
            try Self.audit(AuditEvent.questionEdited(id, actor: actor, at: now), db)
            return .updated(question)
        }
    }

    public func keepBotMedia(_ media: [BotMedia], chatKey: String, now: Date) async throws -> BotMediaOutcome {
        try await writer.write { db in
            try Self.touchChat(chatKey, now: now, db)
            let question = try Question.fetchOne(
                db,
                sql: """
                    SELECT q.* FROM question q JOIN botQuestion b ON b.questionID = q.id
                    WHERE b.chatKey = ? AND q.status IN (\(Self.openStatuses.map { _ in "?" }.joined(separator: ",")))
                    ORDER BY q.id DESC LIMIT 1
                    """,
                arguments: StatementArguments([chatKey] + Self.openStatuses)
            )
            try Self.insertMedia(media, chatKey: chatKey, questionID: question?.id, now: now, db)
            return question.map(BotMediaOutcome.attached) ?? .keptForNextQuestion
        }
    }

    @discardableResult
    public func recordBotConsent(chatKey: String, chatID: Int64, language: UILanguage, now: Date) async throws -> Int {
        try await writer.write { db in
            try Self.touchChat(chatKey, now: now, db)
            try db.execute(
                sql: "UPDATE botChat SET consentAt = COALESCE(consentAt, ?), unreachableAt = NULL WHERE chatKey = ?",
                arguments: [now, chatKey]
            )
            let contact = AskerContact(telegramChatID: chatID, consent: true, consentAt: now, language: language)
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT q.id FROM question q JOIN botQuestion b ON b.questionID = q.id
                    LEFT JOIN asker a ON a.questionID = q.id
                    WHERE b.chatKey = ? AND a.questionID IS NULL
                      AND q.status IN (\(Self.openStatuses.map { _ in "?" }.joined(separator: ",")))
                    """,
                arguments: StatementArguments([chatKey] + Self.openStatuses)
            )
            for id in ids {
                try AskerRecord(questionID: id, contact: contact).insert(db)
            }
            try Self.audit(AuditEvent.botConsentGiven(chatKey: chatKey, contactsAdded: ids.count, at: now), db)
            return ids.count
        }
    }

    @discardableResult
    public func withdrawBotConsent(chatKey: String, chatID: Int64, now: Date) async throws -> Int {
        try await writer.write { db in
            try Self.touchChat(chatKey, now: now, db)
            try db.execute(sql: "UPDATE botChat SET consentAt = NULL WHERE chatKey = ?", arguments: [chatKey])
            // Rows that hold nothing but the chat id go; others (a web-form contact) lose the chat id only.
            try db.execute(
                sql: """
                    DELETE FROM asker WHERE telegramChatID = ? AND name IS NULL AND phone IS NULL AND email IS NULL
                      AND telegramUsername IS NULL
                    """,
                arguments: [chatID]
            )
            var erased = db.changesCount
            try db.execute(
                sql: "UPDATE asker SET telegramChatID = NULL, telegramUnreachableAt = NULL WHERE telegramChatID = ?",
                arguments: [chatID]
            )
            erased += db.changesCount
            try Self.audit(AuditEvent.botConsentWithdrawn(chatKey: chatKey, contactsErased: erased, at: now), db)
            return erased
        }
    }

    public func markBotChatUnreachable(chatKey: String, chatID: Int64, now: Date) async throws {
        try await writer.write { db in
            try Self.touchChat(chatKey, now: now, db)
            try db.execute(sql: "UPDATE botChat SET unreachableAt = ? WHERE chatKey = ?", arguments: [now, chatKey])
            try db.execute(
                sql: "UPDATE asker SET telegramUnreachableAt = ? WHERE telegramChatID = ?", arguments: [now, chatID])
        }
    }

    public func botQuestions(chatKey: String, limit: Int) async throws -> [Question] {
        try await reader.read { db in
            try Question.fetchAll(
                db,
                sql: """
                    SELECT q.* FROM question q JOIN botQuestion b ON b.questionID = q.id
                    WHERE b.chatKey = ? ORDER BY q.id DESC LIMIT ?
                    """,
                arguments: [chatKey, limit]
            )
        }
    }

    public func botMedia(questionID: Question.ID) async throws -> [BotMedia] {
        try await reader.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT kind, fileID, fileUniqueID, messageID FROM botMedia WHERE questionID = ? ORDER BY id",
                arguments: [questionID]
            ).map { row in
                BotMedia(
                    kind: BotMedia.Kind(rawValue: row["kind"]) ?? .document, fileID: row["fileID"],
                    fileUniqueID: row["fileUniqueID"], messageID: row["messageID"]
                )
            }
        }
    }
}
