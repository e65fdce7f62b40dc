import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore {
    static func touchChat(_ chatKey: String, now: Date, _ connection: PostgresConnection) async throws {
        try await connection.run(#"""
            INSERT INTO "botChat" ("chatKey", "updatedAt") VALUES (\#(chatKey), \#(now))
            ON CONFLICT ("chatKey") DO UPDATE SET "updatedAt" = excluded."updatedAt"
            """#)
    }

    static func insertMedia(_ media: [BotMedia], chatKey: String, questionID: Question.ID?, now: Date, _ connection: PostgresConnection)
        async throws
    {
        for item in media {
            try await connection.run(#"""
                INSERT INTO "botMedia" ("chatKey", "questionID", "messageID", "kind", "fileID", "fileUniqueID", "receivedAt")
                VALUES (\#(chatKey), \#(questionID), \#(item.messageID), \#(item.kind.rawValue), \#(item.fileID), \#(item.fileUniqueID),
                        \#(now))
                ON CONFLICT ("chatKey", "messageID", "fileUniqueID") DO NOTHING
                """#)
        }
    }

    static let openStatuses = QuestionStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
}

extension PostgresStore: BotStore {
    public func botOffset(bot: String) async throws -> Int64? {
        try await read { connection in
            try await connection.value(#"SELECT "updateOffset" FROM "botState" WHERE "bot" = \#(bot)"#, as: Int64.self)
        }
    }

    public func saveBotOffset(_ offset: Int64, bot: String, now: Date) async throws {
        try await write { connection in
            // Never moves back: two pollers racing cannot replay updates.
            try await connection.run(#"""
                INSERT INTO "botState" ("bot", "updateOffset", "updatedAt") VALUES (\#(bot), \#(offset), \#(now))
                ON CONFLICT ("bot") DO UPDATE SET "updateOffset" = GREATEST("botState"."updateOffset", excluded."updateOffset"),
                  "updatedAt" = excluded."updatedAt"
                """#)
        }
    }

    public func claimBotPolling(bot: String, holder: String, until: Date, now: Date) async throws -> Bool {
        try await write { connection in
            let changed = try await connection.changes(#"""
                INSERT INTO "botPolling" ("bot", "holder", "leaseUntil") VALUES (\#(bot), \#(holder), \#(until))
                ON CONFLICT ("bot") DO UPDATE SET "holder" = excluded."holder", "leaseUntil" = excluded."leaseUntil"
                WHERE "botPolling"."holder" = excluded."holder" OR "botPolling"."leaseUntil" <= \#(now)
                """#)
            return changed == 1
        }
    }

    public func releaseBotPolling(bot: String, holder: String) async throws {
        try await write { connection in
            try await connection.run(#"DELETE FROM "botPolling" WHERE "bot" = \#(bot) AND "holder" = \#(holder)"#)
        }
    }

    public func botChat(chatKey: String) async throws -> BotChatState? {
        try await read { connection in
            try await connection.row(#"SELECT * FROM "botChat" WHERE "chatKey" = \#(chatKey)"#).map { row in
                BotChatState(
                    chatKey: try row("chatKey"), language: try row("language", as: String?.self).flatMap(UILanguage.init(rawValue:)),
                    consentAt: try row("consentAt"), unreachableAt: try row("unreachableAt"))
            }
        }
    }

    public func setBotChatLanguage(_ language: UILanguage, chatKey: String, now: Date) async throws {
        try await write { connection in
            try await Self.touchChat(chatKey, now: now, connection)
            try await connection.run(#"UPDATE "botChat" SET "language" = \#(language.rawValue) WHERE "chatKey" = \#(chatKey)"#)
            // Notices follow the language the resident chose, also for questions already asked.
            try await connection.run(#"""
                UPDATE "asker" SET "language" = \#(language.rawValue)
                WHERE "questionID" IN (SELECT "questionID" FROM "botQuestion" WHERE "chatKey" = \#(chatKey))
                """#)
        }
    }

    public func markBotChatReachable(chatKey: String, chatID: Int64) async throws {
        try await write { connection in
            try await connection.run(#"""
                UPDATE "botChat" SET "unreachableAt" = NULL WHERE "chatKey" = \#(chatKey) AND "unreachableAt" IS NOT NULL
                """#)
            try await connection.run(#"""
                UPDATE "asker" SET "telegramUnreachableAt" = NULL
                WHERE "telegramChatID" = \#(chatID) AND "telegramUnreachableAt" IS NOT NULL
                """#)
        }
    }

    public func storeBotQuestion(_ botQuestion: BotQuestion, now: Date) async throws -> BotQuestionOutcome {
        let sourceKey = try botQuestion.requiredSourceKey()
        let channel = botQuestion.newQuestion.question.channel.rawValue
        return try await write { connection in
            func existing() async throws -> Question? {
                try await connection.row(#"""
                    SELECT \#(unescaped: Self.questionColumns()) FROM "question"
                    WHERE "channel" = \#(channel) AND "sourceKey" = \#(sourceKey)
                    """#).map(Self.question)
            }
            if let stored = try await existing() { return .alreadyStored(stored) }
            // A webhook retried to a second server at the same moment: the insert waits for the first
            // one's commit and stores nothing; the question is then read back as already stored.
            guard let stored = try await Self.insert(botQuestion.newQuestion, connection), let id = stored.id else {
                guard let stored = try await existing() else { throw TyndauError.databaseFailed("bot question neither stored nor found") }
                return .alreadyStored(stored)
            }
            try await Self.touchChat(botQuestion.chatKey, now: now, connection)
            try await connection.run(#"""
                INSERT INTO "botQuestion" ("questionID", "chatKey", "messageID") VALUES (\#(id), \#(botQuestion.chatKey), \#(botQuestion.messageID))
                """#)
            try await connection.run(#"""
                UPDATE "botMedia" SET "questionID" = \#(id) WHERE "chatKey" = \#(botQuestion.chatKey) AND "questionID" IS NULL
                """#)
            try await Self.insertMedia(botQuestion.media, chatKey: botQuestion.chatKey, questionID: id, now: now, connection)
            return .stored(stored)
        }
    }

    public func acknowledgeBotQuestion(_ id: Question.ID, now: Date) async throws {
        try await write { connection in
            let status = try await connection.value(
                #"SELECT "status" FROM "question" WHERE "id" = \#(id) FOR UPDATE"#, as: String.self)
            guard status == QuestionStatus.received.rawValue else { return }
            _ = try await Self.updateStatus(questionID: id, to: .acknowledged, reason: nil, actor: "telegram-bot", now: now, connection)
        }
    }

    public func editBotQuestion(sourceKey: String, text: String, language: TextLanguage, actor: String, now: Date) async throws
        -> BotEditOutcome
    {
        try await write { connection in
            guard var question = try await connection.row(#"""
                SELECT \#(unescaped: Self.questionColumns()) FROM "question"
                WHERE "channel" = \#(Channel.telegram.rawValue) AND "sourceKey" = \#(sourceKey) FOR UPDATE
                """#).map(Self.question), let id = question.id
            else { return .unknown }
            guard !question.status.isTriaged else { return .locked(question) }
            guard question.text != text else { return .updated(question) }
            question.text = text
            question.language = language
            try await connection.run(#"""
                UPDATE "question" SET "text" = \#(text), "language" = \#(language.rawValue) WHERE "id" = \#(id)
                """#)
            try await Self.audit(
                AuditEvent.questionEdited(id, actor: actor, at: now), connection)
            return .updated(question)
        }
    }

    public func keepBotMedia(_ media: [BotMedia], chatKey: String, now: Date) async throws -> BotMediaOutcome {
        try await write { connection in
            try await Self.touchChat(chatKey, now: now, connection)
            let question = try await connection.row(#"""
                SELECT \#(unescaped: Self.questionColumns("q")) FROM "question" q JOIN "botQuestion" b ON b."questionID" = q."id"
                WHERE b."chatKey" = \#(chatKey) AND q."status" = ANY(\#(Self.openStatuses))
                ORDER BY q."id" DESC LIMIT 1
                """#).map(Self.question)
            try await Self.insertMedia(media, chatKey: chatKey, questionID: question?.id, now: now, connection)
            return question.map(BotMediaOutcome.attached) ?? .keptForNextQuestion
        }
    }

    @discardableResult
    public func recordBotConsent(chatKey: String, chatID: Int64, language: UILanguage, now: Date) async throws -> Int {
        try await write { connection in
            try await Self.touchChat(chatKey, now: now, connection)
            try await connection.run(#"""
                UPDATE "botChat" SET "consentAt" = COALESCE("consentAt", \#(now)), "unreachableAt" = NULL WHERE "chatKey" = \#(chatKey)
                """#)
            let contact = AskerContact(telegramChatID: chatID, consent: true, consentAt: now, language: language)
            let ids = try await connection.values(#"""
                SELECT q."id" FROM "question" q JOIN "botQuestion" b ON b."questionID" = q."id"
                LEFT JOIN "asker" a ON a."questionID" = q."id"
                WHERE b."chatKey" = \#(chatKey) AND a."questionID" IS NULL AND q."status" = ANY(\#(Self.openStatuses))
                ORDER BY q."id"
                """#, as: Int64.self)
            for id in ids {
                try await Self.insertAsker(questionID: id, contact: contact, connection)
            }
            try await Self.audit(AuditEvent.botConsentGiven(chatKey: chatKey, contactsAdded: ids.count, at: now), connection)
            return ids.count
        }
    }

    @discardableResult
    public func withdrawBotConsent(chatKey: String, chatID: Int64, now: Date) async throws -> Int {
        try await write { connection in
            try await Self.touchChat(chatKey, now: now, connection)
            try await connection.run(#"UPDATE "botChat" SET "consentAt" = NULL WHERE "chatKey" = \#(chatKey)"#)
            // Rows that hold nothing but the chat id go; others (a web-form contact) lose the chat id only.
            var erased = try await connection.changes(#"""
                DELETE FROM "asker" WHERE "telegramChatID" = \#(chatID) AND "name" IS NULL AND "phone" IS NULL AND "email" IS NULL
                  AND "telegramUsername" IS NULL
                """#)
            erased += try await connection.changes(#"""
                UPDATE "asker" SET "telegramChatID" = NULL, "telegramUnreachableAt" = NULL WHERE "telegramChatID" = \#(chatID)
                """#)
            try await Self.audit(AuditEvent.botConsentWithdrawn(chatKey: chatKey, contactsErased: erased, at: now), connection)
            return erased
        }
    }

    public func markBotChatUnreachable(chatKey: String, chatID: Int64, now: Date) async throws {
        try await write { connection in
            try await Self.touchChat(chatKey, now: now, connection)
            try await connection.run(#"UPDATE "botChat" SET "unreachableAt" = \#(now) WHERE "chatKey" = \#(chatKey)"#)
            try await connection.run(#"UPDATE "asker" SET "telegramUnreachableAt" = \#(now) WHERE "telegramChatID" = \#(chatID)"#)
        }
    }

    public func botQuestions(chatKey: String, limit: Int) async throws -> [Question] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns("q")) FROM "question" q JOIN "botQuestion" b ON b."questionID" = q."id"
                WHERE b."chatKey" = \#(chatKey) ORDER BY q."id" DESC LIMIT \#(Int64(limit))
                """#).map(Self.question)
        }
    }

    public func botMedia(questionID: Question.ID) async throws -> [BotMedia] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT "kind", "fileID", "fileUniqueID", "messageID" FROM "botMedia" WHERE "questionID" = \#(questionID) ORDER BY "id"
                """#).map { row in
                BotMedia(
                    kind: BotMedia.Kind(rawValue: try row("kind")) ?? .document, fileID: try row("fileID"),
                    fileUniqueID: try row("fileUniqueID"), messageID: try row("messageID"))
            }
        }
    }
}
