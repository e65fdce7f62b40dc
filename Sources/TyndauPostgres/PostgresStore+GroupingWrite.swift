import Foundation
import PostgresNIO
import TyndauCore

/// A grouping run's writes on PostgreSQL (``TopicStore/saveGrouping(_:actor:now:)``): the rules are
/// ``GroupingWrite``'s; here each chunk is read in one statement and written with one multi-row
/// statement per kind (`unnest` of arrays), inside the caller's transaction.
extension PostgresStore {
    /// The grouping run's topics: stored ones updated where their facts changed (keeping the office's
    /// title and category), new ones inserted. Returns their ids in the order of `assignments`.
    static func storeTopics(_ assignments: [TopicAssignment], now: Date, _ connection: PostgresConnection) async throws
        -> [Topic.ID]
    {
        var stored: [Topic.ID: GroupingWrite.StoredTopic] = [:]
        for chunk in GroupingWrite.chunks(assignments.compactMap(\.topicID)) {
            let rows = try await connection.rows(#"""
                SELECT t."id", t."title", t."category", t."categoryOverridden", t."representativeQuestionID", t."place",
                  t."reason", g."topicID" AS "groupingTopicID", g."conceptKey", g."placeKey", g."titleOverridden"
                FROM "topic" t LEFT JOIN "topicGrouping" g ON g."topicID" = t."id"
                WHERE t."id" = ANY(\#(Array(chunk))::bigint[])
                """#)
            for row in rows {
                let id = try row("id", as: Int64.self)
                let hasGrouping = try row("groupingTopicID", as: Int64?.self) != nil
                stored[id] = GroupingWrite.StoredTopic(
                    id: id, title: try row("title"), category: try row("category", as: QuestionCategory?.self),
                    categoryOverridden: try row("categoryOverridden"), representativeQuestionID: try row("representativeQuestionID"),
                    place: try row("place"), reason: try row("reason"),
                    grouping: hasGrouping
                        ? GroupingWrite.StoredTopic.Grouping(
                            conceptKey: try row("conceptKey"), placeKey: try row("placeKey"),
                            titleOverridden: try row("titleOverridden", as: Bool?.self) ?? false)
                        : nil)
            }
        }
        let (topics, updates) = GroupingWrite.plan(assignments, stored: stored)
        for chunk in GroupingWrite.chunks(updates) {
            try await connection.run(#"""
                UPDATE "topic" t SET "title" = u."title", "category" = u."category",
                  "representativeQuestionID" = u."representativeQuestionID", "place" = u."place", "reason" = u."reason"
                FROM unnest(\#(chunk.map(\.id))::bigint[], \#(chunk.map(\.title))::text[],
                            \#(NullableArray(chunk.map { $0.category?.rawValue }))::text[],
                            \#(NullableArray(chunk.map(\.representativeQuestionID)))::bigint[],
                            \#(NullableArray(chunk.map(\.place)))::text[], \#(NullableArray(chunk.map(\.reason)))::text[])
                  AS u("id", "title", "category", "representativeQuestionID", "place", "reason")
                WHERE t."id" = u."id"
                """#)
            let grouped = chunk.filter { $0.grouping != nil }
            try await saveGroupingRows(
                grouped.map(\.id), grouped.map { $0.grouping! }, connection)
        }

        var ids = topics.map { $0?.id }
        let fresh = assignments.indices.filter { topics[$0] == nil }
        for chunk in GroupingWrite.chunks(fresh) {
            let created = try await insertTopics(chunk.map { assignments[$0].facts }, now: now, connection)
            for (index, id) in zip(chunk, created) { ids[index] = id }
        }
        return try ids.map { id in
            guard let id else { throw TyndauError.databaseFailed("topic insert returned other rows") }
            return id
        }
    }

    /// Inserts or replaces the `topicGrouping` rows of `topicIDs` (distinct) in one statement.
    static func saveGroupingRows(
        _ topicIDs: [Topic.ID], _ groupings: [GroupingWrite.StoredTopic.Grouping], _ connection: PostgresConnection
    ) async throws {
        guard !topicIDs.isEmpty else { return }
        try await connection.run(#"""
            INSERT INTO "topicGrouping" ("topicID", "conceptKey", "placeKey", "titleOverridden")
            SELECT * FROM unnest(\#(topicIDs)::bigint[], \#(NullableArray(groupings.map(\.conceptKey)))::text[],
                                 \#(NullableArray(groupings.map(\.placeKey)))::text[], \#(groupings.map(\.titleOverridden))::boolean[])
            ON CONFLICT ("topicID") DO UPDATE SET "conceptKey" = excluded."conceptKey", "placeKey" = excluded."placeKey",
              "titleOverridden" = excluded."titleOverridden"
            """#)
    }

    /// New topics with their facts and grouping rows, in one statement; ids come from the topic
    /// sequence in the order given and are returned in that order.
    static func insertTopics(_ facts: [TopicFacts], now: Date, _ connection: PostgresConnection) async throws -> [Topic.ID] {
        guard !facts.isEmpty else { return [] }
        let topics = facts.map { GroupingWrite.newTopic($0, now: now) }
        let rows = try await connection.rows(#"""
            WITH "input" AS (
              SELECT * FROM unnest(
                \#(topics.map(\.title))::text[], \#(NullableArray(topics.map(\.representativeQuestionID)))::bigint[],
                \#(NullableArray(topics.map { $0.category?.rawValue }))::text[], \#(topics.map(\.categoryOverridden))::boolean[],
                \#(NullableArray(topics.map(\.place)))::text[], \#(NullableArray(topics.map(\.responsible)))::text[],
                \#(NullableArray(topics.map(\.reason)))::text[], \#(topics.map(\.state.rawValue))::text[],
                \#(topics.map(\.createdAt))::timestamptz[],
                \#(NullableArray(facts.map(\.conceptKey)))::text[], \#(NullableArray(facts.map(\.placeKey)))::text[]
              ) WITH ORDINALITY AS "i"("title", "representativeQuestionID", "category", "categoryOverridden", "place",
                                       "responsible", "reason", "state", "createdAt", "conceptKey", "placeKey", "n")
            ),
            "ids" AS (
              SELECT "n", nextval('"topic_id_seq"') AS "id" FROM (SELECT "n" FROM "input" ORDER BY "n") AS "ordered"
            ),
            "t" AS (
              INSERT INTO "topic" ("id", "title", "representativeQuestionID", "category", "categoryOverridden", "place",
                                   "responsible", "reason", "state", "createdAt")
              SELECT "ids"."id", "i"."title", "i"."representativeQuestionID", "i"."category", "i"."categoryOverridden",
                     "i"."place", "i"."responsible", "i"."reason", "i"."state", "i"."createdAt"
              FROM "input" "i" JOIN "ids" USING ("n")
              RETURNING "id"
            ),
            "g" AS (
              INSERT INTO "topicGrouping" ("topicID", "conceptKey", "placeKey", "titleOverridden")
              SELECT "t"."id", "i"."conceptKey", "i"."placeKey", FALSE
              FROM "t" JOIN "ids" USING ("id") JOIN "input" "i" USING ("n")
            )
            SELECT "ids"."n", "ids"."id" FROM "ids" JOIN "t" USING ("id") ORDER BY "ids"."n"
            """#)
        guard rows.count == facts.count else { throw TyndauError.databaseFailed("topic insert returned other rows") }
        return try rows.map { try $0("id", as: Int64.self) }
    }

    /// The stored state of `ids` (those that exist), read and locked in one statement (in id order,
    /// so two writers cannot deadlock): a concurrent status change waits for this run, or this run
    /// sees it.
    static func storedQuestions(_ ids: [Question.ID], _ connection: PostgresConnection) async throws
        -> [Question.ID: GroupingWrite.StoredQuestion]
    {
        guard !ids.isEmpty else { return [:] }
        let rows = try await connection.rows(#"""
            SELECT "id", "status", "topicID" FROM "question"
            WHERE "id" = ANY(\#(ids)::bigint[]) ORDER BY "id" FOR UPDATE
            """#)
        var stored: [Question.ID: GroupingWrite.StoredQuestion] = [:]
        stored.reserveCapacity(rows.count)
        for row in rows {
            let id = try row("id", as: Int64.self)
            stored[id] = GroupingWrite.StoredQuestion(
                id: id, status: try row("status", as: QuestionStatus.self), topicID: try row("topicID"))
        }
        return stored
    }

    /// Writes a chunk's changes in two statements: every question's topic (and, for a new one, its
    /// move to `grouped`: reason cleared, `triagedAt` stamped unless set), then the audit lines.
    static func write(_ changes: [GroupingWrite.QuestionChange], now: Date, _ connection: PostgresConnection) async throws {
        guard !changes.isEmpty else { return }
        try await connection.run(#"""
            UPDATE "question" q SET "topicID" = c."topicID", "status" = COALESCE(c."status", q."status"),
              "statusReason" = CASE WHEN c."status" IS NULL THEN q."statusReason" END,
              "triagedAt" = CASE WHEN c."status" IS NULL THEN q."triagedAt" ELSE COALESCE(q."triagedAt", \#(now)) END
            FROM unnest(\#(changes.map(\.id))::bigint[], \#(changes.map(\.topicID))::bigint[],
                        \#(NullableArray(changes.map { $0.status?.rawValue }))::text[]) AS c("id", "topicID", "status")
            WHERE q."id" = c."id"
            """#)
        try await audit(all: changes.compactMap(\.audit), connection)
    }
}
