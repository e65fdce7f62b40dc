/// Numbers written as words, so that "двадцатая школа", "жиырмасыншы мектеп" (twentieth school) and
/// "школа номер двадцать" meet "школа №20".
///
/// Russian forms are looked up as normalised Cyrillic words (the skeleton would fold "десятый",
/// tenth, onto "десяти", of ten); Kazakh ones by their skeleton, so Cyrillic, 2021 Latin and informal
/// Latin ("jiyrmasynshy") meet. A run of number words reads as one number ("сто тридцать девятая",
/// "екі жүз отызыншы"); what the run means is decided by ``TextAnalyzer`` — a facility, route or
/// clinic number only beside an anchor word, like a digit number.
enum NumberWords {
    /// One number word: its value, whether it is an ordinal (it ends a run), and whether it
    /// multiplies what comes before it (the Kazakh "жүз" in "екі жүз", two hundred).
    struct Word: Sendable, Hashable {
        var value: Int
        var ordinal: Bool
        var multiplier = false
    }

    /// Russian words by their normalised form.
    static let russian: [String: Word] = {
        var table: [String: Word] = [:]
        let cardinals: [(String, Int)] = [
            ("один", 1), ("одна", 1), ("одно", 1), ("два", 2), ("две", 2), ("три", 3), ("четыре", 4), ("пять", 5),
            ("шесть", 6), ("семь", 7), ("восемь", 8), ("девять", 9), ("десять", 10), ("одиннадцать", 11),
            ("двенадцать", 12), ("тринадцать", 13), ("четырнадцать", 14), ("пятнадцать", 15), ("шестнадцать", 16),
            ("семнадцать", 17), ("восемнадцать", 18), ("девятнадцать", 19), ("двадцать", 20), ("тридцать", 30),
            ("сорок", 40), ("пятьдесят", 50), ("шестьдесят", 60), ("семьдесят", 70), ("восемьдесят", 80),
            ("девяносто", 90), ("сто", 100), ("двести", 200), ("триста", 300), ("четыреста", 400),
            ("пятьсот", 500), ("шестьсот", 600), ("семьсот", 700), ("восемьсот", 800), ("девятьсот", 900),
        ]
        for (word, value) in cardinals { table[word] = Word(value: value, ordinal: false) }
        let ordinalStems: [(String, Int)] = [
            ("перв", 1), ("втор", 2), ("четверт", 4), ("пят", 5), ("шест", 6), ("седьм", 7), ("восьм", 8),
            ("девят", 9), ("десят", 10), ("одиннадцат", 11), ("двенадцат", 12), ("тринадцат", 13),
            ("четырнадцат", 14), ("пятнадцат", 15), ("шестнадцат", 16), ("семнадцат", 17), ("восемнадцат", 18),
            ("девятнадцат", 19), ("двадцат", 20), ("тридцат", 30), ("сороков", 40), ("пятидесят", 50),
            ("шестидесят", 60), ("семидесят", 70), ("восьмидесят", 80), ("девяност", 90), ("сот", 100),
            ("двухсот", 200), ("трехсот", 300), ("четырехсот", 400), ("пятисот", 500), ("шестисот", 600),
            ("семисот", 700), ("восьмисот", 800), ("девятисот", 900),
        ]
        let hard = ["ый", "ой", "ая", "ое", "ые", "ого", "ому", "ым", "ом", "ую", "ых", "ыми"]
        for (stem, value) in ordinalStems {
            for ending in hard where table[stem + ending] == nil {
                table[stem + ending] = Word(value: value, ordinal: true)
            }
        }
        for ending in ["ий", "ья", "ье", "ьи", "ьего", "ьему", "ьим", "ьем", "ьей", "ью", "ьих", "ьими"] {
            table["трет" + ending] = Word(value: 3, ordinal: true)
        }
        return table
    }()

    /// Kazakh words by their skeleton (``TextNormalizer/skeleton(_:)``).
    static let kazakh: [String: Word] = {
        var table: [String: Word] = [:]
        let cardinals: [(String, Int)] = [
            ("бір", 1), ("екі", 2), ("үш", 3), ("төрт", 4), ("бес", 5), ("алты", 6), ("жеті", 7), ("сегіз", 8),
            ("тоғыз", 9), ("он", 10), ("жиырма", 20), ("отыз", 30), ("қырық", 40), ("елу", 50), ("алпыс", 60),
            ("жетпіс", 70), ("сексен", 80), ("тоқсан", 90),
        ]
        for (word, value) in cardinals { table[TextNormalizer.skeleton(word)] = Word(value: value, ordinal: false) }
        table[TextNormalizer.skeleton("жүз")] = Word(value: 100, ordinal: false, multiplier: true)
        let ordinals: [(String, Int)] = [
            ("бірінші", 1), ("екінші", 2), ("үшінші", 3), ("төртінші", 4), ("бесінші", 5), ("алтыншы", 6),
            ("жетінші", 7), ("сегізінші", 8), ("тоғызыншы", 9), ("оныншы", 10), ("жиырмасыншы", 20),
            ("жиырманшы", 20), ("отызыншы", 30), ("қырқыншы", 40), ("қырықыншы", 40), ("елуінші", 50),
            ("алпысыншы", 60), ("жетпісінші", 70), ("сексенінші", 80), ("тоқсаныншы", 90), ("жүзінші", 100),
        ]
        for (word, value) in ordinals { table[TextNormalizer.skeleton(word)] = Word(value: value, ordinal: true) }
        return table
    }()

    /// "номер", "нөмір", "nomer": a number follows ("школа номер 20", "автобус номер тридцать семь").
    static let signs: Set<String> = Set(
        ["номер", "номера", "номеру", "номером", "номере", "нөмір", "нөмірі", "нөмері", "номері"].map(
            TextNormalizer.skeleton))

    /// The number word `word` (normalised, Cyrillic) with skeleton `skeleton` stands for, if any.
    static func word(_ word: String, skeleton: String) -> Word? {
        russian[word] ?? kazakh[skeleton]
    }

    /// The number a run of words spells, and how many of them it takes: values falling in magnitude
    /// ("сто тридцать девять"), a Kazakh hundred multiplying ("екі жүз"), an ordinal only last.
    /// Nil when the first word is no number word.
    static func read(_ words: [Word?]) -> (value: Int, count: Int, ordinal: Bool)? {
        var total = 0
        var last = Int.max
        var count = 0
        var ordinal = false
        for entry in words {
            guard let word = entry else { break }
            if word.multiplier, count > 0, total < 10, !ordinal {
                total *= word.value
                last = word.value
            } else {
                // Each next word must be of a lower order: "сто тридцать" (130), not "пять десять".
                guard magnitude(word.value) < magnitude(last) || (count == 0) else { break }
                total += word.value
                last = word.value
            }
            count += 1
            if word.ordinal {
                ordinal = true
                break
            }
        }
        return count == 0 ? nil : (total, count, ordinal)
    }

    /// 0 for units, 1 for 10–99, 2 for hundreds.
    static func magnitude(_ value: Int) -> Int {
        value == .max ? 3 : value >= 100 ? 2 : value >= 10 ? 1 : 0
    }
}
