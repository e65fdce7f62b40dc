import TyndauCore
import Testing

/// A corpus of texts with personal data in Russian and Kazakh context, generated from a fixed seed,
/// plus texts whose numbers are ordinary and must survive unchanged.
@Suite struct PersonalDataScrubberTests {
    let scrubber = PersonalDataScrubber()

    static func digits(_ count: Int, _ rng: inout SplitMix64) -> String {
        (0..<count).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
    }

    static func phone(_ rng: inout SplitMix64) -> (written: String, digits: String) {
        let operatorCode = ["701", "702", "705", "707", "708", "747", "771", "775", "777", "778"].randomElement(using: &rng)!
        let rest = digits(7, &rng)
        let a = rest.prefix(3), b = rest.dropFirst(3).prefix(2), c = rest.suffix(2)
        let formats = [
            "+7 \(operatorCode) \(a) \(b) \(c)", "8 \(operatorCode) \(a) \(b) \(c)", "8\(operatorCode)\(rest)",
            "+7\(operatorCode)\(rest)", "8 (\(operatorCode)) \(a)-\(b)-\(c)", "+7-\(operatorCode)-\(a)-\(b)-\(c)",
            "\(operatorCode) \(a) \(b) \(c)", "8(\(operatorCode))\(a)\(b)\(c)",
        ]
        return (formats.randomElement(using: &rng)!, operatorCode + rest)
    }

    static func iin(_ rng: inout SplitMix64) -> String {
        while true {
            let year = String(format: "%02d", Int.random(in: 0...99, using: &rng))
            let month = String(format: "%02d", Int.random(in: 1...12, using: &rng))
            let day = String(format: "%02d", Int.random(in: 1...28, using: &rng))
            let body = year + month + day + String(Int.random(in: 1...6, using: &rng)) + digits(4, &rng)
            for check in 0...9 where PersonalDataScrubber.isIIN(body + String(check)) {
                return body + String(check)
            }
        }
    }

    static func card(_ rng: inout SplitMix64) -> String {
        let body = ["4400", "5169", "4042", "5355"].randomElement(using: &rng)! + digits(11, &rng)
        let check = (0...9).first { PersonalDataScrubber.isLuhn(body + String($0)) }!
        let number = body + String(check)
        if Bool.random(using: &rng) { return number }
        return stride(from: 0, to: 16, by: 4).map { offset in
            String(number.dropFirst(offset).prefix(4))
        }.joined(separator: " ")
    }

    static let contexts = [
        "Здравствуйте! Во дворе дома 15 по улице Саина нет света. Мой телефон %@, перезвоните.",
        "Сәлеметсіз бе! 45-мектепте жылу жоқ. Байланыс: %@",
        "Прошу связаться со мной по номеру %@ насчёт автобуса 79.",
        "Менің нөмірім %@, Шаңырақ-5 кәріз мәселесі бойынша хабарласыңыз.",
        "Мой ИИН %@, мне отказали в АСП, хотя семья из 5 человек.",
        "ЖСН %@, көп балалы анамын, жәрдемақы тоқтап қалды.",
        "Переведите компенсацию на карту %@, квартира 112.",
        "Картам %@, 2026-12-20 дейін төлеу керек еді.",
        "Пишите на %@ — ответ жду до 20.12.2026.",
        "Хат жазыңыз: %@. Айгерім-2 балабақша кезегі 150 000 теңге.",
    ]

    /// 240 texts: every context with 24 generated values of the kind it asks for.
    static func corpus() -> [(text: String, secret: String)] {
        var rng = SplitMix64(seed: 20_261_129)
        var corpus: [(String, String)] = []
        for (index, context) in contexts.enumerated() {
            for _ in 0..<24 {
                let value: (String, String)
                switch index {
                case 0...3:
                    let phone = phone(&rng)
                    value = (phone.written, phone.digits)
                case 4, 5:
                    let iin = iin(&rng)
                    value = (iin, iin)
                case 6, 7:
                    let card = card(&rng)
                    value = (card, card.filter(\.isNumber))
                default:
                    let user = ["aigul", "erlan.k", "s.nurlanova", "dosym_77"].randomElement(using: &rng)!
                    let mail = "\(user)\(Int.random(in: 1...999, using: &rng))@example.kz"
                    value = (mail, mail)
                }
                corpus.append((context.replacingOccurrences(of: "%@", with: value.0), value.1))
            }
        }
        return corpus
    }

    @Test func corpusHasAtLeastTwoHundredTexts() {
        #expect(Self.corpus().count >= 200)
    }

    @Test func noPersonalDataSurvives() {
        for (text, secret) in Self.corpus() {
            let scrubbed = scrubber.scrub(text)
            let scrubbedDigits = scrubbed.filter(\.isNumber)
            let leaked = secret.contains("@") ? scrubbed.contains(secret) : scrubbedDigits.contains(secret.suffix(7))
            #expect(!leaked, "leaked in: \(scrubbed)")
            #expect(scrubbed.contains("[***]"))
        }
    }

    @Test func ordinaryNumbersSurviveInTheSameTexts() {
        for (text, _) in Self.corpus() {
            let scrubbed = scrubber.scrub(text)
            for ordinary in ["дома 15", "45-мектеп", "автобуса 79", "Шаңырақ-5", "из 5 человек", "квартира 112", "2026-12-20", "20.12.2026", "150 000"]
            where text.contains(ordinary) {
                #expect(scrubbed.contains(ordinary), "lost '\(ordinary)' in: \(scrubbed)")
            }
        }
    }

    @Test(arguments: [
        "На улице Момышулы у дома 15 не горят фонари.",
        "Школа №178 работает в три смены, 1200 детей.",
        "Автобус 79 ходит раз в 40 минут с 07:00 до 21:00.",
        "Обещали до 2026-12-20, потом до 20.12.2026, теперь до 01.03.2027.",
        "Тариф вырос до 150 000 тенге, пособие 85 000 тенге.",
        "Шаңырақ-5 ықшамауданы, 24/1 үй, 3-подъезд.",
        "Квартал 12, дом 3, кв. 45; телефон доверия 109.",
        "Ремонт 2,5 км дороги стоил 350 000 000 тенге.",
    ])
    func leavesOrdinaryTextUnchanged(text: String) {
        #expect(scrubber.scrub(text) == text)
    }

    @Test func removesAskerNamesWithCaseEndings() {
        let text = "Айгуль Серикова просит. Передайте Айгуль Сериковой, что Айгуля ждёт ответа."
        let scrubbed = scrubber.scrub(text, names: ["Айгуль Серикова"])
        #expect(!scrubbed.contains("Айгул"))
        #expect(!scrubbed.contains("Серикова"))
        #expect(!scrubbed.contains("Сериковой"))
    }

    @Test func removesPhoneNextToHouseNumber() {
        let scrubbed = scrubber.scrub("дом 15 8 701 123 45 67")
        #expect(scrubbed == "дом 15 [***]")
    }

    @Test func removesLocalAlmatyLandline() {
        #expect(scrubber.scrub("Звоните 250-50-50 в приёмную") == "Звоните [***] в приёмную")
    }
}
