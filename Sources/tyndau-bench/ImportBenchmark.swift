import Foundation
import QuestionCollection
import TyndauCore
import TyndauSQLite

/// Import throughput: N generated questions validated and stored in a fresh SQLite file,
/// in batches as `tyndau questions import` does.
enum ImportBenchmark {
    static func run(_ arguments: [String]) async throws {
        let count = Int(Measure.option("--rows", in: arguments) ?? "") ?? 100_000
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-bench-import-\(getpid()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let database = try SQLiteStore.open(path: path)
        var generator = QuestionGenerator(seed: 42)
        let rows = (0..<count).map { generator.row(index: $0) }

        let validator = QuestionValidator()
        let (stored, seconds) = try await Measure.seconds { () async throws -> Int in
            var total = 0
            var start = 0
            while start < rows.count {
                let slice = rows[start..<min(start + 5_000, rows.count)]
                let batch = try slice.map { row -> NewQuestion in
                    var newQuestion = try validator.validate(row.submission, now: Date())
                    newQuestion.sourceKey = row.sourceKey
                    return newQuestion
                }
                total += try await database.insert(batch: batch).inserted.count
                start += 5_000
            }
            return total
        }
        precondition(stored == count, "stored \(stored) of \(count)")
        Measure.emit("import_rows", Double(count))
        Measure.emit("import_seconds", seconds, decimals: 3)
        Measure.emit("import_rows_per_s", Double(count) / seconds)
        Measure.emit("import_peak_rss_mib", Measure.peakMemoryMiB(), decimals: 1)
    }
}

/// Deterministic synthetic questions: a few hundred templates × streets × numbers.
struct QuestionGenerator {
    private var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next(_ bound: Int) -> Int { random.next(bound) }

    static let streets = ["Момышулы", "Саина", "Рыскулова", "Жандосова", "Шаляпина", "Алтынсарина", "Толе би", "Абая", "Райымбека", "Сейфуллина"]
    static let templates = [
        "На улице %@ возле дома %d не горят фонари, вечером темно и опасно.",
        "%@ көшесі %d үйдің жанында жарық жоқ, кешке қараңғы.",
        "Когда отремонтируют дорогу по улице %@ у дома %d? Сплошные ямы.",
        "%@ көшесіндегі %d үйде ыстық су жоқ, қашан береді?",
        "Во дворе дома %2$d по %1$@ не вывозят мусор уже неделю.",
        "Школа № %2$d переполнена, дети учатся в три смены, район %1$@.",
        "Prosim ustanovit lejachego policeiskogo na %@ u doma %d.",
        "Автобус по улице %@ ходит раз в час, нужен маршрут до дома %d.",
    ]

    struct Row {
        var submission: Submission
        var sourceKey: String
    }

    mutating func row(index: Int) -> Row {
        let template = Self.templates[next(Self.templates.count)]
        let text = String(format: template, Self.streets[next(Self.streets.count)], 1 + next(250))
        let submission = Submission(text: text, channel: .import, externalID: "bench-\(index)")
        return Row(submission: submission, sourceKey: "ext:bench-\(index)")
    }
}
