import Foundation

/// A question to store, with the asker's personal data that goes to its own table.
public struct NewQuestion: Sendable, Hashable {
    public var question: Question
    public var contact: AskerContact?
    /// Deduplication key for re-imports (`ext:<id>` or the row's own content); `nil` for live intake.
    public var sourceKey: String?

    public init(question: Question, contact: AskerContact? = nil, sourceKey: String? = nil) {
        self.question = question
        self.contact = contact
        self.sourceKey = sourceKey
    }
}

/// Filter for listing questions.
public struct QuestionQuery: Sendable, Hashable {
    public var statuses: Set<QuestionStatus>?
    public var since: Date?
    public var limit: Int?

    public init(statuses: Set<QuestionStatus>? = nil, since: Date? = nil, limit: Int? = nil) {
        self.statuses = statuses
        self.since = since
        self.limit = limit
    }
}

/// What a batch insert did: the stored questions and how many were already there.
public struct InsertOutcome: Sendable {
    public var inserted: [Question]
    public var alreadyPresent: Int

    public init(inserted: [Question], alreadyPresent: Int) {
        self.inserted = inserted
        self.alreadyPresent = alreadyPresent
    }
}

/// Storage of questions and their askers' personal data. Implemented on SQLite (GRDB) and, later,
/// PostgreSQL; every method is one transaction and durable when it returns.
public protocol QuestionStore: Sendable {
    /// Stores one question (and its contact) and returns it with id and ticket; `nil`, storing nothing,
    /// when its `sourceKey` is already stored for its channel. ``insert(_:)`` is the rule over it.
    func insertNew(_ question: NewQuestion) async throws -> Question?

    /// Stores many questions in one transaction; rows whose `sourceKey` is already stored are skipped.
    func insert(batch: [NewQuestion]) async throws -> InsertOutcome

    func question(id: Question.ID) async throws -> Question?
    func question(ticket: String) async throws -> Question?
    func questions(_ query: QuestionQuery) async throws -> [Question]
    func countQuestions(status: QuestionStatus?) async throws -> Int

    /// The asker's personal data, read only where a message has to reach them.
    func contact(questionID: Question.ID) async throws -> AskerContact?

    // Erasing the asker's personal data is `eraseContact(questionID:actor:now:)`, the rule in
    // `PersonalDataRights` over `PersonalDataStore`'s primitives.

    /// Moves a question to `status`, checking the lifecycle; an illegal move throws and changes nothing.
    /// Writes an audit event in the same transaction; the first move out of received/acknowledged
    /// stamps `triagedAt` with `now`.
    @discardableResult
    func updateStatus(questionID: Question.ID, to status: QuestionStatus, reason: String?, actor: String, now: Date) async throws -> Question
}

extension QuestionStore {
    /// Stores one question (and its contact) and returns it with id and ticket. A `sourceKey` already
    /// stored for the channel is ``TyndauError/sourceKeyTaken(_:)`` and stores nothing (a batch skips it:
    /// ``insert(batch:)``).
    public func insert(_ question: NewQuestion) async throws -> Question {
        guard let stored = try await insertNew(question) else { throw TyndauError.sourceKeyTaken(question.sourceKey) }
        return stored
    }
}

/// The append-only audit log.
public protocol AuditLog: Sendable {
    func record(_ event: AuditEvent) async throws
    func auditEvents(subject: String?, limit: Int) async throws -> [AuditEvent]
}
