import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore {
    static func topic(_ row: Columns) throws -> Topic {
        Topic(
            id: try row("id", as: Int64.self), title: try row("title"), representativeQuestionID: try row("representativeQuestionID"),
            category: try row("category", as: QuestionCategory?.self), categoryOverridden: try row("categoryOverridden"),
            place: try row("place"), responsible: try row("responsible"), reason: try row("reason"),
            state: try row("state", as: TopicState.self), createdAt: try row("createdAt"),
            titleKk: try row("titleKk"), titleRu: try row("titleRu")
        )
    }

    static func fetchTopic(id: Topic.ID, _ connection: PostgresConnection) async throws -> Topic? {
        try await connection.row(#"SELECT * FROM "topic" WHERE "id" = \#(id)"#).map(topic)
    }

    static func insertTopic(_ topic: Topic, _ connection: PostgresConnection) async throws -> Topic.ID {
        guard let id = try await connection.value(#"""
            INSERT INTO "topic" ("title", "representativeQuestionID", "category", "categoryOverridden", "place", "responsible",
                                 "reason", "state", "createdAt")
            VALUES (\#(topic.title), \#(topic.representativeQuestionID), \#(topic.category?.rawValue), \#(topic.categoryOverridden),
                    \#(topic.place), \#(topic.responsible), \#(topic.reason), \#(topic.state.rawValue), \#(topic.createdAt))
            RETURNING "id"
            """#, as: Int64.self)
        else { throw TyndauError.databaseFailed("topic insert returned no id") }
        return id
    }

    static func meeting(_ row: Columns) throws -> Meeting {
        let week = try row("week", as: String.self)
        guard let isoWeek = ISOWeek(week) else { throw TyndauError.databaseFailed("stored week '\(week)' is malformed") }
        return Meeting(
            id: try row("id", as: Int64.self), week: isoWeek, startsAt: try row("startsAt"),
            durationMinutes: try row.int("durationMinutes"), timeZone: try row("timeZone"),
            state: try row("state", as: MeetingState.self), closedAt: try row("closedAt")
        )
    }

    static func fetchMeeting(week: ISOWeek, forUpdate: Bool = false, _ connection: PostgresConnection) async throws -> Meeting? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await connection.row(#"""
            SELECT * FROM "meeting" WHERE "week" = \#(week.description)\#(unescaped: lock)
            """#).map(meeting)
    }

    static func agendaItem(_ row: Columns) throws -> AgendaItem {
        AgendaItem(
            id: try row("id", as: Int64.self), meetingID: try row("meetingID"), topicID: try row("topicID"),
            position: try row.int("position"), block: try row("block", as: AgendaBlock.self),
            startOffsetMinutes: try row.int("startOffsetMinutes"), minutes: try row.int("minutes"), why: try row("why")
        )
    }

    static func moveTopic(_ topicID: Topic.ID, to state: TopicState, _ connection: PostgresConnection) async throws {
        let changed = try await connection.changes(#"UPDATE "topic" SET "state" = \#(state.rawValue) WHERE "id" = \#(topicID)"#)
        guard changed == 1 else { throw TyndauError.notFound("topic \(topicID)") }
    }

    static func moveQuestions(
        topicID: Topic.ID, from: QuestionStatus, to: QuestionStatus, actor: String, now: Date, _ connection: PostgresConnection
    ) async throws {
        let ids = try await connection.values(#"""
            SELECT "id" FROM "question" WHERE "topicID" = \#(topicID) AND "status" = \#(from.rawValue) ORDER BY "id"
            """#, as: Int64.self)
        for id in ids {
            _ = try await updateStatus(questionID: id, to: to, reason: nil, actor: actor, now: now, connection)
        }
    }

    /// Questions that still wait for an answer: they count towards a topic's askers.
    static let waitingStatuses: [String] = [QuestionStatus.received, .acknowledged, .grouped, .scheduled].map(\.rawValue)
}

extension PostgresStore: AgendaStore {
    public func agendaTopicCount() async throws -> Int {
        try await read { connection in
            Int(try await connection.value(#"SELECT COUNT(*) FROM "topic""#, as: Int64.self) ?? 0)
        }
    }

    /// Under the office lock: two processes running it at once do not make two topics for one question.
    public func makeSingleQuestionTopics(actor: String, now: Date) async throws -> Int {
        try await write { connection in
            try await Self.lock(.office, connection)
            let open = [QuestionStatus.received, .acknowledged, .grouped].map(\.rawValue)
            let questions = try await connection.rows(#"""
                SELECT \#(unescaped: Self.questionColumns()) FROM "question"
                WHERE "topicID" IS NULL AND "status" = ANY(\#(open))
                ORDER BY "submittedAt", "id"
                """#).map(Self.question)
            for question in questions {
                guard let questionID = question.id else { continue }
                let place = [question.street, question.house].compactMap { $0 }.joined(separator: ", ")
                let topicID = try await Self.insertTopic(
                    Topic(
                        title: question.text, representativeQuestionID: questionID, category: question.category,
                        place: place.isEmpty ? nil : place, createdAt: now), connection)
                try await connection.run(#"UPDATE "question" SET "topicID" = \#(topicID) WHERE "id" = \#(questionID)"#)
                if question.status != .grouped {
                    _ = try await Self.updateStatus(questionID: questionID, to: .grouped, reason: nil, actor: actor, now: now, connection)
                }
            }
            if !questions.isEmpty {
                try await Self.audit(
                    AuditEvent.singleQuestionTopics(count: questions.count, actor: actor, at: now), connection)
            }
            return questions.count
        }
    }

    public func agendaCandidates(week: ISOWeek, submittedBefore cutoff: Date) async throws -> [AgendaTopicFacts] {
        try await read { connection in
            let topics = try await connection.rows(#"""
                SELECT * FROM "topic"
                WHERE "state" = \#(TopicState.open.rawValue)
                   OR "id" IN (SELECT i."topicID" FROM "agendaItem" i JOIN "meeting" m ON m."id" = i."meetingID"
                               WHERE m."week" = \#(week.description))
                   OR "id" IN (SELECT "topicID" FROM "writtenAnswer" WHERE "week" = \#(week.description))
                ORDER BY "id"
                """#).map(Self.topic)
            guard !topics.isEmpty else { return [] }
            let rows = try await connection.rows(#"""
                SELECT q."id", q."topicID", q."text", q."language", q."submittedAt", a."personKey"
                FROM "question" q LEFT JOIN "asker" a ON a."questionID" = q."id"
                WHERE q."topicID" IS NOT NULL AND q."submittedAt" < \#(cutoff) AND q."status" = ANY(\#(Self.waitingStatuses))
                ORDER BY q."topicID", q."submittedAt", q."id"
                """#)
            var collector = AgendaFactsCollector()
            for row in rows {
                collector.add(
                    topicID: try row("topicID"), questionID: try row("id"), text: try row("text"), language: try row("language"),
                    personKey: try row("personKey", as: String?.self), submittedAt: try row("submittedAt")
                )
            }
            return collector.facts(for: topics)
        }
    }

    public func agendaTopic(id: Topic.ID) async throws -> Topic? {
        try await read { connection in try await Self.fetchTopic(id: id, connection) }
    }

    public func meeting(week: ISOWeek) async throws -> Meeting? {
        try await read { connection in try await Self.fetchMeeting(week: week, connection) }
    }

    public func agendaItems(week: ISOWeek) async throws -> [AgendaItem] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT i.* FROM "agendaItem" i JOIN "meeting" m ON m."id" = i."meetingID"
                WHERE m."week" = \#(week.description) ORDER BY i."position"
                """#).map(Self.agendaItem)
        }
    }

    public func writtenAnswers(week: ISOWeek) async throws -> [WrittenAnswerEntry] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT * FROM "writtenAnswer" WHERE "week" = \#(week.description) ORDER BY "deadline" COLLATE "C", "topicID"
                """#).map { row in
                WrittenAnswerEntry(
                    topicID: try row("topicID"), week: week, deadline: try row("deadline"), weeksWaited: try row.int("weeksWaited"))
            }
        }
    }

    /// Under the office lock, so two agenda builds of any week never interleave; the second waits and
    /// then replaces the first, as on SQLite.
    public func saveAgenda(_ record: AgendaRecord, actor: String, now: Date) async throws {
        try await write { connection in
            try await Self.lock(.office, connection)
            let week = record.meeting.week
            let meetingID: Meeting.ID
            if let existing = try await Self.fetchMeeting(week: week, forUpdate: true, connection), let existingID = existing.id {
                try existing.requireAgendaOpen(at: now)
                try await Self.undoAgenda(meetingID: existingID, week: week, actor: actor, now: now, connection)
                try await connection.run(#"""
                    UPDATE "meeting" SET "startsAt" = \#(record.meeting.startsAt),
                      "durationMinutes" = \#(Int64(record.meeting.durationMinutes)), "timeZone" = \#(record.meeting.timeZone)
                    WHERE "id" = \#(existingID)
                    """#)
                meetingID = existingID
            } else {
                try record.meeting.requireAgendaOpen(at: now)
                let meeting = record.meeting
                guard let id = try await connection.value(#"""
                    INSERT INTO "meeting" ("week", "startsAt", "durationMinutes", "timeZone", "state", "closedAt")
                    VALUES (\#(week.description), \#(meeting.startsAt), \#(Int64(meeting.durationMinutes)), \#(meeting.timeZone),
                            \#(meeting.state.rawValue), \#(meeting.closedAt))
                    RETURNING "id"
                    """#, as: Int64.self)
                else { throw TyndauError.databaseFailed("meeting insert returned no id") }
                meetingID = id
            }
            for item in record.items {
                try await connection.run(#"""
                    INSERT INTO "agendaItem" ("meetingID", "topicID", "position", "block", "startOffsetMinutes", "minutes", "why")
                    VALUES (\#(meetingID), \#(item.topicID), \#(Int64(item.position)), \#(item.block.rawValue),
                            \#(Int64(item.startOffsetMinutes)), \#(Int64(item.minutes)), \#(item.why))
                    """#)
                try await Self.moveTopic(item.topicID, to: .scheduled, connection)
                try await Self.moveQuestions(topicID: item.topicID, from: .grouped, to: .scheduled, actor: actor, now: now, connection)
            }
            for entry in record.writtenAnswers {
                try await connection.run(#"""
                    INSERT INTO "writtenAnswer" ("topicID", "week", "deadline", "weeksWaited", "queuedAt")
                    VALUES (\#(entry.topicID), \#(week.description), \#(entry.deadline), \#(Int64(entry.weeksWaited)), \#(now))
                    """#)
                try await Self.moveTopic(entry.topicID, to: .written, connection)
            }
            try await Self.audit(
                AuditEvent.agendaBuilt(week: week, topics: record.items.count, writtenAnswers: record.writtenAnswers.count, actor: actor, at: now), connection)
        }
    }

    /// Takes back what a previous build of the week did, so a rebuild starts from the same state.
    private static func undoAgenda(
        meetingID: Meeting.ID, week: ISOWeek, actor: String, now: Date, _ connection: PostgresConnection
    ) async throws {
        let scheduled = try await connection.values(
            #"SELECT "topicID" FROM "agendaItem" WHERE "meetingID" = \#(meetingID) ORDER BY "id""#, as: Int64.self)
        for topicID in scheduled {
            try await moveTopic(topicID, to: .open, connection)
            try await moveQuestions(topicID: topicID, from: .scheduled, to: .grouped, actor: actor, now: now, connection)
        }
        try await connection.run(#"DELETE FROM "agendaItem" WHERE "meetingID" = \#(meetingID)"#)
        let written = try await connection.values(
            #"SELECT "topicID" FROM "writtenAnswer" WHERE "week" = \#(week.description) ORDER BY "topicID""#, as: Int64.self)
        for topicID in written { try await moveTopic(topicID, to: .open, connection) }
        try await connection.run(#"DELETE FROM "writtenAnswer" WHERE "week" = \#(week.description)"#)
    }

    public func agendaMarks(week: ISOWeek) async throws -> [AgendaMark] {
        try await read { connection in
            try await connection.rows(#"SELECT * FROM "agendaMark" WHERE "week" = \#(week.description) ORDER BY "topicID""#)
                .compactMap { row in
                    guard let kind = AgendaMark.Kind(rawValue: try row("kind")) else { return nil }
                    return AgendaMark(
                        week: week, topicID: try row("topicID"), kind: kind, reason: try row("reason"), actor: try row("actor"),
                        at: try row("at"))
                }
        }
    }

    public func setAgendaMark(_ mark: AgendaMark) async throws {
        try await write { connection in
            try await connection.run(#"""
                INSERT INTO "agendaMark" ("week", "topicID", "kind", "reason", "actor", "at")
                VALUES (\#(mark.week.description), \#(mark.topicID), \#(mark.kind.rawValue), \#(mark.reason), \#(mark.actor), \#(mark.at))
                ON CONFLICT ("week", "topicID") DO UPDATE SET "kind" = excluded."kind", "reason" = excluded."reason",
                    "actor" = excluded."actor", "at" = excluded."at"
                """#)
            try await Self.audit(
                AuditEvent.agendaMarked(mark), connection)
        }
    }

    @discardableResult
    public func removeAgendaMark(week: ISOWeek, topicID: Topic.ID, actor: String, now: Date) async throws -> Bool {
        try await write { connection in
            let removed = try await connection.changes(#"""
                DELETE FROM "agendaMark" WHERE "week" = \#(week.description) AND "topicID" = \#(topicID)
                """#)
            guard removed > 0 else { return false }
            try await Self.audit(
                AuditEvent.agendaUnmarked(topicID, week: week, actor: actor, at: now),
                connection)
            return true
        }
    }

    public func seriesSettings() async throws -> [String: String] {
        try await read { connection in
            var settings: [String: String] = [:]
            for row in try await connection.rows(#"SELECT "key", "value" FROM "seriesSetting""#) {
                settings[try row("key")] = try row("value")
            }
            return settings
        }
    }

    public func setSeriesSettings(_ values: [String: String], actor: String, now: Date) async throws {
        try await write { connection in
            for (key, value) in values.sorted(by: { $0.key < $1.key }) {
                if value.isEmpty {
                    try await connection.run(#"DELETE FROM "seriesSetting" WHERE "key" = \#(key)"#)
                    continue
                }
                try await connection.run(#"""
                    INSERT INTO "seriesSetting" ("key", "value", "updatedBy", "updatedAt") VALUES (\#(key), \#(value), \#(actor), \#(now))
                    ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value", "updatedBy" = excluded."updatedBy",
                        "updatedAt" = excluded."updatedAt"
                    """#)
            }
            try await Self.audit(
                AuditEvent.seriesSet(keys: values.keys, actor: actor, at: now),
                connection)
        }
    }
}
