import Foundation

/// One accepted submission on its way to storage, with what the duplicate check needs.
///
/// `clientKey` is a keyed hash of the client's address (never the address itself) and
/// `textKey` a hash of the normalised text: the same client sending the same text again within
/// `duplicateWindow` gets the first question back instead of a new one.
public struct IntakeSubmission: Sendable {
    public var newQuestion: NewQuestion
    public var clientKey: String?
    public var textKey: String
    public var duplicateWindow: TimeInterval
    /// The per-client limit, reserved inside the storing transaction (needs `clientKey`); `nil` for none.
    public var rateLimit: IntakeRateLimit?
    /// The golden-hour message to the asker, queued in the transaction that stores the question (so a
    /// stored question always has it); `nil` when the asker left no contact an endpoint can reach.
    public var acknowledgement: IntakeAcknowledgement?

    public init(
        newQuestion: NewQuestion, clientKey: String?, textKey: String, duplicateWindow: TimeInterval = 600,
        rateLimit: IntakeRateLimit? = nil, acknowledgement: IntakeAcknowledgement? = nil
    ) {
        self.newQuestion = newQuestion
        self.clientKey = clientKey
        self.textKey = textKey
        self.duplicateWindow = duplicateWindow
        self.rateLimit = rateLimit
        self.acknowledgement = acknowledgement
    }
}

/// The acknowledgement of a new question ("we received your question, ticket …"): the endpoints it
/// goes to and its message, made from the stored question (its id and ticket exist only inside the
/// storing transaction). Engines insert it with the question; a duplicate or a refused submission
/// queues nothing.
public struct IntakeAcknowledgement: Sendable {
    public var endpointNames: [String]
    public var message: @Sendable (Question) -> OutgoingMessage?

    public init(endpointNames: [String], message: @escaping @Sendable (Question) -> OutgoingMessage?) {
        self.endpointNames = endpointNames
        self.message = message
    }
}

/// The intake's per-client limit: at most `limit` stored questions from one client key in any
/// sliding `window`. The rule lives here, once; each engine only counts the client's fingerprints
/// inside the window in the transaction that stores the question (serialised per client), so
/// concurrent submissions — in one batch, or on several servers sharing a PostgreSQL database —
/// cannot pass it together.
public struct IntakeRateLimit: Sendable, Hashable {
    public var limit: Int
    public var window: TimeInterval

    /// `limit` 0 allows everything.
    public init(limit: Int, window: TimeInterval = 3600) {
        self.limit = limit
        self.window = window
    }

    /// Whether the limit counts at all.
    public var isActive: Bool { limit > 0 && window > 0 }

    /// The start of the window ending at `now`: fingerprints after it count.
    public func windowStart(now: Date) -> Date { now.addingTimeInterval(-window) }

    /// `nil` when one more submission is allowed, else the whole seconds until the oldest counted
    /// submission leaves the window (at least 1).
    public func retryAfter(storedInWindow: Int, oldest: Date?, now: Date) -> Int? {
        guard isActive, storedInWindow >= limit else { return nil }
        let wait = window - now.timeIntervalSince(oldest ?? now)
        return max(1, Int(wait.rounded(.up)))
    }
}

/// What storage did with an ``IntakeSubmission``: the stored (acknowledged) question, or the
/// first question of a duplicate.
public struct IntakeReceipt: Sendable, Hashable {
    public var question: Question
    public var isDuplicate: Bool
    /// Whether the asker left a contact an acknowledgement message can reach.
    public var hasContact: Bool
    /// Set when the submission's ``IntakeRateLimit`` refused it: nothing was stored (`question` is the
    /// unsaved submission) and the client may try again after this many seconds.
    public var retryAfter: Int?
    /// Set when the submission's `sourceKey` is already stored for its channel: nothing was stored
    /// (`question` is the unsaved submission). The intake above the store answers it with
    /// ``TyndauError/sourceKeyTaken(_:)``.
    public var sourceKeyTaken: Bool

    public init(question: Question, isDuplicate: Bool, hasContact: Bool, retryAfter: Int? = nil, sourceKeyTaken: Bool = false) {
        self.question = question
        self.isDuplicate = isDuplicate
        self.hasContact = hasContact
        self.retryAfter = retryAfter
        self.sourceKeyTaken = sourceKeyTaken
    }

    /// Whether the question (or, for a duplicate, its first copy) is stored.
    public var isStored: Bool { retryAfter == nil }
}

/// Where a question stands, as the resident's status page shows it: only what exists is filled in.
public struct QuestionProgress: Sendable, Hashable {
    public var question: Question
    /// When the office first triaged the question (grouped, rejected, redirected, answered in writing).
    public var triagedAt: Date?
    public var topicTitle: String?
    /// Distinct residents who asked in the question's topic (a person once, an anonymous question once).
    public var topicAskers: Int?
    /// The meeting whose agenda holds the question's topic (the latest one), if any.
    public var meeting: Meeting?
    public var agendaItem: AgendaItem?
    public var answer: Answer?

    /// The answer as the resident may see it: only once the meeting is closed (the answer is final).
    /// What is saved during the meeting is a draft the office may still change.
    public var publishedAnswer: Answer? {
        guard let answer, answer.isFinal || meeting?.state == .closed else { return nil }
        return answer
    }

    public init(
        question: Question, triagedAt: Date? = nil, topicTitle: String? = nil, topicAskers: Int? = nil, meeting: Meeting? = nil,
        agendaItem: AgendaItem? = nil, answer: Answer? = nil
    ) {
        self.question = question
        self.triagedAt = triagedAt
        self.topicTitle = topicTitle
        self.topicAskers = topicAskers
        self.meeting = meeting
        self.agendaItem = agendaItem
        self.answer = answer
    }
}

/// The golden-hour report: how quickly the office triaged (grouped, rejected or redirected) the
/// questions submitted since a moment.
public struct GoldenHourReport: Sendable, Hashable, Codable {
    /// An untriaged question waiting longest.
    public struct Waiting: Sendable, Hashable, Codable {
        public var ticket: String
        public var submittedAt: Date
        public var waitingMinutes: Int

        public init(ticket: String, submittedAt: Date, waitingMinutes: Int) {
            self.ticket = ticket
            self.submittedAt = submittedAt
            self.waitingMinutes = waitingMinutes
        }
    }

    public var since: Date?
    public var now: Date
    public var windowMinutes: Int
    /// Questions submitted since `since`.
    public var total: Int
    public var triagedWithin: Int
    public var triagedLate: Int
    /// Untriaged and still inside the window.
    public var pendingWithin: Int
    /// Untriaged and past the window.
    public var pendingOverdue: Int
    /// Oldest untriaged questions first.
    public var oldestUntriaged: [Waiting]

    public init(since: Date?, now: Date, windowMinutes: Int, total: Int, triagedWithin: Int, triagedLate: Int, pendingWithin: Int, pendingOverdue: Int, oldestUntriaged: [Waiting]) {
        self.since = since
        self.now = now
        self.windowMinutes = windowMinutes
        self.total = total
        self.triagedWithin = triagedWithin
        self.triagedLate = triagedLate
        self.pendingWithin = pendingWithin
        self.pendingOverdue = pendingOverdue
        self.oldestUntriaged = oldestUntriaged
    }

    /// Questions past the golden hour: triaged late or still waiting beyond it.
    public var pastWindow: Int { triagedLate + pendingOverdue }
}

/// Storage for live intake (web form, JSON API, Open311): batched durable inserts with the
/// duplicate check, the resident's view of a question, and the golden-hour report.
public protocol IntakeStore: Sendable {
    /// Stores every submission in ONE transaction (group commit) and acknowledges each new question
    /// in it. Results are in the order of `batch`. Durable when it returns. A submission with a
    /// ``IntakeRateLimit`` is first counted against it in the same transaction (earlier submissions of
    /// the batch included); a refused one stores nothing and its receipt carries `retryAfter`.
    func submit(_ batch: [IntakeSubmission], now: Date) async throws -> [IntakeReceipt]

    /// The question with `ticket` and what happened to it since, or `nil` when there is none.
    func progress(ticket: String) async throws -> QuestionProgress?

    /// The golden-hour report over questions submitted at or after `since` (all when `nil`).
    func goldenHour(since: Date?, now: Date, window: TimeInterval, oldestLimit: Int) async throws -> GoldenHourReport

    /// How many ``submit(_:now:)`` transactions one server may have under way at once: 1 where writes
    /// take turns anyway (SQLite's single writer); more where the database overlaps them (PostgreSQL
    /// commits concurrent transactions with shared WAL flushes).
    var concurrentIntakeBatches: Int { get }
}

extension IntakeStore {
    public var concurrentIntakeBatches: Int { 1 }
}

/// Where the acknowledgement message to a resident who left a contact goes.
///
/// The publisher's outbox implements this; without one the server runs without acknowledgement
/// messages and the receipt page/JSON response is the only acknowledgement.
public protocol AcknowledgementOutbox: Sendable {
    /// The "we received your question, ticket …" message for the asker of `newQuestion`, to be queued
    /// in the transaction that stores it; `nil` when no endpoint reaches the asker's contact.
    /// Async so that the message may say what depends on stored settings (the candidate meeting).
    func acknowledgement(for newQuestion: NewQuestion, language: UILanguage) async -> IntakeAcknowledgement?
}
