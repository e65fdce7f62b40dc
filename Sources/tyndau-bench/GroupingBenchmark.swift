import Foundation
import QuestionCollection
import TyndauCore

/// `tyndau-bench grouping --gold A.jsonl [--gold B.jsonl …]`: quality against labelled files (only
/// `text` is given to the engine; `group` is the answer key) — B-cubed precision/recall/F1, adjusted
/// Rand index and size errors of the ten largest true groups, per file. `--threshold X` shows the
/// sensitivity around the shipped threshold (diagnostic only; the product always uses the model's).
/// `--cross`: the cross-check — the pair model fitted on each file alone (threshold included) and
/// scored on each other file, an estimate of quality on questions the weights never saw.
/// `--regularisation X`: the L2 penalty for `--cross` and `--fit` (diagnostic: the shipped default was
/// chosen with the cross-check).
/// `--fit PATH`: fits the model on all the files and writes it to PATH (the shipped
/// `Sources/QuestionCollection/Resources/pair-model.json` is made this way), saying whether it equals
/// the bundled one.
/// `tyndau-bench grouping --scale 10000,100000,1000000`: generated questions grouped from scratch,
/// time and peak memory per size, plus single-question attach time at the largest size.
enum GroupingBenchmark {
    static func run(_ arguments: [String]) async throws {
        let goldPaths = options("--gold", in: arguments)
        if !goldPaths.isEmpty {
            let threshold = Measure.option("--threshold", in: arguments).flatMap(Double.init)
            var fitter = PairModelFitter()
            if let value = Measure.option("--regularisation", in: arguments).flatMap(Double.init) {
                fitter.regularisation = value
            }
            let sets = try goldPaths.map { path in fitter.analyse(name: name(path), try load(path)) }
            for (path, set) in zip(goldPaths, sets) {
                try gold(path: path, set: set, threshold: threshold, verbose: arguments.contains("--verbose"))
            }
            if arguments.contains("--cross") { cross(sets, fitter: fitter) }
            if let output = Measure.option("--fit", in: arguments) { try fit(sets, fitter: fitter, output: output) }
        }
        if let scale = Measure.option("--scale", in: arguments) {
            let sizes = scale.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            try await ScaleRun.run(sizes: sizes, exportPath: Measure.option("--export", in: arguments))
        }
        if let one = Measure.option("--scale-one", in: arguments).flatMap(Int.init) {
            try await ScaleRun.one(size: one)
            return
        }
        if goldPaths.isEmpty && Measure.option("--scale", in: arguments) == nil {
            throw TyndauError.validation(["--gold|--scale": "error.validation"])
        }
    }

    /// Every value of a repeatable option.
    static func options(_ name: String, in arguments: [String]) -> [String] {
        arguments.indices.filter { arguments[$0] == name && $0 + 1 < arguments.count }.map { arguments[$0 + 1] }
    }

    static func name(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

    static func load(_ path: String) throws -> [LabelledQuestion] {
        let content: String
        do { content = try String(contentsOfFile: path, encoding: .utf8) } catch { throw TyndauError.notFound(path) }
        let decoder = JSONDecoder()
        return try content.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { try decoder.decode(LabelledQuestion.self, from: Data($0.utf8)) }
    }

    static func gold(path: String, set: PairModelFitter.LabelledSet, threshold: Double?, verbose: Bool) throws {
        let scorer = PairScorer(threshold: threshold)
        var grouper = TopicGrouper(scorer: scorer)
        let start = ContinuousClock.now
        for (index, feature) in set.features.enumerated() {
            grouper.add(id: Int64(index), features: feature)
        }
        grouper.refine()
        let elapsed = ContinuousClock.now - start
        var predicted = [Int](repeating: -1, count: set.features.count)
        for (number, group) in grouper.groups.enumerated() {
            for id in group.questionIDs { predicted[Int(id)] = number }
        }
        let truth = set.truth
        let quality = GroupingQuality(predicted: predicted, truth: truth)
        let ari = adjustedRandIndex(predicted: predicted, truth: truth)
        print("set=\(set.name) questions=\(truth.count) true_groups=\(Set(truth).count) threshold=\(scorer.threshold)")
        // Size error of the ten largest true groups: the predicted topic holding most of each.
        let trueGroups = Dictionary(grouping: truth.indices, by: { truth[$0] })
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
        if verbose {
            let rows = try load(path)
            var analyzer = TextAnalyzer()
            explain(rows: rows, predicted: predicted, analyzer: &analyzer)
        }
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        Measure.emit("grouping_ms", milliseconds, decimals: 1)
        print(
            String(
                format: "b3_precision=%.3f b3_recall=%.3f b3_f1=%.3f ari=%.3f topics=%d", quality.precision,
                quality.recall, quality.f1, ari, quality.topics))
    }

    /// Fit on each set alone, score on every other one.
    static func cross(_ sets: [PairModelFitter.LabelledSet], fitter: PairModelFitter) {
        for (index, training) in sets.enumerated() {
            let model = fitter.fit([training])
            for (other, test) in sets.enumerated() where other != index {
                let quality = GroupingQuality.measure(test.features, truth: test.truth, scorer: PairScorer(model: model))
                print(
                    String(
                        format: "cross fitted_on=%@ scored_on=%@ threshold=%.2f b3_precision=%.3f b3_recall=%.3f b3_f1=%.3f topics=%d",
                        training.name, test.name, model.threshold, quality.precision, quality.recall, quality.f1,
                        quality.topics))
            }
        }
    }

    static func fit(_ sets: [PairModelFitter.LabelledSet], fitter: PairModelFitter, output: String) throws {
        let model = fitter.fit(sets)
        try model.encoded().write(to: URL(fileURLWithPath: output))
        print("fit written=\(output) threshold=\(model.threshold) equals_bundled=\(model == PairModel.bundled)")
    }

    /// Prints each predicted topic with its members' true groups, for looking at errors by hand.
    static func explain(rows: [LabelledQuestion], predicted: [Int], analyzer: inout TextAnalyzer) {
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
