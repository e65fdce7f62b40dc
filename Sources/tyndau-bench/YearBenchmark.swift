import Foundation
import QuestionCollection
import TyndauCore
import TyndauSQLite

/// `tyndau-bench year --export FILE [--rows N]`: a year of questions as an import file (JSON Lines,
/// N rows, default 100,000: the grouping corpus's texts, so that grouping finds about 7,200 topics;
/// submitted over the eleven months to 1 December 2026, a third with a contact). `bench/year.sh` imports it with
/// `tyndau questions import`, groups it with `tyndau topics group` and times the console's pages.
///
/// `tyndau-bench year --engine FILE`: the same work as those two commands, in this process and without
/// the command line around it — the figures the commands are compared with:
/// - import: the file read and parsed by `ImportReader`, each row validated, stored with
///   `insert(batch:)` in a fresh SQLite file (what `questions import` does; `tyndau-bench import`
///   skips the file and the parser);
/// - grouping: the stored questions read back, analysed, attached one by one and the topics written
///   with `TopicGrouping` (what `topics group` does), beside the in-memory part alone (analysis in
///   parallel and attachment, as `tyndau-bench grouping --scale` measures it, without its refinement).
enum YearBenchmark {
    static func run(_ arguments: [String]) async throws {
        if let path = Measure.option("--export", in: arguments) {
            let rows = Int(Measure.option("--rows", in: arguments) ?? "") ?? 100_000
            try export(rows: rows, to: path)
            return
        }
        guard let path = Measure.option("--engine", in: arguments) else {
            throw TyndauError.validation(["--export|--engine": "field.required"])
        }
        try await engine(file: path)
    }

    /// Fixed "now" for the file, so two runs write the same bytes.
    static let end = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
    /// The first question's moment: the working calendar the agenda needs for written-answer deadlines
    /// starts with 2026 (`kz-working-calendar.json`), and a question from a year it does not cover makes
    /// the planner refuse — a year reaching back into 2025 timed that refusal, not the agenda page.
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func export(rows: Int, to path: String) throws {
        var corpus = GroupingCorpus(seed: 7)
        var random = SplitMix64(seed: 365)
        let formatter = ISO8601DateFormatter()
        var text = ""
        text.reserveCapacity(rows * 160)
        for index in 0..<rows {
            // Oldest first, from `start` to `end`, a few minutes apart on average; equal seconds happen.
            let span = end.timeIntervalSince(start) - 60
            let seconds = Double(rows - index) * span / Double(rows) + Double(random.next(60))
            var object: [String: String] = [
                "text": corpus.next().text, "external_id": "year-\(index)",
                "submitted_at": formatter.string(from: end.addingTimeInterval(-seconds)),
            ]
            if index % 3 == 0 {
                object["name"] = "Житель \(index % 997)"
                object["phone"] = "+7701\(1_000_000 + (index * 7919) % 9_000_000)"
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        Measure.emit("year_rows", Double(rows))
    }

    static func engine(file: String) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-bench-year-\(getpid()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let database = try SQLiteStore.open(path: path)
        let now = end
        let (stored, importSeconds) = try await Measure.seconds { () async throws -> Int in
            let content = try String(contentsOfFile: file, encoding: .utf8)
            let rows = ImportReader.read(content, format: ImportReader.format(path: file, content: content))
            let validator = QuestionValidator()
            var total = 0
            var batch: [NewQuestion] = []
            for row in rows {
                guard var newQuestion = try? validator.validate(try row.result.get(), now: now) else { continue }
                newQuestion.sourceKey = row.sourceKey
                batch.append(newQuestion)
                if batch.count == 5_000 {
                    total += try await database.insert(batch: batch).inserted.count
                    batch.removeAll(keepingCapacity: true)
                }
            }
            total += try await database.insert(batch: batch).inserted.count
            return total
        }
        Measure.emit("year_import_engine_rows", Double(stored))
        Measure.emit("year_import_engine_seconds", importSeconds, decimals: 3)
        Measure.emit("year_import_engine_rows_per_s", Double(stored) / importSeconds)

        // The in-memory part alone: analysis (in parallel) and attachment in arrival order.
        let texts = try await database.groupingCandidates().map(\.question.text)
        let lexicon = DomainLexicon.bundled
        let (topics, memorySeconds) = await Measure.seconds { () async -> Int in
            let features = await ScaleRun.analyzeInParallel(texts, lexicon: lexicon)
            var grouper = TopicGrouper(scorer: PairScorer(lexicon: lexicon))
            for (index, feature) in features.enumerated() { grouper.add(id: Int64(index), features: feature) }
            return grouper.groups.count
        }
        Measure.emit("year_group_memory_seconds", memorySeconds, decimals: 3)
        Measure.emit("year_group_memory_topics", Double(topics))

        // The whole run as `topics group` does it: read, group, write.
        let (report, runSeconds) = try await Measure.seconds {
            try await TopicGrouping(lexicon: lexicon).run(store: database, rebuild: false, actor: "bench", now: now)
        }
        Measure.emit("year_group_engine_seconds", runSeconds, decimals: 3)
        Measure.emit("year_group_engine_topics", Double(report.topics))
        Measure.emit("year_engine_load_average", ScaleRun.loadAverage(), decimals: 2)
    }
}
