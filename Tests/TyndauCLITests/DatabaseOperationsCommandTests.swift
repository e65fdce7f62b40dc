import Foundation
import Testing
import TyndauCore
import TyndauPostgres
import TyndauSQLite
@testable import TyndauCLI

/// `tyndau db backup` and `tyndau db copy` on the demo's database: every stage's tables filled.
@Suite struct DatabaseOperationsCommandTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-dbops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Each table's rows in rowid order, and each id counter, read through the store's own snapshot.
    static func dump(_ path: String) async throws -> [String: [[StoredValue]]] {
        let database = try SQLiteStore.open(path: path)
        let snapshot = try await database.openCopySnapshot()
        var tables: [String: [[StoredValue]]] = [:]
        for table in try await database.tablesToCopy() {
            var rows: [[StoredValue]] = []
            var position: CopyPosition?
            repeat {
                let batch = try await snapshot.rows(table, after: position, limit: 100)
                rows += batch.rows
                position = batch.next
            } while position != nil
            tables[table.name] = rows
            if let sequence = try await snapshot.sequenceValue(table) { tables[table.name + ".sequence"] = [[.integer(sequence)]] }
        }
        try await snapshot.close()
        return tables
    }

    /// The stages of `tyndau demo`, with the agenda files written into the test's folder.
    static func runDemoStages(path: String, agendas: String) async throws {
        let database = try SQLiteStore.open(path: path)
        let sample = try #require(DemoCommand.sampleQuestions)
        _ = try await QuestionImport.run(file: sample.path, into: database)
        try await DemoCommand.intakeStage(database: database)
        try await DemoCommand.groupTopics(database)
        try await DemoCommand.runAgendaStage(database: database, outputFolder: agendas)
        let meeting = try #require(try await DemoCommand.meetingStage(database: database))
        try await DemoCommand.publishStage(database: database, meeting: meeting)
        try await DemoCommand.telegramStage(database: database)
        try database.checkpoint()
    }

    @Test func theDemoDatabaseIsCopiedTableByTableAndASecondCopyIsRefused() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let demo = folder.appendingPathComponent("demo.sqlite").path
        let copy = folder.appendingPathComponent("moved.sqlite").path
        try await Self.runDemoStages(path: demo, agendas: folder.appendingPathComponent("agendas").path)

        #expect(await Tyndau.main(arguments: ["db", "copy", "--from", "sqlite:" + demo, "--to", copy, "--batch-size", "50"]) == 0)
        let original = try await Self.dump(demo)
        #expect(try await Self.dump(copy) == original)
        for table in ["question", "asker", "topic", "meeting", "agendaItem", "answer", "delivery", "deliveryAttempt", "auditEvent", "endpoint"] {
            #expect(original[table]?.isEmpty == false, "the demo left \(table) empty")
        }
        // Into a target that now holds data: refused, nothing changes.
        #expect(await Tyndau.main(arguments: ["db", "copy", "--from", demo, "--to", "sqlite:" + copy]) == 1)
        #expect(try await Self.dump(copy) == original)
        // A source that does not exist is not created.
        let missing = folder.appendingPathComponent("missing.sqlite").path
        #expect(await Tyndau.main(arguments: ["db", "copy", "--from", missing, "--to", folder.appendingPathComponent("x.sqlite").path]) == 1)
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(await Tyndau.main(arguments: ["db", "copy", "--from", "mysql://localhost/x", "--to", copy]) == 1)
        #expect(await Tyndau.main(arguments: ["db", "copy", "--from", demo, "--to", copy, "--batch-size", "0"]) == 2)
    }

    static let postgresServer = ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    @Test(.enabled(if: postgresServer != nil))
    func theDemoMovesToPostgreSQLAndBackUnchanged() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let demo = folder.appendingPathComponent("demo.sqlite").path
        let back = folder.appendingPathComponent("back.sqlite").path
        try await Self.runDemoStages(path: demo, agendas: folder.appendingPathComponent("agendas").path)
        let server = try PostgresLocation(url: try #require(Self.postgresServer))
        let name = "copy_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await PostgresStore.createDatabase(name, on: server)
        let target = server.with(database: name)
        do {
            let serverURL = try #require(Self.postgresServer)
            var components = try #require(URLComponents(string: serverURL))
            components.path = "/" + name
            let url = try #require(components.string)
            #expect(await Tyndau.main(arguments: ["db", "copy", "--from", "sqlite:" + demo, "--to", url]) == 0)
            #expect(await Tyndau.main(arguments: ["db", "copy", "--from", demo, "--to", url]) == 1)
            #expect(await Tyndau.main(arguments: ["db", "copy", "--from", url, "--to", back]) == 0)
            #expect(try await Self.dump(back) == Self.dump(demo))
            // The moved database works: the next question continues the ticket numbers.
            let moved = try await PostgresStore.open(target)
            let next = try await moved.insert(NewQuestion(question: Question(text: "После переезда", language: .ru, channel: .cli, submittedAt: Date())))
            #expect(next.id == (try await SQLiteStore.open(path: demo).questions(QuestionQuery()).compactMap(\.id).max() ?? 0) + 1)
            await moved.close()
        } catch {
            try? await PostgresStore.dropDatabase(name, on: server)
            throw error
        }
        try await PostgresStore.dropDatabase(name, on: server)
    }

    @Test func aBackupIsWrittenOnceAndReplacedOnlyWithForce() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("tyndau.sqlite").path
        let database = try SQLiteStore.open(path: db)
        _ = try await database.insert(NewQuestion(question: Question(text: "Когда уберут снег?", language: .ru, channel: .cli, submittedAt: Date())))
        let backup = folder.appendingPathComponent("backup.sqlite").path
        #expect(await Tyndau.main(arguments: ["db", "backup", backup, "--db", db]) == 0)
        #expect(try await Self.dump(backup) == Self.dump(db))
        _ = try await database.insert(NewQuestion(question: Question(text: "И ещё вопрос", language: .ru, channel: .cli, submittedAt: Date())))
        #expect(await Tyndau.main(arguments: ["db", "backup", backup, "--db", db]) == 1)
        #expect(try await Self.dump(backup)["question"]?.count == 1)
        #expect(await Tyndau.main(arguments: ["db", "backup", backup, "--db", db, "--force"]) == 0)
        #expect(try await Self.dump(backup)["question"]?.count == 2)
        #expect(await Tyndau.main(arguments: ["db", "backup", folder.appendingPathComponent("b2.sqlite").path, "--db", folder.appendingPathComponent("none.sqlite").path]) == 1)
    }

    @Test func everyCommandReadsDatabaseAddressesOneWay() throws {
        #expect(try DatabaseLocation(setting: "sqlite:./tyndau.sqlite") == .sqlite(path: "./tyndau.sqlite"))
        #expect(try DatabaseLocation(setting: "SQLite:./tyndau.sqlite") == .sqlite(path: "./tyndau.sqlite"))
        #expect(try DatabaseLocation(setting: "sqlite:///var/lib/tyndau/t.sqlite") == .sqlite(path: "/var/lib/tyndau/t.sqlite"))
        #expect(try DatabaseLocation(setting: " tyndau.sqlite ") == .sqlite(path: "tyndau.sqlite"))
        #expect(try DatabaseLocation(setting: "postgres://tyndau:secret@db:5432/tyndau")
            == .postgres(try PostgresLocation(url: "postgres://tyndau:secret@db:5432/tyndau")))
        #expect(try DatabaseLocation(setting: "postgresql://db/tyndau") == .postgres(try PostgresLocation(url: "postgresql://db/tyndau")))
        #expect(try DatabaseLocation(setting: "postgres://tyndau:secret@db:5432/tyndau").description == "postgres://tyndau:***@db:5432/tyndau")
        // PostgreSQL URLs are checked strictly, whichever command reads them.
        #expect(throws: TyndauError.self) { try DatabaseLocation(setting: "postgres://db/tyndau?sslmod=require", name: "--to") }
        #expect(throws: TyndauError.databaseURL("--from", "sqlite:")) { try DatabaseLocation(setting: "sqlite:", name: "--from") }
        #expect(throws: TyndauError.databaseURL("database", "")) { try DatabaseLocation(setting: "  ") }
        #expect(throws: TyndauError.databaseURL("--from", "mysql://u:***@host/x")) {
            try DatabaseLocation(setting: "mysql://u:p@host/x", name: "--from")
        }
    }

    @Test func anUnknownSchemeIsRefusedNamingTheSettingInEveryLanguage() throws {
        let error = TyndauError.databaseURL("database (--db, TYNDAU_DB)", "mysql://u:***@host/x")
        for language in UILanguage.allCases {
            let message = error.localizedMessage(in: language)
            #expect(message.contains("database (--db, TYNDAU_DB)") && message.contains("mysql://u:***@host/x"), "\(language): \(message)")
            #expect(!message.contains("{"), "\(language): \(message)")
        }
        #expect(error.localizedMessage(in: .ru).contains("адрес базы данных"))
        #expect(error.localizedMessage(in: .kk).contains("дерекқор мекенжайы"))
        let options = try GlobalOptions.parse(["--db", "mysql://u:p@host/x"])
        #expect(throws: TyndauError.databaseURL("database (--db, TYNDAU_DB)", "mysql://u:***@host/x")) {
            _ = try options.configuration(environment: [:]).database.location
        }
    }

    @Test func theDatabaseSettingRefusesAnUnknownSchemeInEveryCommand() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bogus = "mysql://u:p@" + folder.lastPathComponent + "/x"
        #expect(await Tyndau.main(arguments: ["db", "migrate", "--db", bogus]) == 1)
        #expect(await Tyndau.main(arguments: ["db", "backup", folder.appendingPathComponent("b.sqlite").path, "--db", bogus]) == 1)
        #expect(await Tyndau.main(arguments: ["db", "copy", "--from", "sqlite:" + folder.appendingPathComponent("a.sqlite").path, "--to", bogus]) == 1)
        // Nothing was created under a name made of the URL.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "mysql:"))
    }

    /// The registry that closes a command's PostgreSQL pools belongs to that command: a command that
    /// finishes (here one nested inside another's work, as parallel tests run them) closes only its own.
    @Test(.enabled(if: postgresServer != nil))
    func aCommandClosesOnlyThePoolsItOpened() async throws {
        let server = try PostgresLocation(url: try #require(Self.postgresServer))
        let name = "scope_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await PostgresStore.createDatabase(name, on: server)
        let serverURL = try #require(Self.postgresServer)
        var components = try #require(URLComponents(string: serverURL))
        components.path = "/" + name
        let url = try #require(components.string)
        do {
            let counted = await OpenStores.scoped { () -> Result<Int, TyndauError> in
                do {
                    let store = try await DatabaseLocation(setting: url).open()
                    _ = try await store.insert(NewQuestion(question: Question(text: "Первый", language: .ru, channel: .cli, submittedAt: Date())))
                    // Another command opens and closes its own pool on the same database meanwhile.
                    #expect(await Tyndau.main(arguments: ["db", "migrate", "--db", url]) == 0)
                    #expect(await Tyndau.main(arguments: ["questions", "list", "--db", url]) == 0)
                    // This command's pool is still open.
                    _ = try await store.insert(NewQuestion(question: Question(text: "Второй", language: .ru, channel: .cli, submittedAt: Date())))
                    return .success(try await store.questions(QuestionQuery()).count)
                } catch {
                    return .failure(error as? TyndauError ?? TyndauError.databaseFailed("\(error)"))
                }
            }
            #expect(try counted.get() == 2)
        } catch {
            try? await PostgresStore.dropDatabase(name, on: server)
            throw error
        }
        try await PostgresStore.dropDatabase(name, on: server)
    }
}
