import Foundation
import QuestionCollection

extension FuzzTargets {
    // libFuzzer calls a target from one thread only.
    nonisolated(unsafe) private static var analyzer = TextAnalyzer()
    nonisolated(unsafe) private static var runs = 0

    /// The grouping's text analysis: normaliser, skeleton, Latin-Kazakh transliteration, tokenizer and
    /// concept matching, language detection, IIN masking and the intake's text cleaner.
    @Sendable public static func textAnalyzer(_ data: Data) {
        let input = text(data)
        let normalized = TextNormalizer.normalize(input)
        require(TextNormalizer.normalize(normalized) == normalized, "normalize is not idempotent")
        for word in normalized.split(whereSeparator: { $0.isWhitespace || $0.isPunctuation }).prefix(200) {
            let word = String(word)
            _ = TextNormalizer.skeleton(word)
            _ = KazakhLatinTransliterator.fixHomoglyphs(word)
            if KazakhLatinTransliterator.isLatin(word) { _ = KazakhLatinTransliterator.toCyrillic(word) }
        }
        // One analyser across inputs, as the grouper keeps one: its per-word cache is what makes it fast
        // (a fresh one per input runs at a few inputs a second under ASan). Renewed now and then so
        // the cache of fuzzed words stays small.
        runs += 1
        if runs % 1000 == 0 { analyzer = TextAnalyzer() }
        _ = analyzer.features(input)
        for hit in analyzer.conceptHits(input) {
            require(!hit.concept.isEmpty, "concept hit without a concept")
        }
        _ = LanguageDetector.detect(input)
        let masked = NationalID.maskingIINs(in: input)
        _ = NationalID.maskingIINs(in: masked)
        let cleaned = TextCleaner.clean(input)
        require(TextCleaner.clean(cleaned) == cleaned, "clean is not idempotent")
    }
}
