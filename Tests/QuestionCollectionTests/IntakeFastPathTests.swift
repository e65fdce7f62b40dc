import Foundation
import Testing
@testable import QuestionCollection
import TyndauCore

/// The intake's fast paths (no NFC call for text already in NFC, one-pass language detection, no
/// rebuilding of a text without a 12-digit run) give exactly what the general versions give.
@Suite struct IntakeFastPathTests {
    /// The demo's 190 questions, fixed texts with every kind of character the paths distinguish, and
    /// random mixtures of them.
    static let corpus: [String] = {
        var texts = [
            "Когда починят фонари на улице Саина?", "Саина көшесінде жарық жоқ, қашан жөндейді?",
            "Mektepte jylu joq, balalar tonyp jür. Qashan jöndeidı?", "198 школа пристройка құрылысы стоит, когда закончат?",
            "Qashan Abaı kóshesіndegі 12 úıdіń janyndaǵy jol jóndeledі?", "İSTANBUL ǅ ẞ ΣΑΣ", "e\u{301}cole cafe\u{301}",
            "Й vs И\u{306}", "мой ИИН 900101300126, прошу", "900101300126\u{301}", "tab\there\u{200B}zero\u{FEFF}width",
            "  пробелы \u{00A0} и\n\nстроки  ", "\u{2000}\u{2001}en quads", "Ω Ohm \u{2126} Kelvin \u{212A}", "№ 5 — «кавычки» …",
            "когда-нибудь - и - мы", "ҚАШАН ЖӨНДЕЙДІ", "\u{0483}титло", "한국어 텍스트", "العربية ١٢٣٤٥٦٧٨٩٠١٢", "",
        ]
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/TyndauCLI/Resources/demo-questions.jsonl")
        if let lines = try? String(contentsOf: demo, encoding: .utf8) {
            for line in lines.split(separator: "\n") {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let text = object["text"] as? String
                {
                    texts.append(text)
                }
            }
        }
        let pieces = [
            "а", "ә", "Қ", "і", "I", "İ", "ı", "e", "\u{301}", "\u{306}", "й", "ñ", "q", "-", " ", "\n", "\u{00A0}", "\u{200B}",
            "1", "9", "0", "№", "…", "\u{0483}", "и", "на", "жоқ", "үшін", "Ǆ", "ß", "\u{2000}", "\u{212B}", "ą", "\u{0327}", "!",
        ]
        var generator = SplitMix(seed: 42)
        for _ in 0..<500 {
            let length = Int(generator.next() % 40)
            texts.append((0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined())
        }
        return texts
    }()

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func cleaningGivesWhatTheAlwaysNFCVersionGives() {
        #expect(Self.corpus.count > 600)
        for text in Self.corpus {
            #expect(TextCleaner.clean(text).unicodeScalars.elementsEqual(TextCleaner.referenceClean(text).unicodeScalars), "\(text.debugDescription)")
        }
    }

    @Test func oneLanguagePassGivesWhatTheTwoPassVersionGives() {
        for text in Self.corpus {
            #expect(LanguageDetector.detect(text) == LanguageDetector.referenceDetect(text), "\(text.debugDescription)")
            let cleaned = TextCleaner.clean(text)
            #expect(LanguageDetector.detect(cleaned) == LanguageDetector.referenceDetect(cleaned), "\(cleaned.debugDescription)")
        }
    }

    @Test func everyCoveredScalarLowersAndCountsAsTheReferenceDoes() {
        // Each scalar of the covered range, upper or lower case, inside a function word and beside
        // Kazakh and Russian words: the table-driven pass must agree with the two-pass reference.
        for value in UInt32(1)...0x2116 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let s = String(scalar)
            for text in ["ЖӘНЕ\(s) мен бала", "И\(s) на улице нет", "Q\(s)ASHAN bala", "\(s)", "мектеп \(s)ЖОҚ және"] {
                #expect(LanguageDetector.detect(text) == LanguageDetector.referenceDetect(text), "U+\(String(value, radix: 16))")
            }
        }
    }

    @Test func onlyATwelveDigitByteRunCanBeMasked() {
        #expect(!NationalID.hasTwelveDigitRun("12345678901 2"))
        #expect(NationalID.hasTwelveDigitRun("x123456789012"))
        #expect(NationalID.maskingIINs(in: "ИИН 900101300126\u{301} с ударением") == "ИИН 900101300126\u{301} с ударением")
        #expect(NationalID.maskingIINs(in: "ИИН 900101300126.") == "ИИН [ИИН].")
        for text in Self.corpus where !NationalID.hasTwelveDigitRun(text) {
            #expect(NationalID.maskingIINs(in: text) == text)
        }
    }

    /// Every code point of the covered range, against the Unicode tables and the grapheme breaking.
    @Test func scalarClassAgreesWithTheUnicodeTablesOverItsWholeRange() {
        var covered = 0
        for value in UInt32(0)...0x2200 {
            guard let scalar = Unicode.Scalar(value), ScalarClass.isCovered(scalar) else { continue }
            covered += 1
            let properties = scalar.properties
            #expect(ScalarClass.isWhitespace(value) == properties.isWhitespace, "U+\(String(value, radix: 16))")
            let skipped: Bool
            switch properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned: skipped = true
            default: skipped = false
            }
            #expect(ScalarClass.isControlOrFormat(value) == skipped, "U+\(String(value, radix: 16))")
            #expect(ScalarClass.isLetter(value) == Character(scalar).isLetter, "U+\(String(value, radix: 16))")
            let alone = String(Character(scalar))
            #expect(alone.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(alone.unicodeScalars))
            #expect(properties.canonicalCombiningClass == .notReordered, "U+\(String(value, radix: 16))")
        }
        #expect(covered == 0x250 + 0x83 + 0x76 + 0x18 + 1)
    }

    /// Two covered scalars side by side stay two characters and stay apart under NFC (CR LF aside).
    @Test func coveredScalarsNeitherComposeNorJoin() {
        let sample: [Unicode.Scalar] = (UInt32(0)...0x2200).compactMap { value in
            Unicode.Scalar(value).flatMap { ScalarClass.isCovered($0) && $0 != "\r" ? $0 : nil }
        }
        var joined: [String] = []
        for first in sample where first.value % 5 == 0 {
            for second in sample {
                var pair = String.UnicodeScalarView()
                pair.append(first)
                pair.append(second)
                let text = String(pair)
                if text.count != 2 || !text.precomposedStringWithCanonicalMapping.unicodeScalars.elementsEqual(text.unicodeScalars) {
                    joined.append(text)
                }
            }
        }
        #expect(joined.isEmpty, "\(joined.prefix(10).map(\.debugDescription))")
    }
}
