import Foundation

/// What the arrival grouper sees in one locked transaction: the store's grouping revision, the
/// questions already in a topic when that revision is not the one the caller last saw, and the
/// accepted questions still in no topic, in arrival order.
public struct ArrivalBatch: Sendable {
    /// A counter the store bumps whenever a question's topic or pin changes or a question is deleted,
    /// whoever makes the change (an engine trigger): a caller that saw this value knows nothing moved.
    public var revision: Int64
    /// Every question in a topic (as ``TopicStore/groupingCandidates()`` reports them), present only when
    /// `revision` differs from the caller's `knownRevision`: the caller reconciles its memory with it.
    public var members: [GroupableQuestion]?
    /// Received or acknowledged questions in no topic, oldest first (at most the requested limit).
    public var arrivals: [GroupableQuestion]

    public init(revision: Int64, members: [GroupableQuestion]?, arrivals: [GroupableQuestion]) {
        self.revision = revision
        self.members = members
        self.arrivals = arrivals
    }
}

/// One question placed on arrival: the stored topic it joined, or (`topicID` `nil`) the new topic
/// `newTopic` of this batch — placements with the same `newTopic` share the one topic the first of them
/// creates —, the topic's facts after it joined (the last placement's facts win), and the average score
/// it joined with (0 when it opened the topic), for the audit line.
public struct ArrivalPlacement: Sendable, Hashable {
    public var questionID: Question.ID
    public var topicID: Topic.ID?
    public var newTopic: Int
    public var facts: TopicFacts
    public var score: Double

    public init(questionID: Question.ID, topicID: Topic.ID?, newTopic: Int = 0, facts: TopicFacts, score: Double) {
        self.questionID = questionID
        self.topicID = topicID
        self.newTopic = newTopic
        self.facts = facts
        self.score = score
    }
}

extension ArrivalPlacement {
    /// Which placements of a batch carry facts the store must write: the first of each new topic (it
    /// creates the topic) and the last of each topic (its facts win). The others' facts would be
    /// overwritten in the same transaction, so writing them is only cost.
    public static func factsToStore(_ placements: [ArrivalPlacement]) -> Set<Int> {
        var first: [String: Int] = [:]
        var last: [String: Int] = [:]
        for (index, placement) in placements.enumerated() {
            let key = placement.topicID.map { "topic \($0)" } ?? "new \(placement.newTopic)"
            if first[key] == nil, placement.topicID == nil { first[key] = index }
            last[key] = index
        }
        return Set(first.values).union(last.values)
    }
}

/// What one arrival transaction stored: each placed question with the topic it is now in, and the
/// revision after those writes (the caller's next `knownRevision`).
public struct ArrivalOutcome: Sendable, Hashable {
    public var revision: Int64
    public var placed: [Question.ID: Topic.ID]
    /// Whether `members` were read (the store had changed since the caller's revision).
    public var reconciled: Bool

    public init(revision: Int64, placed: [Question.ID: Topic.ID], reconciled: Bool) {
        self.revision = revision
        self.placed = placed
        self.reconciled = reconciled
    }
}

/// The storage primitive behind topics on arrival: one write transaction holding the grouping lock
/// (PostgreSQL: the office advisory lock that grouping runs and topic decisions take; SQLite: its
/// single writer), in which the store reads an ``ArrivalBatch``, asks `decide` where each arrival goes,
/// and writes the answer. Which topic, and the threshold, are the caller's rules; the engine only
/// reads, locks and writes.
public protocol ArrivalGroupingStore: Sendable {
    /// Reads the batch, calls `decide` (synchronously, inside the transaction: possibly more than once
    /// if the engine retries after a serialization failure, so `decide` must not keep state of its own
    /// until this returns), stores each placement — a new topic or the facts of the joined one, the
    /// question's topic (its status stays: placing is not triage, the office still sees the question in
    /// its inbox, now with "joins topic #N"), and a `topic.arrival` audit event — and returns the outcome. With no arrivals it reads nothing
    /// else and calls nothing.
    func placeArrivals(
        knownRevision: Int64?, limit: Int, actor: String, now: Date,
        decide: @escaping @Sendable (ArrivalBatch) throws -> [ArrivalPlacement]
    ) async throws -> ArrivalOutcome

    /// The members of a topic with their texts (for explanations), oldest first.
    func topicMembers(_ topic: Topic.ID) async throws -> [Question]
}

extension ArrivalPlacement {
    /// The `topic.arrival` audit line: ids and the score only, never the text.
    public func auditDetails(opened: Bool) -> String {
        opened
            ? "question \(questionID) opened the topic on arrival"
            : "question \(questionID) joined on arrival (average score \(String(format: "%.2f", score)))"
    }
}
