import Foundation
import PostgresNIO
import TyndauCore

extension PostgresStore: TopicJoinStore {
    public func joinTopic(_ topicID: Topic.ID, questionID: Question.ID, actor: String, now: Date) async throws
        -> TopicJoinOutcome
    {
        try await write { connection in
            // The office lock, as topic decisions and arrival placing take it: the question's topic and the
            // topic's members cannot change between the read and the write.
            try await Self.lock(.office, connection)
            guard let question = try await Self.fetchQuestion(id: questionID, forUpdate: true, connection) else {
                throw TyndauError.notFound("question \(questionID)")
            }
            let state = try await connection.value(#"SELECT "state" FROM "topic" WHERE "id" = \#(topicID)"#, as: String.self)
                .flatMap(TopicState.init(rawValue:))
            let askerKey = try await connection.value(
                #"SELECT "personKey" FROM "asker" WHERE "questionID" = \#(questionID)"#, as: String?.self) ?? nil
            var counted = false
            if let askerKey { counted = try await Self.askerCounted(askerKey, in: topicID, besides: questionID, connection) }
            let facts = TopicJoinFacts(
                topicState: state, questionStatus: question.status, questionTopicID: question.topicID,
                askerAlreadyCounted: counted)
            let decision = try TopicJoin.decide(facts, topicID: topicID)
            if decision == .join {
                try await Self.assign(questionID: questionID, to: topicID, pinned: true, triage: false, actor: actor, now: now, connection)
                try await Self.deleteEmptyTopics(connection)
                try await Self.audit(
                    AuditEvent.joinedTopic(topicID, questionID: questionID, from: question.topicID, actor: actor, at: now),
                    connection)
            }
            return TopicJoinOutcome(
                decision: decision, topicID: topicID, askers: try await Self.askerCount(topicID: topicID, connection))
        }
    }

    public func askerCounted(_ askerKey: String, in topicID: Topic.ID) async throws -> Bool {
        try await read { connection in try await Self.askerCounted(askerKey, in: topicID, besides: nil, connection) }
    }

    static func askerCounted(
        _ askerKey: String, in topicID: Topic.ID, besides questionID: Question.ID?, _ connection: PostgresConnection
    ) async throws -> Bool {
        try await connection.value(#"""
            SELECT EXISTS (SELECT 1 FROM "question" q JOIN "asker" a ON a."questionID" = q."id"
            WHERE q."topicID" = \#(topicID) AND q."id" <> \#(questionID ?? 0) AND q."status" <> 'rejected'
              AND a."personKey" = \#(askerKey))
            """#, as: Bool.self) ?? false
    }
}
