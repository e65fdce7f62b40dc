import Foundation
import GRDB
import TyndauCore

extension SQLiteStore {
    /// When a closed meeting's digest and notices were enqueued (once, ever), and the personal
    /// notice's addressee on outbox rows (a question id: the address stays in `asker`).
    /// The office's public note on a kept promise.
    static func registerCommitmentNote(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("commitment-note-v1") { db in
            try db.alter(table: "commitment") { t in t.add(column: "publicNote", .text) }
        }
    }

    /// Answers, promises and topic titles in Kazakh and Russian. An answer's one text moves to the
    /// Kazakh column when it has a letter only Kazakh uses, to the Russian one otherwise.
    static func registerBilingual(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("bilingual-v1") { db in
            try db.alter(table: "answer") { t in
                t.add(column: "textKk", .text)
                t.add(column: "textRu", .text)
            }
            try db.alter(table: "commitment") { t in
                t.add(column: "textKk", .text)
                t.add(column: "textRu", .text)
                t.add(column: "responsibleKk", .text)
                t.add(column: "responsibleRu", .text)
            }
            try db.alter(table: "topic") { t in
                t.add(column: "titleKk", .text)
                t.add(column: "titleRu", .text)
            }
            let kazakh = "'*[әғқңөұүһіӘҒҚҢӨҰҮҺІ]*'"
            try db.execute(sql: """
                UPDATE answer SET textKk = CASE WHEN text GLOB \(kazakh) THEN text END,
                                  textRu = CASE WHEN text GLOB \(kazakh) THEN NULL ELSE text END;
                UPDATE commitment SET textKk = CASE WHEN text GLOB \(kazakh) THEN text END,
                                      textRu = CASE WHEN text GLOB \(kazakh) THEN NULL ELSE text END,
                                      responsibleKk = CASE WHEN responsible GLOB \(kazakh) THEN responsible END,
                                      responsibleRu = CASE WHEN responsible GLOB \(kazakh) THEN NULL ELSE responsible END;
                """)
        }
    }

    static func registerAnswers(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-answers") { db in
            try db.alter(table: "meeting") { t in
                t.add(column: "publishedAt", .datetime)
            }
            try db.alter(table: "delivery") { t in
                t.add(column: "recipientQuestionID", .integer).references("question", onDelete: .setNull)
            }
            try db.create(index: "meeting_on_state", on: "meeting", columns: ["state"])
        }
    }

    /// Distinct askers of a topic: a person counts once, an anonymous question once.
    static func askerCount(topicID: Topic.ID, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT COUNT(DISTINCT COALESCE(a.personKey, 'q' || q.id)) FROM question q
                LEFT JOIN asker a ON a.questionID = q.id
                WHERE q.topicID = ? AND q.status <> 'rejected'
                """,
            arguments: [topicID]
        ) ?? 0
    }

    static func answeredItems(week: ISOWeek, _ db: Database) throws -> [AnsweredItem] {
        guard let meeting = try Self.meeting(week: week, db), let meetingID = meeting.id else { return [] }
        let items = try AgendaItem.filter(Column("meetingID") == meetingID).order(Column("position")).fetchAll(db)
        return try items.map { item in
            guard let topic = try Topic.fetchOne(db, key: item.topicID) else { throw TyndauError.notFound("topic \(item.topicID)") }
            let question = try topic.representativeQuestionID.flatMap { try String.fetchOne(db, sql: "SELECT text FROM question WHERE id = ?", arguments: [$0]) }
            let answer = try Answer.filter(Column("agendaItemID") == item.id).fetchOne(db)
            let commitment = try answer.flatMap { try Commitment.filter(Column("answerID") == $0.id).fetchOne(db) }
            return AnsweredItem(
                item: item, topic: topic, question: question ?? topic.title,
                askers: try askerCount(topicID: item.topicID, db), answer: answer, commitment: commitment,
                members: try memberQuestions(topic: topic, db)
            )
        }
    }

    /// The topic's questions that are not rejected with their languages, the representative first.
    static func memberQuestions(topic: Topic, _ db: Database) throws -> [MemberQuestionText] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT text, language FROM question WHERE topicID = ? AND status <> 'rejected'
                ORDER BY id = ? DESC, submittedAt, id
                """,
            arguments: [topic.id, topic.representativeQuestionID ?? 0]
        ).map { MemberQuestionText(text: $0["text"], language: TextLanguage(rawValue: $0["language"] ?? "") ?? .unknown) }
    }

    /// Commitments matching `condition` (SQL over `c`, the commitment, and `a`, its answer) with their
    /// topic's title and place and the week and block of the agenda item, in one query.
    static func commitmentViews(where condition: String, arguments: StatementArguments = [], _ db: Database) throws -> [CommitmentView] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT c.*, t.title AS topicTitle, t.place AS topicPlace, m.week AS meetingWeek, i.block AS itemBlock
                FROM commitment c JOIN answer a ON a.id = c.answerID
                JOIN agendaItem i ON i.id = a.agendaItemID JOIN meeting m ON m.id = i.meetingID
                LEFT JOIN topic t ON t.id = c.topicID
                WHERE \(condition)
                ORDER BY c.dueDate, c.id
                """,
            arguments: arguments
        ).map { row in
            CommitmentView(
                commitment: try Commitment(row: row), topicTitle: row["topicTitle"] ?? "",
                week: (row["meetingWeek"] as String?).flatMap(ISOWeek.init), place: row["topicPlace"],
                block: (row["itemBlock"] as String?).flatMap(AgendaBlock.init(rawValue:)))
        }
    }
}

extension SQLiteStore: AnswerStore {
    public func answeredItems(week: ISOWeek) async throws -> [AnsweredItem] {
        try await reader.read { db in try Self.answeredItems(week: week, db) }
    }

    @discardableResult
    public func recordAnswer(_ input: AnswerInput, week: ISOWeek, itemID: AgendaItem.ID, actor: String, now: Date) async throws -> AnsweredItem {
        let input = try input.validated()
        return try await writer.write { db in
            guard let meeting = try Self.meeting(week: week, db), let meetingID = meeting.id else {
                throw TyndauError.notFound("meeting \(week)")
            }
            try meeting.requireNotClosed()
            guard let item = try AgendaItem.fetchOne(db, key: itemID), item.meetingID == meetingID else {
                throw TyndauError.notFound("agenda item \(itemID) of \(week)")
            }
            var answer = try Answer.filter(Column("agendaItemID") == itemID).fetchOne(db)
                ?? Answer(agendaItemID: itemID, texts: input.texts, kind: input.kind, recordedBy: actor, recordedAt: now)
            answer.texts = input.texts
            answer.kind = input.kind
            answer.redirectedTo = input.kind == .redirected ? input.redirectedTo : nil
            answer.recordedBy = actor
            answer.recordedAt = now
            try answer.save(db)
            let answerID = answer.id!
            if input.kind == .commitment, !input.responsible.isEmpty, let due = input.dueDate {
                var commitment = try Commitment.filter(Column("answerID") == answerID).fetchOne(db)
                    ?? Commitment(answerID: answerID, topicID: item.topicID, texts: input.texts, responsible: input.responsible, dueDate: due)
                commitment.texts = input.texts
                commitment.responsibleTexts = input.responsible
                commitment.dueDate = due
                try commitment.save(db)
            } else {
                try db.execute(sql: "DELETE FROM commitment WHERE answerID = ?", arguments: [answerID])
            }
            try Self.audit(
                AuditEvent.answerRecorded(
                    itemID: itemID, week: week, topicID: item.topicID, kind: input.kind, dueDate: input.dueDate, actor: actor, at: now),
                db)
            guard let stored = try Self.answeredItems(week: week, db).first(where: { $0.item.id == itemID }) else {
                throw TyndauError.notFound("agenda item \(itemID)")
            }
            return stored
        }
    }

    public func closeMeeting(week: ISOWeek, actor: String, now: Date) async throws -> MeetingClosure {
        try await writer.write { db in
            guard var meeting = try Self.meeting(week: week, db) else { throw TyndauError.notFound("meeting \(week)") }
            try meeting.requireClosable(at: now)
            var answered = 0
            var returned = 0
            for entry in try Self.answeredItems(week: week, db) {
                let topicID = entry.item.topicID
                guard var answer = entry.answer else {
                    // Not reached at the meeting: back to the queue; the topic's first submission is
                    // unchanged, so its waiting time keeps counting.
                    try Self.moveTopic(topicID, to: .open, db)
                    try Self.moveQuestions(topicID: topicID, from: .scheduled, to: .grouped, actor: actor, now: now, db)
                    returned += 1
                    continue
                }
                answer.isFinal = true
                try answer.update(db, columns: ["isFinal"])
                let (topicState, questionStatus): (TopicState, QuestionStatus) = switch answer.kind {
                case .answered, .commitment: (.answered, .answered)
                case .written: (.written, .answeredInWriting)
                case .redirected: (.closed, .redirected)
                }
                try Self.moveTopic(topicID, to: topicState, db)
                try Self.moveQuestions(topicID: topicID, from: .scheduled, to: questionStatus, actor: actor, now: now, db)
                answered += 1
            }
            meeting.close(at: now)
            try meeting.update(db, columns: ["state", "closedAt"])
            try Self.audit(AuditEvent.meetingClosed(week: week, answered: answered, returned: returned, actor: actor, at: now), db)
            return MeetingClosure(meeting: meeting, answered: answered, returnedToQueue: returned)
        }
    }

    public func openMeetings() async throws -> [Meeting] {
        try await reader.read { db in
            try Meeting.filter(Column("state") != MeetingState.closed.rawValue).order(Column("startsAt")).fetchAll(db)
        }
    }

    public func commitments(dueBefore: String?, openOnly: Bool) async throws -> [CommitmentView] {
        try await reader.read { db in
            // Only promises of closed meetings are real commitments; drafts of a live meeting are not.
            var conditions = ["a.isFinal"]
            var arguments: StatementArguments = []
            if let dueBefore {
                conditions.append("c.dueDate < ?")
                _ = arguments.append(contentsOf: [dueBefore])
            }
            if openOnly { conditions.append("c.state = '\(CommitmentState.open.rawValue)'") }
            return try Self.commitmentViews(where: conditions.joined(separator: " AND "), arguments: arguments, db)
        }
    }

    public func markCommitmentDone(id: Commitment.ID, note: String?, actor: String, now: Date) async throws -> CommitmentView {
        try await writer.write { db in
            guard var commitment = try Commitment.fetchOne(db, key: id) else { throw TyndauError.notFound("commitment \(id)") }
            if commitment.state != .done {
                commitment.markDone(at: now, note: note)
                try commitment.update(db, columns: ["state", "doneAt", "publicNote"])
                try Self.audit(AuditEvent.commitmentDone(id, responsible: commitment.responsible, actor: actor, at: now), db)
            } else if let note, note != commitment.publicNote {
                commitment.publicNote = note
                try commitment.update(db, columns: ["publicNote"])
                try Self.audit(AuditEvent.commitmentNoted(id, note: note, actor: actor, at: now), db)
            }
            guard let view = try Self.commitmentViews(where: "c.id = ?", arguments: [id], db).first else {
                throw TyndauError.notFound("commitment \(id)")
            }
            return view
        }
    }

    public func noticeRecipients(topicIDs: [Topic.ID]) async throws -> [NoticeRecipient] {
        guard !topicIDs.isEmpty else { return [] }
        return try await reader.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT q.id, q.topicID, q.ticket, q.text, q.accessToken, q.language AS textLanguage,
                           a.language, a.name, a.email, a.telegramChatID
                    FROM question q JOIN asker a ON a.questionID = q.id
                    WHERE q.topicID IN (\(topicIDs.map { _ in "?" }.joined(separator: ",")))
                      AND q.status <> 'rejected' AND a.consent AND (a.email IS NOT NULL OR a.telegramChatID IS NOT NULL)
                    ORDER BY q.id
                    """,
                arguments: StatementArguments(topicIDs)
            )
            return rows.map { row in
                let written = TextLanguage(rawValue: row["textLanguage"] ?? "") ?? .ru
                let language = (row["language"] as String?).flatMap(UILanguage.init(rawValue:)) ?? written.replyLanguage
                return NoticeRecipient(
                    questionID: row["id"], topicID: row["topicID"], ticket: row["ticket"], question: row["text"],
                    accessToken: row["accessToken"], language: language,
                    hasEmail: (row["email"] as String?) != nil, hasTelegram: (row["telegramChatID"] as Int64?) != nil,
                    name: row["name"]
                )
            }
        }
    }

    public func meetingsAwaitingPublication() async throws -> [Meeting] {
        try await reader.read { db in
            try Meeting.fetchAll(
                db, sql: "SELECT * FROM meeting WHERE state = 'closed' AND publishedAt IS NULL ORDER BY startsAt"
            )
        }
    }

    public func publishMeeting(week: ISOWeek, batches: [OutboxBatch], now: Date) async throws -> Bool {
        try await writer.write { db in
            // The write transaction serialises racing processes: the second one sees publishedAt set.
            try db.execute(
                sql: "UPDATE meeting SET publishedAt = ? WHERE week = ? AND state = 'closed' AND publishedAt IS NULL",
                arguments: [now, week.description]
            )
            guard db.changesCount == 1 else { return false }
            for batch in batches {
                _ = try Self.enqueue(batch.message, endpointNames: batch.endpointNames, now: now, in: db)
            }
            return true
        }
    }

    public func enqueue(_ batches: [OutboxBatch], now: Date) async throws {
        try await writer.write { db in
            for batch in batches {
                _ = try Self.enqueue(batch.message, endpointNames: batch.endpointNames, now: now, in: db)
            }
        }
    }
}
