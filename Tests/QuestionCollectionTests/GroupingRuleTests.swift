import Foundation
import Testing

@testable import QuestionCollection

/// One test per grouping rule, on sentences written for the test (none from the labelled sets).
@Suite struct GroupingRuleTests {
    let lexicon = DomainLexicon.bundled

    func conceptIDs(_ text: String) -> Set<String> {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        return Set(analyzer.features(text).concepts.map { lexicon.concepts[Int($0)].id })
    }

    static func group(_ texts: [String]) -> [[Int64]] { GroupingTests.group(texts) }

    // MARK: Confident and incidental concepts

    @Test func aWeakCueCountsOnlyBesideAFirmMentionOfTheSameIssue() {
        // "суық" (cold) beside "су жоқ" is about cold water, not heating.
        #expect(!conceptIDs("Ақсай-2 де суық су жоқ екі күн").contains("heating"))
        #expect(conceptIDs("Батареялар суық, үйде 15 градус").contains("heating"))
        // A profession named in passing is not a request for that audience.
        #expect(!conceptIDs("139 мектепте үш ауысым, мұғалімдер де шаршады").contains("audience.budget"))
        #expect(conceptIDs("Бюджетниктерге арендное жилье, мұғалімдер кезекте").contains("audience.budget"))
        // "тоқтатылды" (was stopped) is a cancelled route only beside a bus or a route.
        #expect(!conceptIDs("Әлеуметтік көмек тоқтатылды").contains("transport.route"))
        #expect(conceptIDs("58 автобус тоқтатылды, қайтарыңыздар").contains("transport.route"))
    }

    @Test func conceptHitsSayWhichWordsMatchedAndWhichWereIgnored() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let hits = analyzer.conceptHits("Ақсай-2 де суық су жоқ")
        #expect(hits.contains { $0.concept == "heating" && $0.ignored && $0.pattern.hasPrefix("~") })
        #expect(hits.contains { $0.concept.hasPrefix("water") && !$0.ignored })
    }

    @Test func anIncidentalIssueLowersTheScoreButDoesNotVeto() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon)
        let plain = analyzer.features("Орбита-1 де қаңғыбас иттер балаларға шабады")
        let stray = analyzer.features("В Орбите-1 стаи собак, вечером темно и страшно выходить, примите меры")
        #expect(scorer.veto(plain, stray) == nil)
        #expect(scorer.score(plain, stray) >= scorer.threshold)
    }

    // MARK: Issue families

    @Test func ambiguousLightIsTheParentOfStreetLightingAndPowerSupply() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon)
        let light = analyzer.features("Калкаман-3: свет опять пропал вечером")
        let lamps = analyzer.features("В Калкамане-3 не горят фонари")
        let supply = analyzer.features("В Калкамане-3 отключили свет, трансформатор старый")
        #expect(conceptIDs("свет опять пропал").contains("power"))
        #expect(scorer.issueRelation(light, lamps) == .sameIssue)
        #expect(scorer.issueRelation(light, supply) == .sameIssue)
        #expect(scorer.issueRelation(lamps, supply) == .sameIssue)
    }

    @Test func issuesOfOneFamilyAreRelatedNotConflicting() throws {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon)
        let heating = analyzer.features("Батареи холодные, отопления нет")
        let hotWater = analyzer.features("Ыстық су жоқ екі апта")
        let water = analyzer.features("Нет холодной воды третий день")
        #expect(scorer.issueRelation(heating, hotWater) == .sameFamily)
        #expect(scorer.issueRelation(heating, water) == .conflict)
        let model = PairModel.bundled
        let family = try #require(PairModel.featureNames.firstIndex(of: "same-issue-family"))
        let conflict = try #require(PairModel.featureNames.firstIndex(of: "issue-conflict"))
        #expect(model.weights[family] > model.weights[conflict])
    }

    // MARK: Facility and number

    @Test func oneSchoolsOvercrowdingToldThroughItsSymptomsIsOneTopic() {
        let groups = Self.group([
            "В школе №87 дети учатся в три смены",
            "87-мектепте сыныпта 42 бала, орын жоқ",
            "Когда начнут пристройку к школе №87? Обещали в прошлом году",
            "Школа 87 переполнена, нужна вторая школа",
            "87 mektepte üş auysym, balalar keşke qaitady",
            "В школе №78 три смены",
        ])
        #expect(groups.contains([0, 1, 2, 3, 4]))
        #expect(groups.contains([5]))
    }

    @Test func aDifferentProblemOfTheSameSchoolStaysApart() {
        let groups = Self.group([
            "В школе №87 дети учатся в три смены",
            "87-мектепте үш ауысым, орын жоқ",
            "Школа 87 переполнена, нужна пристройка",
            "В школе №87 холодно, батареи еле теплые",
            "87-мектептің сыныптары суық, батареялар жылымайды",
        ])
        #expect(groups.count == 2)
        #expect(groups.contains([3, 4]))
    }

    // MARK: Numbers

    @Test func houseNumbersSupportButNeverVeto() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon)
        let twelve = analyzer.features("Аксай-2, дом 12: нет воды с утра")
        let thirty = analyzer.features("Ақсай-2, 30-үй, су жоқ")
        #expect(scorer.veto(twelve, thirty) == nil)
        #expect(scorer.score(twelve, thirty) >= scorer.threshold)
    }

    @Test func anOrdinalBeforeAMicrodistrictIsItsPart() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon)
        let ordinal = analyzer.features("Почему во 2-м Аксае опять нет воды?")
        #expect(ordinal.numbers.isEmpty)
        #expect(!ordinal.placeParts.isEmpty)
        #expect(scorer.veto(ordinal, analyzer.features("Аксай-2 без воды")) == nil)
        #expect(scorer.veto(ordinal, analyzer.features("Аксай-3 без воды")) == .differentPlace)
    }

    // MARK: Latin and mixed text

    @Test(arguments: [
        ("Ақсай-2 де су жоқ үш күн", "Aqsai-2 de su joq üş kün"),
        ("Ақсай-2 де су жоқ үш күн", "aksai 2 de su zhok 3 kun"),
        ("Мектепте жылу жоқ, балалар тоңып жүр", "Mektepte jylu joq, balalar toñyp jür"),
        ("Көшеде шамдар жанбайды", "Köşede şamdar janbaidy"),
    ])
    func latinAndCyrillicKazakhFindTheSameConcepts(cyrillic: String, latin: String) {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let a = analyzer.features(cyrillic)
        let b = analyzer.features(latin)
        #expect(!a.issues.isEmpty)
        #expect(a.issues == b.issues)
        #expect(a.places == b.places)
        #expect(PairScorer(lexicon: lexicon).score(a, b) >= PairScorer.defaultThreshold)
    }

    @Test func aMixedMessageGroupsWithBothLanguages() {
        let groups = Self.group([
            "Тастақ-2 де жарық жоқ, свет отключили с утра",
            "В Тастаке-2 нет света с утра",
            "Тастақ-2 де электр жарығы жоқ",
        ])
        #expect(groups == [[0, 1, 2]])
    }

    // MARK: Numbers written as words

    @Test(arguments: [
        ("В двадцатой школе холодно", "20"),
        ("Жиырмасыншы мектепте жылу жоқ", "20"),
        ("jiyrmasynshy mektepte jylu joq", "20"),
        ("Школа номер сто тридцать девять переполнена", "139"),
        ("Екі жүз отызыншы мектеп", "230"),
        ("Бесінші емханада дәрігер жоқ", "5"),
        ("Автобус номер 37 не ходит", "37"),
        ("Қырқыншы автобус сирек жүреді", "40"),
    ])
    func aNumberWrittenAsWordsIsTheFacilityNumber(text: String, number: String) {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        #expect(analyzer.features(text).numbers == [number])
    }

    @Test func aSpelledSchoolNumberMeetsItsDigitsAndVetoesAnother() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon)
        let words = analyzer.features("В двадцатой школе не работает отопление, дети мерзнут")
        let digits = analyzer.features("Школа №20: отопление не работает")
        let kazakh = analyzer.features("Жиырмасыншы мектепте жылу жоқ, балалар тоңып отыр")
        #expect(scorer.score(words, digits) >= scorer.threshold)
        #expect(scorer.score(kazakh, digits) >= scorer.threshold)
        #expect(scorer.veto(words, analyzer.features("Школа №21: отопление не работает")) == .differentNumber)
    }

    @Test func numberWordsThatCountStayCounts() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        // "вторая школа" is a second school, not school No. 2; days, floors and entrances are counts.
        #expect(analyzer.features("Нужна вторая школа в микрорайоне").numbers.isEmpty)
        #expect(analyzer.features("Десятый день без воды").numbers.isEmpty)
        let days = analyzer.features("Ақсай-4 те оныншы күн су жоқ")
        #expect(days.numbers.isEmpty)
        #expect(days.houseNumbers.isEmpty)
        // After a place a spelled number is never a house number.
        #expect(analyzer.features("Мамыр-4, третий подъезд, нет света").houseNumbers.isEmpty)
        // "номер" before no number is an ordinary word.
        #expect(analyzer.features("Номер в очереди не двигается").numbers.isEmpty)
    }

    // MARK: Shifts and crowded classes are overcrowding

    @Test(arguments: [
        "В 45 школе 3 смена, дети приходят в семь вечера",
        "Сын учится во вторую смену до шести",
        "45 мектепте балалар үшінші сменада оқиды",
        "Третья смена в гимназии — это нормально?",
    ])
    func aCountedShiftIsAboutSchoolPlaces(text: String) {
        #expect(conceptIDs(text).contains("schoolplaces"))
    }

    @Test func aShiftWithoutACountIsAnEverydayWord() {
        #expect(!conceptIDs("Смена водителей на маршруте затягивается").contains("schoolplaces"))
        #expect(!conceptIDs("В садике одна смена, всё нормально").contains("schoolplaces"))
    }

    @Test func aShiftCountAtASchoolDoesNotJoinItsHeatingTopic() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon)
        let shifts = analyzer.features("45 мектепте 3 смена, балалар кешке қайтады")
        let heating = analyzer.features("В школе №45 холодно, батареи еле теплые")
        #expect(scorer.issueRelation(shifts, heating) == .conflict)
        #expect(scorer.score(shifts, heating) < scorer.threshold)
    }

    @Test func aCrowdedClassIsAboutSchoolPlaces() {
        #expect(conceptIDs("В 12 школе в классах по 38 детей").contains("schoolplaces"))
        #expect(conceptIDs("Сыныпта 42 бала отырады, партаға сыймайды").contains("schoolplaces"))
        #expect(conceptIDs("Садикте группада 35 бала").contains("schoolplaces"))
        // A small class, a class's year or a disability group is no crowding; the class is still a school.
        #expect(!conceptIDs("В классе 12 учеников, учитель хороший").contains("schoolplaces"))
        #expect(!conceptIDs("Ребёнок пошёл в 7 класс").contains("schoolplaces"))
        #expect(!conceptIDs("Инвалид 1 группы, нужна коляска").contains("schoolplaces"))
        #expect(conceptIDs("В классе 12 учеников, учитель хороший").contains("school"))
    }

    @Test func aTeacherShortageIsAnIssueOfItsOwn() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        let scorer = PairScorer(lexicon: lexicon)
        #expect(conceptIDs("В 12 школе нет учителя физики с сентября").contains("schoolstaff"))
        #expect(conceptIDs("12 mektepte fizika mūğalımı joq").contains("schoolstaff"))
        // Teachers named in passing are no shortage.
        #expect(!conceptIDs("Дети устают, учителя тоже").contains("schoolstaff"))
        // The same school's missing crossing is another problem.
        let teacher = analyzer.features("В 12 школе нет учителя физики, уроки отменяют")
        let crossing = analyzer.features("Возле школы №12 нет пешеходного перехода, дети перебегают дорогу")
        #expect(scorer.issueRelation(teacher, crossing) == .conflict)
        #expect(scorer.score(teacher, crossing) < scorer.threshold)
    }

    // MARK: Latin spellings and emoji

    @Test func aCanteenInKazakhLatinIsASchoolCanteen() {
        #expect(conceptIDs("Mektep ashanasynda tamaq nashar").contains("schoolmeals"))
        #expect(conceptIDs("Mektep ashanasynda tamaq naşar").contains("schoolmeals"))
        #expect(conceptIDs("Мектеп ашханасында тамақ нашар").contains("schoolmeals"))
        #expect(conceptIDs("Мектеп асханасында тамақ нашар").contains("schoolmeals"))
    }

    @Test func aFreezingFaceIsHeatingOnlyBesideHeating() {
        #expect(!conceptIDs("Аялдамада 40 минут тұрмын 🥶").contains("heating"))
        #expect(conceptIDs("Батареи чуть тёплые 🥶").contains("heating"))
    }

    // MARK: Matching

    @Test func shortAndLatinPatternsDoNotSwallowUnrelatedWords() {
        // "bill" read as Kazakh Latin is "бил": it must not take "білім" (knowledge).
        #expect(!conceptIDs("жалпы білім беретін мектеп").contains("tariffs"))
        // "почти" (almost) is not the post office; "жыл" (year) is not housing.
        #expect(!conceptIDs("почти каждый вечер").contains("post"))
        #expect(!conceptIDs("бір жылдан бері").contains("housing"))
        #expect(conceptIDs("почта не работает").contains("post"))
    }

    @Test func aKazakhStemIsNotAlsoReadAsAMisspelling() {
        // "бағдарламасы" (programme) stems to "бағдарлама", one letter from "бағдаршам" (traffic light).
        #expect(!conceptIDs("Оңалту бағдарламасы бойынша арба берілуі керек").contains("trafficlight"))
        #expect(conceptIDs("Қиылыста бағдаршам істемейді").contains("trafficlight"))
    }

    @Test func aMisspellingKeepsItsFirstLetter() {
        // "устают" (are tired) is one letter from "кусают" (bite) but not a misspelling of it.
        #expect(!conceptIDs("дети устают").contains("dogs"))
        #expect(conceptIDs("на улице нет освешения").contains("lighting"))
    }

    // MARK: Kazakh inflection, Latin stems, ordinals written apart

    @Test func aKazakhEndingDoesNotHideAWholeWordPattern() {
        // "газдың" (of the gas) is "газ=", and pressure beside gas is not a water outage.
        let gas = conceptIDs("Көшедегі газдың қысымы төмен, пеш сөніп қалады")
        #expect(gas.contains("gas"))
        #expect(!gas.contains("water.outage"))
        // Pressure still names a water outage beside a firm mention of water.
        #expect(conceptIDs("Судың қысымы әлсіз, бесінші қабатқа жетпейді").contains("water.outage"))
    }

    @Test func informalLatinKazakhIsStemmedAsKazakh() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        // No Kazakh letters survive informal Latin ("kosheler"), yet it is Kazakh: same stems as Cyrillic.
        #expect(analyzer.features("Kosheler karangy").stems == analyzer.features("Көшелер қараңғы").stems)
    }

    @Test func anOrdinalEndingWrittenApartStillMakesANumber() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        #expect(analyzer.features("45 shi mektepte jylu joq").numbers == ["45"])
        #expect(analyzer.features("12 ші автобус сирек жүреді").numbers == ["12"])
        // Not after a plain word: "3 ай" stays a quantity.
        #expect(analyzer.features("3 ші ай су жоқ").numbers.isEmpty)
    }

    @Test func shiftsAreCountedNotNumbered() {
        var analyzer = TextAnalyzer(lexicon: lexicon)
        // "3 смена" after "мектепте" is the number of shifts, not school No. 3.
        #expect(analyzer.features("139 мектепте 3 смена, балалар кешке қайтады").numbers == ["139"])
        #expect(analyzer.features("В школе 2 смены").numbers.isEmpty)
    }

    // MARK: Facilities inside longer terms, cues beside a facility

    @Test func aFacilityInsideALongerTermIsStillNamed() {
        let queue = conceptIDs("Очередь в садик не движется третий год")
        #expect(queue.contains("kindergarten"))
        #expect(queue.contains("schoolplaces"))
    }

    @Test func aCapacityCueCountsBesideASchoolOrKindergarten() {
        #expect(conceptIDs("Біздің мектеп баланы сыймай жатыр").contains("schoolplaces"))
        #expect(conceptIDs("Садик переполнен, группы по 35 детей").contains("schoolplaces"))
        // The same words about a bus or a clinic are not about school places.
        #expect(!conceptIDs("Таңертең автобусқа сыймай жатырмыз").contains("schoolplaces"))
        #expect(!conceptIDs("В поликлинике очередь к терапевту").contains("schoolplaces"))
    }

    // MARK: Actors are not issues

    @Test func callingThePoliceIsNotACrimeComplaint() {
        #expect(!conceptIDs("Соседи шумят до утра, полицию вызывали").contains("crime"))
        #expect(conceptIDs("Вечером драки у магазина, полиция не приезжает").contains("crime"))
    }

    // MARK: Everyday names of a problem

    @Test(arguments: [
        ("Когда дадут тепло в дома?", "heating"),
        ("Из крана течёт коричневая вода", "water.quality"),
        ("Краннан сары су ағады", "water.quality"),
        ("Құбырлар тот басқан, су ішуге жарамайды", "water.quality"),
        ("Жаңбырдан кейін көше су астында қалады", "aryk"),
        ("Ауладағы шұңқырға су жиналып тұр", "aryk"),
        ("Ночью крики под окнами", "noise"),
        ("Көшелер қиыршық тас, асфальт жоқ", "roads.paving"),
    ])
    func everydayWordsNameTheirIssue(text: String, concept: String) {
        #expect(conceptIDs(text).contains(concept))
    }

    @Test func informalLatinTsIsAnEndingBoundaryNotTse() {
        // "asfaltsyz" is асфальт + сыз (without asphalt), not "асфалцыз"; "stantsiya" is станция.
        #expect(KazakhLatinTransliterator.toCyrillic("asfaltsyz") == "асфалтсыз")
        #expect(KazakhLatinTransliterator.toCyrillic("tsentr") == "центр")
        #expect(KazakhLatinTransliterator.toCyrillic("stantsiya") == "станция")
        #expect(conceptIDs("Aqjarda kosheler asfaltsyz").contains("roads"))
    }

    @Test func homeCareIsAnIssueOfItsOwn() {
        #expect(conceptIDs("Жалғыз тұратын қартқа әлеуметтік қызметкер керек").contains("socialcare"))
        #expect(conceptIDs("Можно ли оформить социального работника для бабушки?").contains("socialcare"))
    }
}
