import Foundation

/// Every audit line the engines write, worded once. An engine stores the event in the transaction
/// of the change it describes; what the line says (action, subject, details) is decided here, so
/// SQLite and PostgreSQL record the same history for the same change. Details hold ids, counts and
/// states only — never a question's text or a contact.
extension AuditEvent {
    // MARK: Questions

    /// A question moved along its lifecycle (``QuestionStatus/checkedMove(to:)``).
    public static func statusChanged(
        questionID: Question.ID, from previous: QuestionStatus, to status: QuestionStatus, reason: String?,
        actor: String, at now: Date
    ) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: "question.status", subject: "question:\(questionID)",
            details: "\(previous.rawValue) → \(status.rawValue)" + (reason.map { ": \($0)" } ?? ""))
    }

    /// The resident corrected the text before the office looked at it.
    public static func questionEdited(_ questionID: Question.ID, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: "question.edit", subject: "question:\(questionID)",
            details: "text edited by the resident before triage")
    }

    // MARK: Topics

    /// A question placed on arrival, into `topicID` (`opened` when the placement opened it).
    public static func placedOnArrival(_ placement: ArrivalPlacement, topicID: Topic.ID, opened: Bool, actor: String, at now: Date)
        -> AuditEvent
    {
        AuditEvent(
            at: now, actor: actor, action: "topic.arrival", subject: "topic:\(topicID)",
            details: placement.auditDetails(opened: opened))
    }

    /// A resident's "me too": their question joined `topicID`.
    public static func joinedTopic(
        _ topicID: Topic.ID, questionID: Question.ID, from previous: Topic.ID?, actor: String, at now: Date
    ) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: "topic.join", subject: "topic:\(topicID)",
            details: TopicJoin.auditDetails(questionID: questionID, from: previous))
    }

    /// An agenda was built before grouping ran, so each question became a topic of its own.
    public static func singleQuestionTopics(count: Int, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: "topic.single-question", subject: "topics",
            details: "\(count) topics of one question each (grouping has not run)")
    }

    /// The body responsible for a topic was set (`value`, or "—" when cleared).
    public static func responsibleSet(_ topicID: Topic.ID, value: String?, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, actor: actor, action: "topic.responsible", subject: "topic:\(topicID)", details: value ?? "—")
    }

    // MARK: Agenda and meetings

    public static func agendaBuilt(week: ISOWeek, topics: Int, writtenAnswers: Int, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: "agenda.build", subject: "meeting:\(week)",
            details: "\(topics) topics, \(writtenAnswers) to written answers")
    }

    /// A pin or a skip, as the office decided it.
    public static func agendaMarked(_ mark: AgendaMark) -> AuditEvent {
        AuditEvent(
            at: mark.at, actor: mark.actor, action: "agenda.\(mark.kind.rawValue)", subject: "topic:\(mark.topicID)",
            details: "\(mark.week)" + (mark.reason.map { ": \($0)" } ?? ""))
    }

    public static func agendaUnmarked(_ topicID: Topic.ID, week: ISOWeek, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, actor: actor, action: "agenda.unmark", subject: "topic:\(topicID)", details: week.description)
    }

    /// An agenda item's minutes or place changed (`move` positions; 0 when it stayed).
    public static func agendaAdjusted(
        week: ISOWeek, topicID: Topic.ID, minutes: Int?, move: Int, actor: String, at now: Date
    ) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: "agenda.adjust", subject: "meeting:\(week)",
            details: "topic \(topicID)" + (minutes.map { "; \($0) min" } ?? "") + (move != 0 ? "; move \(move)" : ""))
    }

    /// The meeting series' settings changed (`keys`: the names of those set).
    public static func seriesSet(keys: some Sequence<String>, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, actor: actor, action: "series.set", subject: "series", details: keys.sorted().joined(separator: ", "))
    }

    public static func answerRecorded(
        itemID: AgendaItem.ID, week: ISOWeek, topicID: Topic.ID, kind: AnswerKind, dueDate: String?, actor: String, at now: Date
    ) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: "answer.record", subject: "agendaItem:\(itemID)",
            details: "\(week) topic \(topicID): \(kind.rawValue)" + (dueDate.map { ", due \($0)" } ?? ""))
    }

    public static func meetingClosed(week: ISOWeek, answered: Int, returned: Int, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: "meeting.close", subject: "meeting:\(week)",
            details: "\(answered) answered, \(returned) returned to the queue")
    }

    public static func commitmentDone(_ id: Commitment.ID, responsible: String, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, actor: actor, action: "commitment.done", subject: "commitment:\(id)", details: responsible)
    }

    public static func commitmentNoted(_ id: Commitment.ID, note: String, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, actor: actor, action: "commitment.note", subject: "commitment:\(id)", details: note)
    }

    // MARK: Office accounts

    public static func userAdded(_ user: OfficeUser, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, actor: actor, action: "user.add", subject: "user:\(user.name)", details: "role \(user.role.rawValue)")
    }

    public static func userDisabled(_ user: OfficeUser, _ disabled: Bool, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, actor: actor, action: disabled ? "user.disable" : "user.enable", subject: "user:\(user.name)",
            details: disabled ? "sessions ended" : "")
    }

    public static func passwordChanged(_ user: OfficeUser, actor: String, at now: Date) -> AuditEvent {
        AuditEvent(at: now, actor: actor, action: "user.password", subject: "user:\(user.name)", details: "sessions ended")
    }

    // MARK: The outbox and the bot

    /// A failed or dead delivery sent again by hand (``Delivery/requireRetryable()``).
    public static func deliveryRetried(_ id: Delivery.ID, from status: DeliveryStatus, at now: Date) -> AuditEvent {
        AuditEvent(at: now, actor: "cli", action: "delivery.retry", subject: "delivery:\(id)", details: "\(status.rawValue) → pending")
    }

    /// The bot's chat (by the first characters of its key, never the chat id) gave consent.
    public static func botConsentGiven(chatKey: String, contactsAdded: Int, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, actor: "resident:telegram", action: "asker.consent", subject: "telegram-chat:\(chatKey.prefix(12))",
            details: "consent to keep the chat id; contacts added: \(contactsAdded)")
    }

    public static func botConsentWithdrawn(chatKey: String, contactsErased: Int, at now: Date) -> AuditEvent {
        AuditEvent(
            at: now, actor: "resident:telegram", action: "asker.erase", subject: "telegram-chat:\(chatKey.prefix(12))",
            details: "consent withdrawn; contacts erased: \(contactsErased)")
    }
}
