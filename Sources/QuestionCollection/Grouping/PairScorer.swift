import Foundation

/// How alike two questions are, from 0 to 1: the probability that they ask about the same thing.
///
/// Two kinds of evidence. **Vetoes** are facts that cannot both hold for one topic and return 0:
/// both name places and none is shared; both name numbered parts of one microdistrict and never
/// the same part (Аксай-4 ≠ Аксай-2); both name school, route or clinic numbers and none is shared
/// (school 45 ≠ 54); both name whom a request is for and none is shared; both name institutions
/// and none is shared (a school ≠ a kindergarten). **Signals** are everything else — shared
/// concepts, shared specific issues, an issue of the same family, a conflict between issues,
/// shared place, number, house or facility, character and stem overlap — weighed by a logistic
/// model (``PairModel``) fitted on labelled pairs and shipped as a resource. A conflict between
/// issues is a signal, not a veto: one incidental word ("электронная очередь", "суық су") must not
/// keep two questions about one problem apart when everything else agrees.
public struct PairScorer: Sendable {
    /// Each concept's weight (from the lexicon): all the scorer needs of it, so copies stay cheap
    /// in the grouper's inner loops.
    let conceptWeights: [Double]
    /// Issues with no parent and no family.
    let rootsWithoutFamily: Set<Int32>
    public let model: PairModel
    /// Fixed once from the labelled dev sets (``PairModel/threshold``), never per data set: a
    /// question joins a topic when its average score with the members is at or above this.
    public static let defaultThreshold = PairModel.bundled.threshold
    public var threshold: Double

    public init(lexicon: DomainLexicon = .bundled, model: PairModel = .bundled, threshold: Double? = nil) {
        self.conceptWeights = lexicon.conceptWeights
        self.rootsWithoutFamily = Set(
            lexicon.concepts.indices.filter {
                lexicon.concepts[$0].kind == .issue && lexicon.concepts[$0].parent == nil && lexicon.concepts[$0].family == nil
            }.map(Int32.init))
        self.model = model
        self.threshold = threshold ?? model.threshold
    }

    /// Why a pair was refused, for tests and the topic's explanation.
    public enum Veto: String, Sendable {
        case differentPlace = "different-place"
        case differentNumber = "different-number"
        case differentAudience = "different-audience"
        case differentFacility = "different-facility"
    }

    public func veto(_ a: borrowing QuestionFeatures, _ b: borrowing QuestionFeatures) -> Veto? {
        if !a.places.isEmpty, !b.places.isEmpty, !Self.intersects(a.places, b.places) { return .differentPlace }
        if Self.differentParts(a.placeParts, b.placeParts) { return .differentPlace }
        if !a.numbers.isEmpty, !b.numbers.isEmpty, !Self.intersects(a.numbers, b.numbers) { return .differentNumber }
        if !a.audiences.isEmpty, !b.audiences.isEmpty, !Self.intersects(a.audiences, b.audiences) {
            return .differentAudience
        }
        if !a.facilities.isEmpty, !b.facilities.isEmpty, !Self.intersects(a.facilities, b.facilities) {
            return .differentFacility
        }
        return nil
    }

    /// How the issues of two questions relate, strongest agreement first.
    public enum IssueRelation: String, Sendable, CaseIterable {
        /// They share a most specific issue (both "water outage").
        case sameSpecific = "same-specific"
        /// They share an issue but name different specific ones (outage vs quality of water).
        case sameIssue = "same-issue"
        /// Different issues of one family (street lighting vs the power supply).
        case sameFamily = "same-family"
        /// Issues of different families (lighting vs water).
        case conflict
        /// One side names no issue.
        case oneSide = "one-side"
        /// Neither names an issue.
        case neither
    }

    public func issueRelation(_ a: borrowing QuestionFeatures, _ b: borrowing QuestionFeatures) -> IssueRelation {
        switch (a.issues.isEmpty, b.issues.isEmpty) {
        case (true, true): return .neither
        case (true, false), (false, true): return .oneSide
        case (false, false): break
        }
        if Self.intersects(a.specificIssues, b.specificIssues) { return .sameSpecific }
        if Self.intersects(a.issues, b.issues) { return .sameIssue }
        if Self.intersects(a.families, b.families) { return .sameFamily }
        return .conflict
    }

    /// The issue families a question names, with each issue outside any family standing for its own
    /// (as a key of its own range): what consolidation joins topics on.
    public func issueFamilies(_ features: QuestionFeatures) -> [UInt64] {
        var result = features.families.map(UInt64.init)
        for issue in features.issues where rootsWithoutFamily.contains(issue) { result.append(1 << 32 | UInt64(issue)) }
        return result
    }

    /// The signals of a pair, in ``PairModel/featureNames`` order (vetoes aside; lanes past the
    /// last name are 0). A SIMD vector, so the grouper's inner loop allocates nothing.
    public func signals(_ a: borrowing QuestionFeatures, _ b: borrowing QuestionFeatures) -> PairModel.Signals {
        var signals = PairModel.Signals()
        signals[0] = conceptSimilarity(a, b)
        let relation = issueRelation(a, b)
        signals[1] = relation == .sameSpecific ? 1 : 0
        signals[2] = relation == .sameIssue ? 1 : 0
        signals[3] = relation == .sameFamily ? 1 : 0
        signals[4] = relation == .conflict ? 1 : 0
        signals[5] = relation == .oneSide ? 1 : 0
        let placeA = !a.places.isEmpty
        let placeB = !b.places.isEmpty
        signals[6] = placeA && placeB ? 1 : 0  // shared: a different place is a veto
        signals[7] = placeA != placeB ? 1 : 0
        let numberShared = !a.numbers.isEmpty && Self.intersects(a.numbers, b.numbers)
        signals[8] = numberShared ? 1 : 0
        signals[9] = a.numbers.isEmpty != b.numbers.isEmpty ? 1 : 0
        signals[10] = !a.houseNumbers.isEmpty && Self.intersects(a.houseNumbers, b.houseNumbers) ? 1 : 0
        let facilityShared = !a.facilities.isEmpty && Self.intersects(a.facilities, b.facilities)
        signals[11] = facilityShared ? 1 : 0
        signals[12] = facilityShared && numberShared ? 1 : 0
        signals[13] = Self.dice(a.grams, b.grams)
        signals[14] = Self.dice(a.stems, b.stems)
        return signals
    }

    public func score(_ a: borrowing QuestionFeatures, _ b: borrowing QuestionFeatures) -> Double {
        if a.exactKey == b.exactKey, !a.grams.isEmpty { return 1 }
        if veto(a, b) != nil { return 0 }
        return model.probability(signals(a, b))
    }

    /// Weighted cosine of the two concept sets (specific issues weigh most).
    func conceptSimilarity(_ a: borrowing QuestionFeatures, _ b: borrowing QuestionFeatures) -> Double {
        var shared = 0.0
        var totalA = 0.0
        var totalB = 0.0
        var i = 0
        var j = 0
        while i < a.concepts.count || j < b.concepts.count {
            if j == b.concepts.count || (i < a.concepts.count && a.concepts[i] < b.concepts[j]) {
                totalA += conceptWeights[Int(a.concepts[i])]
                i += 1
            } else if i == a.concepts.count || b.concepts[j] < a.concepts[i] {
                totalB += conceptWeights[Int(b.concepts[j])]
                j += 1
            } else {
                let weight = conceptWeights[Int(a.concepts[i])]
                shared += weight
                totalA += weight
                totalB += weight
                i += 1
                j += 1
            }
        }
        return totalA > 0 && totalB > 0 ? shared / (totalA * totalB).squareRoot() : 0
    }

    /// Both name numbered parts of the same microdistrict and never the same part (Аксай-4 ≠ Аксай-2).
    static func differentParts(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        guard !a.isEmpty, !b.isEmpty else { return false }
        var samePlace = false
        for x in a {
            for y in b where x >> 16 == y >> 16 {
                if x == y { return false }
                samePlace = true
            }
        }
        return samePlace
    }

    static func intersects<T: Comparable>(_ a: [T], _ b: [T]) -> Bool {
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] { return true }
            if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return false
    }

    static func dice<T: Comparable>(_ a: [T], _ b: [T]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var shared = 0
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                shared += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return 2 * Double(shared) / Double(a.count + b.count)
    }
}
