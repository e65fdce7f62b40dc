/// How alike two questions are, from 0 to 1, with vetoes that keep near-twins apart.
///
/// The score mixes the weighted overlap of concepts (specific issues weigh most), agreement on
/// place and number, and the better of character-trigram and stem overlap. Vetoes return 0: both
/// name places and none is shared; both name numbers and none is shared (school 45 ≠ 54); both
/// name issues and none is shared (lighting ≠ water on one street); both name whom a request
/// is for and none is shared (rental housing for young families ≠ for budget workers); both name
/// institutions and none is shared (a school ≠ a kindergarten).
public struct PairScorer: Sendable {
    /// Each concept's weight (from the lexicon): all the scorer needs of it, so copies stay cheap
    /// in the grouper's inner loops.
    let conceptWeights: [Double]
    /// Fixed once on the dev set, never per data set: a question joins a topic at or above this.
    public static let defaultThreshold = 0.42
    public var threshold: Double

    public init(lexicon: DomainLexicon = .bundled, threshold: Double = PairScorer.defaultThreshold) {
        self.conceptWeights = lexicon.conceptWeights
        self.threshold = threshold
    }

    /// Why a pair was refused, for tests and the topic's reason line.
    public enum Veto: String, Sendable {
        case differentPlace = "different-place"
        case differentNumber = "different-number"
        case differentIssue = "different-issue"
        case differentAudience = "different-audience"
        case differentFacility = "different-facility"
    }

    public func veto(_ a: QuestionFeatures, _ b: QuestionFeatures) -> Veto? {
        if !a.places.isEmpty, !b.places.isEmpty, !Self.intersects(a.places, b.places) { return .differentPlace }
        if Self.differentParts(a.placeParts, b.placeParts) { return .differentPlace }
        if !a.numbers.isEmpty, !b.numbers.isEmpty, !Self.intersects(a.numbers, b.numbers) { return .differentNumber }
        if !a.issues.isEmpty, !b.issues.isEmpty, !Self.intersects(a.issues, b.issues) { return .differentIssue }
        // Sharing a broad issue is not enough when both name specific ones and none is shared:
        // a water outage ≠ no water main; lighting by a building site ≠ the site's night noise.
        if !a.specificIssues.isEmpty, !b.specificIssues.isEmpty, !Self.intersects(a.specificIssues, b.specificIssues) {
            return .differentIssue
        }
        if !a.audiences.isEmpty, !b.audiences.isEmpty, !Self.intersects(a.audiences, b.audiences) {
            return .differentAudience
        }
        if !a.facilities.isEmpty, !b.facilities.isEmpty, !Self.intersects(a.facilities, b.facilities) {
            return .differentFacility
        }
        return nil
    }

    public func score(_ a: QuestionFeatures, _ b: QuestionFeatures) -> Double {
        if a.exactKey == b.exactKey, !a.grams.isEmpty { return 1 }
        if veto(a, b) != nil { return 0 }
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
        let conceptSimilarity = totalA > 0 && totalB > 0 ? shared / (totalA * totalB).squareRoot() : 0
        let placeSimilarity: Double =
            a.places.isEmpty && b.places.isEmpty
            ? 0.4
            : a.places.isEmpty || b.places.isEmpty ? 0.3 : 1
        let numberBonus: Double = !a.numbers.isEmpty && Self.intersects(a.numbers, b.numbers) ? 0.1 : 0
        let textSimilarity = max(Self.dice(a.grams, b.grams), Self.dice(a.stems, b.stems))
        if totalA == 0 && totalB == 0 {
            return min(1, 0.2 * placeSimilarity + 0.8 * textSimilarity + numberBonus)
        }
        return min(1, 0.5 * conceptSimilarity + 0.25 * placeSimilarity + 0.25 * textSimilarity + numberBonus)
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
