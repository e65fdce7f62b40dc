import Foundation

/// A message to publish, before it is fanned out into one delivery per endpoint.
public struct OutgoingMessage: Sendable, Hashable, Codable {
    /// Stable identity of the message (`digest:2026-W49`): enqueueing the same key twice for an
    /// endpoint is a no-op, so a retried publish never double-posts.
    public var messageKey: String
    public var subject: String?
    /// Plain text; each target escapes and splits it in its own way.
    public var body: String
    public var language: UILanguage?
    /// For a personal notice: the question whose asker receives it (their address is looked up at send time).
    public var recipientQuestionID: Question.ID?

    public init(messageKey: String, subject: String? = nil, body: String, language: UILanguage? = nil, recipientQuestionID: Question.ID? = nil) {
        self.messageKey = messageKey
        self.subject = subject
        self.body = body
        self.language = language
        self.recipientQuestionID = recipientQuestionID
    }
}

/// A delivery a worker holds a lease on. `claim` fences every later write: once the lease expired and
/// another worker reclaimed the row, the slow worker's writes no longer match and change nothing.
public struct ClaimedDelivery: Sendable, Hashable {
    public var delivery: Delivery
    public var claim: String

    public init(delivery: Delivery, claim: String) {
        self.delivery = delivery
        self.claim = claim
    }

    public var id: Delivery.ID { delivery.id ?? 0 }
}

/// How one send attempt ended, as recorded in `deliveryAttempt.outcome`.
public enum AttemptOutcome: String, Sendable, Codable, CaseIterable, Hashable {
    /// The part was accepted by the service.
    case sent
    /// Transient failure (408, 425, 429, 5xx, network): tried again later.
    case retry
    /// The service refused the request for good (other 4xx).
    case failed
    /// The service said the destination is gone (410, archived channel).
    case gone
    /// Not sent: the worker stopped before the transfer finished.
    case cancelled
}

/// One try at sending one part of a delivery: kept so an operator can see exactly what the service answered.
public struct DeliveryAttempt: Sendable, Hashable, Codable {
    public typealias ID = Int64

    public var id: ID?
    public var deliveryID: Delivery.ID
    public var at: Date
    /// Zero-based index of the part that was sent.
    public var part: Int
    public var httpStatus: Int?
    public var curlCode: Int?
    public var latencyMs: Int?
    public var outcome: AttemptOutcome
    /// The first 2 KB of the service's answer (or the transfer error), secrets removed.
    public var response: String?

    public init(id: ID? = nil, deliveryID: Delivery.ID, at: Date, part: Int, httpStatus: Int? = nil, curlCode: Int? = nil, latencyMs: Int? = nil, outcome: AttemptOutcome, response: String? = nil) {
        self.id = id
        self.deliveryID = deliveryID
        self.at = at
        self.part = part
        self.httpStatus = httpStatus
        self.curlCode = curlCode
        self.latencyMs = latencyMs
        self.outcome = outcome
        self.response = response.map { Self.clip($0) }
    }

    /// The first 2 KB of `text`, cut on a character boundary.
    public static func clip(_ text: String, bytes: Int = 2048) -> String {
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf8.count
            if used + size > bytes { break }
            used += size
            end = text.index(after: index)
        }
        return String(text[..<end])
    }
}

/// What became of a claimed delivery after the worker tried it. Applied in batches, one transaction each.
public enum DeliveryResolution: Sendable, Hashable {
    /// Every part is out.
    case sent(remoteID: String?)
    /// Try again at `at`; `partsSent` keeps the progress of a split message.
    case retry(at: Date, error: String)
    /// Refused for good (other 4xx) — or out of attempts when `dead`.
    case failed(error: String, dead: Bool)
    /// The endpoint is gone: the delivery fails and the endpoint is disabled with `reason`.
    case endpointGone(reason: String)
    /// The worker stopped: the row goes back to the queue untouched.
    case released
    /// Not tried now (a rate limit's next slot is too far away, or the endpoint is not configured here):
    /// back to the queue until `until`, without counting as a failed try.
    case deferred(until: Date, note: String?)
}

/// One result to apply: the delivery, its claim, the attempts made and what they led to.
public struct DeliveryReport: Sendable, Hashable {
    public var claimed: ClaimedDelivery
    public var attempts: [DeliveryAttempt]
    public var partsSent: Int
    public var resolution: DeliveryResolution
    public var now: Date

    public init(claimed: ClaimedDelivery, attempts: [DeliveryAttempt], partsSent: Int, resolution: DeliveryResolution, now: Date) {
        self.claimed = claimed
        self.attempts = attempts
        self.partsSent = partsSent
        self.resolution = resolution
        self.now = now
    }
}

/// An endpoint as the outbox knows it: configuration gives its name, kind and tags; the database keeps
/// whether the service disabled it and until when a server asked it to wait.
public struct EndpointState: Sendable, Hashable, Codable {
    public var endpoint: Endpoint
    public var pausedUntil: Date?

    public init(endpoint: Endpoint, pausedUntil: Date? = nil) {
        self.endpoint = endpoint
        self.pausedUntil = pausedUntil
    }
}

/// The durable outbox: a message is published by inserting one delivery per endpoint; workers claim due
/// rows with a lease, send them and report back. Every method is one transaction.
public protocol OutboxStore: Sendable {
    /// Makes the stored endpoints match configuration (new ones added, kind and tags updated); a
    /// disabled endpoint stays disabled until ``enableEndpoint(name:)``.
    func syncEndpoints(_ endpoints: [Endpoint]) async throws

    func endpointStates() async throws -> [EndpointState]

    /// Inserts one pending delivery per endpoint; an endpoint that already has `messageKey` is skipped.
    /// Returns the deliveries that were inserted.
    @discardableResult
    func enqueue(_ message: OutgoingMessage, endpointNames: [String], now: Date) async throws -> [Delivery]

    /// Leases up to `limit` due deliveries (pending and due, or `sending` with an expired lease) of
    /// endpoints that are neither disabled nor paused, oldest first.
    func claimDue(now: Date, lease: TimeInterval, limit: Int) async throws -> [ClaimedDelivery]

    /// Records a sent part of a multi-part message and extends the lease, so a restart resumes at the next part.
    /// Returns false when the claim was lost (the lease expired and another worker took the row).
    @discardableResult
    func recordPartSent(_ claimed: ClaimedDelivery, attempt: DeliveryAttempt, partsSent: Int, remoteID: String?, leaseUntil: Date) async throws -> Bool

    /// Applies many results in one transaction; rows whose claim was lost are left alone.
    func apply(_ reports: [DeliveryReport]) async throws

    /// A server asked to wait: nothing more is claimed for the endpoint until `until`.
    func pauseEndpoint(name: String, until: Date) async throws
    func enableEndpoint(name: String) async throws

    func deliveries(status: DeliveryStatus?, limit: Int) async throws -> [Delivery]
    func delivery(id: Delivery.ID) async throws -> Delivery?
    func attempts(deliveryID: Delivery.ID) async throws -> [DeliveryAttempt]
    func countDeliveries(status: DeliveryStatus?) async throws -> Int

    /// Puts a failed or dead delivery back in the queue with a fresh retry schedule.
    func retry(id: Delivery.ID, now: Date) async throws -> Delivery
}
