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

    public static func detect(_ text: String) -> TextLanguage {
        // One lowercasing and one pass over the characters: the letter counts and the words (runs of
        // letters and hyphens) together — the intake detects the language of every question.
        var cyrillic = 0
        var latin = 0
        var kazakhLetter = 0
        var kazakhLatinLetter = 0
        var russian = 0
        var kazakhWord = 0
        var word = ""
        func endWord() {
            guard !word.isEmpty else { return }
            if russianWords.contains(word) { russian += 1 }
            if kazakhWords.contains(word) { kazakhWord += 1 }
            word = ""
        }
        let lowered = text.lowercased()
        if lowered.unicodeScalars.allSatisfy({ ScalarClass.isCovered($0) && $0 != "\r" }) {
            // Each scalar is a character of its own here: no grapheme breaking, letters by range.
            for scalar in lowered.unicodeScalars {
                let isLetter = ScalarClass.isLetter(scalar.value)
                if isLetter || scalar == "-" {
                    word.unicodeScalars.append(scalar)
                } else {
                    endWord()
                }
                guard isLetter else { continue }
                if (0x0400...0x04FF).contains(scalar.value) {
                    cyrillic += 1
                    if kazakhLetters.contains(Character(scalar)) { kazakhLetter += 1 }
                } else if scalar.value < 0x0250 {
                    latin += 1
                    if kazakhLatinLetters.contains(Character(scalar)) { kazakhLatinLetter += 1 }
                }
            }
        } else {
            for character in lowered {
                let isLetter = character.isLetter
                if isLetter || character == "-" {
                    word.append(character)
                } else {
                    endWord()
                }
                guard isLetter, let scalar = character.unicodeScalars.first else { continue }
                if (0x0400...0x04FF).contains(scalar.value) {
                    cyrillic += 1
                    if kazakhLetters.contains(character) { kazakhLetter += 1 }
                } else if scalar.value < 0x0250 {
                    latin += 1
                    if kazakhLatinLetters.contains(character) { kazakhLatinLetter += 1 }
                }
            }
        }
        endWord()
        guard cyrillic + latin > 0 else { return .unknown }
        if latin > cyrillic {
            return kazakhLatinLetter > 0 || cyrillic == 0 ? .kkLatn : .mixed
        }
        let kazakh = kazakhWord + (kazakhLetter > 0 ? 1 : 0)
        if kazakh == 0 { return .ru }
        if russian == 0 { return latin > 0 && latin * 3 > cyrillic ? .mixed : .kk }
        return kazakh >= russian * 2 ? .kk : (russian >= kazakh * 3 && kazakhLetter == 0 ? .ru : .mixed)
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
