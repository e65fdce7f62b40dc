import Foundation
import TyndauCore

/// What the grouper knows about the district, loaded from data files rather than code: the concept
/// lexicon (`lexicon.json`: what residents ask about, in Russian, Kazakh and Latin spellings) and
/// the gazetteer (`gazetteer.json`: streets, microdistricts, landmarks with old and new names).
///
/// An office extends either by passing its own files of the same shape (``load(extraFiles:)``);
/// entries with an existing `id` add patterns to it, new ids add concepts or places.
public struct DomainLexicon: Sendable {
    /// What a concept says about a question; `issue`, `facility` and `audience` concepts veto a pair
    /// when both questions name some and share none.
    public enum ConceptKind: String, Sendable, Codable {
        /// The problem or request (lighting, water outage, speed bump): the core of a topic.
        case issue
        /// What it concerns in general (children, a street, a yard, a procedure): supports, never vetoes.
        case object
        /// A kind of institution (school, kindergarten): a school's problem is not a kindergarten's.
        case facility
        /// Who is asking for whom (young family, budget worker, pensioner).
        case audience
    }

    /// A concept of the lexicon.
    public struct Concept: Sendable {
        public var id: String
        public var kind: ConceptKind
        public var category: QuestionCategory?
        public var parent: Int32?
        public var label: [String: String]
        public var hasChildren = false
        /// The issue family (index into ``families``): related problems a resident may name either way
        /// (street lighting or the power supply; shifts or class size). A child inherits its parent's.
        public var family: Int32?
        /// Facilities beside which this concept's weak cues count even without a firm mention of the
        /// issue: "139-мектеп сыймай жатыр" (the school does not fit everyone) is about school places.
        public var cueFacilities: [Int32] = []
    }

    /// A place of the gazetteer.
    public struct Place: Sendable {
        public var id: String
        public var kind: String
        public var district: String?
        public var label: [String: String]
        /// A district-wide place does not veto: "in Turksib district" and "on Chekhov St" may agree.
        public var isArea: Bool { kind == "district" || kind == "city" }
    }

    public private(set) var concepts: [Concept] = []
    public private(set) var places: [Place] = []
    /// Issue families by id, in order of first mention.
    public private(set) var families: [String] = []
    var conceptIndex: [String: Int32] = [:]
    var placeIndex: [String: Int32] = [:]
    var ambiguousPlaces: Set<Int32> = []
    var conceptMatcher = PatternMatcher(fuzzyMinimum: 7, defaultRemainder: .max)
    var placeMatcher = PatternMatcher(fuzzyMinimum: 6, defaultRemainder: 5)
    var stopwords: Set<String> = []
    var numberAnchors: [String] = []
    /// Anchors that make a number a house (or flat) number: it supports a pair but never vetoes one.
    var houseAnchors: [String] = []
    var numberUnits: [String] = []
    var ordinalSuffixes: Set<String> = []
    var placeMarkers: [String] = []
    var emoji: [Character: String] = [:]
    /// The emoji table by first scalar, for the tokenizer.
    var emojiScalars: [Unicode.Scalar: String] = [:]
    /// ``weight(_:)`` per concept, computed once.
    private(set) var conceptWeights: [Double] = []

    /// The files shipped in the package.
    public static let bundled: DomainLexicon = {
        do {
            return try load(extraFiles: [])
        } catch {
            preconditionFailure("bundled lexicon or gazetteer is malformed: \(error)")
        }
    }()

    /// Loads the bundled lexicon and gazetteer, then each extra file (lexicon or gazetteer shape,
    /// told apart by its `concepts` or `places` key).
    public static func load(extraFiles: [URL]) throws -> DomainLexicon {
        var lexicon = DomainLexicon()
        for name in ["lexicon", "gazetteer"] {
            guard let url = Bundle.module.url(forResource: name, withExtension: "json") else {
                throw TyndauError.notFound("\(name).json")
            }
            try lexicon.add(file: url)
        }
        for url in extraFiles { try lexicon.add(file: url) }
        lexicon.finish()
        return lexicon
    }

    struct File: Decodable {
        struct ConceptEntry: Decodable {
            var id: String
            var kind: ConceptKind?
            var category: QuestionCategory?
            var parent: String?
            var family: String?
            var label: [String: String]?
            var patterns: [String]
            var cueFacilities: [String]?
        }
        struct PlaceEntry: Decodable {
            var id: String
            var kind: String?
            var district: String?
            var ru: String?
            var kk: String?
            var en: String?
            var alt: [String]?
            var ambiguous: Bool?
        }
        var stopwords: [String]?
        var numberAnchors: [String]?
        var houseAnchors: [String]?
        var numberUnits: [String]?
        var ordinalSuffixes: [String]?
        var placeMarkers: [String]?
        var emoji: [String: String]?
        var concepts: [ConceptEntry]?
        var places: [PlaceEntry]?
    }

    mutating func add(file url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TyndauError.notFound(url.path) }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw TyndauError.configuration(url.path, String(describing: error))
        }
        stopwords.formUnion((file.stopwords ?? []).map(Self.wordKey))
        numberAnchors += (file.numberAnchors ?? []).map(Self.wordKey)
        houseAnchors += (file.houseAnchors ?? []).map(Self.wordKey)
        numberUnits += (file.numberUnits ?? []).map(Self.wordKey)
        ordinalSuffixes.formUnion((file.ordinalSuffixes ?? []).map(Self.wordKey))
        placeMarkers += (file.placeMarkers ?? []).map(Self.wordKey)
        for (symbol, words) in file.emoji ?? [:] {
            if let character = symbol.first { emoji[character] = words }
            if let scalar = symbol.unicodeScalars.first { emojiScalars[scalar] = words }
        }
        var pendingParents: [(Int32, String)] = []
        var pendingCueFacilities: [(Int32, [String])] = []
        for entry in file.concepts ?? [] {
            let index: Int32
            if let existing = conceptIndex[entry.id] {
                index = existing
            } else {
                index = Int32(concepts.count)
                concepts.append(
                    Concept(
                        id: entry.id, kind: entry.kind ?? .issue, category: entry.category, parent: nil,
                        label: entry.label ?? [:]))
                conceptIndex[entry.id] = index
            }
            if let parent = entry.parent { pendingParents.append((index, parent)) }
            if let facilities = entry.cueFacilities { pendingCueFacilities.append((index, facilities)) }
            if let family = entry.family {
                if let existing = families.firstIndex(of: family) {
                    concepts[Int(index)].family = Int32(existing)
                } else {
                    concepts[Int(index)].family = Int32(families.count)
                    families.append(family)
                }
            }
            for pattern in entry.patterns {
                // "~суық": a weak cue, see ``PatternMatcher/Pattern/weak``; "#смен": a counted word,
                // ``PatternMatcher/Pattern/counted``; "%класс": a headcount word,
                // ``PatternMatcher/Pattern/headcount``.
                let weak = pattern.hasPrefix("~")
                let counted = pattern.hasPrefix("#")
                let headcount = pattern.hasPrefix("%")
                let text = weak || counted || headcount ? String(pattern.dropFirst()) : pattern
                let parts = Self.patternParts(text, trimEndings: false)
                conceptMatcher.add(
                    parts: parts, target: index, weak: weak, counted: counted, headcount: headcount,
                    maxRemainder: Self.conceptRemainder(text, parts))
            }
        }
        for (child, parentID) in pendingParents {
            guard let parent = conceptIndex[parentID] else {
                throw TyndauError.configuration(url.path, "unknown parent concept \(parentID)")
            }
            concepts[Int(child)].parent = parent
            concepts[Int(parent)].hasChildren = true
            if concepts[Int(child)].category == nil { concepts[Int(child)].category = concepts[Int(parent)].category }
        }
        for (concept, facilityIDs) in pendingCueFacilities {
            for id in facilityIDs {
                guard let facility = conceptIndex[id], concepts[Int(facility)].kind == .facility else {
                    throw TyndauError.configuration(url.path, "cueFacilities of \(concepts[Int(concept)].id): \(id) is not a facility")
                }
                if !concepts[Int(concept)].cueFacilities.contains(facility) { concepts[Int(concept)].cueFacilities.append(facility) }
            }
        }
        for (child, _) in pendingParents where concepts[Int(child)].family == nil {
            let inherited = lineage(child).compactMap { concepts[Int($0)].family }.first
            concepts[Int(child)].family = inherited
        }
        for entry in file.places ?? [] {
            let index: Int32
            if let existing = placeIndex[entry.id] {
                index = existing
            } else {
                index = Int32(places.count)
                var label: [String: String] = [:]
                label["ru"] = entry.ru ?? entry.en ?? entry.id
                label["kk"] = entry.kk ?? entry.ru ?? entry.id
                label["en"] = entry.en ?? entry.id
                places.append(Place(id: entry.id, kind: entry.kind ?? "street", district: entry.district, label: label))
                placeIndex[entry.id] = index
            }
            if entry.ambiguous == true { ambiguousPlaces.insert(index) }
            for name in [entry.ru, entry.kk, entry.en].compactMap({ $0 }) + (entry.alt ?? []) {
                placeMatcher.add(parts: Self.patternParts(name, trimEndings: true), target: index)
            }
        }
    }

    mutating func finish() {
        conceptWeights = concepts.indices.map { weight(Int32($0)) }
    }

    /// A word as the matcher sees it: normalised, transliterated when Latin, folded to its skeleton.
    static func wordKey(_ word: String) -> String {
        let normalized = TextNormalizer.normalize(word).trimmingCharacters(in: .whitespaces)
        let exact = normalized.hasSuffix("=")
        let body = exact ? String(normalized.dropLast()) : normalized
        let cyrillic = KazakhLatinTransliterator.isLatin(body) ? KazakhLatinTransliterator.toCyrillic(body) : body
        return TextNormalizer.skeleton(cyrillic) + (exact ? "=" : "")
    }

    /// How many letters a word may carry beyond a concept pattern's first word. Folded to its
    /// skeleton, a short prefix is the start of too many unrelated words ("жиль" → "жил" would take
    /// the Kazakh "жыл", year), and a Latin-script pattern read as Kazakh Latin is too ("bill" →
    /// "бил" would take "білім"): they take an ending of at most two letters (a short Latin one, one).
    /// Other prefixes take any.
    static func conceptRemainder(_ pattern: String, _ parts: [String]) -> Int {
        guard let first = parts.first, !first.hasSuffix("=") else { return 0 }
        let latin = pattern.unicodeScalars.contains { $0.properties.isAlphabetic && $0.value < 0x0250 }
        if latin { return first.count <= 4 ? 1 : 2 }
        return first.count <= 3 ? 2 : .max
    }

    private static let adjectiveEndings = ["ская", "ской", "скую", "ский", "ского", "ское"]

    /// Splits a pattern or a place name into skeleton words. Place names drop their inflectable
    /// ending ("Щербакова" → "щербаков", "Туркестанская" → "туркестанск") so every case form matches.
    static func patternParts(_ pattern: String, trimEndings: Bool) -> [String] {
        let words = TextNormalizer.normalize(pattern)
            .split { $0 == " " || $0 == "-" || $0 == "." || $0 == "," || $0 == "«" || $0 == "»" || $0 == "\"" }
            .map(String.init)
        return words.map { word -> String in
            guard trimEndings else { return wordKey(word) }
            var cyrillic = KazakhLatinTransliterator.isLatin(word) ? KazakhLatinTransliterator.toCyrillic(word) : word
            if let ending = adjectiveEndings.first(where: { cyrillic.hasSuffix($0) && cyrillic.count > $0.count + 2 }) {
                cyrillic = String(cyrillic.dropLast(ending.count - 2))
            } else if cyrillic.count >= 5, let last = cyrillic.last, "аяыио".contains(last) {
                cyrillic.removeLast()
            }
            return TextNormalizer.skeleton(cyrillic)
        }
    }

    /// The top of a concept's lineage.
    func root(_ concept: Int32) -> Int32 {
        lineage(concept).last!
    }

    /// A concept pattern as written in the lexicon (words joined by spaces, `~` for a weak cue).
    func conceptPatternText(_ index: Int32) -> String {
        let pattern = conceptMatcher.patterns[Int(index)]
        let mark = pattern.weak ? "~" : pattern.counted ? "#" : pattern.headcount ? "%" : ""
        return mark + pattern.parts.joined(separator: " ") + (pattern.maxRemainder == 0 ? "=" : "")
    }

    /// The concept and its ancestors, nearest first.
    func lineage(_ concept: Int32) -> [Int32] {
        var result = [concept]
        var current = concepts[Int(concept)].parent
        while let parent = current, !result.contains(parent) {
            result.append(parent)
            current = concepts[Int(parent)].parent
        }
        return result
    }

    /// Weight of a shared concept in the pair score: specific issues count most.
    func weight(_ concept: Int32) -> Double {
        let entry = concepts[Int(concept)]
        switch entry.kind {
        case .issue: return entry.hasChildren ? 1.5 : 3
        case .object: return 1
        case .facility: return 1
        case .audience: return 1.5
        }
    }

    public func conceptLabel(_ id: String, _ language: UILanguage) -> String {
        guard let index = conceptIndex[id] else { return id }
        let label = concepts[Int(index)].label
        return label[language.rawValue] ?? label["ru"] ?? id
    }

    public func placeLabel(_ id: String, _ language: UILanguage) -> String {
        guard let index = placeIndex[id] else { return id }
        return places[Int(index)].label[language.rawValue] ?? id
    }

    /// Sizes, for the README and the bench: concepts, concept patterns, places, place names.
    public var sizes: (concepts: Int, conceptPatterns: Int, places: Int, placeNames: Int) {
        (concepts.count, conceptMatcher.patterns.count, places.count, placeMatcher.patterns.count)
    }
}
