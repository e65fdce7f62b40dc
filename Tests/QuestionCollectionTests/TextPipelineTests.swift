import Testing

@testable import QuestionCollection

@Suite struct TextPipelineTests {
    // MARK: Normalisation

    @Test func foldsDottedCapitalIToASinglePlainI() {
        // Swift's own lowercasing leaves a combining dot behind; ours must not.
        #expect("İ".lowercased().unicodeScalars.count == 2)
        let folded = TextNormalizer.normalize("İSTANBUL İLE")
        #expect(folded == "istanbul ile")
        #expect(!folded.unicodeScalars.contains { $0.value == 0x0307 })
    }

    @Test func turnsYoIntoYe() {
        #expect(TextNormalizer.normalize("Ещё ЁЛКА") == "еще елка")
    }

    @Test func keepsShortIAndKazakhLetters() {
        #expect(TextNormalizer.normalize("Абылай") == "абылай")
        #expect(TextNormalizer.normalize("ҚОҚЫС ЖӘШІГІ") == "қоқыс жәшігі")
    }

    @Test func appliesCompatibilityNormalisation() {
        // NFKC: full-width digits and the "№" ligature's neighbours become plain.
        #expect(TextNormalizer.normalize("１２３") == "123")
    }

    @Test func skeletonFoldsKazakhLettersAndDoubledLettersForMatchingOnly() {
        #expect(TextNormalizer.skeleton("шуақты") == TextNormalizer.skeleton("шуакты"))
        #expect(TextNormalizer.skeleton("щербаков") == TextNormalizer.skeleton("шшербаков"))
        #expect(TextNormalizer.skeleton("жайлау") == TextNormalizer.skeleton("жаилау"))
    }

    // MARK: Number tokens

    @Test(arguments: [
        ("д. 15, подъезд", ["15"], true),
        ("15-й дом не убирают", ["15"], false),
        ("школа №45", ["45"], false),
        ("школа № 45", ["45"], false),
        ("45-мектепте жылу жоқ", ["45"], false),
        ("45 мектеп", ["45"], false),
        ("86-й автобус", ["86"], false),
        ("Жансугурова 120, нет света", ["120"], true),
        ("Школа 45: в спортзале холодно", ["45"], false),
        ("178-mektepte üş auysym", ["178"], false),
        ("на Абая 150 нет света", ["150"], true),
        ("Мамыр-4, 107-үй, батарея мұздай", ["107"], true),
        ("Сколько ждать новую школу в Шугыле? 139-я переполнена", ["139"], false),
    ])
    func keepsHouseSchoolAndRouteNumbersAsOneToken(text: String, expected: [String], isHouse: Bool) {
        var analyzer = TextAnalyzer()
        let features = analyzer.features(text)
        // House numbers are kept apart: they support a pair but never veto one (an outage covers a
        // whole microdistrict); school, route and clinic numbers veto.
        #expect((isHouse ? features.houseNumbers : features.numbers) == expected)
        #expect((isHouse ? features.numbers : features.houseNumbers).isEmpty)
    }

    @Test(arguments: ["нет воды с 19:00", "пристройка на 600 мест", "уже 3 месяца", "ждём по 30 минут", "с 2024 года"])
    func ignoresTimesQuantitiesAndYears(text: String) {
        var analyzer = TextAnalyzer()
        #expect(analyzer.features(text).numbers.isEmpty)
    }

    // MARK: Transliteration

    @Test(arguments: [
        ("şuaqty", "шуақты"), ("köşesı", "көшесі"), ("sūraimyz", "сұраймыз"), ("qoqys", "қоқыс"),
        ("jaryq", "жарық"), ("bıraq", "бірақ"), ("ūlttyq", "ұлттық"), ("üi", "үй"), ("mektebıñ", "мектебің"),
        ("ağaş", "ағаш"),
    ])
    func transliteratesKazakhLatin2021(latin: String, cyrillic: String) {
        #expect(KazakhLatinTransliterator.toCyrillic(latin) == cyrillic)
    }

    @Test(arguments: [("áke", "әке"), ("ǵalym", "ғалым"), ("ońtústik", "оңтүстік"), ("shóp", "шөп")])
    func transliteratesThe2018AcuteVariant(latin: String, cyrillic: String) {
        #expect(KazakhLatinTransliterator.toCyrillic(latin) == cyrillic)
    }

    @Test(arguments: [
        ("zhansugurov", "жансугуров"), ("shuakty", "шуакты"), ("chekhov", "чехов"), ("shchuchinsk", "щучинск"),
    ])
    func acceptsInformalDigraphs(latin: String, cyrillic: String) {
        #expect(KazakhLatinTransliterator.toCyrillic(latin) == cyrillic)
    }

    // MARK: Stemming and stop list

    @Test func stemsRussianWithSnowballAndKazakhWithTheSuffixStripper() {
        #expect(RussianStemmer().stem("освещения") == "освещен")
        #expect(KazakhSuffixStripper.stem("көшелерінде") == "көше")
        #expect(KazakhSuffixStripper.stem("суы") == "суы")  // the stem must keep three letters
    }

    @Test func stopListKeepsNegation() {
        let stopwords = DomainLexicon.bundled.stopwords
        for word in ["не", "нет", "без", "жоқ", "емес"] {
            #expect(!stopwords.contains(DomainLexicon.wordKey(word)), "\(word) must stay")
        }
        #expect(stopwords.contains(DomainLexicon.wordKey("пожалуйста")))
    }

    // MARK: Lexicon and gazetteer

    @Test func findsTheSamePlaceAcrossScripts() {
        var analyzer = TextAnalyzer()
        let cyrillic = analyzer.features("В Шуакты нет воды по вечерам")
        let kazakh = analyzer.features("Шуақтыда кешке су жоқ")
        let latin = analyzer.features("Şuaqtyda keşke su joq")
        #expect(!cyrillic.places.isEmpty)
        #expect(cyrillic.places == kazakh.places && kazakh.places == latin.places)
    }

    @Test func findsOldAndNewStreetNames() {
        var analyzer = TextAnalyzer()
        #expect(
            analyzer.features("На Фурманова нет света").places == analyzer.features("На Назарбаева нет света").places)
        #expect(analyzer.features("ул. Кирова, яма").places == analyzer.features("Богенбай батыра, яма").places)
    }

    @Test func findsTheSameConceptInRussianKazakhAndLatin() throws {
        var analyzer = TextAnalyzer()
        let lexicon = analyzer.lexicon
        let lighting = try #require(lexicon.conceptIndex["lighting"])
        for text in ["не горят фонари", "уличное освещение", "көше жарығы жоқ", "şamdar janbaidy", "💡 не работает"] {
            #expect(analyzer.features(text).concepts.contains(lighting), "\(text)")
        }
    }

    @Test func aWordGluedToANumberStillCounts() throws {
        var analyzer = TextAnalyzer()
        let clinic = try #require(analyzer.lexicon.conceptIndex["clinic"])
        let features = analyzer.features("5-емханада дәрігерге жазылу мүмкін емес")
        #expect(features.numbers == ["5"])
        #expect(features.concepts.contains(clinic))
    }

    @Test func toleratesOneTypoInLongWords() throws {
        var analyzer = TextAnalyzer()
        let lighting = try #require(analyzer.lexicon.conceptIndex["lighting"])
        #expect(analyzer.features("освешение не работает").concepts.contains(lighting))
        let street = analyzer.features("на ул. Сауранбеава нет разметки").places
        #expect(street == analyzer.features("на ул. Сауранбаева нет разметки").places && !street.isEmpty)
    }

    @Test func ambiguousPlaceNamesNeedACapitalOrAStreetWord() {
        var analyzer = TextAnalyzer()
        #expect(analyzer.features("дружба и достык между соседями").places.isEmpty)
        #expect(!analyzer.features("на проспекте Достык пробки").places.isEmpty)
    }
}
