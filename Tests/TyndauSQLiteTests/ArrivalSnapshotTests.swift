import Foundation
import GRDB
import Testing
import TyndauCore
@testable import TyndauSQLite

/// SQLite's `placeArrivals` decides on a snapshot, outside the writer, and writes only when nothing the
/// decision rests on moved meanwhile; otherwise it decides again inside the write transaction.
@Suite struct ArrivalSnapshotTests {
    static let now = Date(timeIntervalSince1970: 1_796_292_000)

    static func facts(_ title: String) -> TopicFacts {
        TopicFacts(
            representativeQuestionID: nil, title: title, category: .improvement, placeKey: "saina",
            place: "Саина", conceptKey: "lighting", reason: "lighting · saina")
    }

    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var batches: [ArrivalBatch] = []
        func add(_ batch: ArrivalBatch) -> Int { lock.withLock { batches.append(batch); return batches.count } }
        var all: [ArrivalBatch] { lock.withLock { batches } }
    }

    static func insert(_ database: SQLiteStore, _ texts: [String]) async throws -> [Question.ID] {
        var ids: [Question.ID] = []
        for (index, text) in texts.enumerated() {
            let question = Question(
                text: text, language: .ru, category: .improvement, street: "Саина", channel: .api,
                submittedAt: now.addingTimeInterval(Double(index)))
            ids.append(try #require(try await database.insert(NewQuestion(question: question, contact: nil)).id))
        }
        return ids
    }

    @Test func decidesOutsideTheWriterSoTheWriterIsFreeMeanwhile() async throws {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        let ids = try await Self.insert(database, ["Фонари на Саина не горят", "Нет света на улице Саина"])
        let calls = Calls()
        let writer = database.writer
        let outcome = try await database.placeArrivals(knownRevision: nil, limit: 10, actor: "system", now: Self.now) { batch in
            _ = calls.add(batch)
            // The writer is not held while deciding: another write goes through at once.
            try writer.write { db in
                try db.execute(sql: "INSERT INTO auditEvent (at, actor, action, subject, details) VALUES (?, 'test', 'x', 'y', 'z')",
                               arguments: [Self.now])
            }
            return batch.arrivals.compactMap(\.question.id).map {
                ArrivalPlacement(questionID: $0, topicID: nil, newTopic: 1, facts: Self.facts("Фонари"), score: 0)
            }
        }
        #expect(calls.all.count == 1)
        #expect(outcome.placed.count == 2 && Set(outcome.placed.values).count == 1)
        for id in ids { #expect(try await database.question(id: id)?.topicID == outcome.placed[id]) }
    }

    @Test func anArrivalTriagedMeanwhileIsDecidedAgainInsideTheWriter() async throws {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        let ids = try await Self.insert(database, ["Фонари на Саина не горят", "Нет света на улице Саина"])
        let calls = Calls()
        let writer = database.writer
        let rejected = ids[1]
        let outcome = try await database.placeArrivals(knownRevision: nil, limit: 10, actor: "system", now: Self.now) { batch in
            if calls.add(batch) == 1 {
                // The office rejects the second arrival between the snapshot and the write.
                try writer.write { db in
                    try db.execute(sql: "UPDATE question SET status = 'rejected' WHERE id = ?", arguments: [rejected])
                }
            }
            return batch.arrivals.compactMap(\.question.id).map {
                ArrivalPlacement(questionID: $0, topicID: nil, newTopic: 1, facts: Self.facts("Фонари"), score: 0)
            }
        }
        let batches = calls.all
        #expect(batches.count == 2)
        #expect(batches[1].arrivals.compactMap(\.question.id) == [ids[0]])
        #expect(batches[1].members != nil)  // decided again on a full reconciliation
        #expect(outcome.reconciled && Array(outcome.placed.keys) == [ids[0]])
        #expect(try await database.question(id: rejected)?.topicID == nil)
    }

    @Test func aTopicChangedMeanwhileIsDecidedAgainWithTheMembers() async throws {
        let (database, _) = try QuestionStoreTests.temporaryDatabase()
        let ids = try await Self.insert(database, ["Фонари на Саина не горят", "Нет света на улице Саина"])
        let first = try await database.placeArrivals(knownRevision: nil, limit: 1, actor: "system", now: Self.now) { batch in
            batch.arrivals.compactMap(\.question.id).map {
                ArrivalPlacement(questionID: $0, topicID: nil, newTopic: 1, facts: Self.facts("Фонари"), score: 0)
            }
        }
        let topic = try #require(first.placed[ids[0]])
        let calls = Calls()
        let writer = database.writer
        let outcome = try await database.placeArrivals(knownRevision: first.revision, limit: 10, actor: "system", now: Self.now) {
            batch in
            if calls.add(batch) == 1 {
                // Another process moves a member out of its topic: the revision moves.
                try writer.write { db in try db.execute(sql: "UPDATE question SET topicPinned = 1 WHERE id = ?", arguments: [ids[0]]) }
            }
            return batch.arrivals.compactMap(\.question.id).map {
                ArrivalPlacement(questionID: $0, topicID: topic, facts: Self.facts("Фонари"), score: 0.7)
            }
        }
        let batches = calls.all
        #expect(batches.count == 2)
        #expect(batches[0].members == nil)  // nothing had moved when the snapshot was read
        #expect(batches[1].members?.compactMap(\.question.id) == [ids[0]])
        #expect(outcome.placed == [ids[1]: topic] && outcome.revision > first.revision)
    }
}
