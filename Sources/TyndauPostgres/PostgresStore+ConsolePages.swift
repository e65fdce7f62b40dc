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
            let order = before ? #""askerCount", "memberCount", "id" DESC"# : #""askerCount" DESC, "memberCount" DESC, "id""#
            // The counts the triggers keep (migration topic-counts-v1): an index range, not a count per request.
            let ids = try await connection.values(#"""
                SELECT "id" FROM "topic"
                WHERE (\#(stateList == nil) OR "state" = ANY(\#(stateList ?? [])))
                  AND (\#(position == nil) OR ("askerCount", "memberCount", -"id") \#(unescaped: comparison)
                       (SELECT "askerCount", "memberCount", -"id" FROM "topic" WHERE "id" = \#(position ?? 0)))
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
