import Foundation
import Publisher
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

/// Answers, closing and the one-time publication, on a real SQLite file.
@Suite struct MeetingAnswersTests {
    static let week = ISOWeek("2026-W49")!
    static let start = MeetingSeries().start(of: week)

    struct Fixture {
        var database: SQLiteStore
        var path: String
        var items: [AnsweredItem]
    }

    /// Three questions (two about lighting from askers who left an e-mail, one anonymous about water),
    /// one topic each, both topics on the agenda of 2026-W49.
    static func fixture() async throws -> Fixture {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-answers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("t.sqlite").path
        let database = try SQLiteStore.open(path: path)
        let submitted = start.addingTimeInterval(-3 * 86_400)
        let lighting = try await database.insert(NewQuestion(
            question: Question(text: "Когда поставят фонари на Момышулы? Звоните 8 701 123 45 67", language: .ru, channel: .web, submittedAt: submitted),
            contact: AskerContact(name: "Айгуль Серикова", email: "aigul@example.kz", consent: true, language: .kk)
        ))
        let water = try await database.insert(NewQuestion(
            question: Question(text: "Саялыда су жоқ, қашан береді?", language: .kk, channel: .web, submittedAt: submitted)
        ))
        _ = try await database.makeSingleQuestionTopics(actor: "test", now: submitted)
        let lightingTopic = try #require(try await database.question(id: lighting.id!)?.topicID)
        let waterTopic = try #require(try await database.question(id: water.id!)?.topicID)
        let meeting = Meeting(week: week, startsAt: start, durationMinutes: 60, timeZone: "Asia/Almaty")
        let items = [
            AgendaItem(meetingID: 0, topicID: lightingTopic, position: 1, block: .landscapingUtilities, startOffsetMinutes: 5, minutes: 10, why: "test"),
            AgendaItem(meetingID: 0, topicID: waterTopic, position: 2, block: .landscapingUtilities, startOffsetMinutes: 15, minutes: 10, why: "test"),
        ]
        try await database.saveAgenda(AgendaRecord(meeting: meeting, items: items, writtenAnswers: []), actor: "test", now: submitted)
        return Fixture(database: database, path: path, items: try await database.answeredItems(week: week))
    }

    static let promise = AnswerInput(
        text: "Установим 24 опоры до 31 марта", kind: .commitment, responsible: "Отдел ЖКХ", dueDate: "2027-03-31"
    )

    @Test func commitmentNeedsResponsibleAndValidDueDate() {
        #expect(throws: TyndauError.validation(["responsible": "field.required", "due": "field.required"])) {
            try AnswerInput(text: "Сделаем", kind: .commitment).validated()
        }
        #expect(throws: TyndauError.validation(["due": "field.invalid-date"])) {
            try AnswerInput(text: "Сделаем", kind: .commitment, responsible: "ЖКХ", dueDate: "2027-02-30").validated()
        }
        #expect(throws: TyndauError.validation(["redirect_to": "field.required"])) {
            try AnswerInput(text: "Не наш вопрос", kind: .redirected).validated()
        }
    }

    @Test func closingMakesAnswersFinalAndReturnsUnansweredTopicsToTheQueue() async throws {
        let fixture = try await Self.fixture()
        let database = fixture.database
        let answered = try await database.recordAnswer(
            Self.promise, week: Self.week, itemID: fixture.items[0].item.id!, actor: "cli:secretary", now: Self.start
        )
        #expect(answered.commitment?.dueDate == "2027-03-31")
        #expect(try await database.commitments(dueBefore: nil, openOnly: true).isEmpty, "drafts are not commitments yet")

        await #expect(throws: TyndauError.meetingNotStarted(Self.week)) {
            _ = try await database.closeMeeting(week: Self.week, actor: "test", now: Self.start.addingTimeInterval(-60))
        }
        let closure = try await database.closeMeeting(week: Self.week, actor: "cli:secretary", now: Self.start.addingTimeInterval(3600))
        #expect(closure.answered == 1)
        #expect(closure.returnedToQueue == 1)

        let questions = try await database.questions(QuestionQuery())
        #expect(questions.map(\.status) == [.answered, .grouped])
        #expect(try await database.commitments(dueBefore: nil, openOnly: true).map(\.commitment.responsible) == ["Отдел ЖКХ"])
        #expect(try await database.commitments(dueBefore: "2027-03-31", openOnly: true).isEmpty)

        await #expect(throws: TyndauError.meetingClosed(Self.week)) {
            try await database.recordAnswer(Self.promise, week: Self.week, itemID: fixture.items[1].item.id!, actor: "test", now: Self.start)
        }
        let events = try await database.auditEvents(subject: "meeting:\(Self.week)", limit: 5)
        #expect(events.contains { $0.action == "meeting.close" && $0.actor == "cli:secretary" })
    }

    @Test func publicationEnqueuesDigestAndNoticeOnceWithoutPersonalData() async throws {
        let fixture = try await Self.fixture()
        let database = fixture.database
        try await database.recordAnswer(Self.promise, week: Self.week, itemID: fixture.items[0].item.id!, actor: "test", now: Self.start)
        _ = try await database.closeMeeting(week: Self.week, actor: "test", now: Self.start.addingTimeInterval(3600))

        var configuration = TyndauConfiguration()
        configuration.endpoints = [
            try EndpointDefinition(name: "channel", url: "tgram://1:T/-1001", tags: ["public"]),
            try EndpointDefinition(name: "mail", url: "mailtos://smtp.example.kz?from=akimat@example.kz", tags: ["residents"]),
        ]
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        let automation = try await MeetingAutomation(database: database, configuration: configuration, logger: .init(label: "test"))
        #expect(try await automation.runOnce().published == [Self.week])
        #expect(try await automation.runOnce().published.isEmpty, "a second pass publishes nothing")

        let deliveries = try await database.deliveries(status: nil, limit: 10)
        let digest = try #require(deliveries.first { $0.endpointName == "channel" })
        #expect(digest.messageKey == "digest:2026-W49")
        #expect(digest.body.contains("Установим 24 опоры до 31 марта"))
        #expect(!digest.body.contains("123 45 67") && !digest.body.contains("Айгул"), "no personal data in the public digest")
        let notice = try #require(deliveries.first { $0.endpointName == "mail" })
        #expect(notice.recipientQuestionID != nil)
        #expect(notice.body.hasPrefix("Сіздің TRK-"), "the notice comes in the asker's language")
        #expect(deliveries.count == 2)

        // The address is looked up when the delivery is claimed, never stored in the outbox.
        #expect(notice.recipient == nil && !notice.body.contains("aigul@example.kz"))
        let claimed = try await database.claimDue(now: Date().addingTimeInterval(60), lease: 30, limit: 10)
        #expect(claimed.first { $0.delivery.endpointName == "mail" }?.delivery.recipient == "aigul@example.kz")
    }

    @Test func eachDigestAndNoticeUsesItsLanguagesTextAndAnnouncesAMissingOne() async throws {
        let fixture = try await Self.fixture()
        let database = fixture.database
        try await database.recordAnswer(
            AnswerInput(
                texts: BilingualText(kk: "31 наурызға дейін 24 бағана орнатамыз", ru: "Установим 24 опоры до 31 марта"),
                kind: .commitment, responsible: BilingualText(kk: "ТКШ бөлімі", ru: "Отдел ЖКХ"), dueDate: "2027-03-31"),
            week: Self.week, itemID: fixture.items[0].item.id!, actor: "test", now: Self.start)
        try await database.recordAnswer(
            AnswerInput(texts: BilingualText(ru: "Подачу воды восстановили 1 декабря"), kind: .answered),
            week: Self.week, itemID: fixture.items[1].item.id!, actor: "test", now: Self.start)
        _ = try await database.closeMeeting(week: Self.week, actor: "test", now: Self.start.addingTimeInterval(3600))

        var configuration = TyndauConfiguration()
        configuration.endpoints = [
            try EndpointDefinition(name: "kk-channel", url: "tgram://1:T/-1001", tags: ["public"], language: .kk),
            try EndpointDefinition(name: "ru-channel", url: "tgram://1:T/-1002", tags: ["public"], language: .ru),
            try EndpointDefinition(name: "mail", url: "mailtos://smtp.example.kz?from=akimat@example.kz", tags: ["residents"]),
        ]
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        let automation = try await MeetingAutomation(database: database, configuration: configuration, logger: .init(label: "test"))
        #expect(try await automation.runOnce().published == [Self.week])
        let deliveries = try await database.deliveries(status: nil, limit: 10)

        let kazakh = try #require(deliveries.first { $0.endpointName == "kk-channel" }).body
        #expect(kazakh.contains("Жауап: 31 наурызға дейін 24 бағана орнатамыз"))
        #expect(kazakh.contains("Тапсырма: ТКШ бөлімі"))
        #expect(kazakh.contains("Жауап: Жауаптың қазақша мәтіні әлі жоқ; орысша: Подачу воды восстановили 1 декабря"))
        #expect(kazakh.contains("2. Саялыда су жоқ, қашан береді?"), "the Kazakh question is the Kazakh title")
        #expect(!kazakh.contains("Установим 24 опоры"))

        let russian = try #require(deliveries.first { $0.endpointName == "ru-channel" }).body
        #expect(russian.contains("Ответ: Установим 24 опоры до 31 марта"))
        #expect(russian.contains("Ответ: Подачу воды восстановили 1 декабря"))
        #expect(russian.contains("2. Саялыда су жоқ, қашан береді? (на казахском)"), "a title with no Russian form is marked")

        // The Kazakh-speaking asker's notice quotes the Kazakh answer.
        let notice = try #require(deliveries.first { $0.endpointName == "mail" }).body
        #expect(notice.contains("Жауап: 31 наурызға дейін 24 бағана орнатамыз"))
        #expect(notice.contains("Жауапты: ТКШ бөлімі"))
    }

    @Test func theAnswerCommandTakesBothTextsOrOneInItsDetectedLanguage() async throws {
        let fixture = try await Self.fixture()
        let week = ["--week", Self.week.description, "--db", fixture.path]
        #expect(try TyndauProcess.run(["answer", "1", "--text-kk", "Шамдар қойылады", "--text-ru", "Фонари поставят"] + week).0 == 0)
        let (status, output) = try TyndauProcess.run(["answer", "2", "--text", "Саялыға су берілді, құбыр ауыстырылады"] + week)
        #expect(status == 0)
        #expect(output.contains("ru"), "the command names the language still missing: \(output)")
        let (bad, message) = try TyndauProcess.run(
            ["answer", "2", "--text", "Вода есть", "--text-ru", "Вода есть"] + week, errors: true)
        #expect(bad != 0 && message.contains("text"))
        let items = try await fixture.database.answeredItems(week: Self.week)
        #expect(items[0].answer?.texts == BilingualText(kk: "Шамдар қойылады", ru: "Фонари поставят"))
        #expect(items[1].answer?.texts == BilingualText(kk: "Саялыға су берілді, құбыр ауыстырылады"))
        let (_, shown) = try TyndauProcess.run(["meeting", "show"] + week)
        #expect(shown.contains("Answers lacking Kazakh or Russian: 1"))
    }

    @Test func autocloseClosesAMeetingLeftOpenAndPublishesIt() async throws {
        let fixture = try await Self.fixture()
        let database = fixture.database
        try await database.recordAnswer(Self.promise, week: Self.week, itemID: fixture.items[0].item.id!, actor: "test", now: Self.start)
        var configuration = TyndauConfiguration()
        configuration.summaries.autocloseAfterMinutes = 30
        configuration.endpoints = [try EndpointDefinition(name: "channel", url: "tgram://1:T/-1001", tags: ["public"])]
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        var automation = try await MeetingAutomation(database: database, configuration: configuration, logger: .init(label: "test"))
        let end = Self.start.addingTimeInterval(3600)

        automation.now = { end.addingTimeInterval(10 * 60) }
        let early = try await automation.runOnce()
        #expect(early.closed.isEmpty && early.published.isEmpty, "the office still has time to close it")

        automation.now = { end.addingTimeInterval(31 * 60) }
        let late = try await automation.runOnce()
        #expect(late.closed == [Self.week])
        #expect(late.published == [Self.week])
        let events = try await database.auditEvents(subject: "meeting:\(Self.week)", limit: 5)
        #expect(events.contains { $0.action == "meeting.close" && $0.actor == "system:autoclose" })
    }

    @Test func commitmentDoneNotifiesAskersOnce() async throws {
        let fixture = try await Self.fixture()
        let database = fixture.database
        try await database.recordAnswer(Self.promise, week: Self.week, itemID: fixture.items[0].item.id!, actor: "test", now: Self.start)
        _ = try await database.closeMeeting(week: Self.week, actor: "test", now: Self.start.addingTimeInterval(3600))
        var configuration = TyndauConfiguration()
        configuration.endpoints = [try EndpointDefinition(name: "mail", url: "mailtos://smtp.example.kz", tags: ["residents"])]
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        let automation = try await MeetingAutomation(database: database, configuration: configuration, logger: .init(label: "test"))

        let commitment = try #require(try await database.commitments(dueBefore: nil, openOnly: true).first)
        for _ in 0..<2 {
            let view = try await database.markCommitmentDone(id: commitment.commitment.id!, note: nil, actor: "test", now: Date())
            #expect(view.commitment.state == .done)
            let recipients = try await database.noticeRecipients(topicIDs: [view.commitment.topicID])
            try await database.enqueue(automation.publication.commitmentDoneBatches(view, recipients: recipients), now: Date())
        }
        let notices = try await database.deliveries(status: nil, limit: 10).filter { $0.messageKey.hasPrefix("commitment-done:") }
        #expect(notices.count == 1)
        #expect(try await database.commitments(dueBefore: nil, openOnly: true).isEmpty)
    }

    @Test func twoWorkerProcessesRacingEnqueueEachDigestOnce() async throws {
        let fixture = try await Self.fixture()
        let database = fixture.database
        try await database.recordAnswer(Self.promise, week: Self.week, itemID: fixture.items[0].item.id!, actor: "test", now: Self.start)
        _ = try await database.closeMeeting(week: Self.week, actor: "test", now: Self.start.addingTimeInterval(3600))
        try database.checkpoint()

        let folder = URL(fileURLWithPath: fixture.path).deletingLastPathComponent()
        let config = folder.appendingPathComponent("tyndau.yaml").path
        // Endpoints no worker can reach in time: the test is about enqueuing, not sending.
        try """
            endpoints:
              - name: channel
                url: tgram://1:T/-1001
                tags: [public]
              - name: office
                url: jsons://hooks.example.kz/tyndau
                tags: [internal]
            publisher:
              poll_seconds: 1
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let arguments = ["worker", "--once", "--config", config, "--db", fixture.path]
        let first = try TyndauProcess.start(arguments).0
        let second = try TyndauProcess.start(arguments).0
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        let reopened = try SQLiteStore.open(path: fixture.path)
        let digests = try await reopened.deliveries(status: nil, limit: 100).filter { $0.messageKey == "digest:2026-W49" }
        #expect(digests.map(\.endpointName).sorted() == ["channel", "office"])
        #expect(try await reopened.meetingsAwaitingPublication().isEmpty)
    }
}
