import Foundation
import TyndauCore

/// What the grouper compares: the facts extracted from one question's text.
///
/// Everything is an index into the ``DomainLexicon`` or a stable FNV hash (never Swift's seeded
/// `Hasher`), so the same text gives the same features in every process — grouping is deterministic.
public struct QuestionFeatures: Sendable, Hashable {
    /// Streets, microdistricts and landmarks named (gazetteer indexes, sorted).
    public var places: [Int32] = []
    /// Numbered parts of microdistricts ("Аксай-4"): place index << 16 | part number.
    public var placeParts: [UInt64] = []
    /// Districts and the city: context that never vetoes a pair.
    public var areas: [Int32] = []
    /// House, school, bus-route numbers ("№45", "45-мектеп", "д. 15", "86-й"), without unit numbers.
    public var numbers: [String] = []
    /// House numbers ("д. 15", "Абая 45", "31-үй"): shared ones support a pair, different ones never veto
    /// (one outage covers a whole microdistrict).
    public var houseNumbers: [String] = []
    /// Concepts named, with their ancestors (lexicon indexes, sorted).
    public var concepts: [Int32] = []
    /// The issue and audience concepts among them, kept apart because they veto.
    public var issues: [Int32] = []
    public var audiences: [Int32] = []
    public var facilities: [Int32] = []
    /// The most specific issues named (issue concepts without sub-concepts).
    public var specificIssues: [Int32] = []
    /// The issue families of the issues named (``DomainLexicon/families`` indexes, sorted).
    public var families: [Int32] = []
    /// Stemmed content words (hashes, sorted, unique).
    public var stems: [UInt64] = []
    /// Character trigrams of the folded content (hashes, sorted, unique).
    public var grams: [UInt32] = []
    /// Identical for texts that are equal after normalisation: exact duplicates collapse first.
    public var exactKey: UInt64 = 0

    public init() {}
}

/// Turns a question's text into ``QuestionFeatures``: emoji → words, normalisation, tokenisation
/// with number tokens, Kazakh Latin → Cyrillic, stop list (negation kept), Snowball Russian
/// stemming or Kazakh suffix stripping, gazetteer and lexicon matching.
///
/// A value type that caches per distinct word; give each concurrent task its own copy.
public struct TextAnalyzer: Sendable {
    public let lexicon: DomainLexicon
    private let stemmer = RussianStemmer()
    private var cache: [String: WordInfo] = [:]
    /// The concept matches of the last analysed text, for ``conceptHits(_:)``.
    private var lastConceptMatches: [ConceptMatch] = []

    struct ConceptMatch {
        var position: Int
        var match: PatternMatcher.Match
        var kept = true
    }

    /// A lexicon pattern found in a text: which words, which concept, whether it counted.
    public struct ConceptHit: Sendable, Hashable {
        /// The words of the text that matched, as the analyser folded them.
        public var words: String
        public var concept: String
        public var pattern: String
        /// A weak cue that did not count (no firm mention of the same issue beside it).
        public var ignored: Bool
    }

    /// Why a text has the concepts it has: every pattern found, in text order.
    public mutating func conceptHits(_ text: String) -> [ConceptHit] {
        _ = features(text)
        let skeletons = words(text).skeletons
        return lastConceptMatches.map { hit in
            ConceptHit(
                words: skeletons[hit.position..<min(hit.position + hit.match.tokenCount, skeletons.count)].joined(
                    separator: " "),
                concept: lexicon.concepts[Int(hit.match.target)].id,
                pattern: lexicon.conceptPatternText(hit.match.pattern), ignored: !hit.kept)
        }
    }

    struct WordInfo: Sendable {
        var skeleton: String
        var stem: UInt64
        var isStopword: Bool
        var isAnchor: Bool
        var isHouseAnchor: Bool
        var isUnit: Bool
        var isMarker: Bool
        var isOrdinal: Bool
        /// A number written as a word ("двадцатая", "жиырмасыншы"), see ``NumberWords``.
        var numberWord: NumberWords.Word?
        /// "номер", "нөмір": the number after it is what counts.
        var isNumberSign: Bool
        var concepts: [(pattern: Int32, length: Int, fuzzy: Bool)]
        var places: [(pattern: Int32, length: Int, fuzzy: Bool)]
    }

    public init(lexicon: DomainLexicon = .bundled) {
        self.lexicon = lexicon
    }

    struct Token {
        var word: String
        var isNumber: Bool
        var isNumberSign = false
        var suffix: String = ""
        var capitalized = false
        /// A number read from words ("двадцатая"): never a house number.
        var spelled = false
        var before: Unicode.Scalar?
        var after: Unicode.Scalar?
    }

    /// Splits text into words, numbers (with an attached `-й`/`-мектеп` suffix) and `№` marks.
    /// Works on Unicode scalars with fast paths for Latin and Cyrillic; NFKC only when the text holds
    /// something it would change (`№` is taken out first: NFKC would turn it into "No").
    func tokenize(_ text: String) -> [Token] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        var needsNFKC = false
        for scalar in text.unicodeScalars {
            if scalar == "№" {
                scalars.append("#")
            } else if let words = lexicon.emojiScalars[scalar] {
                scalars.append(" ")
                scalars.append(contentsOf: words.unicodeScalars)
                scalars.append(" ")
            } else {
                if scalar.value >= 0x0300 && !(0x0400...0x04FF).contains(scalar.value) { needsNFKC = true }
                scalars.append(scalar)
            }
        }
        if needsNFKC {
            let composed = String(String.UnicodeScalarView(scalars)).precomposedStringWithCompatibilityMapping
            scalars = Array(composed.unicodeScalars)
        }
        var tokens: [Token] = []
        var index = 0
        var previousSeparator: Unicode.Scalar?
        let count = scalars.count
        while index < count {
            let scalar = scalars[index]
            if Self.isLetter(scalar) {
                var end = index
                var upper = 0
                while end < count, Self.isLetter(scalars[end]) || (0x0300...0x036F).contains(scalars[end].value) {
                    if Self.isUppercase(scalars[end]) { upper += 1 }
                    end += 1
                }
                var token = Token(word: String(String.UnicodeScalarView(scalars[index..<end])), isNumber: false)
                token.capitalized = Self.isUppercase(scalar) && (upper == 1 || end - index <= 3)
                token.before = previousSeparator
                token.after = end < count ? scalars[end] : nil
                tokens.append(token)
                index = end
                previousSeparator = nil
            } else if (0x30...0x39).contains(scalar.value) {
                var end = index
                while end < count, (0x30...0x39).contains(scalars[end].value) { end += 1 }
                var token = Token(word: String(String.UnicodeScalarView(scalars[index..<end])), isNumber: true)
                token.before = previousSeparator
                token.after = end < count ? scalars[end] : nil
                var suffixStart = end
                if suffixStart + 1 < count, scalars[suffixStart] == "-" || scalars[suffixStart] == "–",
                    Self.isLetter(scalars[suffixStart + 1])
                {
                    suffixStart += 1
                }
                if suffixStart < count, Self.isLetter(scalars[suffixStart]) {
                    var suffixEnd = suffixStart
                    while suffixEnd < count, Self.isLetter(scalars[suffixEnd]) { suffixEnd += 1 }
                    token.suffix = String(String.UnicodeScalarView(scalars[suffixStart..<suffixEnd]))
                    end = suffixEnd
                }
                tokens.append(token)
                // "5-емханада", "45-мектепте": the glued word still counts as a word.
                if token.suffix.unicodeScalars.count >= 3,
                    !lexicon.ordinalSuffixes.contains(DomainLexicon.wordKey(token.suffix))
                {
                    var word = Token(word: token.suffix, isNumber: false)
                    word.before = "-"
                    word.after = end < count ? scalars[end] : nil
                    tokens.append(word)
                }
                index = end
                previousSeparator = nil
            } else if scalar == "#" {
                tokens.append(Token(word: "№", isNumber: false, isNumberSign: true))
                index += 1
                previousSeparator = nil
            } else {
                if !scalar.properties.isWhitespace { previousSeparator = scalar }
                index += 1
            }
        }
        return tokens
    }

    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x61...0x7A, 0x41...0x5A, 0x0400...0x0481, 0x048A...0x04FF: return true
        case 0...0x7F: return false
        default: return scalar.properties.isAlphabetic
        }
    }

    @inline(__always)
    static func isUppercase(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x0400...0x042F: return true
        case 0...0x7F, 0x0430...0x045F: return false
        default: return scalar.properties.isUppercase
        }
    }

    mutating func info(_ rawWord: String) -> WordInfo {
        if let cached = cache[rawWord] { return cached }
        var word = TextNormalizer.normalize(rawWord)
        let latin = KazakhLatinTransliterator.isLatin(word)
        if latin {
            word = KazakhLatinTransliterator.toCyrillic(word)
        } else if word.unicodeScalars.contains(where: { $0.value < 0x0250 && $0.properties.isAlphabetic }) {
            word = KazakhLatinTransliterator.fixHomoglyphs(word)
        }
        let skeleton = TextNormalizer.skeleton(word)
        // Latin-script words are Kazakh far more often than anything else, and informal Latin has no
        // Kazakh letters to tell it by ("mektepte"): stem them as Kazakh after transliteration.
        let kazakh = latin || KazakhSuffixStripper.isKazakh(word)
        let stemmed = kazakh ? KazakhSuffixStripper.stem(word) : stemmer.stem(word)
        var concepts = lexicon.conceptMatcher.firstWordCandidates(skeleton)
        // A Kazakh word whose inflection hides a short or whole-word pattern ("газдың" → "газ=",
        // "шамдары" → "шам="): match its stem.
        // Exact matches only: a misspelling of a stem is two guesses in a row ("бағдарламасы", programme,
        // would be a misspelt "бағдаршам", traffic light).
        if concepts.isEmpty, kazakh {
            let base = TextNormalizer.skeleton(stemmed)
            if base != skeleton { concepts = lexicon.conceptMatcher.firstWordCandidates(base).filter { !$0.fuzzy } }
        }
        let info = WordInfo(
            skeleton: skeleton,
            stem: FNV1a.hash(TextNormalizer.skeleton(stemmed)),
            isStopword: lexicon.stopwords.contains(skeleton),
            isAnchor: Self.matches(skeleton, lexicon.numberAnchors),
            isHouseAnchor: Self.matches(skeleton, lexicon.houseAnchors),
            isUnit: Self.matches(skeleton, lexicon.numberUnits),
            isMarker: Self.matches(skeleton, lexicon.placeMarkers),
            isOrdinal: lexicon.ordinalSuffixes.contains(skeleton),
            numberWord: NumberWords.word(word, skeleton: skeleton),
            isNumberSign: NumberWords.signs.contains(skeleton),
            concepts: concepts,
            places: lexicon.placeMatcher.firstWordCandidates(skeleton)
        )
        cache[rawWord] = info
        return info
    }

    /// Prefix list match where an entry ending in `=` must equal the word.
    static func matches(_ word: String, _ list: [String]) -> Bool {
        for entry in list {
            if entry.hasSuffix("=") {
                if word.count == entry.count - 1 && entry.hasPrefix(word) { return true }
            } else if word.hasPrefix(entry) {
                return true
            }
        }
        return false
    }

    /// The features of one question's text: words analysed, then places, concepts, and numbers and
    /// stems, each in its own pass.
    public mutating func features(_ text: String) -> QuestionFeatures {
        let (tokens, infos, skeletons) = words(text)
        let places = scanPlaces(tokens: tokens, infos: infos, skeletons: skeletons)
        var hits = scanConcepts(tokens: tokens, infos: infos, skeletons: skeletons, covered: places.covered)
        let concepts = keepConfidentConcepts(&hits)
        lastConceptMatches = hits
        let words = scanNumbersAndStems(tokens: tokens, infos: infos, places: places)
        var features = QuestionFeatures()
        features.places = places.places.sorted()
        features.placeParts = places.placeParts.sorted()
        features.areas = places.areas.sorted()
        features.numbers = words.numbers.sorted()
        features.houseNumbers = words.houseNumbers.sorted()
        features.concepts = concepts.sorted()
        features.issues = features.concepts.filter { lexicon.concepts[Int($0)].kind == .issue }
        features.audiences = features.concepts.filter { lexicon.concepts[Int($0)].kind == .audience }
        features.facilities = features.concepts.filter { lexicon.concepts[Int($0)].kind == .facility }
        features.specificIssues = features.issues.filter { !lexicon.concepts[Int($0)].hasChildren }
        features.families = Set(features.issues.compactMap { lexicon.concepts[Int($0)].family }).sorted()
        features.stems = words.stems.sorted()
        features.grams = Self.trigrams(words.content)
        features.exactKey = FNV1a.hash(words.content.joined(separator: " "))
        return features
    }

    /// The tokens of a text with their word facts and skeletons, numbers written as words read as
    /// numbers.
    mutating func words(_ text: String) -> (tokens: [Token], infos: [WordInfo?], skeletons: [String]) {
        let tokens = tokenize(text)
        let (infos, skeletons) = analyseWords(tokens)
        guard infos.contains(where: { $0 != nil && ($0!.numberWord != nil || $0!.isNumberSign) }) else {
            return (tokens, infos, skeletons)
        }
        return readNumberWords(tokens, infos, skeletons)
    }

    /// Numbers written as words become number tokens where they can only be a number's name: an
    /// ordinal of 3 or more ("двадцатая школа", "жиырмасыншы мектеп", "бесінші емхана" — "вторая
    /// школа", "екінші мектеп" are as often *a second* school), or any number after "номер"/"нөмір"
    /// ("автобус номер семь"). "номер" itself
    /// steps aside, so "школа номер 20" reads as "школа 20". Whether the number names a school, a
    /// route or nothing is then decided as for digits (an anchor beside it; "десятый день" is a count).
    func readNumberWords(_ tokens: [Token], _ infos: [WordInfo?], _ skeletons: [String]) -> (
        tokens: [Token], infos: [WordInfo?], skeletons: [String]
    ) {
        var outTokens: [Token] = []
        var outInfos: [WordInfo?] = []
        var outSkeletons: [String] = []
        outTokens.reserveCapacity(tokens.count)
        var index = 0
        var afterSign = false
        while index < tokens.count {
            let info = infos[index]
            if let info, info.isNumberSign, index + 1 < tokens.count,
                tokens[index + 1].isNumber || infos[index + 1]?.numberWord != nil
            {
                afterSign = true
                index += 1
                continue
            }
            if info?.numberWord != nil {
                let run = infos[index..<min(index + 6, tokens.count)].map { $0?.numberWord }
                if let read = NumberWords.read(run), afterSign || (read.ordinal && read.value >= 3) {
                    var token = Token(word: String(read.value), isNumber: true)
                    token.spelled = true
                    token.before = tokens[index].before
                    token.after = tokens[index + read.count - 1].after
                    outTokens.append(token)
                    outInfos.append(nil)
                    outSkeletons.append(token.word)
                    index += read.count
                    afterSign = false
                    continue
                }
            }
            afterSign = tokens[index].isNumberSign  // "№ двадцать"
            outTokens.append(tokens[index])
            outInfos.append(info)
            outSkeletons.append(skeletons[index])
            index += 1
        }
        return (outTokens, outInfos, outSkeletons)
    }

    /// Each token's word facts (nil for numbers and `№`) and its matching skeleton.
    mutating func analyseWords(_ tokens: [Token]) -> (infos: [WordInfo?], skeletons: [String]) {
        var infos: [WordInfo?] = []
        infos.reserveCapacity(tokens.count)
        var skeletons: [String] = []
        skeletons.reserveCapacity(tokens.count)
        for token in tokens {
            if token.isNumber || token.isNumberSign {
                infos.append(nil)
                skeletons.append(token.word)
            } else {
                let word = info(token.word)
                infos.append(word)
                skeletons.append(word.skeleton)
            }
        }
        return (infos, skeletons)
    }

    /// What the place pass found: places, districts, numbered parts, and which tokens it used.
    struct PlaceScan {
        var places = Set<Int32>()
        var areas = Set<Int32>()
        var placeParts = Set<UInt64>()
        /// Tokens inside a place name: not also concepts.
        var covered: [Bool]
        /// Positions right after a place (and its markers): a number there is a house number.
        var afterPlace: [Bool]
        /// Numbers that are the part of a microdistrict ("Аксай-4"), not house numbers.
        var partNumber: [Bool]

        init(count: Int) {
            covered = [Bool](repeating: false, count: count)
            afterPlace = [Bool](repeating: false, count: count + 1)
            partNumber = [Bool](repeating: false, count: count)
        }
    }

    /// Places first: a street named like a common word ("Дорожник") is not also a concept.
    func scanPlaces(tokens: [Token], infos: [WordInfo?], skeletons: [String]) -> PlaceScan {
        var scan = PlaceScan(count: tokens.count)
        var position = 0
        while position < tokens.count {
            guard let word = infos[position], !word.places.isEmpty,
                let match = lexicon.placeMatcher.bestMatch(tokens: skeletons, at: position, candidates: word.places)
            else {
                position += 1
                continue
            }
            let target = match.target
            if lexicon.ambiguousPlaces.contains(target) || match.fuzzy {
                let previousMarker = position > 0 && infos[position - 1]?.isMarker == true
                let nextIndex = position + match.tokenCount
                let nextMarker = nextIndex < tokens.count && infos[nextIndex]?.isMarker == true
                // A misspelt place must at least look like a name; a common-word name may lean on "ул.".
                guard tokens[position].capitalized || (!match.fuzzy && (previousMarker || nextMarker)) else {
                    position += 1
                    continue
                }
            }
            if lexicon.places[Int(target)].isArea { scan.areas.insert(target) } else { scan.places.insert(target) }
            for offset in 0..<match.tokenCount { scan.covered[position + offset] = true }
            var next = position + match.tokenCount
            if lexicon.places[Int(target)].kind == "microdistrict" {
                next = scanPart(of: target, at: position, next: next, tokens: tokens, scan: &scan)
            }
            while next < tokens.count, infos[next]?.isMarker == true { next += 1 }
            scan.afterPlace[next] = true
            position += match.tokenCount
        }
        return scan
    }

    /// The numbered part of a microdistrict named at `position`, after it or before it as an ordinal;
    /// returns the position after the place and its part.
    func scanPart(of target: Int32, at position: Int, next start: Int, tokens: [Token], scan: inout PlaceScan) -> Int {
        var next = start
        // "Аксай-4", "Орбита 3", "Шаңырақ-5": a numbered part of a microdistrict is part of the
        // place, not a house number.
        if next < tokens.count, tokens[next].isNumber, tokens[next].word.count <= 2,
            tokens[next].before == nil || tokens[next].before == "-", let part = UInt64(tokens[next].word)
        {
            scan.placeParts.insert(UInt64(target) << 16 | part)
            scan.partNumber[next] = true
            next += 1
            if next < tokens.count, !tokens[next].isNumber, tokens[next].before == "-" { next += 1 }
        }
        // "в 4-м Аксае", "3-й Орбите": the part may come first, as an ordinal.
        if position > 0, tokens[position - 1].isNumber, tokens[position - 1].word.count <= 2,
            lexicon.ordinalSuffixes.contains(DomainLexicon.wordKey(tokens[position - 1].suffix)),
            let part = UInt64(tokens[position - 1].word)
        {
            scan.placeParts.insert(UInt64(target) << 16 | part)
            scan.partNumber[position - 1] = true
        }
        return next
    }

    /// Every lexicon pattern found outside the place names, longest first at each position.
    func scanConcepts(tokens: [Token], infos: [WordInfo?], skeletons: [String], covered: [Bool]) -> [ConceptMatch] {
        var hits: [ConceptMatch] = []
        var position = 0
        while position < tokens.count {
            guard !covered[position], let word = infos[position], !word.concepts.isEmpty else {
                position += 1
                continue
            }
            let (candidates, crowded) = conditionalPatterns(at: position, tokens: tokens, infos: infos, word.concepts)
            hits += crowded.map { ConceptMatch(position: position, match: $0) }
            guard let match = lexicon.conceptMatcher.bestMatch(tokens: skeletons, at: position, candidates: candidates)
            else {
                position += 1
                continue
            }
            if match.target >= 0 { hits.append(ConceptMatch(position: position, match: match)) }
            if match.tokenCount > 1 {
                hits += facilitiesInside(position..<(position + match.tokenCount), infos: infos, skeletons: skeletons)
            }
            position += match.tokenCount
        }
        return hits
    }

    /// A word's candidates without its conditional patterns: a counted one stays only when a count of
    /// two or more stands right before it ("3 смена", "вторую смену", "үшінші сменада" — not "смена
    /// водителей", nor "одна смена"). Headcount patterns never compete with the word's own meaning
    /// ("класс" still names a school); each one whose room is crowded — a headcount of 25–60 within
    /// two words ("сыныпта 42 бала", "в классах по 40+ человек") — is returned as a match besides.
    func conditionalPatterns(
        at position: Int, tokens: [Token], infos: [WordInfo?],
        _ candidates: [(pattern: Int32, length: Int, fuzzy: Bool)]
    ) -> (candidates: [(pattern: Int32, length: Int, fuzzy: Bool)], crowded: [PatternMatcher.Match]) {
        let patterns = lexicon.conceptMatcher.patterns
        guard candidates.contains(where: { patterns[Int($0.pattern)].counted || patterns[Int($0.pattern)].headcount })
        else { return (candidates, []) }
        var counted = false
        if position > 0 {
            let previous = tokens[position - 1]
            let count = previous.isNumber ? Int(previous.word) : infos[position - 1]?.numberWord?.value
            if let count, count >= 2 { counted = true }
        }
        var crowdedRoom = false
        for offset in [-2, -1, 1, 2] {
            let at = position + offset
            guard at >= 0, at < tokens.count, tokens[at].isNumber, !tokens[at].spelled, let value = Int(tokens[at].word)
            else { continue }
            if (25...60).contains(value) { crowdedRoom = true }
        }
        var kept: [(pattern: Int32, length: Int, fuzzy: Bool)] = []
        var crowded: [PatternMatcher.Match] = []
        for candidate in candidates {
            let pattern = patterns[Int(candidate.pattern)]
            if pattern.headcount {
                if crowdedRoom, pattern.parts.count == 1, !candidate.fuzzy {
                    crowded.append(
                        PatternMatcher.Match(
                            target: pattern.target, tokenCount: 1, fuzzy: false, pattern: candidate.pattern))
                }
            } else if counted || !pattern.counted {
                kept.append(candidate)
            }
        }
        return (kept, crowded)
    }

    /// A longer pattern that names an issue may hold a facility's word ("очередь в садик",
    /// "балабақша кезегі"): the facility is still named.
    func facilitiesInside(_ span: Range<Int>, infos: [WordInfo?], skeletons: [String]) -> [ConceptMatch] {
        var found: [ConceptMatch] = []
        for position in span {
            guard let word = infos[position] else { continue }
            let single = word.concepts.filter {
                let pattern = lexicon.conceptMatcher.patterns[Int($0.pattern)]
                return pattern.parts.count == 1 && !pattern.weak && lexicon.concepts[Int(pattern.target)].kind == .facility
            }
            guard !single.isEmpty,
                let match = lexicon.conceptMatcher.bestMatch(tokens: skeletons, at: position, candidates: single)
            else { continue }
            found.append(ConceptMatch(position: position, match: match))
        }
        return found
    }

    /// The concepts that count, with their ancestors; marks the weak cues that do not.
    func keepConfidentConcepts(_ hits: inout [ConceptMatch]) -> Set<Int32> {
        // A weak cue counts only beside a firm mention of the same issue: "суық су жоқ" (no cold
        // water) is not about heating, "батареялар суық" is.
        // Some issues' cues also count beside the facility they concern: "мектеп сыймай жатыр" (the
        // school cannot fit everyone) is about school places.
        let firm = hits.filter { !$0.match.weak }.map(\.match.target)
        let firmRoots = Set(firm.map(lexicon.root))
        let firmFacilities = Set(firm.flatMap(lexicon.lineage).filter { lexicon.concepts[Int($0)].kind == .facility })
        var concepts = Set<Int32>()
        for index in hits.indices {
            let target = hits[index].match.target
            hits[index].kept =
                !hits[index].match.weak || firmRoots.contains(lexicon.root(target))
                || lexicon.concepts[Int(target)].cueFacilities.contains(where: firmFacilities.contains)
            if hits[index].kept { concepts.formUnion(lexicon.lineage(target)) }
        }
        return concepts
    }

    /// Numbers (house, school, route), stemmed content words and the folded content.
    struct WordScan {
        var numbers = Set<String>()
        var houseNumbers = Set<String>()
        var stems = Set<UInt64>()
        var content: [String] = []
    }

    func scanNumbersAndStems(tokens: [Token], infos: [WordInfo?], places: PlaceScan) -> WordScan {
        var scan = WordScan()
        for (index, token) in tokens.enumerated() {
            if token.isNumber {
                if places.partNumber[index] { continue }
                let sameClause = token.before.map { !".?!;:".unicodeScalars.contains($0) } ?? true
                if let (number, isHouse) = identifyingNumber(
                    at: index, tokens: tokens, infos: infos, afterPlace: places.afterPlace[index] && sameClause)
                {
                    if isHouse { scan.houseNumbers.insert(number) } else { scan.numbers.insert(number) }
                    scan.stems.insert(FNV1a.hash("#" + number))
                    scan.content.append(number)
                }
                continue
            }
            guard !token.isNumberSign, let word = infos[index], !word.isStopword else { continue }
            if word.skeleton.count >= 2 { scan.stems.insert(word.stem) }
            scan.content.append(word.skeleton)
        }
        return scan
    }

    /// A number names a house, school or route when marked (`№`), ordinal (`15-й`), glued to an
    /// anchor (`45-мектеп`), next to one (`д. 15`, `школа 198`, `86 автобус`) or right after a
    /// street; times (`19:00`), years and quantities with units (`600 мест`, `3 месяца`) are not.
    func identifyingNumber(at index: Int, tokens: [Token], infos: [WordInfo?], afterPlace: Bool) -> (number: String, isHouse: Bool)? {
        let token = tokens[index]
        var digits = Substring(token.word)
        while digits.count > 1, digits.first == "0" { digits = digits.dropFirst() }
        guard digits.count <= 4 else { return nil }
        // Times (19:00), fractions and lists of figures: digits joined to digits by a separator.
        let next = index + 1 < tokens.count ? tokens[index + 1] : nil
        let previous = index > 0 ? tokens[index - 1] : nil
        if let next, next.isNumber, next.before != nil, next.before == token.after,
            [":", "/", ",", "."].contains(token.after!)
        {
            return nil
        }
        if let previous, previous.isNumber, token.before == ":" { return nil }
        let explicit = index > 0 && tokens[index - 1].isNumberSign
        if explicit { return (String(digits), false) }
        if let value = Int(digits), (1900...2100).contains(value) { return nil }
        if !token.suffix.isEmpty {
            let normalized = TextNormalizer.normalize(token.suffix)
            let suffix = TextNormalizer.skeleton(
                KazakhLatinTransliterator.isLatin(normalized)
                    ? KazakhLatinTransliterator.toCyrillic(normalized) : normalized)
            if Self.matches(suffix, lexicon.numberAnchors) { return (String(digits), Self.matches(suffix, lexicon.houseAnchors)) }
            // "Абая 45-й" is a house; "139-я" alone a school or route, named the way it is known;
            // "7-х классах", "3-й этаж" count things.
            if lexicon.ordinalSuffixes.contains(suffix) {
                return (String(digits), afterPlace)
            }
            return afterPlace ? (String(digits), true) : nil  // "Абая 45а"
        }
        var nextWord = index + 1 < tokens.count ? infos[index + 1] : nil
        // "139 shy mektep", "37 ші автобус": an ordinal ending written apart is still the number's.
        if let ordinal = nextWord, ordinal.isOrdinal, ordinal.skeleton.count >= 2, index + 2 < tokens.count,
            let anchor = infos[index + 2], anchor.isAnchor
        {
            nextWord = anchor
        }
        if nextWord?.isUnit == true { return nil }
        if let nextWord, nextWord.isAnchor { return (String(digits), nextWord.isHouseAnchor) }
        if index > 0, let word = infos[index - 1], word.isAnchor { return (String(digits), word.isHouseAnchor) }
        if index > 1, infos[index - 1]?.isStopword == true, let word = infos[index - 2], word.isAnchor {
            return (String(digits), word.isHouseAnchor)
        }
        // Right after a street or microdistrict in the same clause: a house number ("Абая 45").
        if afterPlace && !token.spelled { return (String(digits), true) }
        return nil
    }

    static func trigrams(_ words: [String]) -> [UInt32] {
        var result = Set<UInt32>()
        for word in words {
            let scalars = [UInt32(32)] + word.unicodeScalars.map(\.value) + [UInt32(32)]
            guard scalars.count >= 3 else { continue }
            for start in 0...(scalars.count - 3) {
                var hash = FNV1a()
                for value in scalars[start..<start + 3] { hash.mix(UInt64(value)) }
                result.insert(UInt32(truncatingIfNeeded: hash.value ^ (hash.value >> 32)))
            }
        }
        return result.sorted()
    }
}
