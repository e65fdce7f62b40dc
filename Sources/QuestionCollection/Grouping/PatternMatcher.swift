/// Finds lexicon and gazetteer patterns in a sequence of skeleton tokens.
///
/// A pattern is one or more word prefixes ("лежач полицейск"); the first word is matched by the
/// longest prefix of the token, so an exception listed as a longer pattern ("водител" → driver)
/// beats a short one ("вод" → water). A first word ending in `=` must match the whole token. When
/// nothing matches exactly, a token of at least ``fuzzyMinimum`` letters matches a pattern word at
/// edit distance 1 (via a deletion index), so "освешение" and "Şşerbakov" are still found.
struct PatternMatcher: Sendable {
    struct Pattern: Sendable {
        var parts: [String]
        var target: Int32
        /// Letters the first token may carry beyond the pattern (inflection); `Int.max` for prefixes.
        var maxRemainder: Int
        /// A weak cue (an everyday word such as "суық", cold): it names its concept only beside a firm
        /// mention of the same issue.
        var weak = false
        /// A counted word ("смена", shift): it names its concept only right after a number or a
        /// number word ("3 смена", "вторую смену", "үшінші сменада"); alone it is an everyday word.
        var counted = false
        /// A headcount word ("класс", "сынып", "группа"): it names its concept only with a headcount of
        /// a crowded room (25–60) within two words of it ("в классах по 40 детей", "сыныпта 42 бала").
        var headcount = false
    }

    /// A pattern found at a position: what it names and how many tokens it spans.
    struct Match: Sendable, Hashable {
        var target: Int32
        var tokenCount: Int
        var fuzzy: Bool
        var weak = false
        /// The pattern that matched (index into ``patterns``).
        var pattern: Int32 = -1
    }

    private(set) var patterns: [Pattern] = []
    private var byFirst: [String: [Int32]] = [:]
    private var deletions: [String: [String]] = [:]
    private var maxFirstLength = 0
    let fuzzyMinimum: Int
    /// A misspelt word may carry at most this many letters of ending beyond the pattern.
    static let fuzzyRemainder = 2
    let defaultRemainder: Int

    init(fuzzyMinimum: Int, defaultRemainder: Int) {
        self.fuzzyMinimum = fuzzyMinimum
        self.defaultRemainder = defaultRemainder
    }

    /// Adds a pattern given as skeleton words; a trailing `=` on the first word asks for the whole token.
    /// `maxRemainder` caps the letters a token may carry beyond the first word (default: the
    /// matcher's own, or none for a word ending in `=`).
    mutating func add(
        parts rawParts: [String], target: Int32, weak: Bool = false, counted: Bool = false, headcount: Bool = false,
        maxRemainder: Int? = nil
    ) {
        guard var first = rawParts.first, !first.isEmpty else { return }
        var remainder = maxRemainder ?? defaultRemainder
        if first.hasSuffix("=") {
            first.removeLast()
            remainder = 0
        }
        guard !first.isEmpty else { return }
        let parts = [first] + rawParts.dropFirst()
        let index = Int32(patterns.count)
        patterns.append(
            Pattern(
                parts: parts, target: target, maxRemainder: remainder, weak: weak, counted: counted,
                headcount: headcount))
        if byFirst[first] == nil, first.count >= fuzzyMinimum {
            for variant in Self.deletionVariants(first) { deletions[variant, default: []].append(first) }
        }
        byFirst[first, default: []].append(index)
        maxFirstLength = max(maxFirstLength, first.count)
    }

    static func deletionVariants(_ word: String) -> Set<String> {
        let characters = Array(word)
        var result = Set<String>()
        for index in characters.indices {
            var copy = characters
            copy.remove(at: index)
            result.insert(String(copy))
        }
        return result
    }

    /// Patterns whose first word matches `token`, each with the matched length and whether fuzzily.
    /// The analyser caches this per distinct token.
    func firstWordCandidates(_ token: String) -> [(pattern: Int32, length: Int, fuzzy: Bool)] {
        let characters = Array(token)
        var found: [(Int32, Int, Bool)] = []
        var length = min(characters.count, maxFirstLength)
        while length >= 1 {
            if let indexes = byFirst[String(characters[0..<length])] {
                for index in indexes where characters.count - length <= patterns[Int(index)].maxRemainder {
                    found.append((index, length, false))
                }
            }
            length -= 1
        }
        if !found.isEmpty || characters.count < fuzzyMinimum { return found }
        // Edit distance 1 on a prefix of the token: a missing, an extra or a changed letter.
        var seen = Set<String>()
        let upper = min(characters.count, maxFirstLength + 1)
        guard upper >= fuzzyMinimum else { return [] }
        for prefixLength in stride(from: upper, through: fuzzyMinimum, by: -1) {
            let prefix = String(characters[0..<prefixLength])
            let remainder = characters.count - prefixLength
            var firsts: [String] = deletions[prefix] ?? []
            if prefixLength > fuzzyMinimum {
                for variant in Self.deletionVariants(prefix) {
                    if byFirst[variant] != nil, variant.count >= fuzzyMinimum { firsts.append(variant) }
                    firsts.append(contentsOf: deletions[variant] ?? [])
                }
            }
            // A misspelling keeps the first letter: "устают" is not a misspelt "кусают".
            for first in firsts
            where first.count >= fuzzyMinimum && first.first == characters.first && seen.insert(first).inserted {
                for index in byFirst[first] ?? []
                where remainder <= min(patterns[Int(index)].maxRemainder, Self.fuzzyRemainder) {
                    found.append((index, first.count, true))
                }
            }
            if !found.isEmpty { break }
        }
        return found
    }

    /// The best pattern starting at `position`: the most letters matched over all its words.
    func bestMatch(
        tokens: [String], at position: Int, candidates: [(pattern: Int32, length: Int, fuzzy: Bool)]
    ) -> Match? {
        var best: (Match, Int)?
        for candidate in candidates {
            let pattern = patterns[Int(candidate.pattern)]
            var score = candidate.length
            var ok = true
            for (offset, part) in pattern.parts.enumerated().dropFirst() {
                let at = position + offset
                guard at < tokens.count, tokens[at].hasPrefix(part) else {
                    ok = false
                    break
                }
                score += part.count
            }
            guard ok else { continue }
            let match = Match(
                target: pattern.target, tokenCount: pattern.parts.count, fuzzy: candidate.fuzzy, weak: pattern.weak,
                pattern: candidate.pattern)
            if best == nil || score > best!.1 { best = (match, score) }
        }
        return best?.0
    }
}
