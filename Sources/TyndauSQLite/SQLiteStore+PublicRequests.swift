import Foundation
import GRDB
import TyndauCore

extension SQLiteStore: PublicRequestStore {
    /// One read transaction: the page of questions, then the rows about their topics.
    public func publicRequestRecords(_ query: PublicRequestQuery) async throws -> PublicRequestRecords {
        try await reader.read { db in
            var conditions = ["question.status IN (SELECT value FROM json_each(:statuses))"]
            var arguments: [String: (any DatabaseValueConvertible)?] = [
                "statuses": Self.jsonList(query.statuses.map(\.rawValue).sorted()),
                "limit": max(0, query.limit), "offset": max(0, query.offset),
            ]
            if let ids = query.questionIDs {
                conditions.append("question.id IN (SELECT value FROM json_each(:ids))")
                arguments["ids"] = Self.jsonList(ids)
            }
            if let categories = query.categories {
                let uncategorised = query.includeUncategorised ? " OR question.category IS NULL" : ""
                conditions.append("(question.category IN (SELECT value FROM json_each(:categories))\(uncategorised))")
                arguments["categories"] = Self.jsonList(categories.map(\.rawValue).sorted())
            }
            if let from = query.submittedFrom {
                conditions.append("question.submittedAt >= :from")
                arguments["from"] = from
            }
            if let to = query.submittedTo {
                conditions.append("question.submittedAt <= :to")
                arguments["to"] = to
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT question.*, asker.name AS askerName FROM question
                    LEFT JOIN asker ON asker.questionID = question.id
                    WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY question.submittedAt DESC, question.id DESC
                    LIMIT :limit OFFSET :offset
                    """,
                arguments: StatementArguments(arguments)
            )
            let entries = try rows.map { row in
                PublicRequestRecords.Entry(question: try Question(row: row), askerName: row["askerName"])
            }
            let topics = Self.jsonList(Set(entries.compactMap(\.question.topicID)).sorted())
            let items = try AgendaItem.fetchAll(
                db, sql: "SELECT * FROM agendaItem WHERE topicID IN (SELECT value FROM json_each(?)) ORDER BY id",
                arguments: [topics])
            let itemIDs = Self.jsonList(items.compactMap(\.id))
            let meetings = try Meeting.fetchAll(
                db, sql: "SELECT * FROM meeting WHERE id IN (SELECT meetingID FROM agendaItem WHERE id IN (SELECT value FROM json_each(?))) ORDER BY id",
                arguments: [itemIDs])
            let answers = try Answer.fetchAll(
                db, sql: "SELECT * FROM answer WHERE agendaItemID IN (SELECT value FROM json_each(?)) ORDER BY id", arguments: [itemIDs])
            let commitments = try Commitment.fetchAll(
                db, sql: "SELECT * FROM commitment WHERE answerID IN (SELECT value FROM json_each(?)) ORDER BY id",
                arguments: [Self.jsonList(answers.compactMap(\.id))])
            let written = try Row.fetchAll(
                db, sql: "SELECT * FROM writtenAnswer WHERE topicID IN (SELECT value FROM json_each(?)) ORDER BY topicID",
                arguments: [topics]
            ).compactMap { row -> WrittenAnswerEntry? in
                guard let week = ISOWeek(row["week"] as String) else { return nil }
                return WrittenAnswerEntry(topicID: row["topicID"], week: week, deadline: row["deadline"], weeksWaited: row["weeksWaited"])
            }
            return PublicRequestRecords(
                entries: entries, agendaItems: items, meetings: meetings, answers: answers, commitments: commitments,
                writtenAnswers: written)
        }
    }

    /// A JSON array, bound as one parameter and read with `json_each` (no SQL built from values).
    private static func jsonList<Value: Encodable>(_ values: [Value]) -> String {
        let data = (try? JSONEncoder().encode(values)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
