import Foundation

/// How a grouping run's result is written (``TopicStore/saveGrouping(_:actor:now:)``), decided once
/// above the engines. An engine reads the stored rows of a chunk in one statement, asks these rules
/// what changes, and writes only that with multi-row statements — a year of questions is 100,000
/// assignments, and one statement per question was what made `topics group` slow.
public enum GroupingWrite {
    /// Questions per chunk: one read and a few multi-row statements each. SQLite binds at most
    /// 32,766 parameters per statement; five-column audit rows fit 6,553.
    public static let chunkSize = 2_000

    // MARK: Questions

    /// A question as the write transaction finds it.
    public struct StoredQuestion: Sendable, Hashable {
        public var id: Question.ID
        public var status: QuestionStatus
        public var topicID: Topic.ID?

        public init(id: Question.ID, status: QuestionStatus, topicID: Topic.ID?) {
            self.id = id
            self.status = status
            self.topicID = topicID
        }
    }

    /// What to write for one question.
    public struct QuestionChange: Sendable, Hashable {
        public var id: Question.ID
        public var topicID: Topic.ID
        /// `grouped` when the question moves along its lifecycle (it was received or acknowledged):
        /// then `statusReason` is cleared and `triagedAt` stamped with the run's `now` if unset.
        public var status: QuestionStatus?
        /// The audit line of that move, worded by the catalogue; one per question the office can read.
        public var audit: AuditEvent?
    }

    /// The changes that put each question of `placements` (question, topic) in its topic, given the
    /// stored rows (`stored`, by id): a received or acknowledged question moves to `grouped` through
    /// the lifecycle, with its audit line; a question already in its topic and past triage needs
    /// nothing. The pin is left as it is — the grouper keeps pinned questions in the office's topics,
    /// and a caller that places one elsewhere means it. A question that no longer exists fails the run.
    public static func changes(
        _ placements: some Sequence<(question: Question.ID, topic: Topic.ID)>, stored: [Question.ID: StoredQuestion],
        actor: String, now: Date
    ) throws -> [QuestionChange] {
        var changes: [QuestionChange] = []
        for (id, topicID) in placements {
            guard let question = stored[id] else { throw TyndauError.notFound("question \(id)") }
            if question.topicID == topicID && question.status.isTriaged { continue }
            var change = QuestionChange(id: id, topicID: topicID)
            if !question.status.isTriaged {
                let next = try question.status.checkedMove(to: .grouped)
                change.status = next
                change.audit = AuditEvent.statusChanged(
                    questionID: id, from: question.status, to: next, reason: nil, actor: actor, at: now)
            }
            changes.append(change)
        }
        return changes
    }

    // MARK: Topics

    /// A topic's row and its grouping facts as the write transaction finds them.
    public struct StoredTopic: Sendable, Hashable {
        public var id: Topic.ID
        public var title: String
        public var category: QuestionCategory?
        public var categoryOverridden: Bool
        public var representativeQuestionID: Question.ID?
        public var place: String?
        public var reason: String?
        /// The `topicGrouping` row, `nil` when the topic has none yet.
        public var grouping: Grouping?

        public struct Grouping: Sendable, Hashable {
            public var conceptKey: String?
            public var placeKey: String?
            public var titleOverridden: Bool

            public init(conceptKey: String?, placeKey: String?, titleOverridden: Bool) {
                self.conceptKey = conceptKey
                self.placeKey = placeKey
                self.titleOverridden = titleOverridden
            }
        }

        public init(
            id: Topic.ID, title: String, category: QuestionCategory?, categoryOverridden: Bool,
            representativeQuestionID: Question.ID?, place: String?, reason: String?, grouping: Grouping?
        ) {
            self.id = id
            self.title = title
            self.category = category
            self.categoryOverridden = categoryOverridden
            self.representativeQuestionID = representativeQuestionID
            self.place = place
            self.reason = reason
            self.grouping = grouping
        }
    }

    /// The stored topic with a run's facts applied: the office's title and category are kept (a
    /// renamed topic, an overridden category), everything else follows the members.
    public static func updated(_ stored: StoredTopic, with facts: TopicFacts) -> StoredTopic {
        let titleOverridden = stored.grouping?.titleOverridden ?? false
        var topic = stored
        if !titleOverridden { topic.title = facts.title }
        if !stored.categoryOverridden { topic.category = facts.category }
        topic.representativeQuestionID = facts.representativeQuestionID
        topic.place = facts.place
        topic.reason = facts.reason
        topic.grouping = StoredTopic.Grouping(
            conceptKey: facts.conceptKey, placeKey: facts.placeKey, titleOverridden: titleOverridden)
        return topic
    }

    /// A new topic opened by a run, with its facts.
    public static func newTopic(_ facts: TopicFacts, now: Date) -> Topic {
        Topic(
            title: facts.title, representativeQuestionID: facts.representativeQuestionID, category: facts.category,
            place: facts.place, reason: facts.reason, createdAt: now)
    }

    /// The run's topics in order: each assignment's stored topic updated, or `nil` where a new topic is
    /// to be inserted (no id given, or the topic is gone since the run read it). `updates` holds only
    /// the topics whose row or grouping facts actually change.
    public static func plan(_ assignments: [TopicAssignment], stored: [Topic.ID: StoredTopic])
        -> (topics: [StoredTopic?], updates: [StoredTopic])
    {
        var topics: [StoredTopic?] = []
        var updates: [StoredTopic] = []
        topics.reserveCapacity(assignments.count)
        for assignment in assignments {
            guard let id = assignment.topicID, let current = stored[id] else {
                topics.append(nil)
                continue
            }
            let next = updated(current, with: assignment.facts)
            topics.append(next)
            if next != current { updates.append(next) }
        }
        return (topics, updates)
    }

    /// `items` in slices of at most `size`.
    public static func chunks<T>(_ items: [T], size: Int = chunkSize) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: max(1, size)).map { items[$0..<min($0 + max(1, size), items.count)] }
    }
}
