import Foundation
import GRDB
import TyndauCore

/// The office console's keyset pages (``ConsolePageStore``) on SQLite.
extension SQLiteStore: ConsolePageStore {
    /// The inbox reads one status in submission order: (status, submittedAt, id) serves a page
    /// from the index however many questions are stored.
    static func registerConsolePages(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("console-pages-v1") { db in
            try db.execute(sql: "CREATE INDEX question_on_status_submittedAt_id ON question (status, submittedAt, id)")
        }
    }

    /// Every topic keeps its member and distinct-asker counts (``TopicCounts``), so the topics page and
    /// the inbox's largest topics are an index range instead of counting every question per request.
    /// Triggers keep them whatever statement moves a question or changes an asker, so no write path
    /// (grouping, arrival, merge, triage, erasure) has to remember them.
    static func registerTopicCounts(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("topic-counts-v1") { db in
            for statement in TopicCounts.sqliteSchema { try db.execute(sql: statement) }
        }
    }

    public func questionPage(_ query: QuestionPageQuery) async throws -> [Question] {
        try await reader.read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            func list<S: Sequence>(_ values: S) -> String where S.Element == String {
                let values = Array(values).sorted()
                arguments += StatementArguments(values)
                return "(" + Array(repeating: "?", count: values.count).joined(separator: ",") + ")"
            }
            conditions.append("status IN " + list(query.statuses.map(\.rawValue)))
            if let languages = query.languages { conditions.append("language IN " + list(languages.map(\.rawValue))) }
            if let categories = query.categories {
                let uncategorised = categories.contains(.other) ? " OR category IS NULL" : ""
                conditions.append("(category IN " + list(categories.map(\.rawValue)) + uncategorised + ")")
            }
            let before = query.side == .before
            if let position = query.position {
                // The position's own row gives the edge; a question that is not stored matches nothing.
                let comparison = before ? "<" : ">"
                conditions.append("""
                    (submittedAt, id) \(comparison) (SELECT submittedAt, id FROM question WHERE id = ?)
                    """)
                arguments += [position]
            }
            let order = before ? "submittedAt DESC, id DESC" : "submittedAt, id"
            arguments += [max(0, query.limit)]
            let page = try Question.fetchAll(
                db, sql: "SELECT * FROM question WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT ?",
                arguments: arguments)
            return before ? page.reversed() : page
        }
    }

    public func topicPage(states: Set<TopicState>?, position: Topic.ID?, side: PageSide, limit: Int) async throws
        -> [TopicOverview]
    {
        try await reader.read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let states {
                let values = states.map(\.rawValue).sorted()
                conditions.append("state IN (" + Array(repeating: "?", count: values.count).joined(separator: ",") + ")")
                arguments += StatementArguments(values)
            }
            let before = side == .before
            if let position {
                // The position's own counts give the edge; a topic that is not stored matches nothing.
                conditions.append("""
                    (askerCount, memberCount, -id) \(before ? ">" : "<") (SELECT askerCount, memberCount, -id FROM topic WHERE id = ?)
                    """)
                arguments += [position]
            }
            arguments += [max(0, limit)]
            let ids = try Topic.ID.fetchAll(
                db,
                sql: """
                    SELECT id FROM topic
                    \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                    ORDER BY \(before ? "askerCount, memberCount, id DESC" : "askerCount DESC, memberCount DESC, id") LIMIT ?
                    """,
                arguments: arguments)
            guard !ids.isEmpty else { return [] }
            return try Self.overviews(db, ids: ids, states: nil)
        }
    }

    public func topicOverviews(ids: [Topic.ID]) async throws -> [TopicOverview] {
        guard !ids.isEmpty else { return [] }
        return try await reader.read { db in try Self.overviews(db, ids: Array(Set(ids)), states: nil) }
    }

    public func questions(ids: [Question.ID]) async throws -> [Question] {
        guard !ids.isEmpty else { return [] }
        return try await reader.read { db in
            try Question.filter(keys: Array(Set(ids))).order(Column("id")).fetchAll(db)
        }
    }

    public func countTopics(states: Set<TopicState>?) async throws -> Int {
        try await reader.read { db in
            guard let states else { return try Topic.fetchCount(db) }
            return try Topic.filter(states.map(\.rawValue).contains(Column("state"))).fetchCount(db)
        }
    }
}
