import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore {
    static func answer(_ row: Columns) throws -> Answer {
        var answer = Answer(
            id: try row("id", as: Int64.self), agendaItemID: try row("agendaItemID"), texts: BilingualText(),
            kind: try row("kind", as: AnswerKind.self), redirectedTo: try row("redirectedTo"), recordedBy: try row("recordedBy"),
            recordedAt: try row("recordedAt"), isFinal: try row("isFinal")
        )
        answer.text = try row("text")
        answer.textKk = try row("textKk")
        answer.textRu = try row("textRu")
        return answer
    }

    static func commitment(_ row: Columns) throws -> Commitment {
        var commitment = Commitment(
            id: try row("id", as: Int64.self), answerID: try row("answerID"), topicID: try row("topicID"), texts: BilingualText(),
            responsible: BilingualText(), dueDate: try row("dueDate"), state: try row("state", as: CommitmentState.self),
            doneAt: try row("doneAt"), publicNote: try row("publicNote")
        )
        commitment.text = try row("text")
        commitment.textKk = try row("textKk")
        commitment.textRu = try row("textRu")
        commitment.responsible = try row("responsible")
        commitment.responsibleKk = try row("responsibleKk")
        commitment.responsibleRu = try row("responsibleRu")
        return commitment
    }

    /// Distinct askers of a topic: a person counts once, an anonymous question once.
    static func askerCount(topicID: Topic.ID, _ connection: PostgresConnection) async throws -> Int {
        Int(try await connection.value(#"""
            SELECT COUNT(DISTINCT COALESCE(a."personKey", 'q' || q."id")) FROM "question" q
            LEFT JOIN "asker" a ON a."questionID" = q."id"
            WHERE q."topicID" = \#(topicID) AND q."status" <> 'rejected'
            """#, as: Int64.self) ?? 0)
    }

    static func answeredItems(week: ISOWeek, _ connection: PostgresConnection) async throws -> [AnsweredItem] {
        guard let meeting = try await fetchMeeting(week: week, connection), let meetingID = meeting.id else { return [] }
        let items = try await connection.rows(#"""
            SELECT * FROM "agendaItem" WHERE "meetingID" = \#(meetingID) ORDER BY "position"
            """#).map(agendaItem)
        var result: [AnsweredItem] = []
        for item in items {
            guard let topic = try await fetchTopic(id: item.topicID, connection) else {
                throw TyndauError.notFound("topic \(item.topicID)")
            }
            var question: String?
            if let representative = topic.representativeQuestionID {
                question = try await connection.value(#"SELECT "text" FROM "question" WHERE "id" = \#(representative)"#, as: String.self)
            }
            let answer = try await connection.row(#"SELECT * FROM "answer" WHERE "agendaItemID" = \#(item.id ?? 0)"#).map(Self.answer)
            var commitment: Commitment?
            if let answerID = answer?.id {
                commitment = try await connection.row(#"SELECT * FROM "commitment" WHERE "answerID" = \#(answerID)"#)
                    .map(Self.commitment)
            }
            result.append(AnsweredItem(
                item: item, topic: topic, question: question ?? topic.title,
                askers: try await askerCount(topicID: item.topicID, connection), answer: answer, commitment: commitment,
                members: try await memberQuestions(topic: topic, connection)
            ))
        }
        return result
    }

    /// The topic's questions that are not rejected with their languages, the representative first.
    static func memberQuestions(topic: Topic, _ connection: PostgresConnection) async throws -> [MemberQuestionText] {
        try await connection.rows(#"""
            SELECT "text", "language" FROM "question" WHERE "topicID" = \#(topic.id ?? 0) AND "status" <> 'rejected'
            ORDER BY ("id" = \#(topic.representativeQuestionID ?? 0)) DESC, "submittedAt", "id"
            """#).map { row in
            MemberQuestionText(
                text: try row("text"), language: TextLanguage(rawValue: try row("language", as: String.self)) ?? .unknown)
        }
    }

    /// Commitments with their topic's title and place and the week and block of the agenda item, in
    /// one query: final ones (optionally due before a day, optionally open only), or the one with `id`.
    static func commitmentViews(
        id: Commitment.ID? = nil, dueBefore: String? = nil, openOnly: Bool = false, _ connection: PostgresConnection
    ) async throws -> [CommitmentView] {
        try await connection.rows(#"""
            SELECT c.*, t."title" AS "topicTitle", t."place" AS "topicPlace", m."week" AS "meetingWeek", i."block" AS "itemBlock"
            FROM "commitment" c JOIN "answer" a ON a."id" = c."answerID"
            JOIN "agendaItem" i ON i."id" = a."agendaItemID" JOIN "meeting" m ON m."id" = i."meetingID"
            LEFT JOIN "topic" t ON t."id" = c."topicID"
            WHERE (\#(id == nil) OR c."id" = \#(id ?? 0))
              AND (\#(id != nil) OR a."isFinal")
              AND (\#(dueBefore == nil) OR c."dueDate" COLLATE "C" < \#(dueBefore ?? ""))
              AND (NOT \#(openOnly) OR c."state" = \#(CommitmentState.open.rawValue))
            ORDER BY c."dueDate" COLLATE "C", c."id"
            """#).map { row in
            CommitmentView(
                commitment: try Self.commitment(row), topicTitle: try row("topicTitle", as: String?.self) ?? "",
                week: ISOWeek(try row("meetingWeek", as: String.self)), place: try row("topicPlace"),
                block: try row("itemBlock", as: AgendaBlock?.self))
        }
    }
}

extension PostgresStore: AnswerStore {
    public func answeredItems(week: ISOWeek) async throws -> [AnsweredItem] {
        try await read { connection in try await Self.answeredItems(week: week, connection) }
    }

    @discardableResult
    public func recordAnswer(_ input: AnswerInput, week: ISOWeek, itemID: AgendaItem.ID, actor: String, now: Date) async throws
        -> AnsweredItem
    {
        let input = try input.validated()
        return try await write { connection in
            // The meeting row is locked: closing it waits for this answer, or this answer sees it closed.
            guard let meeting = try await Self.fetchMeeting(week: week, forUpdate: true, connection), let meetingID = meeting.id else {
                throw TyndauError.notFound("meeting \(week)")
            }
            try meeting.requireNotClosed()
            guard let item = try await connection.row(#"SELECT * FROM "agendaItem" WHERE "id" = \#(itemID)"#).map(Self.agendaItem),
                item.meetingID == meetingID
            else { throw TyndauError.notFound("agenda item \(itemID) of \(week)") }
            let redirectedTo = input.kind == .redirected ? input.redirectedTo : nil
            let answerID: Answer.ID
            if let existing = try await connection.value(
                #"SELECT "id" FROM "answer" WHERE "agendaItemID" = \#(itemID) FOR UPDATE"#, as: Int64.self)
            {
                try await connection.run(#"""
                    UPDATE "answer" SET "text" = \#(input.text), "textKk" = \#(input.texts.kk), "textRu" = \#(input.texts.ru),
                      "kind" = \#(input.kind.rawValue), "redirectedTo" = \#(redirectedTo),
                      "recordedBy" = \#(actor), "recordedAt" = \#(now)
                    WHERE "id" = \#(existing)
                    """#)
                answerID = existing
            } else {
                guard let id = try await connection.value(#"""
                    INSERT INTO "answer" ("agendaItemID", "text", "textKk", "textRu", "kind", "redirectedTo", "recordedBy", "recordedAt",
                                          "isFinal")
                    VALUES (\#(itemID), \#(input.text), \#(input.texts.kk), \#(input.texts.ru), \#(input.kind.rawValue), \#(redirectedTo), \#(actor), \#(now), false)
                    RETURNING "id"
                    """#, as: Int64.self)
                else { throw TyndauError.databaseFailed("answer insert returned no id") }
                answerID = id
            }
            if input.kind == .commitment, let responsible = input.responsible.primary, let due = input.dueDate {
                let (responsibleKk, responsibleRu) = (input.responsible.kk, input.responsible.ru)
                let updated = try await connection.changes(#"""
                    UPDATE "commitment" SET "text" = \#(input.text), "textKk" = \#(input.texts.kk), "textRu" = \#(input.texts.ru),
                      "responsible" = \#(responsible), "responsibleKk" = \#(responsibleKk), "responsibleRu" = \#(responsibleRu),
                      "dueDate" = \#(due)
                    WHERE "answerID" = \#(answerID)
                    """#)
                if updated == 0 {
                    try await connection.run(#"""
                        INSERT INTO "commitment" ("answerID", "topicID", "text", "textKk", "textRu", "responsible", "responsibleKk",
                                                  "responsibleRu", "dueDate", "state")
                        VALUES (\#(answerID), \#(item.topicID), \#(input.text), \#(input.texts.kk), \#(input.texts.ru), \#(responsible),
                                \#(responsibleKk), \#(responsibleRu), \#(due), 'open')
                        """#)
                }
            } else {
                try await connection.run(#"DELETE FROM "commitment" WHERE "answerID" = \#(answerID)"#)
            }
            try await Self.audit(
                AuditEvent.answerRecorded(itemID: itemID, week: week, topicID: item.topicID, kind: input.kind, dueDate: input.dueDate, actor: actor, at: now),
                connection)
            guard let stored = try await Self.answeredItems(week: week, connection).first(where: { $0.item.id == itemID }) else {
                throw TyndauError.notFound("agenda item \(itemID)")
            }
            return stored
        }
    }

    /// The meeting row is locked first: of two processes closing the same meeting (autoclose in two
    /// workers), the second waits and then finds it closed.
    public func closeMeeting(week: ISOWeek, actor: String, now: Date) async throws -> MeetingClosure {
        try await write { connection in
            try await Self.lock(.office, connection)
            guard var meeting = try await Self.fetchMeeting(week: week, forUpdate: true, connection), let meetingID = meeting.id else {
                throw TyndauError.notFound("meeting \(week)")
            }
            try meeting.requireClosable(at: now)
            var answered = 0
            var returned = 0
            for entry in try await Self.answeredItems(week: week, connection) {
                let topicID = entry.item.topicID
                guard let answer = entry.answer, let answerID = answer.id else {
                    try await Self.moveTopic(topicID, to: .open, connection)
                    try await Self.moveQuestions(topicID: topicID, from: .scheduled, to: .grouped, actor: actor, now: now, connection)
                    returned += 1
                    continue
                }
                try await connection.run(#"UPDATE "answer" SET "isFinal" = true WHERE "id" = \#(answerID)"#)
                let (topicState, questionStatus): (TopicState, QuestionStatus) = switch answer.kind {
                case .answered, .commitment: (.answered, .answered)
                case .written: (.written, .answeredInWriting)
                case .redirected: (.closed, .redirected)
                }
                try await Self.moveTopic(topicID, to: topicState, connection)
                try await Self.moveQuestions(topicID: topicID, from: .scheduled, to: questionStatus, actor: actor, now: now, connection)
                answered += 1
            }
            meeting.close(at: now)
            try await connection.run(#"""
                UPDATE "meeting" SET "state" = 'closed', "closedAt" = \#(now) WHERE "id" = \#(meetingID)
                """#)
            try await Self.audit(
                AuditEvent.meetingClosed(week: week, answered: answered, returned: returned, actor: actor, at: now), connection)
            return MeetingClosure(meeting: meeting, answered: answered, returnedToQueue: returned)
        }
    }

    public func openMeetings() async throws -> [Meeting] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT * FROM "meeting" WHERE "state" <> \#(MeetingState.closed.rawValue) ORDER BY "startsAt"
                """#).map(Self.meeting)
        }
    }

    public func commitments(dueBefore: String?, openOnly: Bool) async throws -> [CommitmentView] {
        try await read { connection in
            // Only promises of closed meetings are real commitments; drafts of a live meeting are not.
            try await Self.commitmentViews(dueBefore: dueBefore, openOnly: openOnly, connection)
        }
    }

    public func markCommitmentDone(id: Commitment.ID, note: String?, actor: String, now: Date) async throws -> CommitmentView {
        try await write { connection in
            guard var commitment = try await connection.row(#"SELECT * FROM "commitment" WHERE "id" = \#(id) FOR UPDATE"#)
                .map(Self.commitment)
            else { throw TyndauError.notFound("commitment \(id)") }
            if commitment.state != .done {
                commitment.markDone(at: now, note: note)
                try await connection.run(#"""
                    UPDATE "commitment" SET "state" = 'done', "doneAt" = \#(now), "publicNote" = \#(commitment.publicNote)
                    WHERE "id" = \#(id)
                    """#)
                try await Self.audit(
                    AuditEvent.commitmentDone(id, responsible: commitment.responsible, actor: actor, at: now), connection)
            } else if let note, note != commitment.publicNote {
                try await connection.run(#"UPDATE "commitment" SET "publicNote" = \#(note) WHERE "id" = \#(id)"#)
                try await Self.audit(
                    AuditEvent.commitmentNoted(id, note: note, actor: actor, at: now), connection)
            }
            guard let view = try await Self.commitmentViews(id: id, connection).first else {
                throw TyndauError.notFound("commitment \(id)")
            }
            return view
        }
    }

    public func noticeRecipients(topicIDs: [Topic.ID]) async throws -> [NoticeRecipient] {
        guard !topicIDs.isEmpty else { return [] }
        return try await read { connection in
            try await connection.rows(#"""
                SELECT q."id", q."topicID", q."ticket", q."text", q."accessToken", q."language" AS "textLanguage",
                       a."language", a."name", a."email", a."telegramChatID"
                FROM "question" q JOIN "asker" a ON a."questionID" = q."id"
                WHERE q."topicID" = ANY(\#(topicIDs))
                  AND q."status" <> 'rejected' AND a."consent" AND (a."email" IS NOT NULL OR a."telegramChatID" IS NOT NULL)
                ORDER BY q."id"
                """#).map { row in
                let written = TextLanguage(rawValue: try row("textLanguage", as: String?.self) ?? "") ?? .ru
                let language = try row("language", as: String?.self).flatMap(UILanguage.init(rawValue:)) ?? written.replyLanguage
                return NoticeRecipient(
                    questionID: try row("id"), topicID: try row("topicID"), ticket: try row("ticket"), question: try row("text"),
                    accessToken: try row("accessToken"), language: language,
                    hasEmail: try row("email", as: String?.self) != nil,
                    hasTelegram: try row("telegramChatID", as: Int64?.self) != nil, name: try row("name")
                )
            }
        }
    }

    public func meetingsAwaitingPublication() async throws -> [Meeting] {
        try await read { connection in
            try await connection.rows(#"""
                SELECT * FROM "meeting" WHERE "state" = 'closed' AND "publishedAt" IS NULL ORDER BY "startsAt"
                """#).map(Self.meeting)
        }
    }

    /// The conditional update takes the meeting's row lock: a second process publishing the same week
    /// waits for the first to commit, re-reads the row, finds `publishedAt` set and enqueues nothing.
    public func publishMeeting(week: ISOWeek, batches: [OutboxBatch], now: Date) async throws -> Bool {
        try await write { connection in
            let changed = try await connection.changes(#"""
                UPDATE "meeting" SET "publishedAt" = \#(now)
                WHERE "week" = \#(week.description) AND "state" = 'closed' AND "publishedAt" IS NULL
                """#)
            guard changed == 1 else { return false }
            for batch in batches {
                _ = try await Self.enqueue(batch.message, endpointNames: batch.endpointNames, now: now, connection)
            }
            return true
        }
    }

    public func enqueue(_ batches: [OutboxBatch], now: Date) async throws {
        try await write { connection in
            for batch in batches {
                _ = try await Self.enqueue(batch.message, endpointNames: batch.endpointNames, now: now, connection)
            }
        }
    }
}
