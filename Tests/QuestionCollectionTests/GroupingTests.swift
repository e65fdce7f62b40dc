import Testing

@testable import QuestionCollection

@Suite struct GroupingTests {
    static func group(_ texts: [String]) -> [[Int64]] {
        var analyzer = TextAnalyzer()
        var grouper = TopicGrouper()
        for (index, text) in texts.enumerated() { grouper.add(id: Int64(index), features: analyzer.features(text)) }
        grouper.refine()
        return grouper.groups.map(\.questionIDs)
    }

    @Test func vetoesDifferentSchoolNumbers() {
        var analyzer = TextAnalyzer()
        let scorer = PairScorer()
        let a = analyzer.features("В школе №45 холодно, не работает отопление")
        let b = analyzer.features("В школе №54 холодно, не работает отопление")
        #expect(scorer.veto(a, b) == .differentNumber)
        #expect(scorer.score(a, b) == 0)
        #expect(
            Self.group(["В школе №45 холодно, не работает отопление", "В школе №54 холодно, не работает отопление"])
                .count == 2)
    }

    @Test func keepsLightingAndWaterOnTheSameStreetApart() {
        var analyzer = TextAnalyzer()
        let scorer = PairScorer()
        let lighting = analyzer.features("На улице Жансугурова не горят фонари, темно")
        let water = analyzer.features("На улице Жансугурова нет воды, напор слабый")
        // Different issues are a strong signal against, not a veto: one stray word must not split a topic.
        #expect(scorer.veto(lighting, water) == nil)
        #expect(scorer.issueRelation(lighting, water) == .conflict)
        #expect(scorer.score(lighting, water) < scorer.threshold)
        #expect(
            Self.group(["На улице Жансугурова не горят фонари, темно", "На улице Жансугурова нет воды, напор слабый"])
                .count == 2)
    }

    @Test func vetoesTheSameIssueInDifferentPlaces() {
        var analyzer = TextAnalyzer()
        let scorer = PairScorer()
        #expect(
            scorer.veto(analyzer.features("В Шуакты нет воды"), analyzer.features("В Нуршашкане нет воды"))
                == .differentPlace)
    }

    @Test func vetoesDifferentNumberedPartsOfOneMicrodistrict() {
        var analyzer = TextAnalyzer()
        let scorer = PairScorer()
        let four = analyzer.features("Аксай-4, дом 12: подвал затоплен канализацией")
        let two = analyzer.features("Аксай-2, дом 12: подвал затоплен канализацией")
        #expect(four.houseNumbers == ["12"])  // the part is not a house number
        #expect(four.numbers.isEmpty)
        #expect(scorer.veto(four, two) == .differentPlace)
        #expect(scorer.veto(four, analyzer.features("Ақсай-4 шағынауданы 12 үйдің жертөлесінде кәріз")) == nil)
    }

    @Test func groupsTheSameRequestAcrossLanguages() {
        let groups = Self.group([
            "На Жансугурова не горят фонари, вечером темно",
            "Жансүгіров көшесінде көше жарығы жоқ, кешке қараңғы",
            "Jansügırov köşesınde şamdar janbaidy",
            "ЖАНСУГУРОВА ОСВЕЩЕНИЕ НЕ РАБОТАЕТ!!!",
            "Нет воды на Жансугурова третий день",
        ])
        #expect(groups.count == 2)
        #expect(groups.contains([0, 1, 2, 3]))
        #expect(groups.contains([4]))
    }

    @Test func keepsHardNegativesOnOnePlaceApart() {
        // Same street: a speed bump and a worn zebra crossing are different requests.
        let groups = Self.group([
            "На Сауранбаева у детского сада нужен лежачий полицейский",
            "Сауранбаев көшесінде балабақша алдына жасанды кедергі орнатыңыздар",
            "На Сауранбаева у садика стерлась разметка перехода, обновите зебру",
            "Сауранбаева балабақша жанындағы переход разметка жоқ",
        ])
        #expect(groups == [[0, 1], [2, 3]])
    }

    @Test func sameInputGivesSameTopicsInSameOrder() {
        let texts = [
            "Шуакты нет воды вечером", "Шуақтыда кешке су жоқ", "Колхозшы дороги грунтовые, нужен асфальт",
            "86 автобус верните", "Колхозшы асфальт қашан", "Верните маршрут 86 в Колхозшы",
            "школа 198 пристройка стоит",
        ]
        let first = Self.group(texts)
        for _ in 0..<3 { #expect(Self.group(texts) == first) }
    }

    @Test func officePinsSurviveRegroupingAndOfficeTopicsNeverMerge() {
        var analyzer = TextAnalyzer()
        var grouper = TopicGrouper()
        let texts = ["Шуакты нет воды вечером", "Шуақтыда кешке су жоқ", "В Шуакты по вечерам нет воды"]
        // The office split question 1 into its own topic 200; the others sit in topic 100.
        grouper.add(id: 0, features: analyzer.features(texts[0]), officeTopic: 100)
        grouper.add(id: 1, features: analyzer.features(texts[1]), officeTopic: 200)
        grouper.add(id: 2, features: analyzer.features(texts[2]))
        grouper.refine()
        let groups = grouper.groups
        #expect(groups.count == 2)
        #expect(groups.first { $0.storedTopic == 200 }?.questionIDs == [1])
        #expect(groups.first { $0.storedTopic == 100 }?.questionIDs.contains(0) == true)
    }

    @Test func incrementalAttachIsTheSameAsBatchForAClearDuplicate() {
        var analyzer = TextAnalyzer()
        var grouper = TopicGrouper()
        let first = grouper.add(id: 1, features: analyzer.features("На ул. Терехина не горят фонари"))
        let second = grouper.add(id: 2, features: analyzer.features("Терехин көшесінде жарық жоқ"))
        let third = grouper.add(id: 3, features: analyzer.features("Терехина дорога разбита, ямы"))
        #expect(first == second)
        #expect(third != first)
    }
}
