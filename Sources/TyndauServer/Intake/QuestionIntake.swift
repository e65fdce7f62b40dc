import Foundation
import Logging
import Metrics
import QuestionCollection
import TyndauCore

/// The one path every live channel (web form, JSON API, Open311) takes from raw fields to a durable,
/// acknowledged question: honeypot, the shared ``QuestionValidator``, then group commit with the rate
/// limit, the duplicate check and the acknowledgement message inside the storing transaction.
public struct QuestionIntake: Sendable {
    public let settings: IntakeSettings
    let validator: QuestionValidator
    let batcher: SubmissionBatcher
    /// Reserved in the transaction that stores the question, so concurrent submissions (and several
    /// servers on one PostgreSQL database) cannot pass it together.
    let rateLimit: IntakeRateLimit
    /// Golden hour, second half: the message to a resident who left a contact, queued in the same
    /// transaction as the question. `nil` without an outbox; the receipt is then the only acknowledgement.
    let acknowledgements: (any AcknowledgementOutbox)?
    let now: @Sendable () -> Date
    /// Called after each accepted (non-duplicate) commit: wakes the arrival grouper. It must not block.
    let accepted: (@Sendable () -> Void)?

    public init(
        store: any IntakeStore,
        settings: IntakeSettings,
        acknowledgements: (any AcknowledgementOutbox)? = nil,
        now: @escaping @Sendable () -> Date,
        accepted: (@Sendable () -> Void)? = nil
    ) {
        self.accepted = accepted
        self.settings = settings
        self.validator = QuestionValidator()
        self.batcher = SubmissionBatcher(store: store, now: now)
        self.rateLimit = IntakeRateLimit(limit: settings.rateLimitPerHour, window: 3600)
        self.acknowledgements = acknowledgements
        self.now = now
    }

    /// Accepts `submission` from `client`, returning its receipt after the commit.
    ///
    /// Throws ``TyndauError`` `validation` (422, honeypot included), `rate-limited` (429).
    /// Every call is counted in ``TyndauMetrics/intakeRequests`` by channel and outcome.
    public func submit(_ submission: Submission, honeypot: String?, client: ClientIdentity, logger: Logger) async throws -> IntakeReceipt {
        let channel = submission.channel
        if let honeypot, !honeypot.isEmpty {
            logger.notice("intake.honeypot", metadata: ["tyndau.channel": "\(channel.rawValue)"])
            Self.count(channel, .honeypot)
            throw TyndauError.validation(["website": "field.not-allowed"])
        }
        do {
            let receipt = try await accept(submission, client: client, logger: logger)
            Self.count(channel, receipt.isDuplicate ? .duplicate : .accepted)
            return receipt
        } catch let error as TyndauError {
            Self.count(channel, error.code == .validation ? .invalid : error.code == .rateLimited ? .rateLimited : .error)
            throw error
        } catch {
            Self.count(channel, .error)
            throw error
        }
    }

    static func count(_ channel: Channel, _ outcome: TyndauMetrics.IntakeOutcome) {
        Counter(
            label: TyndauMetrics.intakeRequests,
            dimensions: [(TyndauMetrics.Label.channel, channel.rawValue), (TyndauMetrics.Label.outcome, outcome.rawValue)]
        ).increment()
    }

    private func accept(_ submission: Submission, client: ClientIdentity, logger: Logger) async throws -> IntakeReceipt {
        let newQuestion = try validator.validate(submission, now: now())
        let language = submission.language ?? newQuestion.question.language.replyLanguage
        let acknowledgement = await acknowledgements?.acknowledgement(for: newQuestion, language: language)
        let receipt = try await batcher.submit(IntakeSubmission(
            newQuestion: newQuestion,
            clientKey: client.key,
            textKey: ClientIdentity.textKey(newQuestion.question.text, secret: settings.clientKeySecret),
            duplicateWindow: TimeInterval(settings.duplicateWindowMinutes * 60),
            rateLimit: rateLimit.isActive ? rateLimit : nil,
            acknowledgement: acknowledgement
        ))
        if let retryAfter = receipt.retryAfter {
            logger.notice("intake.rate-limited", metadata: ["tyndau.channel": "\(submission.channel.rawValue)"])
            throw TyndauError.rateLimited(retryAfter: retryAfter)
        }
        if receipt.sourceKeyTaken { throw TyndauError.sourceKeyTaken(newQuestion.sourceKey) }
        let ticket = receipt.question.ticket ?? ""
        if receipt.isDuplicate {
            logger.info("intake.duplicate", metadata: ["tyndau.question.ticket": "\(ticket)"])
            return receipt
        }
        accepted?()
        logger.info("intake.accepted", metadata: [
            "tyndau.question.ticket": "\(ticket)",
            "tyndau.channel": "\(submission.channel.rawValue)",
            "tyndau.question.language": "\(receipt.question.language.rawValue)",
        ])
        return receipt
    }
}

extension TyndauError {
    /// Too many submissions from one client; retry after `retryAfter` seconds.
    public static func rateLimited(retryAfter: Int) -> TyndauError {
        TyndauError(code: .rateLimited, messageKey: "error.rate-limited", arguments: [String(retryAfter)])
    }

    /// The request body is not valid JSON (or not a readable form).
    public static let malformedBody = TyndauError(code: .malformed, messageKey: "error.malformed-body")

    /// The request body is larger than `intake.max_body_bytes`.
    public static func bodyTooLarge(limit: Int) -> TyndauError {
        TyndauError(code: .tooLarge, messageKey: "error.body-too-large", arguments: [String(limit)])
    }

    /// A ticket that does not exist or whose token does not match: the same answer for both.
    public static let questionNotFound = TyndauError(code: .notFound, messageKey: "error.question-not-found")

    /// A path or method the server does not serve.
    public static let routeNotFound = TyndauError(code: .notFound, messageKey: "error.route-not-found")

    /// Something failed inside the server; details are in the log, not in the answer.
    public static let internalFailure = TyndauError(code: .internal, messageKey: "error.internal")

    /// A query parameter that cannot be read (`since=` of the SLA report).
    public static func badParameter(_ name: String) -> TyndauError {
        TyndauError(code: .badParameter, messageKey: "error.bad-parameter", arguments: [name])
    }

    /// Retry-After seconds of a `rate-limited` error, and of the public `database-unavailable` one.
    var retryAfterSeconds: Int? {
        code == .rateLimited || messageKey == "error.service-unavailable" ? arguments.first.flatMap { Int($0) } : nil
    }
}
