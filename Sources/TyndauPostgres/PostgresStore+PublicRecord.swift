import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore: PublicRecordStore {
    public func closedMeetingSummaries() async throws -> [ClosedMeetingSummary] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT m.*,
                       (SELECT COUNT(*) FROM "agendaItem" i JOIN "answer" a ON a."agendaItemID" = i."id"
                        WHERE i."meetingID" = m."id" AND a."isFinal") AS "answeredTopics",
                       (SELECT COUNT(*) FROM "agendaItem" i JOIN "answer" a ON a."agendaItemID" = i."id"
                        JOIN "commitment" c ON c."answerID" = a."id" WHERE i."meetingID" = m."id" AND a."isFinal") AS "commitments"
                FROM "meeting" m WHERE m."state" = 'closed'
                ORDER BY m."startsAt" DESC
                """#).map { row in
                ClosedMeetingSummary(
                    meeting: try Self.meeting(row), answeredTopics: try row.int("answeredTopics"), commitments: try row.int("commitments"))
            }
        }
    }

    public func askerNames(topicIDs: [Topic.ID]) async throws -> [Topic.ID: [String]] {
        guard !topicIDs.isEmpty else { return [:] }
        return try await read { connection in
            var names: [Topic.ID: [String]] = [:]
            for row in try await connection.rows(#"""
                SELECT q."topicID", a."name" FROM "question" q JOIN "asker" a ON a."questionID" = q."id"
                WHERE q."topicID" = ANY(\#(topicIDs)) AND a."name" IS NOT NULL
                """#) {
                names[try row("topicID", as: Int64.self), default: []].append(try row("name", as: String.self))
            }
            return names
        }
    }

    public func questionTimelines(since: Date) async throws -> [QuestionTimeline] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT q."submittedAt", q."triagedAt", q."language", q."category", q."status", f."closedAt"
                FROM "question" q
                LEFT JOIN (SELECT i."topicID", MIN(m."closedAt") AS "closedAt" FROM "agendaItem" i
                           JOIN "answer" a ON a."agendaItemID" = i."id" AND a."isFinal"
                           JOIN "meeting" m ON m."id" = i."meetingID"
                           GROUP BY i."topicID") f ON f."topicID" = q."topicID" AND q."status" = 'answered'
                WHERE q."submittedAt" >= \#(since)
                ORDER BY q."submittedAt", q."id"
                """#).map { row in
                QuestionTimeline(
                    submittedAt: try row("submittedAt"), triagedAt: try row("triagedAt"),
                    language: TextLanguage(rawValue: try row("language", as: String.self)) ?? .unknown,
                    category: try row("category", as: QuestionCategory?.self),
                    status: try row("status", as: QuestionStatus.self), answeredAt: try row("closedAt"))
            }
        }
    }
}
