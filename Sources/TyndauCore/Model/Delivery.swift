import Foundation

/// A place messages are published to: a chat, a webhook, a mailbox. Its URL and secrets come from
/// configuration; the database keeps its name and health so the outbox can refer to it.
public struct Endpoint: Sendable, Codable, Hashable {
    public var name: String
    public var kind: String
    public var tags: [String]
    /// Set when the service said the endpoint is gone (410, archived channel): nothing more is sent.
    public var disabledReason: String?

    public init(name: String, kind: String, tags: [String] = [], disabledReason: String? = nil) {
        self.name = name
        self.kind = kind
        self.tags = tags
        self.disabledReason = disabledReason
    }
}

/// One message for one endpoint: a row of the outbox. Inserted in the same transaction as what
/// caused it; a worker claims it with a lease, sends it, and records each attempt.
public struct Delivery: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    public var endpointName: String
    /// Unique per endpoint: the same message is never enqueued twice (e.g. `digest:2026-W49`).
    public var messageKey: String
    public var subject: String?
    public var body: String
    public var language: UILanguage?
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    public var leaseUntil: Date?
    /// Parts already delivered of a message split into several, so a restart resumes at the next one.
    public var partsSent: Int
    public var lastError: String?
    /// The service's id of what was posted (Telegram message id, Discord message id).
    public var remoteID: String?
    public var createdAt: Date
    public var sentAt: Date?
    /// For a personal notice: the question whose asker receives it. The address itself stays in the
    /// asker's record and is looked up only when the delivery is claimed (see ``recipient``).
    public var recipientQuestionID: Question.ID?
    /// The asker's address for this endpoint's kind (e-mail, Telegram chat id), filled at claim time
    /// and never stored in the outbox; `nil` when the asker's contact was erased meanwhile.
    public var recipient: String?

    /// `recipient` is deliberately absent: personal data is never written to the outbox.
    enum CodingKeys: String, CodingKey {
        case id, endpointName, messageKey, subject, body, language, status, attempts, nextAttemptAt, leaseUntil
        case partsSent, lastError, remoteID, createdAt, sentAt, recipientQuestionID
    }

    public init(id: ID? = nil, endpointName: String, messageKey: String, subject: String? = nil, body: String, language: UILanguage? = nil, status: DeliveryStatus = .pending, attempts: Int = 0, nextAttemptAt: Date, leaseUntil: Date? = nil, partsSent: Int = 0, lastError: String? = nil, remoteID: String? = nil, createdAt: Date, sentAt: Date? = nil, recipientQuestionID: Question.ID? = nil, recipient: String? = nil) {
        self.id = id
        self.endpointName = endpointName
        self.messageKey = messageKey
        self.subject = subject
        self.body = body
        self.language = language
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.leaseUntil = leaseUntil
        self.partsSent = partsSent
        self.lastError = lastError
        self.remoteID = remoteID
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.recipientQuestionID = recipientQuestionID
        self.recipient = recipient
    }
}

public enum DeliveryStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case pending
    case sending
    case sent
    case failed
    case dead
}

/// Who changed what, and when. Written in the same transaction as the change.
public struct AuditEvent: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    public var at: Date
    /// `cli:<user>`, `office:<user>`, `resident`, `system`.
    public var actor: String
    /// Dotted verb, e.g. `question.status`, `topic.merge`.
    public var action: String
    public var subject: String
    /// Short description with no personal data.
    public var details: String

    public init(id: ID? = nil, at: Date, actor: String, action: String, subject: String, details: String) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.details = details
    }
}

extension Delivery {
    /// Only a failed or dead delivery is sent again by hand (`deliveries retry`, the console).
    public func requireRetryable() throws {
        guard status == .failed || status == .dead else {
            throw TyndauError.conflict("delivery \(id.map(String.init) ?? "?") is \(status.rawValue)")
        }
    }

    /// Sent again by hand: pending from `now`, with a fresh count of attempts.
    public mutating func resetForRetry(at now: Date) {
        status = .pending
        attempts = 0
        nextAttemptAt = now
    }

    /// Claimed by a worker, which holds it until `leaseUntil`.
    public mutating func lease(until leaseUntil: Date) {
        status = .sending
        self.leaseUntil = leaseUntil
    }
}
