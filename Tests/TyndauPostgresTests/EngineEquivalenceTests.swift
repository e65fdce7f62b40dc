import Foundation
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauPostgres

/// The same office week, method by method, on SQLite and on PostgreSQL: every observation (ids,
/// tickets, states, counts, refusals) must be equal. Times are whole seconds, so both engines store
/// them exactly; nothing that depends on the wall clock is compared.
@Suite(.enabled(if: TestServer.available, "TYNDAU_TEST_POSTGRES_URL is not set"))
struct EngineEquivalenceTests {
    @Test func aWholeWeekGivesTheSameResultsOnBothEngines() async throws {
        let sqlite = try await Self.week(try SQLiteStore.inMemory())
        var postgres: [String] = []
        try await TestServer.withStore { store in postgres = try await Self.week(store) }
        #expect(sqlite.count == postgres.count)
        for (index, (left, right)) in zip(sqlite, postgres).enumerated() where left != right {
            Issue.record("step \(index):\n  sqlite:   \(left)\n  postgres: \(right)")
        }
    }

    static func outcome(_ body: () async throws -> String) async -> String {
        do { return try await body() } catch let error as TyndauError { return "error \(error.code) \(error.arguments) \(error.fields)" } catch {
            return "error \(error)"
        }
    }

    static func describe(_ question: Question) -> String {
        "q\(question.id ?? -1) \(question.ticket ?? "-") \(question.status.rawValue) topic \(question.topicID.map(String.init) ?? "-") \(question.text.prefix(20))"
    }

    static func describe(_ delivery: Delivery) -> String {
        "d\(delivery.id ?? -1) \(delivery.endpointName) \(delivery.messageKey) \(delivery.status.rawValue) a\(delivery.attempts) p\(delivery.partsSent) \(delivery.lastError ?? "-") \(delivery.remoteID ?? "-") next \(delivery.nextAttemptAt.timeIntervalSince1970) lease \(delivery.leaseUntil?.timeIntervalSince1970 ?? -1) sent \(delivery.sentAt?.timeIntervalSince1970 ?? -1) r\(delivery.recipientQuestionID ?? -1)"
    }

    // swiftlint:disable:next function_body_length
    static func week(_ store: any TyndauStore) async throws -> [String] {
        var log: [String] = []
        let base = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28, Thursday
        func at(_ minutes: Int) -> Date { base.addingTimeInterval(Double(minutes) * 60) }

        log.append("migrations \(try await store.appliedMigrations())")
        try await store.syncEndpoints([
            Endpoint(name: "mail", kind: "email", tags: ["residents"]), Endpoint(name: "tg", kind: "telegram", tags: ["residents"]),
            Endpoint(name: "site", kind: "webhook", tags: ["public"]),
        ])
        try await store.syncEndpoints([Endpoint(name: "site", kind: "webhook", tags: ["public", "internal"])])
        log.append("endpoints \(try await store.endpointStates())")

        // Intake: an import batch with contacts, re-imported; live submissions with a duplicate.
        let batch = (0..<10).map { index in
            NewQuestion(
                question: Question(
                    text: "Вопрос номер \(index) про освещение улицы", language: index % 3 == 0 ? .kk : .ru,
                    category: index % 2 == 0 ? .improvement : .utilities, street: "Жансугурова", house: "\(index)", channel: .import,
                    externalID: "e\(index)", submittedAt: at(-10_000 + index * 10), accessToken: "token\(index)"),
                contact: index % 2 == 0
                    ? AskerContact(
                        name: "Житель \(index)", phone: index == 4 ? nil : "+7700000000\(index % 4)", email: "r\(index)@example.kz",
                        consent: true, consentAt: at(-10_000), language: .ru)
                    : nil,
                sourceKey: "ext:\(index)")
        }
        let imported = try await store.insert(batch: batch)
        log.append("imported \(imported.inserted.map(describe)) present \(imported.alreadyPresent)")
        log.append(await outcome { "single \(describe(try await store.insert(batch[0])))" })
        let submissions = [
            IntakeSubmission(
                newQuestion: NewQuestion(
                    question: Question(text: "Когда вывезут мусор во дворе?", language: .ru, channel: .web, submittedAt: at(-60), accessToken: "w1"),
                    contact: AskerContact(email: "w@example.kz", consent: true, consentAt: at(-60))),
                clientKey: "c1", textKey: "t1"),
            IntakeSubmission(
                newQuestion: NewQuestion(
                    question: Question(text: "Когда вывезут мусор во дворе?", language: .ru, channel: .web, submittedAt: at(-59), accessToken: "w2")),
                clientKey: "c1", textKey: "t1"),
            IntakeSubmission(
                newQuestion: NewQuestion(
                    question: Question(text: "Нет горячей воды третий день", language: .ru, channel: .api, submittedAt: at(-58), accessToken: "w3")),
                clientKey: nil, textKey: "t2"),
        ]
        for receipt in try await store.submit(submissions, now: at(-58)) {
            log.append("receipt \(describe(receipt.question)) dup \(receipt.isDuplicate) contact \(receipt.hasContact)")
        }
        log.append("count \(try await store.countQuestions(status: nil)) ack \(try await store.countQuestions(status: .acknowledged))")
        log.append("query \(try await store.questions(QuestionQuery(statuses: [.acknowledged, .received], since: at(-9_960), limit: 4)).map(describe))")
        log.append("by ticket \(try await store.question(ticket: "trk-2026-000003").map(describe) ?? "none")")
        log.append("contact \(String(describing: try await store.contact(questionID: 1)))")
        log.append(await outcome { "illegal \(describe(try await store.updateStatus(questionID: 2, to: .answered, reason: nil, actor: "t", now: Date())))" })
        log.append(await outcome { "reject \(describe(try await store.updateStatus(questionID: 10, to: .rejected, reason: "spam", actor: "t", now: Date())))" })
        log.append(await outcome { "missing \(describe(try await store.updateStatus(questionID: 999, to: .rejected, reason: nil, actor: "t", now: Date())))" })
        try await store.eraseContact(questionID: 3, actor: "t", now: at(0))
        log.append("erased \(String(describing: try await store.contact(questionID: 3)))")

        // Topics: single-question topics, then office decisions and a regrouping.
        log.append("single topics \(try await store.makeSingleQuestionTopics(actor: "t", now: at(-500)))")
        log.append("again \(try await store.makeSingleQuestionTopics(actor: "t", now: at(-500)))")
        func overviews() async throws -> String {
            try await store.topicOverviews(states: nil).map {
                "t\($0.summary.topic.id ?? 0) \($0.summary.topic.state.rawValue) \($0.summary.topic.title.prefix(12)) askers \($0.summary.askers) q\($0.summary.questionIDs) \($0.summary.languages) \($0.conceptKey ?? "-") \($0.titleOverridden) \($0.summary.topic.category?.rawValue ?? "-")/\($0.summary.topic.categoryOverridden)"
            }.joined(separator: " | ")
        }
        log.append("overviews \(try await overviews())")
        try await store.mergeTopics(into: 1, from: 2, actor: "t", now: at(-400))
        log.append(await outcome { try await store.mergeTopics(into: 1, from: 1, actor: "t", now: at(-400)); return "self" })
        try await store.moveQuestion(4, to: 1, actor: "t", now: at(-390))
        let split = try await store.splitTopic(1, questionIDs: [2, 4], actor: "t", now: at(-380))
        log.append("split \(split)")
        log.append(await outcome { "split all \(try await store.splitTopic(split, questionIDs: [2, 4], actor: "t", now: at(-380)))" })
        try await store.renameTopic(1, title: "  Освещение Жансугурова  ", actor: "t", now: at(-370))
        log.append(await outcome { try await store.renameTopic(1, title: " ", actor: "t", now: at(-370)); return "renamed" })
        try await store.overrideCategory(5, category: .safety, actor: "t", now: at(-360))
        log.append("overviews \(try await overviews())")
        log.append("decisions \(try await store.topicDecisions(topicID: 1).map { "\($0.kind.rawValue) \($0.topicID) \($0.otherTopicID ?? -1) \($0.questionIDs) \($0.value ?? "-")" })")
        let candidates = try await store.groupingCandidates()
        log.append("candidates \(candidates.map { "\($0.question.id ?? 0):\($0.pinned):\($0.askerKey ?? "-")" })")
        let ids = try await store.saveGrouping(
            [
                TopicAssignment(
                    topicID: 1, questionIDs: [1, 3],
                    facts: TopicFacts(representativeQuestionID: 1, title: "Новое имя", category: .transport, placeKey: "zh", place: "Жансугурова", conceptKey: "lighting", reason: "lighting · zh")),
                TopicAssignment(
                    topicID: 5, questionIDs: [5],
                    facts: TopicFacts(representativeQuestionID: 5, title: "Тема 5", category: .utilities, placeKey: nil, place: nil, conceptKey: "water", reason: "water")),
                TopicAssignment(
                    topicID: nil, questionIDs: [6, 7, 12],
                    facts: TopicFacts(representativeQuestionID: 6, title: "Новая тема", category: .utilities, placeKey: nil, place: nil, conceptKey: nil, reason: "new")),
            ], actor: "grouper", now: at(-300))
        log.append("grouping \(ids)")
        log.append("overviews \(try await overviews())")
        log.append("one \(try await store.topicOverview(id: 1).map { "\($0.summary.askers) \($0.placeKey ?? "-")" } ?? "none")")

        // Agenda for the meeting week: marks, settings, a build, a rebuild.
        let week = ISOWeek(containing: base.addingTimeInterval(7 * 86_400))
        let starts = week.date(weekday: 4).addingTimeInterval(15 * 3600)
        log.append("topic count \(try await store.agendaTopicCount())")
        try await store.setAgendaMark(AgendaMark(week: week, topicID: 1, kind: .pin, actor: "t", at: at(-200)))
        try await store.setAgendaMark(AgendaMark(week: week, topicID: 1, kind: .skip, reason: "later", actor: "t", at: at(-199)))
        try await store.setAgendaMark(AgendaMark(week: week, topicID: 5, kind: .pin, actor: "t", at: at(-198)))
        log.append("marks \(try await store.agendaMarks(week: week))")
        log.append("unmark \(try await store.removeAgendaMark(week: week, topicID: 5, actor: "t", now: at(-197))) \(try await store.removeAgendaMark(week: week, topicID: 5, actor: "t", now: at(-197)))")
        try await store.setSeriesSettings(["max_topics": "7", "weekday": "4"], actor: "t", now: at(-190))
        try await store.setSeriesSettings(["weekday": ""], actor: "t", now: at(-189))
        log.append("settings \(try await store.seriesSettings())")
        let facts = try await store.agendaCandidates(week: week, submittedBefore: at(0))
        log.append("agenda candidates \(facts.map { "t\($0.summary.topic.id ?? 0) \($0.summary.questionIDs) \($0.summary.askers) \($0.summary.languages) \($0.texts.count) \($0.lastChangedAt.timeIntervalSince1970)" })")
        func record(_ topics: [Topic.ID], written: [Topic.ID]) -> AgendaRecord {
            AgendaRecord(
                meeting: Meeting(week: week, startsAt: starts, durationMinutes: 60, timeZone: "Asia/Almaty"),
                items: topics.enumerated().map { offset, topic in
                    AgendaItem(meetingID: 0, topicID: topic, position: offset + 1, block: .landscapingUtilities, startOffsetMinutes: 5 + offset * 10, minutes: 10, why: "why \(topic)")
                },
                writtenAnswers: written.map { WrittenAnswerEntry(topicID: $0, week: week, deadline: "2026-06-20", weeksWaited: 3) })
        }
        try await store.saveAgenda(record([1, 5, split], written: [8]), actor: "t", now: at(-100))
        try await store.saveAgenda(record([1, 5], written: [8, 9]), actor: "t", now: at(-90))
        log.append(await outcome { try await store.saveAgenda(record([1], written: []), actor: "t", now: starts); return "late build" })
        let items = try await store.agendaItems(week: week)
        log.append("items \(items.map { "i\($0.id ?? 0) m\($0.meetingID) t\($0.topicID) #\($0.position) \($0.why)" })")
        log.append("written \(try await store.writtenAnswers(week: week))")
        log.append("meeting \(String(describing: try await store.meeting(week: week)))")
        log.append("topic 8 \(String(describing: try await store.agendaTopic(id: 8)?.state))")
        log.append("statuses \(try await store.questions(QuestionQuery()).map { "\($0.id ?? 0):\($0.status.rawValue)" })")

        // The meeting: answers, closing, commitments, notices, publication.
        log.append(await outcome { _ = try await store.closeMeeting(week: week, actor: "t", now: starts.addingTimeInterval(-1)); return "early close" })
        log.append(await outcome {
            try await store.recordAnswer(AnswerInput(text: " ", kind: .answered), week: week, itemID: items[0].id!, actor: "t", now: starts)
            return "blank answer"
        })
        try await store.recordAnswer(
            AnswerInput(text: "Поставим фонари", kind: .commitment, responsible: "ГКП", dueDate: "2026-07-01"), week: week,
            itemID: items[0].id!, actor: "office", now: starts.addingTimeInterval(300))
        let answered = try await store.recordAnswer(
            AnswerInput(text: "Поставим фонари до июля", kind: .commitment, responsible: "ГКП Алматы", dueDate: "2026-06-30"), week: week,
            itemID: items[0].id!, actor: "office", now: starts.addingTimeInterval(400))
        log.append("answered \(answered.question.prefix(20)) \(answered.askers) \(answered.answer?.text ?? "-") \(answered.commitment?.responsible ?? "-") \(answered.commitment?.dueDate ?? "-")")
        log.append(await outcome {
            try await store.recordAnswer(AnswerInput(text: "x", kind: .answered), week: week, itemID: 999, actor: "t", now: starts)
            return "wrong item"
        })
        log.append("drafts \(try await store.commitments(dueBefore: nil, openOnly: false).count)")
        log.append("answered items \(try await store.answeredItems(week: week).map { "t\($0.topic.id ?? 0) \($0.askers) \($0.answer?.kind.rawValue ?? "-")" })")
        let closure = try await store.closeMeeting(week: week, actor: "office", now: starts.addingTimeInterval(3600))
        log.append("closure \(closure.answered) \(closure.returnedToQueue) \(closure.meeting.state.rawValue)")
        log.append(await outcome { _ = try await store.closeMeeting(week: week, actor: "t", now: starts.addingTimeInterval(3700)); return "closed twice" })
        log.append(await outcome {
            try await store.recordAnswer(AnswerInput(text: "late", kind: .answered), week: week, itemID: items[0].id!, actor: "t", now: starts)
            return "late answer"
        })
        log.append("open meetings \(try await store.openMeetings().count)")
        let commitments = try await store.commitments(dueBefore: "2026-07-01", openOnly: true)
        log.append("commitments \(commitments.map { "\($0.commitment.id ?? 0) \($0.topicTitle) \($0.week.map(\.description) ?? "-") \($0.commitment.state.rawValue)" })")
        if let first = commitments.first?.commitment.id {
            let done = try await store.markCommitmentDone(id: first, note: nil, actor: "office", now: starts.addingTimeInterval(86_400))
            let again = try await store.markCommitmentDone(id: first, note: nil, actor: "office", now: starts.addingTimeInterval(90_000))
            log.append("done \(done.commitment.state.rawValue) \(again.commitment.doneAt?.timeIntervalSince1970 ?? 0)")
        }
        log.append("open commitments \(try await store.commitments(dueBefore: nil, openOnly: true).count)")
        let recipients = try await store.noticeRecipients(topicIDs: [1, 5, split])
        log.append("recipients \(recipients.map { "\($0.questionID) t\($0.topicID) \($0.ticket) \($0.language.rawValue) \($0.hasEmail) \($0.hasTelegram) \($0.name ?? "-")" })")
        log.append("awaiting \(try await store.meetingsAwaitingPublication().map(\.week))")
        let digest = OutboxBatch(message: OutgoingMessage(messageKey: "digest:\(week)", subject: "Итоги", body: "Итоги встречи", language: .ru), endpointNames: ["site"])
        let notice = OutboxBatch(message: OutgoingMessage(messageKey: "notice:q1", body: "Ответ", language: .ru, recipientQuestionID: 1), endpointNames: ["mail", "tg"])
        log.append("publish \(try await store.publishMeeting(week: week, batches: [digest, notice], now: starts.addingTimeInterval(4000))) \(try await store.publishMeeting(week: week, batches: [digest], now: starts.addingTimeInterval(4001)))")
        try await store.enqueue([OutboxBatch(message: OutgoingMessage(messageKey: "ack:q2", body: "ack", recipientQuestionID: 2), endpointNames: ["mail"])], now: starts.addingTimeInterval(4002))
        log.append("progress \(String(describing: try await store.progress(ticket: "TRK-2026-000001").map { "\($0.topicTitle ?? "-") \($0.meeting?.state.rawValue ?? "-") \($0.answer?.isFinal ?? false)" }))")
        log.append("progress none \(String(describing: try await store.progress(ticket: "TRK-2026-999999")))")

        // The outbox: claims, parts, results, pauses, retries.
        let now = starts.addingTimeInterval(5000)
        let claimed = try await store.claimDue(now: now, lease: 60, limit: 3)
        log.append("claimed \(claimed.map { describe($0.delivery) + " to \($0.delivery.recipient ?? "-")" })")
        try await store.pauseEndpoint(name: "mail", until: now.addingTimeInterval(600))
        try await store.pauseEndpoint(name: "mail", until: now.addingTimeInterval(300))
        log.append("claimed more \(try await store.claimDue(now: now, lease: 60, limit: 10).map { describe($0.delivery) })")
        if claimed.count == 3 {
            let attempt = DeliveryAttempt(deliveryID: claimed[0].id, at: now, part: 0, httpStatus: 200, latencyMs: 12, outcome: .sent, response: "ok")
            log.append("part \(try await store.recordPartSent(claimed[0], attempt: attempt, partsSent: 1, remoteID: "m-1", leaseUntil: now.addingTimeInterval(120)))")
            try await store.apply([
                DeliveryReport(
                    claimed: claimed[0],
                    attempts: [
                        DeliveryAttempt(deliveryID: claimed[0].id, at: now, part: 1, curlCode: 28, outcome: .retry),
                        DeliveryAttempt(deliveryID: claimed[0].id, at: now.addingTimeInterval(1), part: 1, httpStatus: 200, latencyMs: 3, outcome: .sent, response: ""),
                    ],
                    partsSent: 2, resolution: .sent(remoteID: nil), now: now.addingTimeInterval(1)),
                DeliveryReport(
                    claimed: claimed[1], attempts: [DeliveryAttempt(deliveryID: claimed[1].id, at: now, part: 0, httpStatus: 503, outcome: .retry)],
                    partsSent: 0, resolution: .retry(at: now.addingTimeInterval(30), error: "503"), now: now.addingTimeInterval(1)),
                DeliveryReport(claimed: claimed[2], attempts: [], partsSent: 0, resolution: .endpointGone(reason: "410 gone"), now: now.addingTimeInterval(1)),
            ])
        }
        log.append("endpoints \(try await store.endpointStates().map { "\($0.endpoint.name) \($0.endpoint.disabledReason ?? "-") \($0.pausedUntil?.timeIntervalSince1970 ?? -1)" })")
        log.append("deliveries \(try await store.deliveries(status: nil, limit: 20).map(describe))")
        log.append("failed \(try await store.deliveries(status: .failed, limit: 20).map(describe))")
        log.append("counts \(try await store.countDeliveries(status: nil)) \(try await store.countDeliveries(status: .sent)) \(try await store.countDeliveries(status: .pending))")
        if let first = claimed.first {
            log.append("attempts \(try await store.attempts(deliveryID: first.id).map { "\($0.part) \(String(describing: $0.httpStatus)) \(String(describing: $0.curlCode)) \(String(describing: $0.latencyMs)) \($0.outcome.rawValue) \(String(describing: $0.response)) \($0.at.timeIntervalSince1970)" })")
        }
        if claimed.count == 3 {
            log.append(await outcome { "retry sent \(describe(try await store.retry(id: claimed[0].id, now: now)))" })
            log.append(await outcome { "retry failed \(describe(try await store.retry(id: claimed[2].id, now: now)))" })
        }
        log.append(await outcome { "retry missing \(describe(try await store.retry(id: 999, now: now)))" })
        try await store.enableEndpoint(name: "tg")
        log.append(await outcome { try await store.enableEndpoint(name: "nope"); return "enabled" })
        log.append("delivery \(try await store.delivery(id: 1).map(describe) ?? "none")")
        // Enqueued again: nothing new (ids after this may differ: SQLite spends one on the conflict).
        try await store.enqueue([digest], now: now)
        log.append("re-enqueued \(try await store.countDeliveries(status: nil))")

        // The bot.
        log.append("offset \(String(describing: try await store.botOffset(bot: "b")))")
        try await store.saveBotOffset(50, bot: "b", now: now)
        try await store.saveBotOffset(40, bot: "b", now: now)
        log.append("offset \(String(describing: try await store.botOffset(bot: "b")))")
        log.append("polling \(try await store.claimBotPolling(bot: "b", holder: "A", until: now.addingTimeInterval(60), now: now)) \(try await store.claimBotPolling(bot: "b", holder: "B", until: now.addingTimeInterval(60), now: now)) \(try await store.claimBotPolling(bot: "b", holder: "A", until: now.addingTimeInterval(90), now: now.addingTimeInterval(30))) \(try await store.claimBotPolling(bot: "b", holder: "B", until: now.addingTimeInterval(200), now: now.addingTimeInterval(91)))")
        try await store.releaseBotPolling(bot: "b", holder: "A")
        try await store.releaseBotPolling(bot: "b", holder: "B")
        log.append("polling after release \(try await store.claimBotPolling(bot: "b", holder: "C", until: now.addingTimeInterval(60), now: now))")
        _ = try await store.keepBotMedia([BotMedia(kind: .photo, fileID: "f0", fileUniqueID: "u0", messageID: 9)], chatKey: "chat1", now: now)
        let botQuestion = BotQuestion(
            newQuestion: NewQuestion(
                question: Question(text: "Во дворе яма на дороге", language: .ru, channel: .telegram, submittedAt: now, accessToken: "tg1"),
                sourceKey: "tg:1:10"),
            chatKey: "chat1", messageID: 10, media: [BotMedia(kind: .voice, fileID: "f1", fileUniqueID: "u1", messageID: 10)])
        for _ in 0..<2 {
            switch try await store.storeBotQuestion(botQuestion, now: now) {
            case .stored(let question): log.append("bot stored \(describe(question))")
            case .alreadyStored(let question): log.append("bot again \(describe(question))")
            }
        }
        let botID = try await store.botQuestions(chatKey: "chat1", limit: 5).first?.id ?? 0
        try await store.acknowledgeBotQuestion(botID, now: now)
        try await store.acknowledgeBotQuestion(botID, now: now)
        switch try await store.editBotQuestion(sourceKey: "tg:1:10", text: "Во дворе большая яма", language: .ru, actor: "resident", now: now) {
        case .updated(let question): log.append("edited \(describe(question))")
        case .locked(let question): log.append("locked \(describe(question))")
        case .unknown: log.append("unknown")
        }
        switch try await store.editBotQuestion(sourceKey: "tg:nope", text: "x", language: .ru, actor: "resident", now: now) {
        case .unknown: log.append("edit unknown")
        default: log.append("edit found")
        }
        switch try await store.keepBotMedia([BotMedia(kind: .document, fileID: "f2", fileUniqueID: "u2", messageID: 11)], chatKey: "chat1", now: now) {
        case .attached(let question): log.append("media attached \(describe(question))")
        case .keptForNextQuestion: log.append("media kept")
        }
        log.append("media \(try await store.botMedia(questionID: botID))")
        try await store.setBotChatLanguage(.kk, chatKey: "chat1", now: now)
        log.append("consent \(try await store.recordBotConsent(chatKey: "chat1", chatID: 777, language: .kk, now: now))")
        log.append("contact \(String(describing: try await store.contact(questionID: botID)))")
        try await store.markBotChatUnreachable(chatKey: "chat1", chatID: 777, now: now.addingTimeInterval(5))
        log.append("chat \(String(describing: try await store.botChat(chatKey: "chat1")))")
        try await store.enqueue(OutgoingMessage(messageKey: "notice:bot", body: "x", recipientQuestionID: botID), endpointNames: ["tg"], now: now)
        log.append("blocked claim \(try await store.claimDue(now: now.addingTimeInterval(10), lease: 60, limit: 10).map { "\($0.delivery.messageKey) \($0.delivery.recipient ?? "-")" })")
        try await store.markBotChatReachable(chatKey: "chat1", chatID: 777)
        log.append("chat \(String(describing: try await store.botChat(chatKey: "chat1")))")
        log.append("withdrawn \(try await store.withdrawBotConsent(chatKey: "chat1", chatID: 777, now: now.addingTimeInterval(20)))")
        log.append("bot contact \(String(describing: try await store.contact(questionID: botID)))")
        log.append("chat missing \(String(describing: try await store.botChat(chatKey: "nope")))")

        // The audit log, without the wall-clock times some events carry.
        try await store.record(AuditEvent(at: now, actor: "t", action: "custom", subject: "x", details: "d"))
        log.append("audit q1 \(try await store.auditEvents(subject: "question:1", limit: 100).map { "\($0.actor) \($0.action) \($0.details)" })")
        log.append("audit all \(try await store.auditEvents(subject: nil, limit: 1000).map { "\($0.actor) \($0.action) \($0.subject) \($0.details)" })")
        let report = try await store.goldenHour(since: at(-20_000), now: at(0), window: 3600, oldestLimit: 3)
        log.append("golden \(report.total) \(report.triagedWithin + report.triagedLate) \(report.pendingWithin) \(report.pendingOverdue) \(report.oldestUntriaged.map(\.ticket))")
        let again = try await store.insert(batch: batch)
        log.append("reimport \(again.inserted.count) \(again.alreadyPresent)")
        return log
    }
}
