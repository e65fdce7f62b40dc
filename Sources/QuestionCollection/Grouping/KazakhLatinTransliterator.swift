/// Kazakh written in Latin letters, turned into Cyrillic so that it meets the Cyrillic questions.
///
/// Three spellings are in use: the official 2021 alphabet (`ä ğ ı ñ ö ū ü ş q`, `y = ы`, `ı = і`,
/// `i = и/й`), the 2018 acute variant (`á ǵ ń ó ú ý`, digraphs `sh ch`), and informal
/// English-style writing (`sh zh ch kh`, `y = ы`, `ya yu`). The variant is chosen per word from its
/// letters; ambiguity left over (`и/й`, `ы/і`) is folded away by ``TextNormalizer/skeleton(_:)``.
public enum KazakhLatinTransliterator {
    enum Variant { case official2021, acute2018, informal }

    private static let marks2021: Set<Character> = ["ä", "ğ", "ı", "ñ", "ö", "ū", "ü", "ş", "q"]
    private static let marks2018: Set<Character> = ["á", "ǵ", "ń", "ó", "ú", "ý", "í"]
    private static let vowels: Set<Character> = [
        "a", "e", "o", "u", "ı", "i", "y", "ä", "ö", "ü", "ū", "á", "ó", "ú", "ý", "í",
    ]

    private static let common: [Character: String] = [
        "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "j": "ж", "k": "к", "l": "л",
        "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т", "u": "у", "v": "в",
        "w": "у", "x": "х", "z": "з", "c": "ц", "ç": "ч",
    ]
    private static let letters2021: [Character: String] = [
        "ä": "ә", "ğ": "ғ", "ı": "і", "ñ": "ң", "ö": "ө", "ū": "ұ", "ü": "ү", "ş": "ш", "y": "ы",
    ]
    private static let letters2018: [Character: String] = [
        "á": "ә", "ǵ": "ғ", "ń": "ң", "ó": "ө", "ú": "ү", "ý": "у", "u": "ұ", "i": "і", "í": "и", "y": "ы",
        "ı": "ы",
    ]

    /// Whether `word` is written (mostly) in Latin letters and so needs transliteration.
    public static func isLatin(_ word: String) -> Bool {
        var latin = 0
        var other = 0
        for scalar in word.unicodeScalars where scalar.properties.isAlphabetic {
            if scalar.value < 0x0250 { latin += 1 } else { other += 1 }
        }
        return latin > 0 && latin >= other
    }

    /// One normalised (lower-case) Latin word in Cyrillic.
    public static func toCyrillic(_ word: String) -> String {
        let characters = Array(word)
        let variant: Variant =
            characters.contains(where: marks2021.contains)
            ? .official2021
            : characters.contains(where: marks2018.contains) ? .acute2018 : .informal
        var result = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let previous = index > 0 ? characters[index - 1] : nil
            // Digraphs, accepted in every variant (informal writers mix them into 2021 text too).
            if let next {
                let pair = String([character, next])
                if pair == "sh" && index + 3 < characters.count && String(characters[index + 2...index + 3]) == "ch" {
                    result += "щ"
                    index += 4
                    continue
                }
                let digraph: String? =
                    switch pair {
                    case "sh": "ш"
                    case "zh": "ж"
                    case "ch": "ч"
                    case "kh": "х"
                    // "tsentr", "stantsiya" — but "asfaltsyz" is асфальт + сыз.
                    case "ts" where variant == .informal && (index == 0 || followedByIya(characters, index + 2)): "ц"
                    case "ya" where variant == .informal: "я"
                    case "yu" where variant == .informal: "ю"
                    case "yo" where variant == .informal: "е"
                    case "ye" where variant == .informal && (previous == nil || vowels.contains(previous!)): "е"
                    default: nil
                    }
                if let digraph {
                    result += digraph
                    index += 2
                    continue
                }
            }
            switch variant {
            case .official2021:
                if character == "i" {
                    result += previous.map(vowels.contains) == true ? "й" : "и"
                } else {
                    result += letters2021[character] ?? common[character] ?? String(character)
                }
            case .acute2018:
                result += letters2018[character] ?? common[character] ?? String(character)
            case .informal:
                if character == "y" {
                    result += previous.map(vowels.contains) == true ? "й" : "ы"
                } else if character == "i" {
                    result += "и"
                } else {
                    result += letters2021[character] ?? common[character] ?? String(character)
                }
            }
            index += 1
        }
        return result
    }

    /// "iya", "ia" or "ya" at `index`: the ending of a Russian loanword in "-ция" ("stantsiya").
    static func followedByIya(_ characters: [Character], _ index: Int) -> Bool {
        let rest = String(characters[min(index, characters.count)...])
        return rest.hasPrefix("iya") || rest.hasPrefix("ia") || rest.hasPrefix("ya")
    }

    private static let homoglyphs: [Character: Character] = [
        "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к", "m": "м", "t": "т",
    ]

    /// A mostly-Cyrillic word with stray Latin look-alikes ("Абaя") gets Cyrillic letters back.
    public static func fixHomoglyphs(_ word: String) -> String {
        String(word.map { homoglyphs[$0] ?? $0 })
    }
}
