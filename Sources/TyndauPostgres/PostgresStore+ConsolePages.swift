import Foundation
import PostgresNIO
import TyndauCore

/// The office console's keyset pages (``ConsolePageStore``) on PostgreSQL: the same order and edges
/// as SQLite's, one statement each.
extension PostgresStore: ConsolePageStore {
    public func questionPage(_ query: QuestionPageQuery) async throws -> [Question] {
        try await read { connection in
            let statuses = query.statuses.map(\.rawValue).sorted()
            let languages = query.languages.map { $0.map(\.rawValue).sorted() }
            let categories = query.categories.map { $0.map(\.rawValue).sorted() }
            let uncategorised = query.categories?.contains(.other) ?? false
            let before = query.side == .before
            // Constant fragments only: every value is a bound parameter.
            let comparison = before ? "<" : ">"
            let order = before ? #""submittedAt" DESC, "id" DESC"# : #""submittedAt", "id""#
            let page = try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns()) FROM "question"
                WHERE "status" = ANY(\#(statuses))
                  AND (\#(languages == nil) OR "language" = ANY(\#(languages ?? [])))
                  AND (\#(categories == nil) OR "category" = ANY(\#(categories ?? [])) OR ("category" IS NULL AND \#(uncategorised)))
                  AND (\#(query.position == nil) OR ("submittedAt", "id") \#(unescaped: comparison)
                       (SELECT "submittedAt", "id" FROM "question" WHERE "id" = \#(query.position ?? 0)))
                ORDER BY \#(unescaped: order) LIMIT \#(Int64(max(0, query.limit)))
                """#).map(Self.question)
            return before ? page.reversed() : page
        }
    }

    public func topicPage(states: Set<TopicState>?, position: Topic.ID?, side: PageSide, limit: Int) async throws
        -> [TopicOverview]
    {
        try await read { connection in
            let stateList = states.map { $0.map(\.rawValue).sorted() }
            let before = side == .before
            let comparison = before ? ">" : "<"
            let order = before ? #""askers", "questions", "id" DESC"# : #""askers" DESC, "questions" DESC, "id""#
            let ids = try await connection.values(#"""
                WITH "counted" AS (
                    SELECT q."topicID" AS "topicID", COUNT(*) AS "questions",
                           COUNT(DISTINCT a."personKey") + COUNT(*) - COUNT(a."personKey") AS "askers"
                    FROM "question" q LEFT JOIN "asker" a ON a."questionID" = q."id"
                    WHERE q."topicID" IS NOT NULL GROUP BY q."topicID"),
                "ranked" AS (
                    SELECT t."id" AS "id", t."state" AS "state", COALESCE(c."askers", 0) AS "askers",
                           COALESCE(c."questions", 0) AS "questions"
                    FROM "topic" t LEFT JOIN "counted" c ON c."topicID" = t."id")
                SELECT "id" FROM "ranked"
                WHERE (\#(stateList == nil) OR "state" = ANY(\#(stateList ?? [])))
                  AND (\#(position == nil) OR ("askers", "questions", -"id") \#(unescaped: comparison)
                       (SELECT "askers", "questions", -"id" FROM "ranked" WHERE "id" = \#(position ?? 0)))
                ORDER BY \#(unescaped: order) LIMIT \#(Int64(max(0, limit)))
                """#, as: Int64.self)
            guard !ids.isEmpty else { return [] }
            return try await Self.overviews(ids: ids, states: nil, connection)
        }
    }

    public func topicOverviews(ids: [Topic.ID]) async throws -> [TopicOverview] {
        guard !ids.isEmpty else { return [] }
        return try await read { connection in try await Self.overviews(ids: Array(Set(ids)), states: nil, connection) }
    }

    public func questions(ids: [Question.ID]) async throws -> [Question] {
        guard !ids.isEmpty else { return [] }
        return try await read { connection in
            try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns()) FROM "question" WHERE "id" = ANY(\#(Array(Set(ids)))) ORDER BY "id"
                """#).map(Self.question)
        }
    }

    public func countTopics(states: Set<TopicState>?) async throws -> Int {
        try await read { connection in
            let stateList = states.map { $0.map(\.rawValue).sorted() }
            let count = try await connection.value(#"""
                SELECT COUNT(*) FROM "topic" WHERE \#(stateList == nil) OR "state" = ANY(\#(stateList ?? []))
                """#, as: Int64.self)
            return Int(count ?? 0)
        }
    }
}
