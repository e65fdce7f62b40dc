import Foundation
import QuestionCollection

extension FuzzTargets {
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
        var analyzer = TextAnalyzer()
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
