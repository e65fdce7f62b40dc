import Foundation
import GRDB
import TyndauCore

/// `PersonalDataStore` on SQLite: reads and deletes rows; what is erased and why is `PersonalDataRights`'s.
extension SQLiteStore: PersonalDataStore {
    /// `column IN (?, ?, …)` for the non-empty `values`, or `nil`.
    private static func membership(_ column: String, _ values: [any DatabaseValueConvertible]) -> (String, StatementArguments)? {
        guard !values.isEmpty else { return nil }
        return ("\(column) IN (\(values.map { _ in "?" }.joined(separator: ",")))", StatementArguments(values))
    }

    /// `a OR b OR …` of the non-empty memberships, with their arguments; `nil` when all are empty.
    private static func anyOf(_ parts: [(String, StatementArguments)?]) -> (String, StatementArguments)? {
        let present = parts.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        var arguments = StatementArguments()
        for part in present { arguments += part.1 }
        return ("(" + present.map(\.0).joined(separator: " OR ") + ")", arguments)
    }

    public func personalDataRows(matching keys: PersonalDataKeys) async throws -> PersonalDataRows {
        let questionIDs = keys.questionIDs.sorted()
        let chatKeys = keys.chatKeys.sorted()
        return try await reader.read { db in
            var rows = PersonalDataRows()
            if let (condition, arguments) = Self.anyOf([
                Self.membership("questionID", questionIDs),
                Self.membership("lower(email)", keys.emails.sorted()),
                Self.membership("phone", keys.phones.sorted()),
                Self.membership("telegramChatID", keys.telegramChatIDs.sorted()),
                Self.membership("lower(telegramUsername)", keys.telegramUsernames.sorted()),
            ]) {
                rows.contacts = try AskerRecord.fetchAll(
                    db, sql: "SELECT * FROM asker WHERE \(condition) ORDER BY questionID", arguments: arguments
                ).map { HeldContact(questionID: $0.questionID, contact: $0.contact) }
            }
            if let (condition, arguments) = Self.anyOf([
                Self.membership("questionID", questionIDs), Self.membership("chatKey", chatKeys),
            ]) {
                rows.botLinks = try Row.fetchAll(
                    db, sql: "SELECT * FROM botQuestion WHERE \(condition) ORDER BY questionID", arguments: arguments
                ).map { HeldBotLink(questionID: $0["questionID"], chatKey: $0["chatKey"], messageID: $0["messageID"]) }
                rows.botMedia = try Row.fetchAll(
                    db, sql: "SELECT * FROM botMedia WHERE \(condition) ORDER BY id", arguments: arguments
                ).map { row in
                    HeldBotMedia(
                        chatKey: row["chatKey"], questionID: row["questionID"],
                        media: BotMedia(
                            kind: BotMedia.Kind(rawValue: row["kind"]) ?? .document, fileID: row["fileID"],
                            fileUniqueID: row["fileUniqueID"], messageID: row["messageID"]),
                        receivedAt: row["receivedAt"])
                }
            }
            if let (condition, arguments) = Self.membership("chatKey", chatKeys) {
                rows.botChats = try Row.fetchAll(
                    db, sql: "SELECT * FROM botChat WHERE \(condition) ORDER BY chatKey", arguments: arguments
                ).map { row in
                    BotChatState(
                        chatKey: row["chatKey"], language: (row["language"] as String?).flatMap(UILanguage.init(rawValue:)),
                        consentAt: row["consentAt"], unreachableAt: row["unreachableAt"])
                }
            }
            return rows
        }
    }

    public func deliveries(recipientQuestionIDs: Set<Question.ID>) async throws -> [Delivery] {
        guard let (condition, arguments) = Self.membership("recipientQuestionID", recipientQuestionIDs.sorted()) else {
            return []
        }
        return try await reader.read { db in
            try Delivery.fetchAll(db, sql: "SELECT * FROM delivery WHERE \(condition) ORDER BY id", arguments: arguments)
        }
    }

    public func closedQuestionsHoldingPersonalData(closedBefore cutoff: Date, limit: Int) async throws -> [Question.ID] {
        let finals = QuestionStatus.allCases.filter(\.isFinal).map(\.rawValue)
        return try await reader.read { db in
            try Question.ID.fetchAll(
                db,
                sql: """
                    SELECT id FROM (
                      SELECT q.id, COALESCE(
                        (SELECT MAX(e.at) FROM auditEvent e
                         WHERE e.subject = 'question:' || q.id AND e.action = 'question.status'),
                        q.submittedAt) AS closedAt
                      FROM question q
                      WHERE q.status IN (\(finals.map { _ in "?" }.joined(separator: ",")))
                        AND (EXISTS (SELECT 1 FROM asker a WHERE a.questionID = q.id)
                          OR EXISTS (SELECT 1 FROM botQuestion b WHERE b.questionID = q.id)
                          OR EXISTS (SELECT 1 FROM botMedia m WHERE m.questionID = q.id))
                    ) WHERE closedAt < ? ORDER BY closedAt, id LIMIT ?
                    """,
                arguments: StatementArguments(finals) + [cutoff, limit]
            )
        }
    }

    @discardableResult
    public func erasePersonalData(
        _ erasure: PersonalDataErasure, audit: @escaping @Sendable (PersonalDataErasureCount) -> [AuditEvent]
    ) async throws -> PersonalDataErasureCount {
        let questionIDs = erasure.questionIDs.sorted()
        let chatKeys = erasure.chatKeys.sorted()
        return try await writer.write { db in
            var count = PersonalDataErasureCount()
            if let (condition, arguments) = Self.membership("questionID", questionIDs) {
                try db.execute(sql: "DELETE FROM asker WHERE \(condition)", arguments: arguments)
                count.contacts = db.changesCount
            }
            if let (condition, arguments) = Self.membership("recipientQuestionID", questionIDs) {
                // A claimed row stays for its worker's fenced writes, no longer addressed to anyone.
                try db.execute(sql: "DELETE FROM delivery WHERE status <> 'sending' AND \(condition)", arguments: arguments)
                count.notices = db.changesCount
                try db.execute(
                    sql: "UPDATE delivery SET recipientQuestionID = NULL WHERE status = 'sending' AND \(condition)",
                    arguments: arguments)
                count.notices += db.changesCount
            }
            if let (condition, arguments) = Self.anyOf([
                Self.membership("questionID", questionIDs), Self.membership("chatKey", chatKeys),
            ]) {
                try db.execute(sql: "DELETE FROM botQuestion WHERE \(condition)", arguments: arguments)
                count.botLinks = db.changesCount
                try db.execute(sql: "DELETE FROM botMedia WHERE \(condition)", arguments: arguments)
                count.botMedia = db.changesCount
            }
            if let (condition, arguments) = Self.membership("chatKey", chatKeys) {
                try db.execute(sql: "DELETE FROM botChat WHERE \(condition)", arguments: arguments)
                count.botChats = db.changesCount
            }
            for var event in audit(count) {
                try event.insert(db)
            }
            return count
        }
    }
}
