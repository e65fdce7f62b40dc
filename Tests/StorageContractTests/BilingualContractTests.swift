import Foundation
import Testing
import TyndauCore

/// Answers, promises and topic titles in Kazakh and Russian: each engine keeps and reads both texts
/// as given (the choice of which one a reader sees lives in ``BilingualText``, above the engines).
@Suite struct BilingualContractTests {
    static let week = AnswerStoreContractTests.week
    static let during = AnswerStoreContractTests.during

    @Test(arguments: StoreFactory.all)
    func answersAndPromisesKeepBothTextsAndEitherMayBeMissing(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, _, items) = try await AnswerStoreContractTests.meeting(store)
            let both = try await store.recordAnswer(
                AnswerInput(
                    texts: BilingualText(kk: " Шамдар ауыстырылады ", ru: "Фонари заменят"), kind: .commitment,
                    responsible: BilingualText(kk: "ТКШ бөлімі", ru: "Отдел ЖКХ"), dueDate: "2026-12-20"),
                week: Self.week, itemID: items[0].id!, actor: "office", now: Self.during)
            #expect(both.answer?.texts == BilingualText(kk: "Шамдар ауыстырылады", ru: "Фонари заменят"))
            #expect(both.commitment?.texts == BilingualText(kk: "Шамдар ауыстырылады", ru: "Фонари заменят"))
            #expect(both.commitment?.responsibleTexts == BilingualText(kk: "ТКШ бөлімі", ru: "Отдел ЖКХ"))
            try await store.recordAnswer(
                AnswerInput(texts: BilingualText(ru: "Только по-русски"), kind: .answered),
                week: Self.week, itemID: items[1].id!, actor: "office", now: Self.during)
            try await store.recordAnswer(
                AnswerInput(texts: BilingualText(kk: "Тек қазақша"), kind: .answered),
                week: Self.week, itemID: items[2].id!, actor: "office", now: Self.during)

            let read = try await store.answeredItems(week: Self.week)
            #expect(read.map { $0.answer?.texts.kk } == ["Шамдар ауыстырылады", nil, "Тек қазақша"])
            #expect(read.map { $0.answer?.texts.ru } == ["Фонари заменят", "Только по-русски", nil])
            #expect(read.map { $0.answer?.texts.missingLanguages ?? [] } == [[], [.kk], [.ru]])
            #expect(read.answersMissingALanguage == 2)

            // Neither text is a validation error naming the field; so is a text over the limit.
            await #expect(throws: TyndauError.validation(["text": "field.required"])) {
                try await store.recordAnswer(
                    AnswerInput(texts: BilingualText(kk: " ", ru: nil), kind: .answered),
                    week: Self.week, itemID: items[1].id!, actor: "office", now: Self.during)
            }
            await #expect(throws: TyndauError.validation(["text_kk": "field.too-long"])) {
                try await store.recordAnswer(
                    AnswerInput(texts: BilingualText(kk: String(repeating: "ә", count: 4001), ru: "Ок"), kind: .answered),
                    week: Self.week, itemID: items[1].id!, actor: "office", now: Self.during)
            }

            _ = try await store.closeMeeting(week: Self.week, actor: "office", now: Self.during)
            let promise = try #require(try await store.commitments(dueBefore: nil, openOnly: false).first)
            #expect(promise.commitment.texts.kk == "Шамдар ауыстырылады" && promise.commitment.responsibleTexts.ru == "Отдел ЖКХ")
        }
    }

    @Test(arguments: StoreFactory.all)
    func topicTitleFormsAreSetByTheOfficeAndDefaultToMemberQuestions(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, topics, _) = try await AnswerStoreContractTests.meeting(store)
            var first = try #require(try await store.answeredItems(week: Self.week).first)
            // By default: the member question in Russian; no Kazakh one, so Kazakh readers see it marked.
            #expect(first.titles == BilingualText(ru: "Вопрос 1 о Саина"))
            #expect(first.titles.text(for: .kk, as: .name) == "Вопрос 1 о Саина (орысша)")

            try await store.setTopicTitles(
                topics[0], titles: BilingualText(kk: "Саина көшесіндегі шамдар", ru: nil), actor: "office", now: Self.during)
            let stored = try #require(try await store.agendaTopic(id: topics[0]))
            #expect(stored.titleKk == "Саина көшесіндегі шамдар" && stored.titleRu == nil)
            first = try #require(try await store.answeredItems(week: Self.week).first)
            #expect(first.titles == BilingualText(kk: "Саина көшесіндегі шамдар", ru: "Вопрос 1 о Саина"))

            try await store.setTopicTitles(
                topics[0], titles: BilingualText(kk: "Саина көшесіндегі шамдар", ru: "Фонари на Саина"), actor: "office", now: Self.during)
            first = try #require(try await store.answeredItems(week: Self.week).first)
            #expect(first.titles.ru == "Фонари на Саина")
            #expect(try await store.topicDecisions(topicID: topics[0]).filter { $0.kind == .rename }.count == 2)

            await #expect(throws: TyndauError.validation(["title_ru": "field.too-long"])) {
                try await store.setTopicTitles(
                    topics[0], titles: BilingualText(ru: String(repeating: "я", count: 201)), actor: "office", now: Self.during)
            }
            await #expect(throws: TyndauError.self) {
                try await store.setTopicTitles(9999, titles: BilingualText(ru: "Нет такой"), actor: "office", now: Self.during)
            }
        }
    }
}
