import Foundation
import MeetingSummaries
import Testing
import TyndauCore

@Suite struct SummaryRendererTests {
    static let meetingStart = ISOWeek("2026-W49")!.date(weekday: 4).addingTimeInterval(15 * 3600)

    static let digest = MeetingDigest(
        week: ISOWeek("2026-W49")!,
        startsAt: meetingStart,
        topics: [
            .init(
                question: BilingualText(
                    kk: "Момышұлыға шамдарды қашан қояды?", ru: "Когда поставят фонари на Момышулы? Звоните мне 8 701 123 45 67, Айгуль."),
                askers: 12,
                answer: BilingualText(kk: "24 бағана орнату жоспарға енгізілді.", ru: "Установка 24 опор включена в план."),
                kind: .commitment, responsible: BilingualText(kk: "Аудандық ТКШ бөлімі", ru: "Отдел ЖКХ района"),
                dueDate: "2027-03-31", askerNames: ["Айгуль Серикова"]
            ),
            .init(
                question: BilingualText(ru: "Школа №178 в три смены <script>"), askers: 9,
                answer: BilingualText(ru: "Строится пристройка на 600 мест."), kind: .answered),
        ]
    )

    @Test func rendersRussianDigestWithCountsAndCommitment() async throws {
        let text = try await SummaryRenderer().digest(Self.digest, language: .ru)
        #expect(text.hasPrefix("Итоги онлайн-встречи акима района с жителями, 3 декабря 2026"))
        #expect(text.contains("Рассмотрено тем: 2. Услышано жителей: 21."))
        #expect(text.contains("Поручение: Отдел ЖКХ района, срок — 31 марта 2027."))
        #expect(text.contains("Школа №178 в три смены <script>"), "plain text: targets escape for their own markup")
    }

    @Test func rendersKazakhDigest() async throws {
        let text = try await SummaryRenderer().digest(Self.digest, language: .kk)
        #expect(text.hasPrefix("Аудан әкімінің тұрғындармен онлайн кездесуінің қорытындысы, 2026 жылғы 3 желтоқсан"))
        #expect(text.contains("мерзімі — 2027 жылғы 31 наурыз"))
    }

    @Test func kazakhDigestCarriesTheKazakhAnswerTitleAndBody() async throws {
        let text = try await SummaryRenderer().digest(Self.digest, language: .kk)
        #expect(text.contains("1. Момышұлыға шамдарды қашан қояды?"))
        #expect(text.contains("Жауап: 24 бағана орнату жоспарға енгізілді."))
        #expect(text.contains("Тапсырма: Аудандық ТКШ бөлімі, мерзімі"))
        #expect(!text.contains("Установка 24 опор"), "the Russian text stays in the Russian digest")
        let russian = try await SummaryRenderer().digest(Self.digest, language: .ru)
        #expect(russian.contains("Ответ: Установка 24 опор включена в план."))
        #expect(russian.contains("Поручение: Отдел ЖКХ района"))
        #expect(!russian.contains("24 бағана"))
    }

    @Test func missingKazakhTextIsAnnouncedInKazakhBeforeTheRussianOne() async throws {
        let text = try await SummaryRenderer().digest(Self.digest, language: .kk)
        #expect(text.contains("Жауап: Жауаптың қазақша мәтіні әлі жоқ; орысша: Строится пристройка на 600 мест."))
        #expect(text.contains("2. Школа №178 в три смены <script> (орысша)"), "a title without a Kazakh form is marked")
    }

    @Test func missingRussianTextIsAnnouncedInRussianBeforeTheKazakhOne() async throws {
        var digest = Self.digest
        digest.topics[0].answer = BilingualText(kk: "24 бағана орнату жоспарға енгізілді.")
        let text = try await SummaryRenderer().digest(digest, language: .ru)
        #expect(text.contains("Ответ: Русского текста ответа пока нет; на казахском: 24 бағана орнату жоспарға енгізілді."))
    }

    @Test func noticeQuotesTheAnswerInTheAskersLanguageOrSaysItIsMissing() async throws {
        let renderer = try await SummaryRenderer()
        var notice = PersonalNotice(
            ticket: "TRK-2026-000043", question: "Мектепте жылу жоқ", meetingStartsAt: Self.meetingStart,
            answer: BilingualText(kk: "Жылу жүйесі жөнделді.", ru: "Отопление восстановлено."), kind: .answered)
        #expect(renderer.notice(notice, language: .kk).contains("Жауап: Жылу жүйесі жөнделді."))
        #expect(renderer.notice(notice, language: .ru).contains("Ответ: Отопление восстановлено."))
        notice.answer = BilingualText(ru: "Отопление восстановлено.")
        #expect(renderer.notice(notice, language: .kk).contains("Жауап: Жауаптың қазақша мәтіні әлі жоқ; орысша: Отопление восстановлено."))
    }

    @Test func digestNeverQuotesPersonalData() async throws {
        let text = try await SummaryRenderer().digest(Self.digest, language: .ru)
        #expect(!text.contains("123 45 67"))
        #expect(!text.contains("Айгул"))
        #expect(text.contains("Момышулы"))
    }

    @Test func rendersNoticeInTheAskersLanguage() async throws {
        let notice = PersonalNotice(
            ticket: "TRK-2026-000042", question: "Мектепте жылу жоқ", meetingStartsAt: Self.meetingStart,
            answer: BilingualText(kk: "Жылу жүйесі жөнделді.", ru: "Система отопления отремонтирована."), kind: .answered, statusURL: "https://tyndau.example.kz/s/TRK-2026-000042?token=x"
        )
        let renderer = try await SummaryRenderer()
        let kazakh = renderer.notice(notice, language: .kk)
        #expect(kazakh.hasPrefix("Сіздің TRK-2026-000042 сұрағыңыз"))
        #expect(kazakh.contains("Сұрақтың күйі: https://tyndau.example.kz/s/TRK-2026-000042?token=x"))
        #expect(!kazakh.contains("Жауапты:"))
        let russian = renderer.notice(notice, language: .ru)
        #expect(russian.hasPrefix("Ваш вопрос TRK-2026-000042 рассмотрен на встрече акима района с жителями 3 декабря 2026."))
    }

    @Test func officeTemplateOverridesBundledOne() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "{{% CONTENT_TYPE: TEXT}}\nАким ответил на {{topicCount}} вопросов".write(
            to: folder.appendingPathComponent("digest.ru.mustache"), atomically: true, encoding: .utf8)
        let renderer = try await SummaryRenderer(overrideDirectory: folder.path)
        #expect(renderer.digest(Self.digest, language: .ru) == "Аким ответил на 2 вопросов")
        #expect(renderer.digest(Self.digest, language: .kk).contains("Қаралған тақырыптар: 2"))
    }
}
