import Foundation
import Testing

@testable import QuestionCollection

/// Keeps the lexicon general: words and short terms, each once, none there only because one
/// sentence of the labelled sets needed it.
@Suite struct LexiconLintTests {
    let lexicon = DomainLexicon.bundled

    /// Multi-word patterns that match a single question of the labelled sets but are ordinary terms,
    /// each with a sentence of its own (not from the sets) that it is for.
    static let generalTerms: [String: String] = [
        "қайта жібер": "Автобусты қайта жіберіңіздер",
        "аварийн деревь": "Уберите аварийные деревья во дворе",
        "ағып жатыр": "Құбырдан су ағып жатыр",
        "адресн социальн помощ": "Как получить адресную социальную помощь?",
        "адресн табличк": "Адресная табличка упала",
        "адресную помощ": "Прекратили адресную помощь",
        "акт на участ": "Не выдают акт на участок",
        "алаң салып": "Футбол алаңын салып беріңіздер",
        "асфальт нужен": "Асфальт нужен на нашей улице",
        "асфальтты қалпына": "Асфальтты қалпына келтіріңіздер",
        "атаулы көмек": "Атаулы көмек тағайындалмады",
        "ашық ор": "Көшеде ашық ор қалды",
        "балабақшаға кезек": "Балабақшаға кезек жылжымайды",
        "басып жатыр": "Жертөлені басып жатыр",
        "без транспорт": "Остались без транспорта",
        "белгісі өшіп": "Өткелдің белгісі өшіп қалған",
        "бюджет салас": "Бюджет саласының қызметкерлеріне пәтер",
        "вода грязн": "Вода грязная из крана",
        "возим вод": "Возим воду канистрами",
        "восстанов дорог": "Восстановите дорогу после ремонта",
        "восстанов маршрут": "Восстановите маршрут 58",
        "до утра": "Музыка до утра",
        "ерекше бала": "Ерекше балаларға арналған орталық",
        "жаяу жүргінші жол": "Жаяу жүргінші жолы жоқ",
        "жалға беріл": "Жалға берілетін тұрғын үй",
        "жылдамдықты төменде": "Жылдамдықты төмендету керек",
        "жилье аренд": "Жилье арендное для молодых семей",
        "из-под асфальт": "Вода течёт из-под асфальта",
        "қайта есепте": "Төлемді қайта есептеу керек",
        "қалай алу": "Қалай алуға болады?",
        "қалай қатыс": "Бағдарламаға қалай қатысамыз?",
        "качеств вод": "Проверьте качество воды",
        "коммунальн услуг": "Коммунальные услуги подорожали",
        "куда подават": "Куда подавать заявление?",
        "лай су": "Краннан лай су ағады",
        "лық толы": "Автобус лық толы",
        "мал иел": "Мал иелері малды көшеде жаяды",
        "мүгедектік бойынша жәрдемақ": "Мүгедектік бойынша жәрдемақы тоқтады",
        "мұз құй": "Мұз құятын уақыт болды",
        "название улиц": "Нет названия улицы на домах",
        "не высып": "Не высыпаемся из-за шума",
        "не течет": "Вода не течет",
        "ор ашық": "Ор ашық қалды",
        "очередь в сад": "Очередь в сад не двигается",
        "очередь на жилье": "Очередь на жилье стоит",
        "пыль столб": "Пыль столбом на улице",
        "продлит маршрут": "Продлите маршрут до микрорайона",
        "пункт выдач": "Закрыли пункт выдачи посылок",
        "рев мотор": "Рев моторов ночью",
        "рейс санын": "Рейс санын көбейтіңіздер",
        "рождени ребен": "Пособие на рождение ребенка",
        "с песком": "Вода с песком",
        "свет отключ": "Свет отключили",
        "сроки сдач": "Сроки сдачи дома перенесли",
        "строительн мусор": "Строительный мусор у дома",
        "су басып": "Үйді су басып қалды",
        "су болмайды": "Кешке су болмайды",
        "су сапа": "Су сапасы нашар",
        "тепловых сет": "Ремонт тепловых сетей",
        "течет вод": "Течет вода из люка",
        "тоқтап қал": "Құрылыс тоқтап қалды",
        "тоқтап тұр": "Құрылыс тоқтап тұр",
        "тұрғын үй кешен": "Тұрғын үй кешенінің құрылысы",
        "тұрғын үй көмег": "Тұрғын үй көмегін алу",
        "условия получен": "Какие условия получения пособия?",
        "ходит раз": "Автобус ходит раз в час",
        "ауыз су": "Ауыз су сапасы нашар",
        "газ құбыр": "Көшеге газ құбыры тартылмаған",
        "жылу желі": "Жылу желісі жөнделмей жатыр",
        "қоғамдық көлік": "Қоғамдық көлік кешке жүрмейді",
        "нет мест": "В школе нет мест",
        "нет света": "Нет света второй день",
        "подземн переход": "Подземный переход затоплен",
        "три смены": "Школа работает в три смены",
        "центр занятост": "В центре занятости не принимают документы",
        "очеред в детск сад": "Встали в очередь в детский сад сразу после рождения",
        "су астында": "Жаңбырдан кейін көше су астында қалады",
        "су жинал": "Ауладағы шұңқырға су жиналып тұр",
        "тот басқан": "Құбырлар тот басқан, су ішуге жарамайды",
        "социальн работник": "Положен ли социальный работник одинокому пенсионеру?",
        "әлеуметтік қызметкер": "Әжеме әлеуметтік қызметкер бекітіңіздер",
        "уход на дому": "Нужен уход на дому после инсульта",
        "үйде күтім": "Қартқа үйде күтім қажет",
        "час пик": "В час пик автобусы переполнены",
        "нет учител": "В школе нет учителя физики с сентября",
        "мұғалім жоқ": "Мектепте ағылшын тілі мұғалімі жоқ",
        "очеред на квартир": "Сколько лет стоять в очереди на квартиру?",
    ]

    struct Pattern: Hashable {
        var parts: [String]
        var exact: Bool
    }

    func patterns() -> [(pattern: PatternMatcher.Pattern, index: Int)] {
        lexicon.conceptMatcher.patterns.enumerated().map { ($0.element, $0.offset) }
    }

    @Test func noPatternIsListedUnderTwoConcepts() {
        var owners: [Pattern: Set<Int32>] = [:]
        for (pattern, _) in patterns() {
            // A headcount pattern names its concept beside the word's own meaning ("класс" is a school,
            // and with "42 бала" beside it school places too): not the same pattern twice.
            if pattern.headcount { continue }
            owners[Pattern(parts: pattern.parts, exact: pattern.maxRemainder == 0), default: []].insert(pattern.target)
        }
        let shared = owners.filter { $0.value.count > 1 }.map { entry in
            entry.key.parts.joined(separator: " ") + " → "
                + entry.value.sorted().map { lexicon.concepts[Int($0)].id }.joined(separator: ", ")
        }
        #expect(shared.sorted() == [])
    }

    /// `shorter` finds everything `longer` finds, for the same concept.
    static func covers(_ shorter: PatternMatcher.Pattern, _ longer: PatternMatcher.Pattern) -> Bool {
        guard shorter.target == longer.target, shorter.parts.count <= longer.parts.count,
            shorter.parts != longer.parts || shorter.maxRemainder > longer.maxRemainder
        else { return false }
        // A weak cue never stands in for a firm pattern.
        if shorter.weak && !longer.weak { return false }
        // Nor a counted word (it needs a number before it) for a pattern that does not.
        if shorter.counted && !longer.counted { return false }
        if shorter.headcount && !longer.headcount { return false }
        let first = shorter.parts[0]
        let longFirst = longer.parts[0]
        guard longFirst.hasPrefix(first) else { return false }
        // Every token the longer pattern's first word takes, the shorter one takes too.
        let extra = longFirst.count - first.count
        if longer.maxRemainder == .max {
            guard shorter.maxRemainder == .max else { return false }
        } else if shorter.maxRemainder != .max, extra + longer.maxRemainder > shorter.maxRemainder {
            return false
        }
        for k in 1..<shorter.parts.count where !longer.parts[k].hasPrefix(shorter.parts[k]) { return false }
        return true
    }

    @Test func noPatternIsMadeRedundantByAShorterOneOfTheSameConcept() {
        let all = patterns()
        var redundant: [String] = []
        for (longer, _) in all {
            if let shorter = all.first(where: { Self.covers($0.pattern, longer) })?.pattern {
                redundant.append(
                    "\(lexicon.concepts[Int(longer.target)].id): \(longer.parts.joined(separator: " ")) ⊂ \(shorter.parts.joined(separator: " "))"
                )
            }
        }
        #expect(redundant.sorted() == [])
    }

    @Test func noMultiWordPatternIsAFragmentOfOneLabelledQuestion() throws {
        var questionsPerPattern: [String: Set<Int>] = [:]
        var analyzer = TextAnalyzer(lexicon: lexicon)
        var number = 0
        for url in try LabelledSets.urls() {
            for text in try LabelledSets.texts(url) {
                for hit in analyzer.conceptHits(text) where hit.pattern.contains(" ") {
                    questionsPerPattern[hit.pattern, default: []].insert(number)
                }
                number += 1
            }
        }
        #expect(number > 600, "both labelled sets are read")
        let allowed = Set(Self.generalTerms.keys.map { DomainLexicon.patternParts($0, trimEndings: false).joined(separator: " ") })
        let fragments = questionsPerPattern.filter { pattern, questions in
            questions.count == 1 && !allowed.contains(pattern.trimmingCharacters(in: CharacterSet(charactersIn: "~=")))
        }.keys.sorted()
        #expect(fragments == [], "a multi-word pattern found in one labelled question only: a sentence fragment")
    }

    @Test func everyAllowListedTermMatchesItsOwnExample() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        for (term, example) in Self.generalTerms {
            let hits = analyzer.conceptHits(example).map { $0.pattern.trimmingCharacters(in: CharacterSet(charactersIn: "~=")) }
            #expect(hits.contains(DomainLexicon.patternParts(term, trimEndings: false).joined(separator: " ")), "\(term)")
        }
    }
}

/// The labelled sets in `../shared/data` beside the repository (present in CI).
enum LabelledSets {
    static let names = ["dedup-dev.jsonl", "dedup-dev2.jsonl"]

    static func urls() throws -> [URL] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let urls = names.map { root.appendingPathComponent("shared/data/\($0)") }
        for url in urls where !FileManager.default.fileExists(atPath: url.path) {
            Issue.record("labelled set missing: \(url.path) (../shared/data beside the repository)")
        }
        return urls.filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    static func texts(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.isEmpty }.map {
            try JSONDecoder().decode(LabelledQuestion.self, from: Data($0.utf8)).text
        }
    }
}
