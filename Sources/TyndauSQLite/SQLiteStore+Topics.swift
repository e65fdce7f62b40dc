import Foundation
import GRDB
import TyndauCore

extension SQLiteStore {
    /// Topic grouping: the office's pins on questions, the grouping facts of each topic, and the
    /// log of office decisions (merge, split, move, rename, category).
    static func registerTopics(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-topic-grouping") { db in
            try db.alter(table: "question") { t in
                t.add(column: "topicPinned", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "topicGrouping") { t in
                t.primaryKey("topicID", .integer).references("topic", onDelete: .cascade)
                t.column("conceptKey", .text)
                t.column("placeKey", .text)
                t.column("titleOverridden", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "topicDecision") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("topicID", .integer).notNull().indexed()
                t.column("otherTopicID", .integer)
                t.column("questionIDs", .jsonText).notNull().defaults(to: "[]")
                t.column("value", .text)
            }
        }
    }
}

/// The `topicGrouping` row: facts of a topic that only grouping needs.
struct TopicGroupingRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "topicGrouping"
    var topicID: Int64
    var conceptKey: String?
    var placeKey: String?
    var titleOverridden: Bool
}

extension TopicDecision: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "topicDecision"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension SQLiteStore: TopicStore {
    /// Statuses whose questions may still change topic.
    static let groupableStatuses: [QuestionStatus] = [.received, .acknowledged, .grouped]

    public func groupingCandidates() async throws -> [GroupableQuestion] {
        try await reader.read { db in
            let statuses = Self.groupableStatuses.map(\.rawValue)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT question.*, asker.personKey AS askerKey FROM question
                    LEFT JOIN asker ON asker.questionID = question.id
                    WHERE question.status IN (?, ?, ?) OR question.topicID IS NOT NULL
                    ORDER BY question.submittedAt, question.id
                    """,
                arguments: StatementArguments(statuses)
            )
            return try rows.map { row in
                let question = try Question(row: row)
                let open = Self.groupableStatuses.contains(question.status)
                return GroupableQuestion(
                    question: question,
                    pinned: row["topicPinned"] ?? false || (!open && question.topicID != nil),
                    askerKey: row["askerKey"]
                )
            }
        }
    }

    /// One transaction, written in chunks of ``GroupingWrite/chunkSize`` questions: each chunk's rows
    /// are read in one statement and only what ``GroupingWrite`` says changes is written, with cached
    /// statements (a year of questions is 100,000 assignments).
    @discardableResult
    public func saveGrouping(_ assignments: [TopicAssignment], actor: String, now: Date) async throws -> [Topic.ID] {
        try await writer.write { db in
            let ids = try Self.storeTopics(assignments, now: now, db)
            var placements: [(question: Question.ID, topic: Topic.ID)] = []
            placements.reserveCapacity(assignments.reduce(0) { $0 + $1.questionIDs.count })
            for (assignment, topicID) in zip(assignments, ids) {
                for questionID in assignment.questionIDs { placements.append((questionID, topicID)) }
            }
            let storedAt = now.databaseValue
            for chunk in GroupingWrite.chunks(placements) {
                let stored = try Self.storedQuestions(chunk.map(\.question), db)
                let changes = try GroupingWrite.changes(chunk, stored: stored, actor: actor, now: now)
                try Self.write(changes, storedAt: storedAt, db)
            }
            try Self.deleteEmptyTopics(db)
            return ids
        }
    }

    /// The grouping run's topics: stored ones updated where their facts changed (keeping the office's
    /// title and category), new ones inserted. Returns their ids in the order of `assignments`.
    static func storeTopics(_ assignments: [TopicAssignment], now: Date, _ db: Database) throws -> [Topic.ID] {
        var stored: [Topic.ID: GroupingWrite.StoredTopic] = [:]
        for chunk in GroupingWrite.chunks(assignments.compactMap(\.topicID)) {
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT topic.id, topic.title, topic.category, topic.categoryOverridden, topic.representativeQuestionID,
                      topic.place, topic.reason, topicGrouping.topicID AS groupingTopicID, topicGrouping.conceptKey,
                      topicGrouping.placeKey, topicGrouping.titleOverridden
                    FROM topic LEFT JOIN topicGrouping ON topicGrouping.topicID = topic.id
                    WHERE topic.id IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ",")))
                    """,
                arguments: StatementArguments(Array(chunk)))
            for row in rows {
                let id: Topic.ID = row["id"]
                let hasGrouping = (row["groupingTopicID"] as Int64?) != nil
                stored[id] = GroupingWrite.StoredTopic(
                    id: id, title: row["title"], category: (row["category"] as String?).flatMap(QuestionCategory.init(rawValue:)),
                    categoryOverridden: row["categoryOverridden"], representativeQuestionID: row["representativeQuestionID"],
                    place: row["place"], reason: row["reason"],
                    grouping: hasGrouping
                        ? GroupingWrite.StoredTopic.Grouping(
                            conceptKey: row["conceptKey"], placeKey: row["placeKey"], titleOverridden: row["titleOverridden"])
                        : nil)
            }
        }
        let (topics, updates) = GroupingWrite.plan(assignments, stored: stored)
        for topic in updates {
            try db.cachedStatement(
                sql: "UPDATE topic SET title = ?, category = ?, representativeQuestionID = ?, place = ?, reason = ? WHERE id = ?"
            ).execute(arguments: [topic.title, topic.category?.rawValue, topic.representativeQuestionID, topic.place, topic.reason, topic.id])
            if let grouping = topic.grouping { try saveGroupingRow(topic.id, grouping, db) }
        }
        var ids: [Topic.ID] = []
        ids.reserveCapacity(assignments.count)
        for (assignment, topic) in zip(assignments, topics) {
            if let topic {
                ids.append(topic.id)
                continue
            }
            var created = GroupingWrite.newTopic(assignment.facts, now: now)
            try created.insert(db)
            let id = created.id!
            try saveGroupingRow(
                id,
                GroupingWrite.StoredTopic.Grouping(
                    conceptKey: assignment.facts.conceptKey, placeKey: assignment.facts.placeKey, titleOverridden: false),
                db)
            ids.append(id)
        }
        return ids
    }

    /// Inserts or replaces a topic's `topicGrouping` row.
    static func saveGroupingRow(_ topicID: Topic.ID, _ grouping: GroupingWrite.StoredTopic.Grouping, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO topicGrouping (topicID, conceptKey, placeKey, titleOverridden) VALUES (?, ?, ?, ?)
                ON CONFLICT (topicID) DO UPDATE SET conceptKey = excluded.conceptKey, placeKey = excluded.placeKey,
                  titleOverridden = excluded.titleOverridden
                """
        ).execute(arguments: [topicID, grouping.conceptKey, grouping.placeKey, grouping.titleOverridden])
    }

    /// The stored state of `ids` (those that exist), read in one statement.
    static func storedQuestions(_ ids: [Question.ID], _ db: Database) throws -> [Question.ID: GroupingWrite.StoredQuestion] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT id, status, topicID FROM question WHERE id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ",")))",
            arguments: StatementArguments(ids))
        var stored: [Question.ID: GroupingWrite.StoredQuestion] = [:]
        stored.reserveCapacity(rows.count)
        for row in rows {
            let raw: String = row["status"]
            guard let status = QuestionStatus(rawValue: raw) else {
                throw TyndauError.databaseFailed("stored status '\(raw)' is unknown")
            }
            let id: Question.ID = row["id"]
            stored[id] = GroupingWrite.StoredQuestion(id: id, status: status, topicID: row["topicID"])
        }
        return stored
    }

    /// Writes a chunk's changes: the topic, and for a new question its move to `grouped` (reason
    /// cleared, `triagedAt` stamped unless set) with its audit line.
    static func write(_ changes: [GroupingWrite.QuestionChange], storedAt: DatabaseValue, _ db: Database) throws {
        let move = try db.cachedStatement(
            sql: "UPDATE question SET topicID = ?, status = ?, statusReason = NULL, triagedAt = COALESCE(triagedAt, ?) WHERE id = ?")
        let place = try db.cachedStatement(sql: "UPDATE question SET topicID = ? WHERE id = ?")
        for change in changes {
            if let status = change.status {
                try move.execute(arguments: [change.topicID, status.rawValue, storedAt, change.id])
            } else {
                try place.execute(arguments: [change.topicID, change.id])
            }
            if let audit = change.audit { try Self.audit(audit, storedAt: storedAt, db) }
        }
    }

    /// Updates an existing topic's facts or inserts a new topic with them; returns its id. Placing on
    /// arrival writes one topic at a time through the grouping run's path, so what an office edit keeps
    /// is decided once (``GroupingWrite/updated(_:with:)``).
    static func storeFacts(_ facts: TopicFacts, topicID: Topic.ID?, now: Date, _ db: Database) throws -> Topic.ID {
        try storeTopics([TopicAssignment(topicID: topicID, questionIDs: [], facts: facts)], now: now, db)[0]
    }

    /// Puts a question in a topic. `triage` moves a new question to `grouped` (the office's decision,
    /// or a grouping run); placing on arrival does not: the office still has to look at it.
    static func assign(
        questionID: Question.ID, to topicID: Topic.ID, pinned: Bool?, triage: Bool = true, actor: String, now: Date,
        _ db: Database
    ) throws {
        // Cached statements: a grouping run assigns every question, 100,000 after a year.
        guard
            let status = try String.fetchOne(
                db.cachedStatement(sql: "SELECT status FROM question WHERE id = ?"), arguments: [questionID]
            )
            .flatMap(QuestionStatus.init(rawValue:))
        else { throw TyndauError.notFound("question \(questionID)") }
        if triage, !status.isTriaged {
            _ = try updateStatus(questionID: questionID, to: .grouped, reason: nil, actor: actor, now: now, db)
        }
        if let pinned {
            try db.cachedStatement(sql: "UPDATE question SET topicID = ?, topicPinned = ? WHERE id = ?")
                .execute(arguments: [topicID, pinned, questionID])
        } else {
            try db.cachedStatement(sql: "UPDATE question SET topicID = ? WHERE id = ?").execute(arguments: [topicID, questionID])
        }
    }

    /// Open topics with no question left and nothing else pointing at them are removed.
    static func deleteEmptyTopics(_ db: Database) throws {
        try db.execute(
            sql: """
                DELETE FROM topic WHERE state = 'open'
                AND NOT EXISTS (SELECT 1 FROM question WHERE question.topicID = topic.id)
                AND NOT EXISTS (SELECT 1 FROM agendaItem WHERE agendaItem.topicID = topic.id)
                AND NOT EXISTS (SELECT 1 FROM commitment WHERE commitment.topicID = topic.id)
                """)
    }

    public func topicOverviews(states: Set<TopicState>?) async throws -> [TopicOverview] {
        try await reader.read { db in try Self.overviews(db, topicID: nil, states: states) }
    }

    public func topicOverview(id: Topic.ID) async throws -> TopicOverview? {
        try await reader.read { db in try Self.overviews(db, topicID: id, states: nil).first }
    }

    /// Overviews of the topics in `states`, or of just `ids` (then only their rows are read).
    static func overviews(_ db: Database, topicID: Topic.ID?, states: Set<TopicState>?) throws -> [TopicOverview] {
        try overviews(db, ids: topicID.map { [$0] }, states: states)
    }

    static func overviews(_ db: Database, ids: [Topic.ID]?, states: Set<TopicState>?) throws -> [TopicOverview] {
        var request = Topic.all()
        if let ids { request = request.filter(keys: ids) }
        if let states { request = request.filter(states.map(\.rawValue).contains(Column("state"))) }
        let topics = try request.fetchAll(db)
        let groupingRequest = ids.map { TopicGroupingRecord.filter($0.contains(Column("topicID"))) } ?? TopicGroupingRecord.all()
        let groupings = Dictionary(
            try groupingRequest.fetchAll(db).map { ($0.topicID, $0) }, uniquingKeysWith: { first, _ in first })
        let only = ids.map { " AND question.topicID IN (" + Array(repeating: "?", count: $0.count).joined(separator: ",") + ")" } ?? ""
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT question.id, question.topicID, question.language, question.submittedAt, asker.personKey
                FROM question LEFT JOIN asker ON asker.questionID = question.id
                WHERE question.topicID IS NOT NULL\(only) ORDER BY question.id
                """,
            arguments: StatementArguments(ids ?? []))
        var members: [Topic.ID: [TopicMemberFacts]] = [:]
        for row in rows {
            members[row["topicID"], default: []].append(TopicMemberFacts(
                id: row["id"], language: row["language"], submittedAt: row["submittedAt"], personKey: row["personKey"]))
        }
        return topics.compactMap { topic -> TopicOverview? in
            guard let id = topic.id else { return nil }
            let grouping = groupings[id]
            return TopicOverview(
                topic: topic, members: members[id] ?? [], conceptKey: grouping?.conceptKey, placeKey: grouping?.placeKey,
                titleOverridden: grouping?.titleOverridden ?? false)
        }.sorted(by: TopicOverview.inDemandOrder)
    }

    static func requireTopic(_ id: Topic.ID, _ db: Database) throws -> Topic {
        guard let topic = try Topic.fetchOne(db, key: id) else { throw TyndauError.notFound("topic \(id)") }
        return topic
    }

    static func record(_ decision: TopicDecision, _ db: Database) throws {
        var decision = decision
        try decision.insert(db)
        try Self.audit(decision.auditEvent, db)
    }

    static func memberIDs(_ topic: Topic.ID, _ db: Database) throws -> [Question.ID] {
        try Question.ID.fetchAll(db, sql: "SELECT id FROM question WHERE topicID = ? ORDER BY id", arguments: [topic])
    }

    public func mergeTopics(into target: Topic.ID, from source: Topic.ID, actor: String, now: Date) async throws {
        try await writer.write { db in
            try TopicEdits.checkMerge(into: target, from: source)
            _ = try Self.requireTopic(target, db)
            _ = try Self.requireTopic(source, db)
            let moved = try Self.memberIDs(source, db)
            for id in try Self.memberIDs(target, db) + moved {
                try Self.assign(questionID: id, to: target, pinned: true, actor: actor, now: now, db)
            }
            try db.execute(sql: "UPDATE agendaItem SET topicID = ? WHERE topicID = ?", arguments: [target, source])
            try db.execute(sql: "UPDATE commitment SET topicID = ? WHERE topicID = ?", arguments: [target, source])
            _ = try Topic.deleteOne(db, key: source)
            try Self.record(
                TopicDecision(
                    at: now, actor: actor, kind: .merge, topicID: target, otherTopicID: source, questionIDs: moved), db)
        }
    }

    public func splitTopic(_ topic: Topic.ID, questionIDs: [Question.ID], actor: String, now: Date) async throws
        -> Topic.ID
    {
        try await writer.write { db in
            let original = try Self.requireTopic(topic, db)
            let members = try Self.memberIDs(topic, db)
            let leaving = try TopicEdits.leaving(questionIDs, members: members)
            let first = try Question.fetchOne(db, key: leaving[0])
            var created = TopicEdits.splitOff(from: original, leaving: leaving, firstText: first?.text, now: now)
            try created.insert(db)
            let newID = created.id!
            let grouping = try TopicGroupingRecord.fetchOne(db, key: topic)
            try TopicGroupingRecord(
                topicID: newID, conceptKey: grouping?.conceptKey, placeKey: grouping?.placeKey, titleOverridden: false
            ).insert(db)
            for id in members {
                try Self.assign(
                    questionID: id, to: leaving.contains(id) ? newID : topic, pinned: true, actor: actor, now: now, db)
            }
            if let representative = original.representativeQuestionID, leaving.contains(representative) {
                let remaining = members.filter { !leaving.contains($0) }
                try db.execute(
                    sql: "UPDATE topic SET representativeQuestionID = ? WHERE id = ?",
                    arguments: [remaining.first, topic])
            }
            try Self.record(
                TopicDecision(
                    at: now, actor: actor, kind: .split, topicID: topic, otherTopicID: newID, questionIDs: leaving), db)
            return newID
        }
    }

    public func moveQuestion(_ question: Question.ID, to topic: Topic.ID, actor: String, now: Date) async throws {
        try await writer.write { db in
            _ = try Self.requireTopic(topic, db)
            guard let current = try Question.fetchOne(db, key: question) else {
                throw TyndauError.notFound("question \(question)")
            }
            try Self.assign(questionID: question, to: topic, pinned: true, actor: actor, now: now, db)
            try Self.deleteEmptyTopics(db)
            try Self.record(
                TopicDecision(
                    at: now, actor: actor, kind: .move, topicID: topic, otherTopicID: current.topicID,
                    questionIDs: [question]),
                db)
        }
    }

    public func renameTopic(_ topic: Topic.ID, title: String, actor: String, now: Date) async throws {
        try await writer.write { db in
            let trimmed = try TopicEdits.validatedTitle(title)
            var stored = try Self.requireTopic(topic, db)
            stored.title = trimmed
            try stored.update(db, columns: ["title"])
            var grouping =
                try TopicGroupingRecord.fetchOne(db, key: topic)
                ?? TopicGroupingRecord(topicID: topic, conceptKey: nil, placeKey: nil, titleOverridden: true)
            grouping.titleOverridden = true
            try grouping.save(db)
            try Self.record(TopicDecision(at: now, actor: actor, kind: .rename, topicID: topic, value: trimmed), db)
        }
    }

    public func setTopicTitles(_ topic: Topic.ID, titles: BilingualText, actor: String, now: Date) async throws {
        let titles = try Topic.validatedTitles(titles)
        try await writer.write { db in
            var stored = try Self.requireTopic(topic, db)
            stored.titleKk = titles.kk
            stored.titleRu = titles.ru
            try stored.update(db, columns: ["titleKk", "titleRu"])
            try Self.record(
                TopicDecision(
                    at: now, actor: actor, kind: .rename, topicID: topic, value: TopicEdits.titlesDecisionValue(titles)), db)
        }
    }

    public func overrideCategory(_ topic: Topic.ID, category: QuestionCategory, actor: String, now: Date) async throws {
        try await writer.write { db in
            var stored = try Self.requireTopic(topic, db)
            stored.category = category
            stored.categoryOverridden = true
            try stored.update(db, columns: ["category", "categoryOverridden"])
            try Self.record(
                TopicDecision(at: now, actor: actor, kind: .category, topicID: topic, value: category.rawValue), db)
        }
    }

    public func topicDecisions(topicID: Topic.ID?) async throws -> [TopicDecision] {
        try await reader.read { db in
            var request = TopicDecision.order(Column("id"))
            if let topicID {
                request = request.filter(Column("topicID") == topicID || Column("otherTopicID") == topicID)
            }
            return try request.fetchAll(db)
        }
    }
}
