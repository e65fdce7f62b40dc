import Foundation
import GRDB
import TyndauCore

extension SQLiteStore: PublicRecordStore {
    public func closedMeetingSummaries() async throws -> [ClosedMeetingSummary] {
        try await reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.*,
                           (SELECT COUNT(*) FROM agendaItem i JOIN answer a ON a.agendaItemID = i.id
                            WHERE i.meetingID = m.id AND a.isFinal) AS answeredTopics,
                           (SELECT COUNT(*) FROM agendaItem i JOIN answer a ON a.agendaItemID = i.id
                            JOIN commitment c ON c.answerID = a.id WHERE i.meetingID = m.id AND a.isFinal) AS commitments
                    FROM meeting m WHERE m.state = 'closed'
                    ORDER BY m.startsAt DESC
                    """
            ).map { row in
                ClosedMeetingSummary(meeting: try Meeting(row: row), answeredTopics: row["answeredTopics"], commitments: row["commitments"])
            }
        }
    }

    public func askerNames(topicIDs: [Topic.ID]) async throws -> [Topic.ID: [String]] {
        guard !topicIDs.isEmpty else { return [:] }
        return try await reader.read { db in
            var names: [Topic.ID: [String]] = [:]
            // In chunks, under SQLite's limit of bound parameters.
            for chunk in stride(from: 0, to: topicIDs.count, by: 500).map({ Array(topicIDs[$0..<min($0 + 500, topicIDs.count)]) }) {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT q.topicID, a.name FROM question q JOIN asker a ON a.questionID = q.id
                        WHERE q.topicID IN (\(chunk.map { _ in "?" }.joined(separator: ","))) AND a.name IS NOT NULL
                        """,
                    arguments: StatementArguments(chunk))
                for row in rows { names[row["topicID"], default: []].append(row["name"]) }
            }
            return names
        }
    }

    public func questionTimelines(since: Date) async throws -> [QuestionTimeline] {
        try await reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT q.submittedAt, q.triagedAt, q.language, q.category, q.status, f.closedAt
                    FROM question q
                    LEFT JOIN (SELECT i.topicID, MIN(m.closedAt) AS closedAt FROM agendaItem i
                               JOIN answer a ON a.agendaItemID = i.id AND a.isFinal
                               JOIN meeting m ON m.id = i.meetingID
                               GROUP BY i.topicID) f ON f.topicID = q.topicID AND q.status = 'answered'
                    WHERE q.submittedAt >= ?
                    ORDER BY q.submittedAt, q.id
                    """,
                arguments: [since]
            ).map { row in
                QuestionTimeline(
                    submittedAt: row["submittedAt"], triagedAt: row["triagedAt"],
                    language: TextLanguage(rawValue: row["language"] ?? "") ?? .unknown,
                    category: (row["category"] as String?).flatMap(QuestionCategory.init(rawValue:)),
                    status: QuestionStatus(rawValue: row["status"] ?? "") ?? .received,
                    answeredAt: row["closedAt"])
            }
        }
    }
}
