import AgendaScheduler
import Foundation
import Testing
import TyndauCore

@Suite struct AgendaPlannerTests {
    static let week = ISOWeek("2026-W49")!
    static let planner = AgendaPlanner(series: MeetingSeries())
    static let base = MeetingCalendarTests.at("2026-11-30T10:00:00+05:00")

    static func candidate(_ id: Int64, _ block: AgendaBlock, askers: Int = 1, daysAgo: Double = 0, text: String? = nil,
                          pinned: Bool = false, skip: String? = nil) -> AgendaCandidate {
        AgendaCandidate(
            topicID: id, title: text ?? "Тема \(id): вопрос жителей; с запятой, и \\ чертой", block: block, askers: askers,
            firstSubmittedAt: base.addingTimeInterval(-daysAgo * 86_400), place: "ул. Саина", texts: [text ?? ""],
            pinned: pinned, skipReason: skip
        )
    }

    static func mixed(_ count: Int, seed: UInt64) -> [AgendaCandidate] {
        var random = SplitMix64(seed: seed)
        return (1...count).map { id in
            candidate(
                Int64(id), AgendaBlock.allCases.randomElement(using: &random)!, askers: Int.random(in: 1...12, using: &random),
                daysAgo: Double(Int.random(in: 0...20, using: &random)),
                text: Int.random(in: 0..<8, using: &random) == 0 ? "Третий день нет воды в доме \(id)" : nil
            )
        }
    }

    @Test func sameCandidatesInAnyOrderGiveByteIdenticalFiles() throws {
        let candidates = Self.mixed(60, seed: 7)
        var random = SplitMix64(seed: 99)
        let first = try Self.planner.plan(week: Self.week, candidates: candidates)
        let second = try Self.planner.plan(week: Self.week, candidates: candidates.shuffled(using: &random))
        #expect(first == second)
        #expect(AgendaMarkdownRenderer().render(first) == AgendaMarkdownRenderer().render(second))
        #expect(AgendaJSONRenderer().render(first) == AgendaJSONRenderer().render(second))
        #expect(AgendaICalendarRenderer().render(first) == AgendaICalendarRenderer().render(second))
    }

    @Test func fitsTheTimeBudgetAndHonoursBlockMinimums() throws {
        let agenda = try Self.planner.plan(week: Self.week, candidates: Self.mixed(80, seed: 11))
        let policy = AgendaPolicy()
        #expect(agenda.topicMinutes == 50)
        #expect(agenda.usedMinutes <= agenda.topicMinutes)
        #expect(agenda.topics.count <= policy.maxTopics)
        #expect(agenda.notes.isEmpty)
        for plan in agenda.blocks {
            #expect(plan.minutes >= plan.minimumMinutes, "\(plan.block) below its minimum")
        }
        // The timeline is contiguous from the end of the opening report.
        var offset = agenda.topicsOffset
        for topic in agenda.topics {
            #expect(topic.startOffsetMinutes == offset)
            offset += topic.minutes
        }
        #expect(agenda.topics.count + agenda.notSelected.count + agenda.writtenAnswers.count == 80)
        #expect(Set(agenda.notSelected.map(\.topicID)).isDisjoint(with: agenda.writtenAnswers.map(\.topicID)))
    }

    @Test func explainsABlockThatCannotMeetItsMinimum() throws {
        // Only one social-protection topic (4 minutes) against a minimum of 8.
        var candidates = (1...12).map { Self.candidate(Int64($0), .landscapingUtilities, askers: 3) }
        candidates += (13...16).map { Self.candidate(Int64($0), .socialInfrastructure, askers: 2) }
        candidates.append(Self.candidate(17, .socialProtection))
        let agenda = try Self.planner.plan(week: Self.week, candidates: candidates)
        #expect(agenda.notes == [.blockShort(.socialProtection, required: 8, available: 4)])
        #expect(agenda.topics.contains { $0.topicID == 17 })
        let json = AgendaJSONRenderer().render(agenda)
        #expect(json.contains("\"code\": \"block-short\""))
        #expect(AgendaMarkdownRenderer().render(agenda).contains("минимум снижен до 4 мин."))
    }

    @Test func pinnedAreInSkippedAreOutWithTheirReason() throws {
        var candidates = Self.mixed(40, seed: 3)
        candidates.append(Self.candidate(100, .other, askers: 1, pinned: true))
        let best = try Self.planner.plan(week: Self.week, candidates: candidates).topics[0].topicID
        let skipIndex = candidates.firstIndex { $0.topicID == best }!
        candidates[skipIndex].skipReason = "ответ уже дан в газете"
        let agenda = try Self.planner.plan(week: Self.week, candidates: candidates)
        #expect(agenda.topics.contains { $0.topicID == 100 && $0.reasons.pinned })
        #expect(!agenda.topics.contains { $0.topicID == best })
        #expect(agenda.notSelected.contains { $0.topicID == best && $0.reason == .skipped("ответ уже дан в газете") })
    }

    @Test func pinnedBeyondTheBudgetIsAClearError() {
        let candidates = (1...8).map { Self.candidate(Int64($0), .other, askers: 20, pinned: true) }
        #expect(throws: TyndauError.agendaPinnedDoNotFit(minutes: 64, budget: 50, count: 8, maxTopics: 10)) {
            try Self.planner.plan(week: Self.week, candidates: candidates)
        }
    }

    @Test func urgencyWordsRaisePriorityAndAreNamed() throws {
        let agenda = try Self.planner.plan(week: Self.week, candidates: [
            Self.candidate(1, .landscapingUtilities, askers: 2, text: "Су жоқ үш күн болды, Шаңырақ-2"),
            Self.candidate(2, .landscapingUtilities, askers: 2, text: "Покрасить скамейки во дворе"),
        ])
        let urgent = try #require(agenda.topics.first { $0.topicID == 1 })
        #expect(urgent.reasons.urgency == ["су жоқ"])
        #expect(urgent.reasons.priority == 7_000)
        #expect(AgendaText.why(urgent.reasons, .ru) == "спросили: 2; срочно: «су жоқ»")
    }

    /// Ten weeks of arrivals, more than fit: every topic is scheduled or sent to a written answer by
    /// the time it has waited the maximum, and the agenda says so.
    @Test func nobodyWaitsLongerThanTheMaximumOverTenWeeks() throws {
        let calendar = MeetingCalendar(series: MeetingSeries())
        let policy = AgendaPolicy()
        var random = SplitMix64(seed: 2026)
        var waiting: [AgendaCandidate] = []
        var nextID: Int64 = 1
        var week = ISOWeek("2026-W45")!
        var scheduledTotal = 0
        var writtenTotal = 0
        for _ in 0..<10 {
            // 15–25 new topics during the week before the cut-off.
            let start = calendar.cutoff(of: week).addingTimeInterval(-6 * 86_400)
            for _ in 0..<Int.random(in: 15...25, using: &random) {
                let submitted = start.addingTimeInterval(Double(Int.random(in: 0..<(6 * 86_400), using: &random)))
                waiting.append(AgendaCandidate(
                    topicID: nextID, title: "Тема \(nextID)", block: AgendaBlock.allCases.randomElement(using: &random)!,
                    askers: Int.random(in: 1...6, using: &random), firstSubmittedAt: submitted
                ))
                nextID += 1
            }
            let agenda = try Self.planner.plan(week: week, candidates: waiting)
            let done = Set(agenda.topics.map(\.topicID) + agenda.writtenAnswers.map(\.topicID))
            for candidate in waiting {
                let waited = calendar.weeksWaited(firstSubmittedAt: candidate.firstSubmittedAt, at: week)
                #expect(waited <= policy.maxWaitingWeeks, "topic \(candidate.topicID) waited \(waited)")
                if waited >= policy.maxWaitingWeeks {
                    #expect(done.contains(candidate.topicID), "topic \(candidate.topicID) left waiting at the maximum")
                }
            }
            for entry in agenda.writtenAnswers {
                #expect(entry.reasons.weeksWaited == policy.maxWaitingWeeks)
                #expect(entry.deadline > entry.firstSubmitted)
            }
            scheduledTotal += agenda.topics.count
            writtenTotal += agenda.writtenAnswers.count
            waiting.removeAll { done.contains($0.topicID) }
            week = week.adding(weeks: 1)
        }
        // Demand exceeds the hour, so both outcomes happen.
        #expect(scheduledTotal >= 80)
        #expect(writtenTotal > 0)
    }

    @Test func carriedOverTopicsGainPriorityEachWeek() throws {
        let candidate = Self.candidate(1, .other, askers: 3, daysAgo: 0)
        let priorities = try (0..<3).map { offset in
            try Self.planner.plan(week: Self.week.adding(weeks: offset), candidates: [candidate]).topics[0].reasons.priority
        }
        #expect(priorities == [3_000, 5_000, 7_000])
    }
}

@Suite struct AgendaRendererTests {
    static func agenda() throws -> Agenda {
        try AgendaPlannerTests.planner.plan(week: AgendaPlannerTests.week, candidates: AgendaPlannerTests.mixed(30, seed: 5))
    }

    @Test func icsLinesAreFoldedAt75OctetsWithoutSplittingCyrillic() throws {
        let ics = AgendaICalendarRenderer().render(try Self.agenda())
        let bytes = Array(ics.utf8)
        // CRLF everywhere, never a bare LF.
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            #expect(index > 0 && bytes[index - 1] == 0x0D)
        }
        let lines = ics.components(separatedBy: "\r\n").dropLast()
        var folded = 0
        for line in lines {
            #expect(line.utf8.count <= 75, "line of \(line.utf8.count) octets")
            // Each physical line is valid UTF-8 on its own: no character was cut in half.
            #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)
            if line.hasPrefix(" ") { folded += 1 }
        }
        #expect(folded > 10)
        // Unfolding restores the logical lines.
        let unfolded = ics.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("DTSTART;TZID=Asia/Almaty:20261203T150000\r\n"))
        #expect(unfolded.contains("DURATION:PT60M\r\n"))
        #expect(unfolded.contains(": вопрос жителей\\; с запятой\\, и \\\\ чертой"))
        #expect(unfolded.contains("TZOFFSETTO:+0500\r\n"))
        #expect(unfolded.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Almaty\r\nBEGIN:STANDARD\r\nDTSTART:20240301T000000\r\nTZOFFSETFROM:+0600\r\n"))
        for property in ["UID:tyndau-agenda-2026-W49", "DTSTAMP:", "SUMMARY:", "DESCRIPTION:"] {
            #expect(unfolded.contains("\r\n" + property))
        }
    }

    @Test func foldingCountsOctetsNotCharacters() {
        let line = "DESCRIPTION:" + String(repeating: "ә", count: 100)
        let folded = AgendaICalendarRenderer.fold(line)
        let physical = folded.components(separatedBy: "\r\n")
        #expect(physical.allSatisfy { $0.utf8.count <= 75 })
        // 12 ASCII octets + 31 two-octet letters = 74; the 32nd would make 76.
        #expect(physical[0].utf8.count == 74)
        #expect(physical.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == line)
        #expect(AgendaICalendarRenderer.escape("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne")
    }

    @Test func markdownHasRussianAndKazakhHeadingsAndEscapesResidentText() throws {
        let markdown = AgendaMarkdownRenderer().render(try Self.agenda())
        #expect(markdown.hasPrefix("# Повестка встречи акима с жителями — 2026-W49\n# Әкімнің тұрғындармен кездесуінің күн тәртібі — 2026-W49\n"))
        #expect(markdown.contains("## План встречи · Кездесу жоспары"))
        #expect(markdown.contains("## Не вошли в повестку · Күн тәртібіне енбегендер"))
        #expect(markdown.contains("С прошлой встречи обещаний со сроком нет."))
        #expect(markdown.contains("и \\\\ чертой"))
    }

    @Test func jsonKeepsItsDocumentedKeyOrderAndParses() throws {
        let json = AgendaJSONRenderer().render(try Self.agenda())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "tyndau.agenda/1")
        let topLevel = ["schema", "week", "meeting", "revisedAt", "timeline", "selection", "opening", "blocks", "reasons", "notSelected", "writtenAnswers"]
        let positions = topLevel.map { json.range(of: "\n  \"\($0)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(json.contains("\"start\": \"2026-12-03T15:00:00+05:00\""))
        let opening = try #require(object["opening"] as? [String: Any])
        #expect((opening["commitmentsDue"] as? [Any])?.isEmpty == true)
    }
}

@Suite struct AgendaTextTests {
    @Test func everyAgendaTextHasRussianKazakhAndEnglish() {
        #expect(AgendaText.table.incompleteKeys.isEmpty)
        #expect(CoreText.table.contains("error.agenda-frozen"))
        #expect(TyndauError.agendaFrozen(ISOWeek("2026-W49")!).localizedMessage(in: .kk).contains("2026-W49"))
    }
}

@Suite struct UrgencyMatcherTests {
    @Test func matchesAcrossCaseInRussianKazakhAndKazakhLatin() {
        let matcher = UrgencyMatcher(keywords: ["су жоқ", "нет воды", "jylu joq", "ёлка", "әөұүғңіһқ", "äöüşūñğ"])
        #expect(matcher.matches(in: ["СУ ЖОҚ ҮШ КҮН"]) == ["су жоқ"])
        #expect(matcher.matches(in: ["Третий день НЕТ ВОДЫ", "JYLU JOQ mektepte"]) == ["нет воды", "jylu joq"])
        #expect(matcher.matches(in: ["ЁЛКА", "ӘӨҰҮҒҢІҺҚ", "ÄÖÜŞŪÑĞ"]) == ["ёлка", "әөұүғңіһқ", "äöüşūñğ"])
        #expect(matcher.matches(in: ["вода есть", ""]).isEmpty)
        // Every Cyrillic capital folds like String.lowercased().
        let capitals = (0x0400...0x04FF).compactMap(Unicode.Scalar.init).map(String.init).filter { $0 != $0.lowercased() }
        for capital in capitals where capital.lowercased().unicodeScalars.count == 1 {
            #expect(UrgencyMatcher(keywords: ["x" + capital.lowercased()]).matches(in: ["X" + capital]).count == 1, "\(capital)")
        }
    }
}

@Suite struct BlockMinimumTests {
    @Test func minimumsThatCannotBeMetTogetherAreLiftedWithANote() throws {
        // Three blocks need time but only two topics fit the limit.
        var policy = AgendaPolicy()
        policy.maxTopics = 2
        let planner = AgendaPlanner(series: MeetingSeries(), policy: policy)
        let candidates = [AgendaBlock.landscapingUtilities, .socialInfrastructure, .socialProtection].enumerated().flatMap { index, block in
            (0..<3).map { AgendaPlannerTests.candidate(Int64(index * 3 + $0 + 1), block, askers: 9) }
        }
        let agenda = try planner.plan(week: AgendaPlannerTests.week, candidates: candidates)
        #expect(agenda.notes == [.blockMinimumsLifted])
        #expect(agenda.topics.count == 2)
        #expect(AgendaText.note(agenda.notes[0], .en).contains("lifted"))
    }
}

@Suite struct OpeningReportTests {
    @Test func commitmentsDueGetTheirOwnTimeBeforeTheTopics() throws {
        let due = [
            CommitmentDue(topicID: 3, text: "Отремонтировать освещение на ул. Саина", responsible: "ЖКХ", dueDate: "2026-11-30", done: true),
            CommitmentDue(topicID: 4, text: "Вывезти мусор во дворе дома 5", responsible: "Тазалық", dueDate: "2026-12-01", done: false),
        ]
        let agenda = try AgendaPlannerTests.planner.plan(
            week: AgendaPlannerTests.week, candidates: AgendaPlannerTests.mixed(20, seed: 1), commitmentsDue: due
        )
        #expect(agenda.openingMinutes == 2)
        #expect(agenda.topicMinutes == 48)
        #expect(agenda.topics.first?.startOffsetMinutes == 7)
        let markdown = AgendaMarkdownRenderer().render(agenda)
        // A promise recorded in Russian only is marked for Kazakh readers.
        #expect(markdown.contains(
            "- 2026-12-01 · Тазалық (орысша) — Жауаптың қазақша мәтіні әлі жоқ; орысша: Вывезти мусор во дворе дома 5 (не выполнено · орындалмады)"))
        #expect(AgendaJSONRenderer().render(agenda).contains("\"dueDate\": \"2026-11-30\""))
    }
}

@Suite struct BilingualAgendaTests {
    static func agenda() throws -> Agenda {
        let candidates = [
            AgendaCandidate(
                topicID: 1, title: "Когда отремонтируют дорогу?", block: .landscapingUtilities, askers: 5,
                firstSubmittedAt: AgendaPlannerTests.base, titles: BilingualText(kk: "Жол қашан жөнделеді?", ru: "Когда отремонтируют дорогу?")),
            AgendaCandidate(
                topicID: 2, title: "Балабақша жетіспейді", block: .socialInfrastructure, askers: 3,
                firstSubmittedAt: AgendaPlannerTests.base, titles: BilingualText(kk: "Балабақша жетіспейді")),
        ]
        let due = [
            CommitmentDue(
                topicID: 7, text: "Шамдар ауыстырылады", responsible: "ТКШ бөлімі", dueDate: "2026-12-01", done: false,
                texts: BilingualText(kk: "Шамдар ауыстырылады", ru: "Фонари заменят"),
                responsibleTexts: BilingualText(kk: "ТКШ бөлімі", ru: "Отдел ЖКХ"))
        ]
        return try AgendaPlannerTests.planner.plan(week: AgendaPlannerTests.week, candidates: candidates, commitmentsDue: due)
    }

    @Test func markdownCarriesBothTitlesAndMarksAMissingOne() throws {
        let markdown = AgendaMarkdownRenderer().render(try Self.agenda())
        #expect(markdown.contains("— Когда отремонтируют дорогу? / Жол қашан жөнделеді?"))
        #expect(markdown.contains("— Балабақша жетіспейді (на казахском)"))
        #expect(markdown.contains("- 2026-12-01 · Отдел ЖКХ / ТКШ бөлімі — Фонари заменят / Шамдар ауыстырылады"))
    }

    @Test func jsonCarriesEachLanguagesTextOrNull() throws {
        let json = AgendaJSONRenderer().render(try Self.agenda())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let topics = (object["blocks"] as? [[String: Any]] ?? []).flatMap { $0["topics"] as? [[String: Any]] ?? [] }
        let road = try #require(topics.first { $0["topicId"] as? Int == 1 })
        #expect(road["titleKk"] as? String == "Жол қашан жөнделеді?" && road["titleRu"] as? String == "Когда отремонтируют дорогу?")
        let kindergarten = try #require(topics.first { $0["topicId"] as? Int == 2 })
        #expect(kindergarten["titleKk"] as? String == "Балабақша жетіспейді" && kindergarten["titleRu"] is NSNull)
        let opening = try #require((object["opening"] as? [String: Any])?["commitmentsDue"] as? [[String: Any]])
        #expect(opening.first?["textKk"] as? String == "Шамдар ауыстырылады" && opening.first?["responsibleRu"] as? String == "Отдел ЖКХ")
    }

    @Test func calendarDescriptionCarriesBothTitles() throws {
        let ics = AgendaICalendarRenderer().render(try Self.agenda())
        let unfolded = ics.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("Когда отремонтируют дорогу? / Жол қашан жөнделеді?"))
        #expect(unfolded.contains("Балабақша жетіспейді (на казахском)"))
    }
}
