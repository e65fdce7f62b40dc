import Foundation
import GRDB
import Testing
import TyndauCore
@testable import TyndauSQLite

/// `SQLiteStore.backup` (SQLite online backup) and the SQLite side of `TableCopying` driven by
/// `StoreCopy`, on real files, with another connection writing meanwhile.
@Suite struct BackupAndCopyTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Questions that always come with a contact, inserted in one transaction each batch: a consistent
    /// copy has exactly as many askers as questions, and every question has its ticket.
    static func batch(_ round: Int, size: Int = 20) -> [NewQuestion] {
        (0..<size).map { index in
            NewQuestion(
                question: Question(text: "Вопрос \(round)-\(index) о дворе", language: .ru, channel: .import,
                                   submittedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(round * 100 + index))),
                contact: AskerContact(phone: "+7701\(String(format: "%07d", round * 100 + index))", consent: true),
                sourceKey: "ext:\(round)-\(index)")
        }
    }

    /// Keeps inserting batches through its own connection until cancelled; returns how many it wrote.
    static func keepWriting(_ path: String) -> Task<Int, any Error> {
        Task.detached {
            let writer = try SQLiteStore.open(path: path)
            var round = 1000
            while !Task.isCancelled {
                do {
                    _ = try await writer.insert(batch: batch(round))
                } catch where Task.isCancelled {
                    break  // cancelled mid-transaction: that batch rolled back
                }
                round += 1
            }
            return round - 1000
        }
    }

    static func consistency(_ path: String) throws -> (questions: Int, askers: Int, withoutTicket: Int) {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            #expect(try String.fetchAll(db, sql: "PRAGMA quick_check") == ["ok"])
            return (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM question")!,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM asker")!,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM question WHERE ticket IS NULL")!
            )
        }
    }

    @Test func aBackupTakenWhileAnotherConnectionWritesIsOneConsistentMoment() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tyndau.sqlite").path
        let database = try SQLiteStore.open(path: path)
        _ = try await database.insert(batch: Self.batch(0, size: 50))

        let writing = Self.keepWriting(path)
        // Wait until the writer has committed at least once, so the backups really overlap its work.
        while try await database.countQuestions(status: nil) <= 50 { await Task.yield() }
        var counts: [Int] = []
        for round in 0..<4 {
            let file = folder.appendingPathComponent("backup-\(round).sqlite").path
            let summary = try SQLiteStore.backup(path: path, to: file)
            let state = try Self.consistency(file)
            #expect(state.questions == state.askers, "backup \(round) caught a transaction halfway")
            #expect(state.withoutTicket == 0)
            #expect(summary.questions == state.questions && summary.migrations == SQLiteStore.knownMigrations)
            #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
            counts.append(state.questions)
        }
        writing.cancel()
        let rounds = try await writing.value
        #expect(rounds > 0)
        #expect(counts == counts.sorted() && counts[0] > 50)
        #expect(try await database.countQuestions(status: nil) >= counts.last!)
        // A backup opens as a normal Tyndau database.
        let restored = try SQLiteStore.open(path: folder.appendingPathComponent("backup-3.sqlite").path)
        #expect(try await restored.countQuestions(status: nil) == counts[3])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty)
    }

    @Test func aBackupNeverOverwritesUnlessAskedAndNeverCreatesAMissingSource() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tyndau.sqlite").path
        let database = try SQLiteStore.open(path: path)
        _ = try await database.insert(batch: Self.batch(0, size: 3))
        let file = folder.appendingPathComponent("copy.sqlite").path
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: file))

        #expect(throws: TyndauError.backupTargetExists(file)) { _ = try SQLiteStore.backup(path: path, to: file) }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "not a database")
        #expect(throws: TyndauError.backupTargetExists(path)) { _ = try SQLiteStore.backup(path: path, to: path, replacing: true) }

        let summary = try SQLiteStore.backup(path: path, to: file, replacing: true)
        #expect(summary.questions == 3 && summary.bytes > 0)
        #expect(try Self.consistency(file).questions == 3)

        let missing = folder.appendingPathComponent("missing.sqlite").path
        #expect(throws: TyndauError.databaseMissing(missing)) {
            _ = try SQLiteStore.backup(path: missing, to: folder.appendingPathComponent("x.sqlite").path)
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    /// A database with rows in many tables, ids with gaps (deleted topics), and a counter ahead of max(id).
    static func populated(_ path: String) async throws -> SQLiteStore {
        let database = try SQLiteStore.open(path: path)
        let inserted = try await database.insert(batch: batch(0, size: 12)).inserted.map { $0.id! }
        _ = try await database.submit([
            IntakeSubmission(
                newQuestion: NewQuestion(question: Question(text: "Живой вопрос", language: .kk, channel: .web, submittedAt: Date(timeIntervalSince1970: 1_800_000_500))),
                clientKey: "client", textKey: "text"),
        ], now: Date(timeIntervalSince1970: 1_800_000_500))
        let topics = try await database.saveGrouping(
            [
                TopicAssignment(topicID: nil, questionIDs: Array(inserted[0..<4]), facts: TopicFacts(
                    representativeQuestionID: inserted[0], title: "Двор", category: .improvement, placeKey: "p", place: "Саина",
                    conceptKey: "yard", reason: "yard")),
                TopicAssignment(topicID: nil, questionIDs: Array(inserted[4..<8]), facts: TopicFacts(
                    representativeQuestionID: inserted[4], title: "Свет", category: .utilities, placeKey: nil, place: nil,
                    conceptKey: "lighting", reason: "lighting")),
                TopicAssignment(topicID: nil, questionIDs: Array(inserted[8..<12]), facts: TopicFacts(
                    representativeQuestionID: inserted[8], title: "Дороги", category: .transport, placeKey: nil, place: nil,
                    conceptKey: nil, reason: "roads")),
            ], actor: "test", now: Date(timeIntervalSince1970: 1_800_001_000))
        // A merge deletes the last topic: its id stays used (the counter is ahead of max(id)).
        try await database.mergeTopics(into: topics[1], from: topics[2], actor: "office", now: Date(timeIntervalSince1970: 1_800_001_100))
        try await database.renameTopic(topics[0], title: "Двор на Саина", actor: "office", now: Date(timeIntervalSince1970: 1_800_001_200))
        let week = ISOWeek("2027-W05")!
        let start = Date(timeIntervalSince1970: 1_801_000_000)
        try await database.setAgendaMark(AgendaMark(week: week, topicID: topics[0], kind: .pin, actor: "office", at: start.addingTimeInterval(-90_000)))
        try await database.setSeriesSettings(["duration_minutes": "90"], actor: "office", now: start.addingTimeInterval(-90_000))
        try await database.saveAgenda(AgendaRecord(
            meeting: Meeting(week: week, startsAt: start, durationMinutes: 90, timeZone: "Asia/Almaty"),
            items: [AgendaItem(meetingID: 0, topicID: topics[0], position: 1, block: .landscapingUtilities, startOffsetMinutes: 5, minutes: 10, why: "pinned")],
            writtenAnswers: [WrittenAnswerEntry(topicID: topics[1], week: week, deadline: "2027-02-15", weeksWaited: 2)]),
            actor: "office", now: start.addingTimeInterval(-86_400))
        let item = try await database.agendaItems(week: week)[0]
        try await database.recordAnswer(
            AnswerInput(text: "Благоустроим весной", kind: .commitment, responsible: "Отдел ЖКХ", dueDate: "2027-04-01"),
            week: week, itemID: item.id!, actor: "office", now: start.addingTimeInterval(600))
        _ = try await database.closeMeeting(week: week, actor: "office", now: start.addingTimeInterval(3600))
        try await database.syncEndpoints([Endpoint(name: "site", kind: "webhook", tags: ["public"]), Endpoint(name: "mail", kind: "email")])
        _ = try await database.publishMeeting(week: week, batches: [
            OutboxBatch(message: OutgoingMessage(messageKey: "digest:\(week)", body: "Итоги"), endpointNames: ["site"]),
            OutboxBatch(message: OutgoingMessage(messageKey: "notice:\(inserted[0])", body: "Ответ", recipientQuestionID: inserted[0]), endpointNames: ["mail"]),
        ], now: start.addingTimeInterval(3700))
        let claimed = try await database.claimDue(now: start.addingTimeInterval(3800), lease: 60, limit: 5)
        try await database.apply(claimed.map {
            DeliveryReport(
                claimed: $0,
                attempts: [DeliveryAttempt(deliveryID: $0.id, at: start.addingTimeInterval(3800), part: 0, httpStatus: 200, latencyMs: 5, outcome: .sent)],
                partsSent: 1, resolution: .sent(remoteID: "r\($0.id)"), now: start.addingTimeInterval(3800))
        })
        try await database.saveBotOffset(77, bot: "bot", now: start)
        _ = try await database.claimBotPolling(bot: "bot", holder: "serve", until: start.addingTimeInterval(30), now: start)
        _ = try await database.storeBotQuestion(BotQuestion(
            newQuestion: NewQuestion(
                question: Question(text: "Из телеграма", language: .ru, channel: .telegram, submittedAt: start), sourceKey: "tgm_a_1"),
            chatKey: "tgc_a", messageID: 1,
            media: [BotMedia(kind: .photo, fileID: "f", fileUniqueID: "u", messageID: 1)]), now: start)
        _ = try await database.recordBotConsent(chatKey: "tgc_a", chatID: 42, language: .kk, now: start)
        return database
    }

    /// Every user table's rows, in rowid order, as GRDB reads them, plus the id counters.
    static func dump(_ path: String) throws -> [String: [[DatabaseValue]]] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var tables: [String: [[DatabaseValue]]] = [:]
            // groupingRevision is a change counter kept by triggers (topics on arrival), not data: copies skip it.
            // So is topicAsker (each person's questions per topic, counted by triggers): the target counts again,
            // and the topics' counts, which are compared, come out equal.
            for name in try String.fetchAll(
                db,
                sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('grdb_migrations', 'groupingRevision', 'topicAsker')")
            {
                // sqlite_sequence rows appear in first-insert order, which a copy need not repeat.
                let order = name == "sqlite_sequence" ? "name" : "_rowid_"
                tables[name] = try Row.fetchAll(db, sql: "SELECT * FROM \(name.quotedDatabaseIdentifier) ORDER BY \(order)").map { Array($0.databaseValues) }
            }
            return tables
        }
    }

    @Test func aCopyMovesEveryTableWithItsIdsAndCountersAndVerifiesThem() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sourcePath = folder.appendingPathComponent("source.sqlite").path
        let targetPath = folder.appendingPathComponent("target.sqlite").path
        let source = try await Self.populated(sourcePath)
        let target = try SQLiteStore.open(path: targetPath)

        let report = try await StoreCopy(batchSize: 5).run(from: source, to: target)
        let original = try Self.dump(sourcePath)
        let copied = try Self.dump(targetPath)
        #expect(copied == original)
        let filled = original.filter { !$0.value.isEmpty }.keys.sorted()
        #expect(filled.count >= 20, "only \(filled) hold rows")
        #expect(report.totalRows == original.filter { $0.key != "sqlite_sequence" }.values.reduce(0) { $0 + $1.count })
        // Parents come before children.
        let order = report.tables.map(\.name)
        for (child, parent) in [("asker", "question"), ("question", "topic"), ("agendaItem", "meeting"), ("answer", "agendaItem"),
                                ("commitment", "answer"), ("deliveryAttempt", "delivery"), ("botMedia", "question")] {
            #expect(order.firstIndex(of: parent)! < order.firstIndex(of: child)!, "\(parent) must precede \(child)")
        }
        #expect(!order.contains("grdb_migrations") && !order.contains("sqlite_sequence"))
        // The merged-away topic's id is never handed out again on the target.
        let highest = try #require(report.tables.first { $0.name == "topic" }?.sequence)
        #expect(try await source.agendaTopic(id: highest) == nil)
        let made = try await target.makeSingleQuestionTopics(actor: "test", now: Date())
        #expect(made > 0)
        let ids = try await target.topicOverviews(states: nil).compactMap(\.summary.topic.id)
        #expect(!ids.contains(highest))
        #expect(ids.max() == highest + Int64(made))
        // The copy works like the original.
        #expect(try await target.countQuestions(status: nil) == source.countQuestions(status: nil))
        #expect(try await target.botOffset(bot: "bot") == 77)
    }

    @Test func aCopyRefusesANonEmptyTargetNamingTheTableAndChangesNothing() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try await Self.populated(folder.appendingPathComponent("source.sqlite").path)
        let targetPath = folder.appendingPathComponent("target.sqlite").path
        let target = try SQLiteStore.open(path: targetPath)
        _ = try await target.insert(NewQuestion(question: Question(text: "Уже здесь", language: .ru, channel: .cli, submittedAt: Date())))
        let before = try Self.dump(targetPath)
        await #expect(throws: TyndauError.copyTargetNotEmpty(table: "question", rows: 1)) {
            _ = try await StoreCopy().run(from: source, to: target)
        }
        #expect(try Self.dump(targetPath) == before)
    }

    @Test func aCopyRefusesADifferentSchemaBeforeWritingAnything() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try await Self.populated(folder.appendingPathComponent("source.sqlite").path)
        let target = try SQLiteStore.open(path: folder.appendingPathComponent("target.sqlite").path)
        try await target.writer.write { db in try db.execute(sql: "ALTER TABLE topic ADD COLUMN colour TEXT") }
        await #expect(throws: TyndauError.copySchemaMismatch(table: "topic", detail: "only on the target: colour")) {
            _ = try await StoreCopy().run(from: source, to: target)
        }
        #expect(try await target.countQuestions(status: nil) == 0)
    }

    @Test func aCopyReadsOneSnapshotWhileTheSourceKeepsChanging() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sourcePath = folder.appendingPathComponent("source.sqlite").path
        let source = try SQLiteStore.open(path: sourcePath)
        _ = try await source.insert(batch: Self.batch(0, size: 50))
        let target = try SQLiteStore.open(path: folder.appendingPathComponent("target.sqlite").path)
        let writing = Self.keepWriting(sourcePath)
        while try await source.countQuestions(status: nil) <= 50 { await Task.yield() }
        let report = try await StoreCopy(batchSize: 7).run(from: source, to: target)
        writing.cancel()
        _ = try await writing.value
        let copied = try Self.consistency(folder.appendingPathComponent("target.sqlite").path)
        #expect(copied.questions == copied.askers && copied.withoutTicket == 0 && copied.questions > 50)
        #expect(report.tables.first { $0.name == "question" }?.rows == copied.questions)
    }

    @Test func afterAFailedCopyTheTargetIsEmptyAgain() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try await Self.populated(folder.appendingPathComponent("source.sqlite").path)
        let targetPath = folder.appendingPathComponent("target.sqlite").path
        let target = try SQLiteStore.open(path: targetPath)
        // A trigger on the target refuses the bot's media rows, late in the copy.
        try await target.writer.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON botMedia BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        await #expect(throws: DatabaseError.self) { _ = try await StoreCopy().run(from: source, to: target) }
        let left = try Self.dump(targetPath).filter { $0.key != "sqlite_sequence" && !$0.value.isEmpty }
        #expect(left.isEmpty, "left behind: \(left.keys.sorted())")
        try await target.writer.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
        let report = try await StoreCopy().run(from: source, to: target)
        #expect(report.totalRows > 0)
    }
}
