import Foundation
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

@Suite struct ImportCommandTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func keepsGoodRowsNamesBadOnesAndReimportsNothing() async throws {
        let folder = try Self.folder()
        let file = folder.appendingPathComponent("questions.csv")
        try """
            text,street,category,name,phone,submitted_at
            Когда починят фонари на улице Саина?,Саина,improvement,,,2026-11-25T10:00:00+05:00
            Мектепте жылу жоқ, балалар тоңып жүр,,,,,
            Свет?,,,,,
            Во дворе дома 12 по Момышулы не вывозят мусор,Момышулы,improvement,Ерлан,8 701 123 45 67,
            Нет воды третий день в микрорайоне Шугыла,Шугыла,utilities,,12345,
            """.write(to: file, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("t.sqlite").path

        // Row 3 has an extra column (unquoted comma), row 4 is too short, row 6 has a bad phone.
        let report = try await QuestionImport.run(file: file.path, into: try SQLiteStore.open(path: db))
        #expect(report.added == 2)
        #expect(report.rejected == 3)
        #expect(report.errorLines.count == 3)
        #expect(report.errorLines[0].contains("3"))
        #expect(report.errorLines[1].contains("4"))
        #expect(report.errorLines[2].contains("6") && report.errorLines[2].contains("phone"))

        let exit = await Tyndau.main(arguments: ["questions", "import", file.path, "--db", db])
        #expect(exit == 1)
        let database = try SQLiteStore.open(path: db)
        #expect(try await database.countQuestions(status: nil) == 2)
    }

    @Test func usageErrorExitsWithTwo() async {
        #expect(await Tyndau.main(arguments: ["questions", "list", "--status", "nonsense"]) == 2)
        #expect(await Tyndau.main(arguments: ["no-such-command"]) == 2)
    }

    @Test func runtimeErrorExitsWithOne() async throws {
        let folder = try Self.folder()
        let db = folder.appendingPathComponent("t.sqlite").path
        #expect(await Tyndau.main(arguments: ["questions", "import", "/nonexistent/file.csv", "--db", db]) == 1)
        #expect(await Tyndau.main(arguments: ["questions", "add", "Свет?", "--db", db]) == 1)
        #expect(await Tyndau.main(arguments: ["questions", "add", "Когда починят фонари на улице Саина?", "--db", db]) == 0)
    }
}
