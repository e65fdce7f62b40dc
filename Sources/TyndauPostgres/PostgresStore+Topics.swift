import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore {
    /// Statuses whose questions may still change topic.
    static let groupableStatuses: [QuestionStatus] = [.received, .acknowledged, .grouped]

    /// The `topicGrouping` row of a topic.
    struct GroupingFacts {
        var conceptKey: String?
        var placeKey: String?
        var titleOverridden: Bool
    }

    static func grouping(topicID: Topic.ID, _ connection: PostgresConnection) async throws -> GroupingFacts? {
        try await connection.row(#"SELECT * FROM "topicGrouping" WHERE "topicID" = \#(topicID)"#).map { row in
            GroupingFacts(conceptKey: try row("conceptKey"), placeKey: try row("placeKey"), titleOverridden: try row("titleOverridden"))
        }
    }

    static func saveGrouping(topicID: Topic.ID, _ facts: GroupingFacts, _ connection: PostgresConnection) async throws {
        try await connection.run(#"""
            INSERT INTO "topicGrouping" ("topicID", "conceptKey", "placeKey", "titleOverridden")
            VALUES (\#(topicID), \#(facts.conceptKey), \#(facts.placeKey), \#(facts.titleOverridden))
            ON CONFLICT ("topicID") DO UPDATE SET "conceptKey" = excluded."conceptKey", "placeKey" = excluded."placeKey",
              "titleOverridden" = excluded."titleOverridden"
            """#)
    }

    /// Updates an existing topic's facts or inserts a new topic with them; returns its id. Placing on
    /// arrival writes one topic at a time through the grouping run's path, so what an office edit keeps
    /// is decided once (``GroupingWrite/updated(_:with:)``).
    static func storeFacts(_ facts: TopicFacts, topicID: Topic.ID?, now: Date, _ connection: PostgresConnection) async throws
        -> Topic.ID
    {
        try await storeTopics([TopicAssignment(topicID: topicID, questionIDs: [], facts: facts)], now: now, connection)[0]
    }

    /// Puts a question in a topic. `triage` moves a new question to `grouped` (the office's decision,
    /// or a grouping run); placing on arrival does not: the office still has to look at it.
    static func assign(
        questionID: Question.ID, to topicID: Topic.ID, pinned: Bool?, triage: Bool = true, actor: String, now: Date,
        _ connection: PostgresConnection
    ) async throws {
        guard let status = try await connection.value(
            #"SELECT "status" FROM "question" WHERE "id" = \#(questionID)"#, as: String.self
        ).flatMap(QuestionStatus.init(rawValue:))
        else { throw TyndauError.notFound("question \(questionID)") }
        if triage, !status.isTriaged {
            _ = try await updateStatus(questionID: questionID, to: .grouped, reason: nil, actor: actor, now: now, connection)
        }
        if let pinned {
            try await connection.run(#"""
                UPDATE "question" SET "topicID" = \#(topicID), "topicPinned" = \#(pinned) WHERE "id" = \#(questionID)
                """#)
        } else {
            try await connection.run(#"UPDATE "question" SET "topicID" = \#(topicID) WHERE "id" = \#(questionID)"#)
        }
    }

    /// Open topics with no question left and nothing else pointing at them are removed.
    static func deleteEmptyTopics(_ connection: PostgresConnection) async throws {
        try await connection.run(#"""
            DELETE FROM "topic" t WHERE t."state" = 'open'
            AND NOT EXISTS (SELECT 1 FROM "question" q WHERE q."topicID" = t."id")
            AND NOT EXISTS (SELECT 1 FROM "agendaItem" i WHERE i."topicID" = t."id")
            AND NOT EXISTS (SELECT 1 FROM "commitment" c WHERE c."topicID" = t."id")
            """#)
    }

    static func overviews(topicID: Topic.ID?, states: Set<TopicState>?, _ connection: PostgresConnection) async throws
        -> [TopicOverview]
    {
        try await overviews(ids: topicID.map { [$0] }, states: states, connection)
    }

    /// Overviews of the topics in `states`, or of just `ids` (then only their rows are read).
    static func overviews(ids: [Topic.ID]?, states: Set<TopicState>?, _ connection: PostgresConnection) async throws
        -> [TopicOverview]
    {
        let stateList = states.map { $0.map(\.rawValue).sorted() }
        let topics = try await connection.rows(#"""
            SELECT * FROM "topic"
            WHERE (\#(ids == nil) OR "id" = ANY(\#(ids ?? [])))
              AND (\#(stateList == nil) OR "state" = ANY(\#(stateList ?? [])))
            """#).map(topic)
        var groupings: [Topic.ID: GroupingFacts] = [:]
        for row in try await connection.rows(#"""
            SELECT * FROM "topicGrouping" WHERE \#(ids == nil) OR "topicID" = ANY(\#(ids ?? []))
            """#) {
            groupings[try row("topicID")] = GroupingFacts(
                conceptKey: try row("conceptKey"), placeKey: try row("placeKey"), titleOverridden: try row("titleOverridden"))
        }
        var members: [Topic.ID: [TopicMemberFacts]] = [:]
        for row in try await connection.rows(#"""
            SELECT q."id", q."topicID", q."language", q."submittedAt", a."personKey"
            FROM "question" q LEFT JOIN "asker" a ON a."questionID" = q."id"
            WHERE q."topicID" IS NOT NULL AND (\#(ids == nil) OR q."topicID" = ANY(\#(ids ?? [])))
            ORDER BY q."id"
            """#)
        {
            members[try row("topicID"), default: []].append(TopicMemberFacts(
                id: try row("id"), language: try row("language"), submittedAt: try row("submittedAt"), personKey: try row("personKey")))
        }
        return topics.compactMap { topic -> TopicOverview? in
            guard let id = topic.id else { return nil }
            let grouping = groupings[id]
            return TopicOverview(
                topic: topic, members: members[id] ?? [], conceptKey: grouping?.conceptKey, placeKey: grouping?.placeKey,
                titleOverridden: grouping?.titleOverridden ?? false)
        }.sorted(by: TopicOverview.inDemandOrder)
    }

    static func requireTopic(_ id: Topic.ID, _ connection: PostgresConnection) async throws -> Topic {
        guard let topic = try await fetchTopic(id: id, connection) else { throw TyndauError.notFound("topic \(id)") }
        return topic
    }

    static func record(_ decision: TopicDecision, _ connection: PostgresConnection) async throws {
        let questionIDs = String(decoding: try JSONEncoder().encode(decision.questionIDs), as: UTF8.self)
        try await connection.run(#"""
            INSERT INTO "topicDecision" ("at", "actor", "kind", "topicID", "otherTopicID", "questionIDs", "value")
            VALUES (\#(decision.at), \#(decision.actor), \#(decision.kind.rawValue), \#(decision.topicID), \#(decision.otherTopicID),
                    \#(questionIDs), \#(decision.value))
            """#)
        try await audit(decision.auditEvent, connection)
    }

    static func memberIDs(_ topic: Topic.ID, _ connection: PostgresConnection) async throws -> [Question.ID] {
        try await connection.values(#"SELECT "id" FROM "question" WHERE "topicID" = \#(topic) ORDER BY "id""#, as: Int64.self)
    }
}

extension PostgresStore: TopicStore {
    public func groupingCandidates() async throws -> [GroupableQuestion] {
        try await read { connection in
            let statuses = Self.groupableStatuses.map(\.rawValue)
            return try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns("q")), q."topicPinned", a."personKey" AS "askerKey"
                FROM "question" q LEFT JOIN "asker" a ON a."questionID" = q."id"
                WHERE q."status" = ANY(\#(statuses)) OR q."topicID" IS NOT NULL
                ORDER BY q."submittedAt", q."id"
                """#).map { row in
                let question = try Self.question(row)
                let open = Self.groupableStatuses.contains(question.status)
                return GroupableQuestion(
                    question: question,
                    pinned: try row("topicPinned", as: Bool.self) || (!open && question.topicID != nil),
                    askerKey: try row("askerKey"))
            }
        }
    }

    /// Under the office lock: two regroupings (or a regrouping and a merge) never interleave. One
    /// transaction, written in chunks of ``GroupingWrite/chunkSize`` questions: each chunk's rows are
    /// read (and locked) in one statement and only what ``GroupingWrite`` says changes is written, in
    /// one multi-row statement per kind (`unnest` of arrays) — a fixed number of round trips per chunk.
    @discardableResult
    public func saveGrouping(_ assignments: [TopicAssignment], actor: String, now: Date) async throws -> [Topic.ID] {
        try await write { connection in
            try await Self.lock(.office, connection)
            let ids = try await Self.storeTopics(assignments, now: now, connection)
            var placements: [(question: Question.ID, topic: Topic.ID)] = []
            placements.reserveCapacity(assignments.reduce(0) { $0 + $1.questionIDs.count })
            for (assignment, topicID) in zip(assignments, ids) {
                for questionID in assignment.questionIDs { placements.append((questionID, topicID)) }
            }
            for chunk in GroupingWrite.chunks(placements) {
                let stored = try await Self.storedQuestions(chunk.map(\.question), connection)
                let changes = try GroupingWrite.changes(chunk, stored: stored, actor: actor, now: now)
                try await Self.write(changes, now: now, connection)
            }
            try await Self.deleteEmptyTopics(connection)
            return ids
        }
    }

    public func topicOverviews(states: Set<TopicState>?) async throws -> [TopicOverview] {
        try await read { connection in try await Self.overviews(topicID: nil, states: states, connection) }
    }

    public func topicOverview(id: Topic.ID) async throws -> TopicOverview? {
        try await read { connection in try await Self.overviews(topicID: id, states: nil, connection).first }
    }

    public func mergeTopics(into target: Topic.ID, from source: Topic.ID, actor: String, now: Date) async throws {
        try await write { connection in
            try await Self.lock(.office, connection)
            try TopicEdits.checkMerge(into: target, from: source)
            _ = try await Self.requireTopic(target, connection)
            _ = try await Self.requireTopic(source, connection)
            let moved = try await Self.memberIDs(source, connection)
            for id in try await Self.memberIDs(target, connection) + moved {
                try await Self.assign(questionID: id, to: target, pinned: true, actor: actor, now: now, connection)
            }
            try await connection.run(#"UPDATE "agendaItem" SET "topicID" = \#(target) WHERE "topicID" = \#(source)"#)
            try await connection.run(#"UPDATE "commitment" SET "topicID" = \#(target) WHERE "topicID" = \#(source)"#)
            try await connection.run(#"DELETE FROM "topic" WHERE "id" = \#(source)"#)
            try await Self.record(
                TopicDecision(at: now, actor: actor, kind: .merge, topicID: target, otherTopicID: source, questionIDs: moved),
                connection)
        }
    }

    public func splitTopic(_ topic: Topic.ID, questionIDs: [Question.ID], actor: String, now: Date) async throws -> Topic.ID {
        try await write { connection in
            try await Self.lock(.office, connection)
            let original = try await Self.requireTopic(topic, connection)
            let members = try await Self.memberIDs(topic, connection)
            let leaving = try TopicEdits.leaving(questionIDs, members: members)
            let first = try await Self.fetchQuestion(id: leaving[0], connection)
            let newID = try await Self.insertTopic(
                TopicEdits.splitOff(from: original, leaving: leaving, firstText: first?.text, now: now), connection)
            let grouping = try await Self.grouping(topicID: topic, connection)
            try await Self.saveGrouping(
                topicID: newID,
                GroupingFacts(conceptKey: grouping?.conceptKey, placeKey: grouping?.placeKey, titleOverridden: false), connection)
            for id in members {
                try await Self.assign(questionID: id, to: leaving.contains(id) ? newID : topic, pinned: true, actor: actor, now: now, connection)
            }
            if let representative = original.representativeQuestionID, leaving.contains(representative) {
                let remaining = members.filter { !leaving.contains($0) }
                try await connection.run(#"""
                    UPDATE "topic" SET "representativeQuestionID" = \#(remaining.first) WHERE "id" = \#(topic)
                    """#)
            }
            try await Self.record(
                TopicDecision(at: now, actor: actor, kind: .split, topicID: topic, otherTopicID: newID, questionIDs: leaving),
                connection)
            return newID
        }
    }

    public func moveQuestion(_ question: Question.ID, to topic: Topic.ID, actor: String, now: Date) async throws {
        try await write { connection in
            try await Self.lock(.office, connection)
            _ = try await Self.requireTopic(topic, connection)
            guard let current = try await Self.fetchQuestion(id: question, connection) else {
                throw TyndauError.notFound("question \(question)")
            }
            try await Self.assign(questionID: question, to: topic, pinned: true, actor: actor, now: now, connection)
            try await Self.deleteEmptyTopics(connection)
            try await Self.record(
                TopicDecision(
                    at: now, actor: actor, kind: .move, topicID: topic, otherTopicID: current.topicID, questionIDs: [question]),
                connection)
        }
    }

    public func renameTopic(_ topic: Topic.ID, title: String, actor: String, now: Date) async throws {
        try await write { connection in
            let trimmed = try TopicEdits.validatedTitle(title)
            try await Self.lock(.office, connection)
            _ = try await Self.requireTopic(topic, connection)
            try await connection.run(#"UPDATE "topic" SET "title" = \#(trimmed) WHERE "id" = \#(topic)"#)
            var grouping = try await Self.grouping(topicID: topic, connection)
                ?? GroupingFacts(conceptKey: nil, placeKey: nil, titleOverridden: true)
            grouping.titleOverridden = true
            try await Self.saveGrouping(topicID: topic, grouping, connection)
            try await Self.record(TopicDecision(at: now, actor: actor, kind: .rename, topicID: topic, value: trimmed), connection)
        }
    }

    public func setTopicTitles(_ topic: Topic.ID, titles: BilingualText, actor: String, now: Date) async throws {
        let titles = try Topic.validatedTitles(titles)
        try await write { connection in
            try await Self.lock(.office, connection)
            _ = try await Self.requireTopic(topic, connection)
            let (kk, ru) = (titles.kk, titles.ru)
            try await connection.run(#"UPDATE "topic" SET "titleKk" = \#(kk), "titleRu" = \#(ru) WHERE "id" = \#(topic)"#)
            try await Self.record(
                TopicDecision(at: now, actor: actor, kind: .rename, topicID: topic, value: TopicEdits.titlesDecisionValue(titles)),
                connection)
        }
    }

    public func overrideCategory(_ topic: Topic.ID, category: QuestionCategory, actor: String, now: Date) async throws {
        try await write { connection in
            try await Self.lock(.office, connection)
            _ = try await Self.requireTopic(topic, connection)
            try await connection.run(#"""
                UPDATE "topic" SET "category" = \#(category.rawValue), "categoryOverridden" = true WHERE "id" = \#(topic)
                """#)
            try await Self.record(
                TopicDecision(at: now, actor: actor, kind: .category, topicID: topic, value: category.rawValue), connection)
        }
    }

    public func topicDecisions(topicID: Topic.ID?) async throws -> [TopicDecision] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT * FROM "topicDecision"
                WHERE \#(topicID == nil) OR "topicID" = \#(topicID ?? 0) OR "otherTopicID" = \#(topicID ?? 0)
                ORDER BY "id"
                """#).map { row in
                let ids = try JSONDecoder().decode([Question.ID].self, from: Data((try row("questionIDs", as: String.self)).utf8))
                return TopicDecision(
                    id: try row("id"), at: try row("at"), actor: try row("actor"), kind: try row("kind", as: TopicDecisionKind.self),
                    topicID: try row("topicID"), otherTopicID: try row("otherTopicID"), questionIDs: ids, value: try row("value"))
            }
        }
    }
}
