import Foundation
import QuestionCollection
import TyndauCore

/// `tyndau-bench grouping --gold PATH.jsonl`: quality against a labelled file (only `text` is given
/// to the engine; `group` is the answer key) — B-cubed precision/recall/F1, adjusted Rand index and
/// size errors of the ten largest true groups. `--threshold X` shows the sensitivity around the
/// fixed threshold (diagnostic only; the product always uses ``PairScorer/defaultThreshold``).
/// `tyndau-bench grouping --scale 10000,100000,1000000`: generated questions grouped from scratch,
/// time and peak memory per size, plus single-question attach time at the largest size.
enum GroupingBenchmark {
    static func run(_ arguments: [String]) async throws {
        if let goldPath = Measure.option("--gold", in: arguments) {
            let threshold =
                Measure.option("--threshold", in: arguments).flatMap(Double.init) ?? PairScorer.defaultThreshold
            try await gold(path: goldPath, threshold: threshold, verbose: arguments.contains("--verbose"))
        }
        if let scale = Measure.option("--scale", in: arguments) {
            let sizes = scale.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            try await ScaleRun.run(sizes: sizes, exportPath: Measure.option("--export", in: arguments))
        }
        if let one = Measure.option("--scale-one", in: arguments).flatMap(Int.init) {
            try await ScaleRun.one(size: one)
            return
        }
        if Measure.option("--gold", in: arguments) == nil && Measure.option("--scale", in: arguments) == nil {
            throw TyndauError.validation(["--gold|--scale": "error.validation"])
        }
    }

    struct GoldRow: Decodable {
        var id: String
        var text: String
        var group: String
    }

    static func gold(path: String, threshold: Double, verbose: Bool) async throws {
        let content: String
        do { content = try String(contentsOfFile: path, encoding: .utf8) } catch { throw TyndauError.notFound(path) }
        let decoder = JSONDecoder()
        let rows = try content.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { try decoder.decode(GoldRow.self, from: Data($0.utf8)) }
        var analyzer = TextAnalyzer()
        var grouper = TopicGrouper(scorer: PairScorer(threshold: threshold))
        let start = ContinuousClock.now
        let features = await ScaleRun.analyzeInParallel(rows.map(\.text), lexicon: analyzer.lexicon)
        for (index, feature) in features.enumerated() {
            grouper.add(id: Int64(index), features: feature)
        }
        grouper.refine()
        let elapsed = ContinuousClock.now - start
        var predicted = [Int](repeating: -1, count: rows.count)
        for (number, group) in grouper.groups.enumerated() {
            for id in group.questionIDs { predicted[Int(id)] = number }
        }
        let truth = rows.map(\.group)
        let (precision, recall) = bCubed(predicted: predicted, truth: truth)
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        let ari = adjustedRandIndex(predicted: predicted, truth: truth)
        let topics = Set(predicted).count
        print("questions=\(rows.count) true_groups=\(Set(truth).count)")
        // Size error of the ten largest true groups: the predicted topic holding most of each.
        let trueGroups = Dictionary(grouping: rows.indices, by: { truth[$0] })
            .sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }.prefix(10)
        let predictedSizes = Dictionary(predicted.map { ($0, 1) }, uniquingKeysWith: +)
        for (rank, (group, members)) in trueGroups.enumerated() {
            let majority = Dictionary(members.map { (predicted[$0], 1) }, uniquingKeysWith: +)
                .max { ($0.value, -$0.key) < ($1.value, -$1.key) }!.key
            let size = predictedSizes[majority] ?? 0
            print(
                "size_error_\(rank + 1)=\(abs(size - members.count)) group=\(group) true=\(members.count) predicted=\(size)"
            )
        }
        if verbose { explain(rows: rows, predicted: predicted, grouper: grouper, analyzer: &analyzer) }
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        Measure.emit("grouping_ms", milliseconds, decimals: 1)
        print(
            String(
                format: "b3_precision=%.3f b3_recall=%.3f b3_f1=%.3f ari=%.3f topics=%d", precision, recall, f1, ari,
                topics))
    }

    /// Prints each predicted topic with its members' true groups, for looking at errors by hand.
    static func explain(rows: [GoldRow], predicted: [Int], grouper: TopicGrouper, analyzer: inout TextAnalyzer) {
        let lexicon = analyzer.lexicon
        for topic in Set(predicted).sorted() {
            print("-- topic \(topic)")
            for index in rows.indices where predicted[index] == topic {
                let features = analyzer.features(rows[index].text)
                let concepts = features.concepts.map { lexicon.concepts[Int($0)].id }.joined(separator: ",")
                let places = (features.places + features.areas).map { lexicon.places[Int($0)].id }.joined(
                    separator: ",")
                print(
                    "  \(rows[index].group) [\(places)] [\(concepts)] #\(features.numbers.joined(separator: ",")) \(rows[index].text.prefix(90))"
                )
            }
        }
    }

    static func bCubed(predicted: [Int], truth: [String]) -> (Double, Double) {
        var pairCounts: [String: Int] = [:]
        var predictedSizes: [Int: Int] = [:]
        var trueSizes: [String: Int] = [:]
        for (p, t) in zip(predicted, truth) {
            pairCounts["\(p)|\(t)", default: 0] += 1
            predictedSizes[p, default: 0] += 1
            trueSizes[t, default: 0] += 1
        }
        var precision = 0.0
        var recall = 0.0
        for (p, t) in zip(predicted, truth) {
            let both = Double(pairCounts["\(p)|\(t)"]!)
            precision += both / Double(predictedSizes[p]!)
            recall += both / Double(trueSizes[t]!)
        }
        let n = Double(predicted.count)
        return (precision / n, recall / n)
    }

    static func adjustedRandIndex(predicted: [Int], truth: [String]) -> Double {
        func choose2(_ x: Int) -> Double { Double(x) * Double(x - 1) / 2 }
        var table: [String: Int] = [:]
        var rows: [Int: Int] = [:]
        var columns: [String: Int] = [:]
        for (p, t) in zip(predicted, truth) {
            table["\(p)|\(t)", default: 0] += 1
            rows[p, default: 0] += 1
            columns[t, default: 0] += 1
        }
        let index = table.values.map(choose2).reduce(0, +)
        let rowSum = rows.values.map(choose2).reduce(0, +)
        let columnSum = columns.values.map(choose2).reduce(0, +)
        let expected = rowSum * columnSum / choose2(predicted.count)
        let maximum = (rowSum + columnSum) / 2
        return maximum == expected ? 1 : (index - expected) / (maximum - expected)
    }
}
