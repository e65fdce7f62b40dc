import ArgumentParser
import Foundation
import QuestionCollection
import TyndauCore
import TyndauSQLite

/// `tyndau demo`: the main job on the embedded default, on a fresh SQLite file and bundled sample
/// questions; each stage prints what it produced.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run every stage on a fresh SQLite file with the bundled sample questions."
    )

    @Option(help: "Database file to create (replaced if it exists).")
    var db = "tyndau-demo.sqlite"

    func run() async throws {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: db + suffix)
        }
        let database = try SQLiteStore.open(path: db)
        print(CLIText.text("demo.database", db))

        // Stage 1: intake — the sample goes through the same validation as every other channel.
        guard let url = Self.sampleQuestions else {
            throw TyndauError.notFound("demo-questions.jsonl")
        }
        let report = try await QuestionImport.run(file: url.path, into: database)
        for line in report.errorLines { Console.error(line) }
        print(CLIText.text("demo.loaded", report.added, report.rejected))

        let questions = try await database.questions(QuestionQuery())
        print(CLIText.text("demo.by-language"))
        for (language, count) in Self.counts(questions.map(\.language.rawValue)) {
            print("  \(language.padding(toLength: 10, withPad: " ", startingAt: 0)) \(count)")
        }
        print(CLIText.text("demo.by-block"))
        let blocks = questions.map { ($0.category ?? .other).block }
        for block in AgendaBlock.allCases {
            let count = blocks.filter { $0 == block }.count
            print("  \(CoreText.block(block, CLIText.language).padding(toLength: 30, withPad: " ", startingAt: 0)) \(count)")
        }
        print(CLIText.text("demo.sample"))
        for question in questions.prefix(8) {
            print("  " + QuestionListing(question).line)
        }
        try await Self.intakeStage(database: database)
        try await Self.groupTopics(database)
        try await Self.runAgendaStage(database: database)
        if let meeting = try await Self.meetingStage(database: database) {
            try await Self.publishStage(database: database, meeting: meeting)
        }
        try await Self.telegramStage(database: database)
        try database.checkpoint()
        print(CLIText.text("demo.public.title", db))
        for path in ["/meetings/\(Self.demoWeek)", "/promises", "/live", "/stats", "/open-data", "/feeds/meetings.atom", "/feeds/meetings.ics"] {
            print("  http://127.0.0.1:8080" + path)
        }
    }

    /// The bundled sample of resident questions.
    static var sampleQuestions: URL? { Bundle.module.url(forResource: "demo-questions", withExtension: "jsonl") }

    static func counts(_ values: [String]) -> [(String, Int)] {
        Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +).sorted { ($1.1, $0.0) < ($0.1, $1.0) }
    }
}
