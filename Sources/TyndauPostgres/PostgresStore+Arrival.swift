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
            let withFacts = ArrivalPlacement.factsToStore(placements)
            for (index, placement) in placements.enumerated() {
                let existing = placement.topicID ?? created[placement.newTopic]
                let topicID =
                    withFacts.contains(index) || existing == nil
                    ? try await Self.storeFacts(placement.facts, topicID: existing, now: now, connection) : existing!
                if existing == nil { created[placement.newTopic] = topicID }
                try await Self.assign(
                    questionID: placement.questionID, to: topicID, pinned: nil, triage: false, actor: actor, now: now, connection)
                try await Self.audit(
                    AuditEvent.placedOnArrival(placement, topicID: topicID, opened: existing == nil, actor: actor, at: now), connection)
                placed[placement.questionID] = topicID
            }
            return ArrivalOutcome(revision: try await revision(), placed: placed, reconciled: members != nil)
        }
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
