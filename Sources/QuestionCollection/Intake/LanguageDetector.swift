import TyndauCore

/// Tells Russian, Kazakh (Cyrillic), Kazakh in the 2021 Latin alphabet and mixtures apart.
///
/// Letters decide first: `ә ғ қ ң ө ұ ү һ і` occur only in Kazakh, `ä ğ ı ñ ö ū ü ş q` only in Kazakh
/// Latin. Frequent function words then separate pure Kazakh from Russian–Kazakh mixtures, which
/// residents write often ("198 школа пристройка құрылысы стоит").
public enum LanguageDetector {
    private static let kazakhLetters: Set<Character> = ["ә", "ғ", "қ", "ң", "ө", "ұ", "ү", "һ", "і"]
    private static let kazakhLatinLetters: Set<Character> = ["ä", "ğ", "ı", "ñ", "ö", "ū", "ü", "ş", "q", "á", "ú", "ý", "ó"]
    private static let russianWords: Set<String> = [
        "и", "в", "на", "не", "что", "когда", "почему", "нет", "есть", "уже", "для", "по", "это", "как",
        "просим", "прошу", "у", "с", "из", "до", "до", "улице", "ул", "будет", "можно", "когда-нибудь",
        "очень", "или", "нас", "мы", "все", "дом", "дома", "двор", "во", "от", "за", "же",
    ]
    private static let kazakhWords: Set<String> = [
        "және", "мен", "пен", "бен", "жоқ", "бар", "қашан", "неге", "ма", "ме", "ба", "бе", "па", "пе",
        "үшін", "туралы", "көшесі", "көшесінде", "ауласында", "үй", "бала", "балалар", "су", "жарық",
        "сұраймыз", "өтінеміз", "жөндеу", "қажет", "керек", "бұл", "біз", "біздің", "ауданы", "шешу",
        "жасау", "мектеп", "бақша", "тұрғындар", "жол",
    ]

    /// The function words as scalar arrays: bit 1 Russian, bit 2 Kazakh. Looked up with the word's
    /// scalars, which hash without the Unicode normalisation a `String` key costs.
    private static let functionWords: [[UInt32]: UInt8] = {
        var words: [[UInt32]: UInt8] = [:]
        for word in russianWords { words[word.unicodeScalars.map(\.value), default: 0] |= 1 }
        for word in kazakhWords { words[word.unicodeScalars.map(\.value), default: 0] |= 2 }
        return words
    }()
    private static let longestFunctionWord = functionWords.keys.map(\.count).max() ?? 0
    private static let kazakhScalars = Set(kazakhLetters.flatMap { $0.unicodeScalars.map(\.value) })
    private static let kazakhLatinScalars = Set(kazakhLatinLetters.flatMap { $0.unicodeScalars.map(\.value) })

    /// The lower case of each scalar ``ScalarClass`` covers, when it is one covered scalar other than CR
    /// (what `String.lowercased()` gives: no casing rule in these scripts depends on context); 0 where it
    /// is not (`İ` lowers to two scalars), which sends the text to the general path.
    private static let lowercase: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 0x2117)
        for value in 1..<UInt32(table.count) {
            guard let scalar = Unicode.Scalar(value), ScalarClass.isCovered(scalar), scalar != "\r" else { continue }
            let lowered = String(scalar).lowercased().unicodeScalars
            guard lowered.count == 1, let first = lowered.first, ScalarClass.isCovered(first), first != "\r" else { continue }
            table[Int(value)] = first.value
        }
        return table
    }()

    public static func detect(_ text: String) -> TextLanguage {
        // One pass over the scalars: lower-cased by table, letters by range, the letter counts and the
        // words (runs of letters and hyphens) together — the intake detects the language of every question.
        var counts = Counts()
        var word: [UInt32] = []
        word.reserveCapacity(longestFunctionWord + 1)
        func endWord() {
            if !word.isEmpty, word.count <= longestFunctionWord, let kinds = functionWords[word] {
                if kinds & 1 != 0 { counts.russian += 1 }
                if kinds & 2 != 0 { counts.kazakhWord += 1 }
            }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            guard value < lowercase.count, case let lowered = lowercase[Int(value)], lowered != 0 else {
                return general(text)
            }
            let isLetter = ScalarClass.isLetter(lowered)
            if isLetter || lowered == 0x2D {
                word.append(lowered)
            } else {
                endWord()
            }
            guard isLetter else { continue }
            if (0x0400...0x04FF).contains(lowered) {
                counts.cyrillic += 1
                if kazakhScalars.contains(lowered) { counts.kazakhLetter += 1 }
            } else if lowered < 0x0250 {
                counts.latin += 1
                if kazakhLatinScalars.contains(lowered) { counts.kazakhLatinLetter += 1 }
            }
        }
        endWord()
        return counts.verdict
    }

    /// What one pass counts.
    private struct Counts {
        var cyrillic = 0
        var latin = 0
        var kazakhLetter = 0
        var kazakhLatinLetter = 0
        var russian = 0
        var kazakhWord = 0

        var verdict: TextLanguage {
            guard cyrillic + latin > 0 else { return .unknown }
            if latin > cyrillic {
                return kazakhLatinLetter > 0 || cyrillic == 0 ? .kkLatn : .mixed
            }
            let kazakh = kazakhWord + (kazakhLetter > 0 ? 1 : 0)
            if kazakh == 0 { return .ru }
            if russian == 0 { return latin > 0 && latin * 3 > cyrillic ? .mixed : .kk }
            return kazakh >= russian * 2 ? .kk : (russian >= kazakh * 3 && kazakhLetter == 0 ? .ru : .mixed)
        }
    }

    /// Text with a scalar outside the covered range: by `Character`, after `lowercased()`.
    private static func general(_ text: String) -> TextLanguage {
        var counts = Counts()
        var word = ""
        func endWord() {
            guard !word.isEmpty else { return }
            if russianWords.contains(word) { counts.russian += 1 }
            if kazakhWords.contains(word) { counts.kazakhWord += 1 }
            word = ""
        }
        for character in text.lowercased() {
            let isLetter = character.isLetter
            if isLetter || character == "-" {
                word.append(character)
            } else {
                endWord()
            }
            guard isLetter, let scalar = character.unicodeScalars.first else { continue }
            if (0x0400...0x04FF).contains(scalar.value) {
                counts.cyrillic += 1
                if kazakhLetters.contains(character) { counts.kazakhLetter += 1 }
            } else if scalar.value < 0x0250 {
                counts.latin += 1
                if kazakhLatinLetters.contains(character) { counts.kazakhLatinLetter += 1 }
            }
        }
        endWord()
        return counts.verdict
    }

    /// The first version, kept as the reference the one-pass ``detect(_:)`` is tested against.
    static func referenceDetect(_ text: String) -> TextLanguage {
        var cyrillic = 0
        var latin = 0
        var kazakhLetter = 0
        var kazakhLatinLetter = 0
        for character in text.lowercased() {
            guard let scalar = character.unicodeScalars.first, character.isLetter else { continue }
            if (0x0400...0x04FF).contains(scalar.value) {
                cyrillic += 1
                if kazakhLetters.contains(character) { kazakhLetter += 1 }
            } else if scalar.value < 0x0250 {
                latin += 1
                if kazakhLatinLetters.contains(character) { kazakhLatinLetter += 1 }
            }
        }
        guard cyrillic + latin > 0 else { return .unknown }
        if latin > cyrillic {
            return kazakhLatinLetter > 0 || cyrillic == 0 ? .kkLatn : .mixed
        }
        let words = text.lowercased().split { !$0.isLetter && $0 != "-" }.map(String.init)
        let russian = words.filter(russianWords.contains).count
        let kazakh = words.filter(kazakhWords.contains).count + (kazakhLetter > 0 ? 1 : 0)
        if kazakh == 0 { return .ru }
        if russian == 0 { return latin > 0 && latin * 3 > cyrillic ? .mixed : .kk }
        return kazakh >= russian * 2 ? .kk : (russian >= kazakh * 3 && kazakhLetter == 0 ? .ru : .mixed)
    }
}
