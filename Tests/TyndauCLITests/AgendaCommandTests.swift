import AgendaScheduler
import Foundation
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

@Suite struct AgendaCommandTests {
    static let week = ISOWeek("2027-W10")!
    static let calendar = MeetingCalendar(series: MeetingSeries())
    /// Monday of the week, well before Wednesday's cut-off.
    static let now = calendar.start(of: week).addingTimeInterval(-3 * 86_400)

    static func seeded() async throws -> (SQLiteStore, String, URL) {
        let folder = try ImportCommandTests.folder()
        let path = folder.appendingPathComponent("t.sqlite").path
        let database = try SQLiteStore.open(path: path)
        let texts: [(String, QuestionCategory)] = [
            ("Нет воды третий день на улице Саина, дом 12", .utilities),
            ("Когда починят фонари на улице Момышулы?", .improvement),
            ("В школе № 45 холодно в классах, проверьте отопление", .socialInfrastructure),
            ("Как оформить пособие по уходу за ребёнком-инвалидом?", .socialProtection),
            ("Во дворе дома 5 по Шаляпина не вывозят мусор", .improvement),
            ("Нужен пешеходный переход у школы № 198", .transport),
            ("Бродячие собаки во дворе, дети боятся", .safety),
        ]
        _ = try await database.insert(batch: texts.enumerated().map { index, entry in
            NewQuestion(question: Question(
                text: entry.0, language: .ru, category: entry.1, street: "Саина", channel: .cli,
                submittedAt: now.addingTimeInterval(-Double(index + 1) * 3600)
            ))
        })
        return (database, path, folder.appendingPathComponent("agendas"))
    }

    @Test func buildWritesThreeFilesAndARebuildIsByteIdentical() async throws {
        let (database, _, out) = try await Self.seeded()
        let first = try await AgendaWorkflow.build(week: Self.week, settings: SeriesSettings(), database: database, now: Self.now, outputFolder: out.path)
        #expect(first.singleTopicsMade == 7)
        #expect(first.paths.map { ($0 as NSString).lastPathComponent } == ["2027-W10.md", "2027-W10.json", "2027-W10.ics"])
        let bytes = try first.paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        #expect(try await database.agendaItems(week: Self.week).count == 7)
        #expect(try await database.countQuestions(status: .scheduled) == 7)

        let second = try await AgendaWorkflow.build(
            week: Self.week, settings: SeriesSettings(), database: database, now: Self.now.addingTimeInterval(3600), outputFolder: out.path
        )
        #expect(second.singleTopicsMade == 0)
        #expect(try second.paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == bytes)
        #expect(try await database.agendaItems(week: Self.week).count == 7)
    }

    @Test func aStartedMeetingRefusesARebuild() async throws {
        let (database, path, out) = try await Self.seeded()
        _ = try await AgendaWorkflow.build(week: Self.week, settings: SeriesSettings(), database: database, now: Self.now, outputFolder: out.path)
        await #expect(throws: TyndauError.agendaFrozen(Self.week)) {
            try await AgendaWorkflow.build(
                week: Self.week, settings: SeriesSettings(), database: database,
                now: Self.calendar.start(of: Self.week).addingTimeInterval(60), outputFolder: out.path
            )
        }
        // Through the command line, a week long past is refused with exit code 1.
        #expect(await Tyndau.main(arguments: ["agenda", "build", "--week", "2026-W01", "--db", path, "--out", out.path]) == 1)
        #expect(TyndauError.agendaFrozen(Self.week).localizedMessage(in: .ru).contains("заморожена"))
    }

    @Test func dryRunWritesNothing() async throws {
        let (database, _, out) = try await Self.seeded()
        let result = try await AgendaWorkflow.build(week: Self.week, settings: SeriesSettings(), database: database, now: Self.now, outputFolder: nil)
        #expect(result.preview)
        #expect(result.agenda.topics.count == 7)
        #expect(result.paths.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try await database.agendaTopicCount() == 0)
        #expect(try await database.meeting(week: Self.week) == nil)
    }

    @Test func pinAndSkipFromTheCommandLineChangeTheNextBuild() async throws {
        let (database, path, out) = try await Self.seeded()
        let settings = try SeriesSettings().overlaid(with: ["max_topics": "3", "block_min_share": "other=0"])
        let first = try await AgendaWorkflow.build(week: Self.week, settings: settings, database: database, now: Self.now, outputFolder: out.path)
        let top = try #require(first.agenda.topics.first).topicID
        let left = try #require(first.agenda.notSelected.last).topicID
        try await database.setSeriesSettings(["max_topics": "3", "block_min_share": "other=0"], actor: "test", now: Self.now)

        #expect(await Tyndau.main(arguments: ["agenda", "pin", "T\(left)", "--week", "\(Self.week)", "--db", path]) == 0)
        #expect(await Tyndau.main(arguments: ["agenda", "skip", "\(top)", "--week", "\(Self.week)", "--reason", "ответ опубликован", "--db", path]) == 0)
        #expect(await Tyndau.main(arguments: ["agenda", "skip", "\(top)", "--week", "\(Self.week)", "--reason", " ", "--db", path]) == 1)
        #expect(await Tyndau.main(arguments: ["agenda", "pin", "999", "--week", "\(Self.week)", "--db", path]) == 1)

        let second = try await AgendaWorkflow.build(week: Self.week, settings: settings, database: database, now: Self.now, outputFolder: out.path)
        #expect(second.agenda.topics.contains { $0.topicID == left && $0.reasons.pinned })
        #expect(second.agenda.notSelected.contains { $0.topicID == top && $0.reason == .skipped("ответ опубликован") })
        let json = try String(contentsOf: out.appendingPathComponent("2027-W10.json"), encoding: .utf8)
        #expect(json.contains("\"skipReason\": \"ответ опубликован\""))
        #expect(await Tyndau.main(arguments: ["agenda", "unmark", "\(top)", "--week", "\(Self.week)", "--db", path]) == 0)
        #expect(try await database.agendaMarks(week: Self.week).count == 1)
    }

    @Test func seriesSetValidatesAllValuesBeforeStoringAny() async throws {
        let (database, path, _) = try await Self.seeded()
        #expect(await Tyndau.main(arguments: ["series", "set", "duration_minutes=90", "intro_minutes=abc", "--db", path]) == 1)
        #expect(await Tyndau.main(arguments: ["series", "set", "no_such_key=1", "--db", path]) == 1)
        #expect(await Tyndau.main(arguments: ["series", "set", "intro_minutes=50", "closing_minutes=10", "--db", path]) == 1)
        #expect(try await database.seriesSettings().isEmpty)

        #expect(await Tyndau.main(arguments: [
            "series", "set", "duration_minutes=90", "start=16:30", "block_min_share=other=0.2,social-protection=0.1",
            "urgency_keywords=нет воды; су жоқ", "--db", path,
        ]) == 0)
        let stored = try await database.seriesSettings()
        #expect(stored["duration_minutes"] == "90")
        #expect(stored["block_min_share"] == "landscaping-utilities=0,social-infrastructure=0,social-protection=0.1,other=0.2")
        #expect(stored["urgency_keywords"] == "нет воды;су жоқ")
        let settings = try await AgendaWorkflow.settings(TyndauConfiguration(), database)
        #expect(settings.series.durationMinutes == 90)
        #expect(settings.series.startMinute == 16 * 60 + 30)
        #expect(settings.policy.urgencyKeywords == ["нет воды", "су жоқ"])
        // An empty value returns the key to the file's value.
        #expect(await Tyndau.main(arguments: ["series", "set", "duration_minutes=", "--db", path]) == 0)
        #expect(try await AgendaWorkflow.settings(TyndauConfiguration(), database).series.durationMinutes == 60)
    }

    /// Ten weeks on a real database: new questions every week, more than the hour holds. Each build
    /// stores its agenda; every topic leaves the queue (on air or in writing) by the maximum wait.
    @Test func tenStoredWeeksLeaveNobodyWaitingPastTheMaximum() async throws {
        let folder = try ImportCommandTests.folder()
        let database = try SQLiteStore.open(path: folder.appendingPathComponent("t.sqlite").path)
        let out = folder.appendingPathComponent("agendas").path
        let categories = QuestionCategory.allCases
        var week = ISOWeek("2027-W02")!
        var number = 0
        var onAir = 0
        var inWriting = 0
        for _ in 0..<10 {
            let monday = Self.calendar.start(of: week).addingTimeInterval(-3 * 86_400 - 15 * 3600)
            // 18 questions a week, each its own topic, submitted Monday morning before the cut-off.
            let batch = (0..<18).map { index -> NewQuestion in
                number += 1
                return NewQuestion(question: Question(
                    text: "Вопрос номер \(number): просим разобраться с проблемой во дворе", language: .ru,
                    category: categories[(number * 7 + index) % categories.count], channel: .cli,
                    submittedAt: monday.addingTimeInterval(Double(index) * 3600)
                ))
            }
            _ = try await database.insert(batch: batch)
            _ = try await database.makeSingleQuestionTopics(actor: "test", now: monday)
            let result = try await AgendaWorkflow.build(
                week: week, settings: SeriesSettings(), database: database, now: monday.addingTimeInterval(2 * 86_400), outputFolder: out
            )
            let policy = AgendaPolicy()
            #expect(result.agenda.topics.allSatisfy { $0.reasons.weeksWaited <= policy.maxWaitingWeeks })
            #expect(result.agenda.notSelected.allSatisfy { $0.reasons.weeksWaited < policy.maxWaitingWeeks })
            onAir += result.agenda.topics.count
            inWriting += result.agenda.writtenAnswers.count
            #expect(try await database.writtenAnswers(week: week).count == result.agenda.writtenAnswers.count)
            week = week.adding(weeks: 1)
        }
        // 180 topics: 10 a week on air, the rest in writing or still within their wait.
        #expect(onAir == 100)
        #expect(inWriting > 0)
        let stillOpen = try await database.agendaCandidates(week: week, submittedBefore: Self.calendar.cutoff(of: week))
        #expect(stillOpen.count == 180 - onAir - inWriting)
        for facts in stillOpen {
            #expect(Self.calendar.weeksWaited(firstSubmittedAt: facts.summary.firstSubmittedAt, at: week) <= AgendaPolicy().maxWaitingWeeks)
        }
    }

    /// A promise made at one meeting is reported in the next agenda's opening block.
    @Test func nextAgendaOpensWithTheCommitmentsThatFellDue() async throws {
        let (database, _, out) = try await Self.seeded()
        let first = try await AgendaWorkflow.build(week: Self.week, settings: SeriesSettings(), database: database, now: Self.now, outputFolder: out.path)
        #expect(first.agenda.commitmentsDue.isEmpty)
        let item = try #require(try await database.agendaItems(week: Self.week).first)
        let during = Self.calendar.start(of: Self.week).addingTimeInterval(10 * 60)
        let next = Self.week.adding(weeks: 1)
        let dueDay = LocalDate(Self.calendar.start(of: next), timeZone: .almaty).adding(days: -1).description
        _ = try await database.recordAnswer(
            AnswerInput(text: "Подвоз воды организуют до конца недели", kind: .commitment, responsible: "ГКП «Алматы Су»", dueDate: dueDay),
            week: Self.week, itemID: item.id!, actor: "test", now: during
        )
        _ = try await database.closeMeeting(week: Self.week, actor: "test", now: Self.calendar.end(of: Self.week))

        let second = try await AgendaWorkflow.build(
            week: next, settings: SeriesSettings(), database: database, now: Self.calendar.cutoff(of: next).addingTimeInterval(-60),
            outputFolder: out.path
        )
        #expect(second.agenda.commitmentsDue.map(\.responsible) == ["ГКП «Алматы Су»"])
        #expect(second.agenda.openingMinutes == 1)
        // Recorded in Russian only: the agenda, read in both languages, marks it for Kazakh readers.
        #expect(second.files.markdown.contains(
            "\(dueDay) · ГКП «Алматы Су» (орысша) — Жауаптың қазақша мәтіні әлі жоқ; орысша: Подвоз воды организуют до конца недели"))
        #expect(second.files.json.contains("\"dueDate\": \"\(dueDay)\""))
    }

    @Test func fieldReasonsOfAgendaCommandsAreTranslated() throws {
        for key in ["agenda.bad-week", "agenda.bad-topic", "agenda.reason-required"] {
            let reasons = TyndauError.validation(["field": key])
            #expect(reasons.localizedFields(in: .kk)["field"] != key, "\(key) has no text")
        }
        #expect(throws: TyndauError.validation(["topic": "agenda.bad-topic"])) { try AgendaCommand.topicID("x12") }
        #expect(try AgendaCommand.topicID("T12") == 12)
    }

    @Test func configurationFileReadsTheAgendaPolicy() throws {
        let configuration = try TyndauConfiguration.parse("""
            series:
              duration_minutes: 90
              intro_minutes: 10
              topic_minutes_per_extra_asker: 1.5
              block_min_share:
                other: 0.2
                landscaping-utilities: 0.4
              urgency_keywords: [авария, апат]
              max_waiting_weeks: 2
            """)
        #expect(configuration.series.durationMinutes == 90)
        #expect(configuration.agendaPolicy.introMinutes == 10)
        #expect(configuration.agendaPolicy.topicMinutesPerExtraAsker == 1.5)
        #expect(configuration.agendaPolicy.blockMinimumShare[.other] == 0.2)
        #expect(configuration.agendaPolicy.blockMinimumShare[.socialProtection] == 0)
        #expect(configuration.agendaPolicy.urgencyKeywords == ["авария", "апат"])
        #expect(configuration.agendaPolicy.maxWaitingWeeks == 2)
        #expect(throws: TyndauError.self) {
            try TyndauConfiguration.parse("series:\n  block_min_share:\n    other: 0.7\n    social-protection: 0.6\n")
        }
        #expect(throws: TyndauError.self) { try TyndauConfiguration.parse("series:\n  max_topics: many\n") }
    }
}
