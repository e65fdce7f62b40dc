import Foundation
import TyndauCore

/// The weights of the pair score: a logistic model over the signals of ``PairScorer``, fitted on
/// labelled pairs from the dev sets (`tyndau-bench grouping --fit`) and shipped as
/// `pair-model.json`, together with the one grouping threshold chosen with it. Nothing is fitted
/// at run time: the same file gives the same scores in every process.
public struct PairModel: Sendable, Hashable, Codable {
    /// One lane per signal; lanes past ``featureNames`` stay 0.
    public typealias Signals = SIMD16<Double>

    /// The signals, in lane order: what each weight in the file stands for.
    public static let featureNames = [
        "concept-similarity", "same-specific-issue", "same-issue", "same-issue-family", "issue-conflict",
        "issue-one-side", "same-place", "place-one-side", "same-number", "number-one-side", "same-house",
        "same-facility", "same-facility-and-number", "trigram-dice", "stem-dice",
    ]

    public var features: [String]
    public var weights: [Double]
    public var bias: Double
    /// A question joins a topic when its average probability with the members reaches this.
    public var threshold: Double
    /// How the file was made (sets, regularisation), for whoever reads it.
    public var fittedOn: String?

    private var lanes: Signals {
        var lanes = Signals()
        for (index, weight) in weights.prefix(Signals.scalarCount).enumerated() { lanes[index] = weight }
        return lanes
    }

    public init(weights: [Double], bias: Double, threshold: Double, fittedOn: String? = nil) {
        self.features = Self.featureNames
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.fittedOn = fittedOn
        self.weightLanes = Signals()
        self.weightLanes = lanes
    }

    /// The weights as one SIMD vector, made once.
    private var weightLanes: Signals

    enum CodingKeys: String, CodingKey { case features, weights, bias, threshold, fittedOn }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let features = try container.decode([String].self, forKey: .features)
        let weights = try container.decode([Double].self, forKey: .weights)
        guard features == Self.featureNames, weights.count == features.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .features, in: container,
                debugDescription: "expected the features \(Self.featureNames.joined(separator: ", ")) with one weight each")
        }
        self.init(
            weights: weights, bias: try container.decode(Double.self, forKey: .bias),
            threshold: try container.decode(Double.self, forKey: .threshold),
            fittedOn: try container.decodeIfPresent(String.self, forKey: .fittedOn))
    }

    @inline(__always)
    public func probability(_ signals: Signals) -> Double {
        let z = (signals * weightLanes).sum() + bias
        return 1 / (1 + Foundation.exp(-z))
    }

    /// The model shipped in the package.
    public static let bundled: PairModel = {
        do {
            guard let url = Bundle.module.url(forResource: "pair-model", withExtension: "json") else {
                throw TyndauError.notFound("pair-model.json")
            }
            return try JSONDecoder().decode(PairModel.self, from: Data(contentsOf: url))
        } catch {
            preconditionFailure("bundled pair-model.json is malformed: \(error)")
        }
    }()

    /// The file's text: keys sorted, one weight per line with its name, so a refit reads as a diff.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
