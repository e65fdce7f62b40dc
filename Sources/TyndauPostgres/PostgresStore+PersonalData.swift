import Foundation
import PostgresNIO
import TyndauCore

/// `PersonalDataStore` on PostgreSQL: reads and deletes rows; what is erased and why is `PersonalDataRights`'s.
extension PostgresStore: PersonalDataStore {
    public func personalDataRows(matching keys: PersonalDataKeys) async throws -> PersonalDataRows {
        let questionIDs = keys.questionIDs.sorted()
        let emails = keys.emails.sorted()
        let phones = keys.phones.sorted()
        let chatIDs = keys.telegramChatIDs.sorted()
        let usernames = keys.telegramUsernames.sorted()
        let chatKeys = keys.chatKeys.sorted()
        return try await read { connection in
            var rows = PersonalDataRows()
            rows.contacts = try await connection.rows(#"""
                SELECT * FROM "asker"
                WHERE "questionID" = ANY(\#(questionIDs)) OR lower("email") = ANY(\#(emails)) OR "phone" = ANY(\#(phones))
                   OR "telegramChatID" = ANY(\#(chatIDs)) OR lower("telegramUsername") = ANY(\#(usernames))
                ORDER BY "questionID"
                """#).map { row in
                HeldContact(questionID: try row("questionID", as: Int64.self), contact: try Self.askerContact(row))
            }
            rows.botLinks = try await connection.rows(#"""
                SELECT * FROM "botQuestion" WHERE "questionID" = ANY(\#(questionIDs)) OR "chatKey" = ANY(\#(chatKeys))
                ORDER BY "questionID"
                """#).map { row in
                HeldBotLink(
                    questionID: try row("questionID", as: Int64.self), chatKey: try row("chatKey", as: String.self),
                    messageID: try row("messageID", as: Int64.self))
            }
            rows.botMedia = try await connection.rows(#"""
                SELECT * FROM "botMedia" WHERE "questionID" = ANY(\#(questionIDs)) OR "chatKey" = ANY(\#(chatKeys))
                ORDER BY "id"
                """#).map { row in
                HeldBotMedia(
                    chatKey: try row("chatKey", as: String.self), questionID: try row("questionID", as: Int64?.self),
                    media: BotMedia(
                        kind: BotMedia.Kind(rawValue: try row("kind", as: String.self)) ?? .document,
                        fileID: try row("fileID", as: String.self), fileUniqueID: try row("fileUniqueID", as: String.self),
                        messageID: try row("messageID", as: Int64.self)),
                    receivedAt: try row("receivedAt", as: Date.self))
            }
            rows.botChats = try await connection.rows(#"""
                SELECT * FROM "botChat" WHERE "chatKey" = ANY(\#(chatKeys)) ORDER BY "chatKey"
                """#).map { row in
                BotChatState(
                    chatKey: try row("chatKey"), language: try row("language", as: String?.self).flatMap(UILanguage.init(rawValue:)),
                    consentAt: try row("consentAt"), unreachableAt: try row("unreachableAt"))
            }
            return rows
        }
    }

    public func deliveries(recipientQuestionIDs: Set<Question.ID>) async throws -> [Delivery] {
        let ids = recipientQuestionIDs.sorted()
        guard !ids.isEmpty else { return [] }
        return try await read { connection in
            try await connection.rows(#"""
                SELECT \#(unescaped: Self.deliveryColumns("d")) FROM "delivery" d
                WHERE d."recipientQuestionID" = ANY(\#(ids)) ORDER BY d."id"
                """#).map(Self.delivery)
        }
    }

    public func closedQuestionsHoldingPersonalData(closedBefore cutoff: Date, limit: Int) async throws -> [Question.ID] {
        let finals = QuestionStatus.allCases.filter(\.isFinal).map(\.rawValue)
        return try await read { connection in
            try await connection.values(#"""
                SELECT "id" FROM (
                  SELECT q."id", COALESCE(
                    (SELECT MAX(e."at") FROM "auditEvent" e
                     WHERE e."subject" = 'question:' || q."id" AND e."action" = 'question.status'),
                    q."submittedAt") AS "closedAt"
                  FROM "question" q
                  WHERE q."status" = ANY(\#(finals))
                    AND (EXISTS (SELECT 1 FROM "asker" a WHERE a."questionID" = q."id")
                      OR EXISTS (SELECT 1 FROM "botQuestion" b WHERE b."questionID" = q."id")
                      OR EXISTS (SELECT 1 FROM "botMedia" m WHERE m."questionID" = q."id"))
                ) expired WHERE "closedAt" < \#(cutoff) ORDER BY "closedAt", "id" LIMIT \#(Int64(limit))
                """#, as: Int64.self)
        }
    }

    @discardableResult
    public func erasePersonalData(
        _ erasure: PersonalDataErasure, audit: @escaping @Sendable (PersonalDataErasureCount) -> [AuditEvent]
    ) async throws -> PersonalDataErasureCount {
        let questionIDs = erasure.questionIDs.sorted()
        let chatKeys = erasure.chatKeys.sorted()
        return try await write { connection in
            var count = PersonalDataErasureCount()
            count.contacts = try await connection.changes(#"DELETE FROM "asker" WHERE "questionID" = ANY(\#(questionIDs))"#)
            // A claimed row stays for its worker's fenced writes, no longer addressed to anyone.
            count.notices = try await connection.changes(#"""
                DELETE FROM "delivery" WHERE "status" <> 'sending' AND "recipientQuestionID" = ANY(\#(questionIDs))
                """#)
            count.notices += try await connection.changes(#"""
                UPDATE "delivery" SET "recipientQuestionID" = NULL
                WHERE "status" = 'sending' AND "recipientQuestionID" = ANY(\#(questionIDs))
                """#)
            count.botLinks = try await connection.changes(#"""
                DELETE FROM "botQuestion" WHERE "questionID" = ANY(\#(questionIDs)) OR "chatKey" = ANY(\#(chatKeys))
                """#)
            count.botMedia = try await connection.changes(#"""
                DELETE FROM "botMedia" WHERE "questionID" = ANY(\#(questionIDs)) OR "chatKey" = ANY(\#(chatKeys))
                """#)
            count.botChats = try await connection.changes(#"DELETE FROM "botChat" WHERE "chatKey" = ANY(\#(chatKeys))"#)
            for event in audit(count) {
                try await Self.audit(event, connection)
            }
            return count
        }
    }
}
