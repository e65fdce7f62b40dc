import Foundation
import GRDB
import TyndauCore

extension SQLiteStore {
    /// Pins and skips per week, the written-answer queue, and the series settings written from the CLI.
    static func registerAgenda(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("agenda-v1") { db in
            try db.create(table: "agendaMark") { t in
                t.column("week", .text).notNull()
                t.column("topicID", .integer).notNull().indexed().references("topic", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("reason", .text)
                t.column("actor", .text).notNull()
                t.column("at", .datetime).notNull()
                t.primaryKey(["week", "topicID"])
            }
            try db.create(table: "writtenAnswer") { t in
                t.primaryKey("topicID", .integer).references("topic", onDelete: .cascade)
                t.column("week", .text).notNull().indexed()
                t.column("deadline", .text).notNull()
                t.column("weeksWaited", .integer).notNull()
                t.column("queuedAt", .datetime).notNull()
            }
            try db.create(table: "seriesSetting") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
                t.column("updatedBy", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
        }
    }
}

extension SQLiteStore: AgendaStore {
    /// Questions that still wait for an answer: they count towards a topic's askers.
    private static let waitingStatuses: [String] = [
        QuestionStatus.received, .acknowledged, .grouped, .scheduled,
    ].map(\.rawValue)

    public func agendaTopicCount() async throws -> Int {
        try await reader.read { db in try Topic.fetchCount(db) }
    }

    public func makeSingleQuestionTopics(actor: String, now: Date) async throws -> Int {
        try await writer.write { db in
            let questions = try Question
                .filter(Column("topicID") == nil)
                .filter([QuestionStatus.received, .acknowledged, .grouped].map(\.rawValue).contains(Column("status")))
                .order(Column("submittedAt"), Column("id"))
                .fetchAll(db)
            for question in questions {
                let place = [question.street, question.house].compactMap { $0 }.joined(separator: ", ")
                var topic = Topic(
                    title: question.text, representativeQuestionID: question.id, category: question.category,
                    place: place.isEmpty ? nil : place, createdAt: now
                )
                try topic.insert(db)
                try db.execute(sql: "UPDATE question SET topicID = ? WHERE id = ?", arguments: [topic.id, question.id])
                if question.status != .grouped {
                    _ = try Self.updateStatus(questionID: question.id!, to: .grouped, reason: nil, actor: actor, now: now, db)
                }
            }
            if !questions.isEmpty {
                try Self.audit(AuditEvent.singleQuestionTopics(count: questions.count, actor: actor, at: now), db)
            }
            return questions.count
        }
    }

    public func agendaCandidates(week: ISOWeek, submittedBefore cutoff: Date) async throws -> [AgendaTopicFacts] {
        try await reader.read { db in
            let topics = try Topic.fetchAll(db, sql: """
                SELECT * FROM topic
                WHERE state = ?
                   OR id IN (SELECT agendaItem.topicID FROM agendaItem JOIN meeting ON meeting.id = agendaItem.meetingID
                             WHERE meeting.week = ?)
                   OR id IN (SELECT topicID FROM writtenAnswer WHERE week = ?)
                ORDER BY id
                """, arguments: [TopicState.open.rawValue, week.description, week.description])
            guard !topics.isEmpty else { return [] }
            let statusList = Self.waitingStatuses.map { _ in "?" }.joined(separator: ", ")
            var arguments: StatementArguments = [cutoff]
            arguments += StatementArguments(Self.waitingStatuses)
            let rows = try Row.fetchCursor(db, sql: """
                SELECT question.id, question.topicID, question.text, question.language, question.submittedAt, asker.personKey
                FROM question LEFT JOIN asker ON asker.questionID = question.id
                WHERE question.topicID IS NOT NULL AND question.submittedAt < ? AND question.status IN (\(statusList))
                ORDER BY question.topicID, question.submittedAt, question.id
                """, arguments: arguments)
            var collector = AgendaFactsCollector()
            while let row = try rows.next() {
                collector.add(
                    topicID: row["topicID"], questionID: row["id"], text: row["text"], language: row["language"],
                    personKey: row["personKey"], submittedAt: row["submittedAt"]
                )
            }
            return collector.facts(for: topics)
        }
    }

    public func agendaTopic(id: Topic.ID) async throws -> Topic? {
        try await reader.read { db in try Topic.fetchOne(db, key: id) }
    }

    public func meeting(week: ISOWeek) async throws -> Meeting? {
        try await reader.read { db in try Self.meeting(week: week, db) }
    }

    static func meeting(week: ISOWeek, _ db: Database) throws -> Meeting? {
        try Meeting.fetchOne(db, sql: "SELECT * FROM meeting WHERE week = ?", arguments: [week.description])
    }

    public func agendaItems(week: ISOWeek) async throws -> [AgendaItem] {
        try await reader.read { db in
            try AgendaItem.fetchAll(db, sql: """
                SELECT agendaItem.* FROM agendaItem JOIN meeting ON meeting.id = agendaItem.meetingID
                WHERE meeting.week = ? ORDER BY agendaItem.position
                """, arguments: [week.description])
        }
    }

    public func writtenAnswers(week: ISOWeek) async throws -> [WrittenAnswerEntry] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM writtenAnswer WHERE week = ? ORDER BY deadline, topicID", arguments: [week.description])
                .map { row in
                    WrittenAnswerEntry(topicID: row["topicID"], week: week, deadline: row["deadline"], weeksWaited: row["weeksWaited"])
                }
        }
    }

    public func saveAgenda(_ record: AgendaRecord, actor: String, now: Date) async throws {
        try await writer.write { db in
            let week = record.meeting.week
            var meeting: Meeting
            if let existing = try Self.meeting(week: week, db) {
                try existing.requireAgendaOpen(at: now)
                meeting = existing
                try Self.undoAgenda(meetingID: existing.id!, week: week, actor: actor, now: now, db)
                meeting.startsAt = record.meeting.startsAt
                meeting.durationMinutes = record.meeting.durationMinutes
                meeting.timeZone = record.meeting.timeZone
                try meeting.update(db)
            } else {
                try record.meeting.requireAgendaOpen(at: now)
                meeting = record.meeting
                meeting.id = nil
                try meeting.insert(db)
            }
            for item in record.items {
                var item = item
                item.id = nil
                item.meetingID = meeting.id!
                try item.insert(db)
                try Self.moveTopic(item.topicID, to: .scheduled, db)
                try Self.moveQuestions(topicID: item.topicID, from: .grouped, to: .scheduled, actor: actor, now: now, db)
            }
            for entry in record.writtenAnswers {
                try db.execute(
                    sql: "INSERT INTO writtenAnswer (topicID, week, deadline, weeksWaited, queuedAt) VALUES (?, ?, ?, ?, ?)",
                    arguments: [entry.topicID, week.description, entry.deadline, entry.weeksWaited, now]
                )
                try Self.moveTopic(entry.topicID, to: .written, db)
            }
            try Self.audit(AuditEvent.agendaBuilt(week: week, topics: record.items.count, writtenAnswers: record.writtenAnswers.count, actor: actor, at: now), db)
        }
    }

    /// Takes back what a previous build of the week did, so a rebuild starts from the same state.
    private static func undoAgenda(meetingID: Meeting.ID, week: ISOWeek, actor: String, now: Date, _ db: Database) throws {
        let scheduled = try Topic.ID.fetchAll(db, sql: "SELECT topicID FROM agendaItem WHERE meetingID = ?", arguments: [meetingID])
        for topicID in scheduled {
            try moveTopic(topicID, to: .open, db)
            try moveQuestions(topicID: topicID, from: .scheduled, to: .grouped, actor: actor, now: now, db)
        }
        try db.execute(sql: "DELETE FROM agendaItem WHERE meetingID = ?", arguments: [meetingID])
        let written = try Topic.ID.fetchAll(db, sql: "SELECT topicID FROM writtenAnswer WHERE week = ?", arguments: [week.description])
        for topicID in written { try moveTopic(topicID, to: .open, db) }
        try db.execute(sql: "DELETE FROM writtenAnswer WHERE week = ?", arguments: [week.description])
    }

    static func moveTopic(_ topicID: Topic.ID, to state: TopicState, _ db: Database) throws {
        try db.execute(sql: "UPDATE topic SET state = ? WHERE id = ?", arguments: [state.rawValue, topicID])
        guard db.changesCount == 1 else { throw TyndauError.notFound("topic \(topicID)") }
    }

    static func moveQuestions(
        topicID: Topic.ID, from: QuestionStatus, to: QuestionStatus, actor: String, now: Date, _ db: Database
    ) throws {
        let ids = try Question.ID.fetchAll(
            db, sql: "SELECT id FROM question WHERE topicID = ? AND status = ? ORDER BY id", arguments: [topicID, from.rawValue]
        )
        for id in ids {
            _ = try updateStatus(questionID: id, to: to, reason: nil, actor: actor, now: now, db)
        }
    }

    public func agendaMarks(week: ISOWeek) async throws -> [AgendaMark] {
        try await reader.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agendaMark WHERE week = ? ORDER BY topicID", arguments: [week.description])
                .compactMap { row in
                    guard let kind = AgendaMark.Kind(rawValue: row["kind"]) else { return nil }
                    return AgendaMark(week: week, topicID: row["topicID"], kind: kind, reason: row["reason"], actor: row["actor"], at: row["at"])
                }
        }
    }

    public func setAgendaMark(_ mark: AgendaMark) async throws {
        try await writer.write { db in
            try db.execute(sql: """
                INSERT INTO agendaMark (week, topicID, kind, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (week, topicID) DO UPDATE SET kind = excluded.kind, reason = excluded.reason,
                    actor = excluded.actor, at = excluded.at
                """, arguments: [mark.week.description, mark.topicID, mark.kind.rawValue, mark.reason, mark.actor, mark.at])
            try Self.audit(AuditEvent.agendaMarked(mark), db)
        }
    }

    @discardableResult
    public func removeAgendaMark(week: ISOWeek, topicID: Topic.ID, actor: String, now: Date) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM agendaMark WHERE week = ? AND topicID = ?", arguments: [week.description, topicID])
            guard db.changesCount > 0 else { return false }
            try Self.audit(AuditEvent.agendaUnmarked(topicID, week: week, actor: actor, at: now), db)
            return true
        }
    }

    public func seriesSettings() async throws -> [String: String] {
        try await reader.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT key, value FROM seriesSetting").map {
                (String($0["key"] as String), String($0["value"] as String))
            })
        }
    }

    public func setSeriesSettings(_ values: [String: String], actor: String, now: Date) async throws {
        try await writer.write { db in
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                // An empty value removes the override: the configuration file's value applies again.
                if value.isEmpty {
                    try db.execute(sql: "DELETE FROM seriesSetting WHERE key = ?", arguments: [key])
                    continue
                }
                try db.execute(sql: """
                    INSERT INTO seriesSetting (key, value, updatedBy, updatedAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updatedBy = excluded.updatedBy,
                        updatedAt = excluded.updatedAt
                    """, arguments: [key, value, actor, now])
            }
            try Self.audit(AuditEvent.seriesSet(keys: values.keys, actor: actor, at: now), db)
        }
    }
}
