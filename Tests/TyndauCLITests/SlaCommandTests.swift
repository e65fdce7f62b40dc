import Foundation
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

@Suite struct SlaCommandTests {
    @Test func reportsTheGoldenHourAndRefusesABadSince() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-sla-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("t.sqlite").path
        let database = try SQLiteStore.open(path: db)
        let question = Question(text: "Когда уберут снег во дворе Саина 10?", language: .ru, channel: .web, submittedAt: Date().addingTimeInterval(-7200))
        _ = try await database.submit([IntakeSubmission(newQuestion: NewQuestion(question: question), clientKey: "c", textKey: "t")], now: Date())

        #expect(await Tyndau.main(arguments: ["sla", "--db", db, "--since", "7d", "--json"]) == 0)
        #expect(await Tyndau.main(arguments: ["sla", "--db", db, "--since", "whenever"]) == 2)

        let report = try await database.goldenHour(since: nil, now: Date(), window: 3600, oldestLimit: 3)
        let lines = SlaCommand.lines(report)
        #expect(lines.count == 8)
        #expect(lines.last?.contains(report.oldestUntriaged[0].ticket) == true)
        #expect(report.pendingOverdue == 1)
    }
}
