/// Where a question stands in its lifecycle.
///
/// `received → acknowledged → grouped → scheduled → answered | answeredInWriting | redirected`,
/// with rejection (spam, off-topic) and redirection possible during triage. A scheduled question
/// that was not reached at the meeting goes back to `grouped`, keeping its waiting time.
public enum QuestionStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case received
    case acknowledged
    case grouped
    case scheduled
    case answered
    case answeredInWriting = "answered-in-writing"
    case redirected
    case rejected

    /// The statuses this one may move to.
    public var allowedNext: Set<QuestionStatus> {
        switch self {
        case .received: [.acknowledged, .grouped, .rejected, .redirected]
        case .acknowledged: [.grouped, .rejected, .redirected, .answeredInWriting]
        case .grouped: [.scheduled, .rejected, .redirected, .answeredInWriting]
        case .scheduled: [.answered, .answeredInWriting, .redirected, .grouped]
        case .answered, .answeredInWriting, .redirected, .rejected: []
        }
    }

    /// Whether the office has finished with the question (no further transitions).
    public var isFinal: Bool { allowedNext.isEmpty }

    /// Whether the office has triaged the question: the golden hour counts up to this moment.
    public var isTriaged: Bool { self != .received && self != .acknowledged }

    /// A question the office turns away at triage (rejected, or redirected to another body) leaves
    /// the topic the grouping engine placed it in on arrival: it no longer counts as an asker there.
    /// (Redirecting a whole topic after the meeting keeps its members where they are.)
    public static func leavesTopic(from previous: QuestionStatus, to next: QuestionStatus) -> Bool {
        !previous.isTriaged && (next == .rejected || next == .redirected)
    }

    public func canMove(to next: QuestionStatus) -> Bool { allowedNext.contains(next) }

    /// Checks a transition, throwing ``TyndauError/illegalTransition(from:to:)`` when it is not allowed.
    public func checkedMove(to next: QuestionStatus) throws -> QuestionStatus {
        guard canMove(to: next) else { throw TyndauError.illegalTransition(from: self, to: next) }
        return next
    }
}
