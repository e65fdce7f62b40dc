import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore: PublicRequestStore {
    /// One repeatable-read transaction: the page of questions, then the rows about their topics.
    public func publicRequestRecords(_ query: PublicRequestQuery) async throws -> PublicRequestRecords {
        try await read { connection in
            let statuses = query.statuses.map(\.rawValue).sorted()
            let ids = query.questionIDs ?? []
            let categories = (query.categories ?? []).map(\.rawValue).sorted()
            let noCategoryFilter = query.categories == nil
            let from = query.submittedFrom ?? .distantPast
            let to = query.submittedTo ?? .distantFuture
            let entries = try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns("q")), a."name" AS "askerName"
                FROM "question" q LEFT JOIN "asker" a ON a."questionID" = q."id"
                WHERE q."status" = ANY(\#(statuses))
                  AND (\#(query.questionIDs == nil) OR q."id" = ANY(\#(ids)))
                  AND (\#(noCategoryFilter) OR q."category" = ANY(\#(categories))
                       OR (\#(query.includeUncategorised) AND q."category" IS NULL))
                  AND (\#(query.submittedFrom == nil) OR q."submittedAt" >= \#(from))
                  AND (\#(query.submittedTo == nil) OR q."submittedAt" <= \#(to))
                ORDER BY q."submittedAt" DESC, q."id" DESC
                LIMIT \#(Int64(max(0, query.limit))) OFFSET \#(Int64(max(0, query.offset)))
                """#).map { row in
                PublicRequestRecords.Entry(question: try Self.question(row), askerName: try row("askerName", as: String?.self))
            }
            let topics = Array(Set(entries.compactMap(\.question.topicID))).sorted()
            let items = try await connection.rows(#"""
                SELECT * FROM "agendaItem" WHERE "topicID" = ANY(\#(topics)) ORDER BY "id"
                """#).map(Self.agendaItem)
            let itemIDs = items.compactMap(\.id)
            let meetingIDs = Array(Set(items.map(\.meetingID))).sorted()
            let meetings = try await connection.rows(#"""
                SELECT * FROM "meeting" WHERE "id" = ANY(\#(meetingIDs)) ORDER BY "id"
                """#).map(Self.meeting)
            let answers = try await connection.rows(#"""
                SELECT * FROM "answer" WHERE "agendaItemID" = ANY(\#(itemIDs)) ORDER BY "id"
                """#).map(Self.answer)
            let answerIDs = answers.compactMap(\.id)
            let commitments = try await connection.rows(#"""
                SELECT * FROM "commitment" WHERE "answerID" = ANY(\#(answerIDs)) ORDER BY "id"
                """#).map(Self.commitment)
            let written = try await connection.rows(#"""
                SELECT * FROM "writtenAnswer" WHERE "topicID" = ANY(\#(topics)) ORDER BY "topicID"
                """#).compactMap { row -> WrittenAnswerEntry? in
                guard let week = ISOWeek(try row("week", as: String.self)) else { return nil }
                return WrittenAnswerEntry(
                    topicID: try row("topicID"), week: week, deadline: try row("deadline"), weeksWaited: try row.int("weeksWaited"))
            }
            return PublicRequestRecords(
                entries: entries, agendaItems: items, meetings: meetings, answers: answers, commitments: commitments,
                writtenAnswers: written)
        }
    }
}
