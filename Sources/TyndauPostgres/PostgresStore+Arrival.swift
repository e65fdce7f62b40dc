import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore {
    static func groupable(_ rows: [Columns]) throws -> [GroupableQuestion] {
        try rows.map { row in
            let question = try Self.question(row)
            let open = groupableStatuses.contains(question.status)
            return GroupableQuestion(
                question: question,
                pinned: try row("topicPinned", as: Bool.self) || (!open && question.topicID != nil),
                askerKey: try row("askerKey"))
        }
    }
}

extension PostgresStore: ArrivalGroupingStore {
    /// Under the office advisory lock (the one grouping runs and topic decisions take), in a
    /// read-committed transaction, so every read after the lock sees what the previous holder — another
    /// server's arrival grouper included — committed: two servers never open two topics for one problem.
    public func placeArrivals(
        knownRevision: Int64?, limit: Int, actor: String, now: Date,
        decide: @escaping @Sendable (ArrivalBatch) throws -> [ArrivalPlacement]
    ) async throws -> ArrivalOutcome {
        try await write { connection in
            let statuses = [QuestionStatus.received.rawValue, QuestionStatus.acknowledged.rawValue]
            // A cheap look before the lock: with nothing waiting, no lock is taken at all.
            let waiting = try await connection.value(#"""
                SELECT EXISTS (SELECT 1 FROM "question" WHERE "status" = ANY(\#(statuses)) AND "topicID" IS NULL)
                """#, as: Bool.self) ?? false
            let revision = {
                try await connection.value(#"SELECT "revision" FROM "groupingRevision" WHERE "id" = 1"#, as: Int64.self) ?? 0
            }
            guard waiting else { return ArrivalOutcome(revision: try await revision(), placed: [:], reconciled: false) }
            try await Self.lock(.office, connection)
            let arrivals = try Self.groupable(try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns("q")), q."topicPinned", a."personKey" AS "askerKey"
                FROM "question" q LEFT JOIN "asker" a ON a."questionID" = q."id"
                WHERE q."status" = ANY(\#(statuses)) AND q."topicID" IS NULL
                ORDER BY q."submittedAt", q."id" LIMIT \#(limit)
                """#))
            let before = try await revision()
            guard !arrivals.isEmpty else { return ArrivalOutcome(revision: before, placed: [:], reconciled: false) }
            var members: [GroupableQuestion]?
            if before != knownRevision {
                members = try Self.groupable(try await connection.rows(#"""
                    SELECT \#(unescaped: Self.questionColumns("q")), q."topicPinned", a."personKey" AS "askerKey"
                    FROM "question" q LEFT JOIN "asker" a ON a."questionID" = q."id"
                    WHERE q."topicID" IS NOT NULL ORDER BY q."submittedAt", q."id"
                    """#))
            }
            let placements = try decide(ArrivalBatch(revision: before, members: members, arrivals: arrivals))
            var created: [Int: Topic.ID] = [:]
            var placed: [Question.ID: Topic.ID] = [:]
            var moves: [(question: Question.ID, topic: Topic.ID)] = []
            var events: [AuditEvent] = []
            let withFacts = ArrivalPlacement.factsToStore(placements)
            for (index, placement) in placements.enumerated() {
                let existing = placement.topicID ?? created[placement.newTopic]
                let topicID =
                    withFacts.contains(index) || existing == nil
                    ? try await Self.storeFacts(placement.facts, topicID: existing, now: now, connection) : existing!
                if existing == nil { created[placement.newTopic] = topicID }
                moves.append((placement.questionID, topicID))
                events.append(AuditEvent.placedOnArrival(placement, topicID: topicID, opened: existing == nil, actor: actor, at: now))
                placed[placement.questionID] = topicID
            }
            try await Self.placeInTopics(moves, events: events, connection)
            return ArrivalOutcome(revision: try await revision(), placed: placed, reconciled: members != nil)
        }
    }

    /// Every placement's question put in its topic (its status stays: placing is not triage) and every
    /// `topic.arrival` event written, in two statements for the whole batch instead of three round trips
    /// per question: the pass holds the office lock and a pooled connection meanwhile. A question that
    /// is gone fails the pass, as ``assign(questionID:to:pinned:triage:actor:now:_:)`` does.
    static func placeInTopics(_ moves: [(question: Question.ID, topic: Topic.ID)], events: [AuditEvent], _ connection: PostgresConnection)
        async throws
    {
        guard !moves.isEmpty else { return }
        let moved = try await connection.changes(#"""
            UPDATE "question" q SET "topicID" = "m"."topic"
            FROM unnest(\#(moves.map(\.question))::bigint[], \#(moves.map(\.topic))::bigint[]) AS "m"("question", "topic")
            WHERE q."id" = "m"."question"
            """#)
        guard moved == Set(moves.map(\.question)).count else { throw TyndauError.notFound("question placed on arrival") }
        try await audit(all: events, connection)
    }

    public func topicMembers(_ topic: Topic.ID) async throws -> [Question] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns()) FROM "question" WHERE "topicID" = \#(topic)
                ORDER BY "submittedAt", "id"
                """#).map(Self.question)
        }
    }
}
