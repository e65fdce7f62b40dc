import Foundation
import GRDB
import Testing
import TyndauCore
@testable import TyndauSQLite

@Suite struct QuestionStoreTests {
    /// A fresh database file in a temporary folder: the real thing, WAL and all.
    static func temporaryDatabase() throws -> (SQLiteStore, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("tyndau.sqlite").path
        return (try SQLiteStore.open(path: path), path)
    }

    static func sample(_ text: String = "Когда починят фонари на улице Саина?", sourceKey: String? = nil) -> NewQuestion {
        NewQuestion(
            question: Question(text: text, language: .ru, channel: .cli, submittedAt: Date(timeIntervalSince1970: 1_790_000_000)),
            contact: AskerContact(name: "Айгуль", phone: "+77011234567", consent: true),
            sourceKey: sourceKey
        )
    }

    @Test func migratesFromEmpty() throws {
        let (database, _) = try Self.temporaryDatabase()
        #expect(try database.appliedMigrations() == SQLiteStore.knownMigrations)
        let tables = try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        for table in ["question", "asker", "topic", "meeting", "agendaItem", "answer", "commitment", "delivery", "auditEvent"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let journal = try database.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test func reopeningMigratesNothingTwice() throws {
        let (_, path) = try Self.temporaryDatabase()
        let again = try SQLiteStore.open(path: path)
        #expect(try again.appliedMigrations() == SQLiteStore.knownMigrations)
    }

    @Test func refusesDatabaseFromNewerVersion() throws {
        let (database, path) = try Self.temporaryDatabase()
        try database.writer.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        #expect(throws: TyndauError.databaseTooNew(path)) {
            _ = try SQLiteStore.open(path: path)
        }
    }

    @Test func storesQuestionWithTicketAndPersonalDataApart() async throws {
        let (database, _) = try Self.temporaryDatabase()
        let stored = try await database.insert(Self.sample())
        let id = try #require(stored.id)
        #expect(stored.ticket == Ticket.make(id: id, submittedAt: stored.submittedAt))

        // The question row holds no personal data; the asker row holds it, keyed by the question.
        let questionRow = try database.writer.read { db in try Row.fetchOne(db, sql: "SELECT * FROM question")! }
        for column in questionRow.columnNames {
            let value = questionRow[column].map { "\($0)" } ?? ""
            #expect(!value.contains("Айгуль") && !value.contains("7011234567"), "column \(column) leaks personal data")
        }
        let contact = try await database.contact(questionID: id)
        #expect(contact?.name == "Айгуль")
        #expect(contact?.phone == "+77011234567")

        try await database.eraseContact(questionID: id, actor: "test", now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(try await database.contact(questionID: id) == nil)
        #expect(try await database.question(id: id)?.text == stored.text)
    }

    @Test func findsByTicketCaseInsensitively() async throws {
        let (database, _) = try Self.temporaryDatabase()
        let stored = try await database.insert(Self.sample())
        let ticket = try #require(stored.ticket)
        #expect(try await database.question(ticket: ticket.lowercased())?.id == stored.id)
    }

    @Test func legalTransitionIsAudited() async throws {
        let (database, _) = try Self.temporaryDatabase()
        let id = try #require(try await database.insert(Self.sample()).id)
        let moved = try await database.updateStatus(questionID: id, to: .acknowledged, reason: nil, actor: "cli:test", now: Date())
        #expect(moved.status == .acknowledged)
        let events = try await database.auditEvents(subject: "question:\(id)", limit: 10)
        #expect(events.first?.action == "question.status")
        #expect(events.first?.actor == "cli:test")
    }

    @Test func illegalTransitionIsRefusedAndLeavesRowUnchanged() async throws {
        let (database, _) = try Self.temporaryDatabase()
        let id = try #require(try await database.insert(Self.sample()).id)
        await #expect(throws: TyndauError.illegalTransition(from: .received, to: .answered)) {
            try await database.updateStatus(questionID: id, to: .answered, reason: nil, actor: "test", now: Date())
        }
        #expect(try await database.question(id: id)?.status == .received)
        #expect(try await database.auditEvents(subject: "question:\(id)", limit: 10).isEmpty)
    }

    @Test func batchSkipsSourceKeysAlreadyStored() async throws {
        let (database, _) = try Self.temporaryDatabase()
        let batch = [Self.sample(sourceKey: "ext:1"), Self.sample("Второй вопрос про воду в Шугыле", sourceKey: "ext:2")]
        let first = try await database.insert(batch: batch)
        #expect(first.inserted.count == 2)
        let second = try await database.insert(batch: batch)
        #expect(second.inserted.isEmpty)
        #expect(second.alreadyPresent == 2)
        #expect(try await database.countQuestions(status: nil) == 2)
    }

    @Test func listsByStatus() async throws {
        let (database, _) = try Self.temporaryDatabase()
        let id = try #require(try await database.insert(Self.sample()).id)
        _ = try await database.insert(Self.sample("Другой вопрос о ремонте дороги"))
        try await database.updateStatus(questionID: id, to: .rejected, reason: "spam", actor: "test", now: Date())
        let rejected = try await database.questions(QuestionQuery(statuses: [.rejected]))
        #expect(rejected.map(\.id) == [id])
        #expect(rejected.first?.statusReason == "spam")
        #expect(try await database.countQuestions(status: .received) == 1)
    }
}
