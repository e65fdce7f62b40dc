import AgendaScheduler
import Foundation
import Logging
import TelegramBot
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite
@testable import TyndauCLI

/// The bot's dated receipt and "me too" against the loopback Bot API: the reply names the candidate
/// meeting and the written-answer deadline, offers an open topic like the question ("N residents already
/// asked this — /same"), and `/same` joins it once.
@Suite(.serialized) struct TelegramMeTooTests {
    static let lamps = "Фонари на улице Терехина не горят уже неделю, когда починят?"

    func poller(_ harness: BotHarness) -> TelegramBotPoller {
        let time = harness.time
        let intake = TelegramQuestionIntake.validator(
            series: SeriesInEffect(configured: SeriesSettings(), store: harness.database),
            similar: SimilarTopics(store: harness.database), now: { time.now })
        return TelegramBotPoller(
            settings: harness.settings, store: harness.database, intake: intake, client: harness.client,
            clock: ManualClock(time: time), now: { time.now }, logger: Logger(label: "test.bot"))
    }

    @Test func theReplyIsDatedAndSameJoinsTheOpenTopicOnce() async throws {
        let harness = try BotHarness()
        defer { harness.stop() }
        let database = harness.database
        var ids: [Question.ID] = []
        for email in ["a@example.kz", "b@example.kz"] {
            ids.append(try #require(try await database.insert(NewQuestion(
                question: Question(text: Self.lamps, language: .ru, channel: .web, submittedAt: harness.time.now.addingTimeInterval(-600)),
                contact: AskerContact(email: email, consent: true))).id))
        }
        let topic = try await database.saveGrouping(
            [TopicAssignment(topicID: nil, questionIDs: ids, facts: TopicFacts(
                representativeQuestionID: ids[0], title: Self.lamps, category: .improvement, placeKey: nil, place: nil,
                conceptKey: "lighting", reason: "lighting"))],
            actor: "grouper", now: harness.time.now)[0]

        let api = harness.api
        api.queue(1, FakeBotAPI.message(chat: 81, id: 1, text: "/agree"))
        api.queue(2, FakeBotAPI.message(chat: 81, id: 2, text: Self.lamps + " Дом 5."))
        api.queue(3, FakeBotAPI.message(chat: 81, id: 3, text: "/same"))
        api.queue(4, FakeBotAPI.message(chat: 81, id: 4, text: "/same"))
        api.queue(5, FakeBotAPI.message(chat: 82, id: 1, text: "/same", language: "en"))
        #expect(try await poller(harness).pollOnce() == 5)

        let replies = harness.texts(chat: 81)
        #expect(replies.count == 4)
        let receipt = try #require(replies.count > 1 ? replies[1] : nil)
        // The receipt's dates, in the receipt's wording: Friday 15 January 2027 → Thursday's meeting on the 21st.
        for line in ReceiptTimeframe(submittedAt: harness.time.now, settings: SeriesSettings()).lines(.ru) {
            #expect(receipt.contains(line))
        }
        #expect(receipt.contains("кандидат в повестку встречи 21.01.2027 15:00 (Asia/Almaty)"))
        #expect(receipt.contains("Жителей, уже задавших похожий вопрос: 2 — «\(Self.lamps)». Отправьте /same"))

        let question = try #require(try await database.botQuestions(chatKey: TelegramChatKey.chat(81), limit: 1).first)
        #expect(replies[2].contains("Вы присоединились к теме «\(Self.lamps)». Жителей с этим вопросом теперь: 3."))
        #expect(try await database.question(id: question.id!)?.topicID == topic)
        #expect(replies[3].contains("уже учтён"))
        #expect(try await database.topicOverview(id: topic)?.summary.askers == 3)
        // Notified with the answer like any asker: the chat is among the topic's notice recipients.
        #expect(try await database.noticeRecipients(topicIDs: [topic]).contains { $0.questionID == question.id && $0.hasTelegram })
        // A chat without a question has nothing to join.
        #expect(harness.texts(chat: 82) == [CoreText.table.text("bot.same-none", .en)])
    }
}
