import Foundation
import GRDB
import TyndauCore

extension SQLiteStore: TopicJoinStore {
    public func joinTopic(_ topicID: Topic.ID, questionID: Question.ID, actor: String, now: Date) async throws
        -> TopicJoinOutcome
    {
        try await writer.write { db in
            guard let question = try Question.fetchOne(db, key: questionID) else {
                throw TyndauError.notFound("question \(questionID)")
            }
            let state = try String.fetchOne(db, sql: "SELECT state FROM topic WHERE id = ?", arguments: [topicID])
                .flatMap(TopicState.init(rawValue:))
            let askerKey = try String.fetchOne(
                db, sql: "SELECT personKey FROM asker WHERE questionID = ?", arguments: [questionID])
            let counted = try askerKey.map { try Self.askerCounted($0, in: topicID, besides: questionID, db) } ?? false
            let facts = TopicJoinFacts(
                topicState: state, questionStatus: question.status, questionTopicID: question.topicID,
                askerAlreadyCounted: counted)
            let decision = try TopicJoin.decide(facts, topicID: topicID)
            if decision == .join {
                try Self.assign(questionID: questionID, to: topicID, pinned: true, triage: false, actor: actor, now: now, db)
                try Self.deleteEmptyTopics(db)
                try Self.audit(AuditEvent.joinedTopic(topicID, questionID: questionID, from: question.topicID, actor: actor, at: now), db)
            }
            return TopicJoinOutcome(decision: decision, topicID: topicID, askers: try Self.askerCount(topicID: topicID, db))
        }
    }

    public func askerCounted(_ askerKey: String, in topicID: Topic.ID) async throws -> Bool {
        try await reader.read { db in try Self.askerCounted(askerKey, in: topicID, besides: nil, db) }
    }

    static func askerCounted(_ askerKey: String, in topicID: Topic.ID, besides questionID: Question.ID?, _ db: Database) throws
        -> Bool
    {
        try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM question q JOIN asker a ON a.questionID = q.id
                WHERE q.topicID = ? AND q.id <> ? AND q.status <> 'rejected' AND a.personKey = ?)
                """,
            arguments: [topicID, questionID ?? 0, askerKey]) ?? false
    }
}
