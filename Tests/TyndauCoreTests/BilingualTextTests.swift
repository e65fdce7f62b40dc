import Foundation
import Testing
import TyndauCore

/// The one rule for which text a reader of a language sees, and the note when it is in the other one.
@Suite struct BilingualTextTests {
    static let both = BilingualText(kk: "Жол жөнделеді", ru: "Дорогу отремонтируют")

    @Test func eachReaderGetsTheirLanguagesTextWithoutANote() {
        #expect(Self.both.text(for: .kk) == "Жол жөнделеді")
        #expect(Self.both.text(for: .ru) == "Дорогу отремонтируют")
        #expect(Self.both.choice(for: .kk)?.note == nil && Self.both.missingLanguages.isEmpty)
    }

    @Test func aMissingTextIsAnnouncedInTheReadersLanguageNeverSilently() {
        let russianOnly = BilingualText(ru: "Дорогу отремонтируют")
        #expect(russianOnly.text(for: .kk) == "Жауаптың қазақша мәтіні әлі жоқ; орысша: Дорогу отремонтируют")
        #expect(russianOnly.text(for: .ru) == "Дорогу отремонтируют")
        #expect(russianOnly.missingLanguages == [.kk])
        let kazakhOnly = BilingualText(kk: "Жол жөнделеді")
        #expect(kazakhOnly.text(for: .ru) == "Русского текста ответа пока нет; на казахском: Жол жөнделеді")
        #expect(kazakhOnly.text(for: .kk, as: .name) == "Жол жөнделеді")
        #expect(kazakhOnly.text(for: .ru, as: .name) == "Жол жөнделеді (на казахском)")
        #expect(kazakhOnly.text(for: .en) == "No English text; in Kazakh: Жол жөнделеді")
        #expect(BilingualText(kk: "  ", ru: "").isEmpty && BilingualText().text(for: .kk).isEmpty)
    }

    @Test func documentsInBothLanguagesCarryBothOrMarkTheOneThereIs() {
        #expect(Self.both.bothLanguages() == "Дорогу отремонтируют / Жол жөнделеді")
        #expect(BilingualText(ru: "Дорогу").bothLanguages() == "Дорогу (орысша)")
        #expect(BilingualText(kk: "Жол", ru: "Жол").bothLanguages() == "Жол")
    }

    @Test func titleFormsComeFromTheOfficeElseFromMembersInThatLanguage() {
        let members = [
            MemberQuestionText(text: "Когда починят дорогу на Саина?", language: .ru),
            MemberQuestionText(text: "Саина көшесіндегі жол қашан жөнделеді?", language: .kk),
            MemberQuestionText(text: "Saina köşesindegi jol qaşan jöndeledi?", language: .kkLatn),
        ]
        var topic = Topic(title: "Когда починят дорогу на Саина?", createdAt: Date(timeIntervalSince1970: 0))
        #expect(topic.titles(members: members) == BilingualText(kk: "Саина көшесіндегі жол қашан жөнделеді?", ru: "Когда починят дорогу на Саина?"))
        #expect(topic.titles(members: [members[0]]).text(for: .kk, as: .name) == "Когда починят дорогу на Саина? (орысша)")
        topic.titleKk = "Саина көшесіндегі жол"
        #expect(topic.titles(members: members).kk == "Саина көшесіндегі жол")
        let long = MemberQuestionText(text: String(repeating: "ә", count: 300), language: .kk)
        #expect(topic.titles(members: [members[0], long]).kk == "Саина көшесіндегі жол")
        topic.titleKk = nil
        #expect(topic.titles(members: [members[0], long]).kk?.count == 120)
    }
}
