import Foundation
import Hummingbird
import HummingbirdTesting
import QuestionCollection
import Synchronization
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// The console's pages and forms over a real in-memory database, at a fixed moment: Wednesday
/// 18 November 2026, 16:06 in Almaty; the next meeting is Thursday 19 November 15:00 (2026-W47).
@Suite("Office console: pages and forms")
struct OfficeWorkflowTests {
    static let week = "2026-W47"
    /// Thursday 19 November 2026 15:00 Almaty.
    static let meetingStart = Date(timeIntervalSince1970: 1_795_082_400)

    static let lighting = "Не горят фонари на улице Жансугурова возле дома 45, вечером очень темно"
    static let lightingAgain = "На Жансугурова у дома 45 не горят фонари, темно вечером"
    static let playground = "Во дворе дома 12 по Абая сломана детская площадка, качели опасны"
    static let pension = "Қарттарға әлеуметтік көмек қашан төленеді? Зейнетақы кешігіп жатыр"

    /// Two grouped questions about lighting (one topic), and the office's users.
    func seed(_ database: SQLiteStore, _ clock: ManualClock) async throws -> Topic.ID {
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        try await Office.user(database, "boss", .admin, at: clock.now)
        try await Office.question(database, Self.lighting, minutesAgo: 3000, now: clock.now)
        try await Office.question(database, Self.lightingAgain, minutesAgo: 2900, now: clock.now)
        try await Office.question(database, Self.playground, minutesAgo: 2800, now: clock.now, street: "Абая")
        let report = try await TopicGrouping().run(store: database, rebuild: false, actor: "test", now: clock.now)
        #expect(report.topics == 2)
        let topics = try await database.topicOverviews(states: [.open])
        return try #require(topics.first { $0.summary.questionIDs.count == 2 }?.summary.topic.id)
    }

    @Test func inboxShowsGoldenHourClocksFiltersAndTheGroupingEnginesSuggestion() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        let lightingTopic = try await seed(database, clock)
        let fresh = try await Office.question(database, Self.lighting + "!", minutesAgo: 5, now: clock.now)
        let late = try await Office.question(
            database, Self.pension, minutesAgo: 90, now: clock.now, category: .socialProtection, street: "Абая", language: .kk
        )
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let inbox = try await browser.get(client, "/office/inbox")
            #expect(inbox.status == .ok)
            #expect(inbox.text.contains("55 min left"))
            #expect(inbox.text.contains("30 min overdue"))
            #expect(inbox.text.contains("card late\" id=\"q-\(late.id!)\""))
            #expect(inbox.text.contains("Accept into topic #\(lightingTopic)"))
            // Grouped questions are not in the default (untriaged) view.
            #expect(inbox.text.components(separatedBy: "<li class=\"card").count - 1 == 2)

            let kazakh = try await browser.get(client, "/office/inbox?language=kk")
            #expect(kazakh.text.contains("q-\(late.id!)") && !kazakh.text.contains("q-\(fresh.id!)"))
            let block = try await browser.get(client, "/office/inbox?block=social-protection")
            #expect(block.text.contains("q-\(late.id!)") && !block.text.contains("q-\(fresh.id!)"))
            let street = try await browser.get(client, "/office/inbox?street=%D0%B0%D0%B1%D0%B0%D1%8F")  // "абая", any case
            #expect(street.text.contains("q-\(late.id!)") && !street.text.contains("q-\(fresh.id!)"))
            let grouped = try await browser.get(client, "/office/inbox?status=grouped")
            #expect(grouped.text.contains(Self.playground))

            let bad = try await browser.get(client, "/office/inbox?block=nowhere", language: "ru")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("Блок"))
            let kk = try await browser.get(client, "/office/inbox", language: "kk")
            #expect(kk.text.contains("Кіріс сұрақтар"))
        }
    }

    /// The ids of the inbox cards on a page, in order, and its previous/next links (unescaped).
    static func cards(_ html: String) -> (ids: [Int64], previous: String?, next: String?) {
        let ids = html.components(separatedBy: "<li class=\"card").dropFirst().compactMap { card -> Int64? in
            guard let start = card.range(of: "id=\"q-") else { return nil }
            return Int64(card[start.upperBound...].prefix { $0.isNumber })
        }
        func link(_ rel: String) -> String? {
            guard let range = html.range(of: "rel=\"\(rel)\"[^>]*href=\"[^\"]+\"", options: .regularExpression) else { return nil }
            let href = html[range].components(separatedBy: "href=\"").last!.dropLast()
            return href.replacingOccurrences(of: "&amp;", with: "&")
        }
        return (ids, link("prev"), link("next"))
    }

    @Test func inboxAndTopicsPageWithCursorLinksForwardAndBack() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        // 45 questions, three at each instant: the order among equals is the id's.
        var inserted: [Int64] = []
        for index in 0..<45 {
            inserted.append(try await Office.question(
                database, "Вопрос \(index): не горят фонари во дворе", minutesAgo: Double(600 - index / 3), now: clock.now).id!)
        }
        let stored = inserted
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let first = Self.cards(try await browser.get(client, "/office/inbox?size=20&block=landscaping-utilities").text)
            #expect(first.ids == Array(stored[0..<20]))
            #expect(first.previous == nil)
            let nextLink = try #require(first.next)
            #expect(nextLink.contains("after=\(stored[19])") && nextLink.contains("size=20") && nextLink.contains("block=landscaping-utilities"))
            let second = Self.cards(try await browser.get(client, nextLink).text)
            #expect(second.ids == Array(stored[20..<40]))
            let third = Self.cards(try await browser.get(client, try #require(second.next)).text)
            #expect(third.ids == Array(stored[40..<45]))
            #expect(third.next == nil)
            let back = Self.cards(try await browser.get(client, try #require(third.previous)).text)
            #expect(back.ids == second.ids)
            let start = Self.cards(try await browser.get(client, try #require(back.previous)).text)
            #expect(start.ids == first.ids && start.previous == nil)

            // The topics list pages the same way, largest first.
            let report = try await TopicGrouping().run(store: database, rebuild: false, actor: "test", now: clock.now)
            #expect(report.topics >= 1)
            let topics = try await browser.get(client, "/office/topics?size=1")
            #expect(topics.status == .ok)
            if report.topics > 1 {
                #expect(topics.text.contains("rel=\"next\""))
            }
        }
    }

    @Test func questionsPlacedOnArrivalWaitInTheInboxWithTheirTopic() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        let lightingTopic = try await seed(database, clock)
        let again = try await Office.question(database, Self.lighting + "!", minutesAgo: 5, now: clock.now)
        let spam = try await Office.question(database, "Купите пластиковые окна со скидкой, звоните", minutesAgo: 4, now: clock.now)
        let grouper = Mutex(ArrivalGrouper())
        let outcome = try await database.placeArrivals(knownRevision: nil, limit: 10, actor: "system", now: clock.now) {
            batch in try grouper.withLock { try $0.decide(batch) }
        }
        #expect(outcome.placed[again.id!] == lightingTopic)
        let spamTopic = try #require(outcome.placed[spam.id!])
        #expect(spamTopic != lightingTopic)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let inbox = try await browser.get(client, "/office/inbox")
            // Placing is not triage: both still wait, each with the topic it went to.
            #expect(inbox.text.contains("q-\(again.id!)") && inbox.text.contains("q-\(spam.id!)"))
            #expect(inbox.text.contains("joins topic #\(lightingTopic)"))
            #expect(inbox.text.contains("opened topic #\(spamTopic): the first question about this problem"))
            #expect(inbox.text.contains("Accept into topic #\(lightingTopic)"))
            // Rejected at triage, the spam leaves the topic it opened, which disappears.
            let reject = try await browser.post(client, "/office/inbox/\(spam.id!)/reject", [("kind", "spam")])
            #expect(reject.status == .seeOther)
            #expect(try await database.topicOverview(id: spamTopic) == nil)
        }
    }

    @Test func triageAcceptsRejectsAndRedirectsAsTheSignedInUser() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        let lightingTopic = try await seed(database, clock)
        let fresh = try await Office.question(database, Self.lighting + "!", minutesAgo: 5, now: clock.now)
        let pension = try await Office.question(database, Self.pension, minutesAgo: 10, now: clock.now, category: .socialProtection, language: .kk)
        let spam = try await Office.question(database, "Купите дешёвые окна, звоните", minutesAgo: 3, now: clock.now)
        let housing = try await Office.question(database, "Когда отремонтируют крышу дома 7 по Сейфуллина?", minutesAgo: 2, now: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            var response = try await browser.post(client, "/office/inbox/\(fresh.id!)/accept", [("topic", "\(lightingTopic)"), ("back", "/office/inbox?language=ru")])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/office/inbox?language=ru")
            #expect(try await database.question(id: fresh.id!)?.topicID == lightingTopic)
            #expect(try await database.question(id: fresh.id!)?.status == .grouped)

            response = try await browser.post(client, "/office/inbox/\(pension.id!)/accept", [("topic", "new"), ("back", "https://evil.example/")])
            #expect(response.headers[.location] == "/office/inbox")
            let pensionTopic = try #require(try await database.question(id: pension.id!)?.topicID)
            #expect(pensionTopic != lightingTopic)

            response = try await browser.post(client, "/office/inbox/\(spam.id!)/reject", [("kind", "off-topic")])
            #expect(response.status == .seeOther)
            let noKind = try await browser.post(client, "/office/inbox/\(housing.id!)/reject", [("kind", "rude")])
            #expect(noKind.status == .unprocessableContent)
            #expect(noKind.text.contains("<strong>Reason</strong>"))
            response = try await browser.post(client, "/office/inbox/\(housing.id!)/redirect", [("to", "ГУ жилищной инспекции")])
            #expect(response.status == .seeOther)
            let twice = try await browser.post(client, "/office/inbox/\(housing.id!)/reject", [("kind", "spam")])
            #expect(twice.status == .conflict)

            #expect(try await database.question(id: spam.id!)?.statusReason == "off-topic")
            #expect(try await database.question(id: housing.id!)?.status == .redirected)
            #expect(try await database.question(id: housing.id!)?.statusReason == "ГУ жилищной инспекции")
            let events = try await database.auditEvents(AuditFilter(actor: "office:aigerim"), limit: 50)
            #expect(events.contains { $0.action == "topic.move" && $0.subject == "topic:\(lightingTopic)" })
            #expect(events.contains { $0.action == "question.status" && $0.subject == "question:\(spam.id!)" })
            #expect(events.contains { $0.action == "question.status" && $0.subject == "question:\(housing.id!)" })
        }
    }

    @Test func topicsListAndOneTopicsDecisionsAreStoredAndAudited() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        let lightingTopic = try await seed(database, clock)
        let other = try #require(try await database.topicOverviews(states: [.open]).first { $0.summary.topic.id != lightingTopic }?.summary.topic.id)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let list = try await browser.get(client, "/office/topics")
            #expect(list.status == .ok)
            #expect(list.text.contains("href=\"/office/topics/\(lightingTopic)\""))
            #expect(list.text.contains("<td>2</td>"))
            let page = try await browser.get(client, "/office/topics/\(lightingTopic)")
            #expect(page.text.contains(Self.lightingAgain))
            // Why the members are together (the same TopicExplainer as `tyndau topics explain`).
            #expect(page.text.contains("id=\"why\"") && page.text.contains("Shared concepts"))
            #expect(page.text.contains("Zhansugurov (2 of 2)") && page.text.contains("№45 (2 of 2)"))
            #expect(page.text.contains("street lighting (2 of 2)"))
            // Each member's scores (probabilities of the pair model); the medoid's own is 1.00.
            #expect(page.text.components(separatedBy: "score to the others ").count - 1 == 2)
            #expect(page.text.contains("· to the medoid 1.00"))

            #expect(try await browser.post(client, "/office/topics/\(lightingTopic)/rename", [("title", "Освещение на Жансугурова")]).status == .seeOther)
            #expect(try await browser.post(client, "/office/topics/\(lightingTopic)/category", [("category", "utilities")]).status == .seeOther)
            #expect(try await browser.post(client, "/office/topics/\(lightingTopic)/responsible", [("responsible", "ГКП «Алматы Жарык»")]).status == .seeOther)
            var topic = try #require(try await database.topicOverview(id: lightingTopic)?.summary.topic)
            #expect(topic.title == "Освещение на Жансугурова")
            #expect(topic.category == .utilities && topic.categoryOverridden)
            #expect(topic.responsible == "ГКП «Алматы Жарык»")

            let badCategory = try await browser.post(client, "/office/topics/\(lightingTopic)/category", [("category", "weather")])
            #expect(badCategory.status == .unprocessableContent)
            let selfMerge = try await browser.post(client, "/office/topics/\(lightingTopic)/merge", [("from", "\(lightingTopic)")])
            #expect(selfMerge.status == .unprocessableContent)

            // Merge the playground topic in, split one question out, move it back.
            #expect(try await browser.post(client, "/office/topics/\(lightingTopic)/merge", [("from", "\(other)")]).status == .seeOther)
            #expect(try await database.topicOverview(id: other) == nil)
            let members = try #require(try await database.topicOverview(id: lightingTopic)?.summary.questionIDs)
            #expect(members.count == 3)
            let split = try await browser.post(client, "/office/topics/\(lightingTopic)/split", [("question", "\(members[2])")])
            #expect(split.status == .seeOther)
            let created = try #require(split.headers[.location].flatMap { Int64($0.split(separator: "/").last!) })
            #expect(try await database.question(id: members[2])?.topicID == created)
            let move = try await browser.post(client, "/office/topics/\(created)/move", [("question", "\(members[2])"), ("to", "\(lightingTopic)")])
            #expect(move.status == .seeOther)
            #expect(try await database.question(id: members[2])?.topicID == lightingTopic)
            let wrongTopic = try await browser.post(client, "/office/topics/\(created)/move", [("question", "\(members[0])"), ("to", "\(lightingTopic)")])
            #expect(wrongTopic.status == .unprocessableContent)

            topic = try #require(try await database.topicOverview(id: lightingTopic)?.summary.topic)
            let kinds = try await database.topicDecisions(topicID: lightingTopic).filter { $0.actor == "office:aigerim" }.map(\.kind)
            #expect(Set(kinds) == [.rename, .category, .merge, .split, .move])
            let responsible = try await database.auditEvents(AuditFilter(actor: "office:aigerim", actionPrefix: "topic.responsible"), limit: 5)
            #expect(responsible.count == 1)
            let history = try await browser.get(client, "/office/topics/\(lightingTopic)")
            #expect(history.text.contains("office:aigerim"))
        }
    }

    @Test func agendaIsBuiltAdjustedMarkedAndDownloaded() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        let lightingTopic = try await seed(database, clock)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let proposed = try await browser.get(client, "/office/agenda")
            #expect(proposed.status == .ok)
            #expect(proposed.text.contains("Proposed agenda"))
            #expect(proposed.text.contains(Self.week))
            #expect(try await browser.get(client, "/office/agenda/\(Self.week).md").status == .notFound)

            let build = try await browser.post(client, "/office/agenda/\(Self.week)/rebuild")
            #expect(build.status == .seeOther)
            var items = try await database.agendaItems(week: ISOWeek(Self.week)!)
            #expect(items.count == 2)
            let stored = try await browser.get(client, "/office/agenda?week=\(Self.week)")
            #expect(stored.text.contains("Stored agenda"))
            #expect(stored.text.contains("/office/agenda/\(Self.week).ics"))

            let first = items[0]
            #expect(try await browser.post(client, "/office/agenda/\(Self.week)/items/\(first.id!)", [("minutes", "9")]).status == .seeOther)
            items = try await database.agendaItems(week: ISOWeek(Self.week)!)
            #expect(items.first { $0.id == first.id }?.minutes == 9)
            #expect(items[1].startOffsetMinutes == items[0].startOffsetMinutes + items[0].minutes)
            let zero = try await browser.post(client, "/office/agenda/\(Self.week)/items/\(first.id!)", [("minutes", "0")])
            #expect(zero.status == .unprocessableContent)
            #expect(zero.text.contains("must be 1 to 120 minutes"))
            let tooLong = try await browser.post(client, "/office/agenda/\(Self.week)/items/\(first.id!)", [("minutes", "120")])
            #expect(tooLong.status == .unprocessableContent)

            let noReason = try await browser.post(client, "/office/agenda/\(Self.week)/mark", [("topic", "\(lightingTopic)"), ("action", "skip")])
            #expect(noReason.status == .unprocessableContent)
            #expect(try await browser.post(client, "/office/agenda/\(Self.week)/mark", [("topic", "\(lightingTopic)"), ("action", "pin")]).status == .seeOther)
            #expect(try await database.agendaMarks(week: ISOWeek(Self.week)!).first?.kind == .pin)
            #expect(try await database.agendaMarks(week: ISOWeek(Self.week)!).first?.actor == "office:aigerim")

            let markdown = try await browser.get(client, "/office/agenda/\(Self.week).md")
            #expect(markdown.status == .ok)
            #expect(markdown.headers[.contentType]?.hasPrefix("text/markdown") == true)
            #expect(markdown.text.contains("9"))
            let json = try await browser.get(client, "/office/agenda/\(Self.week).json")
            #expect((try? JSONSerialization.jsonObject(with: Data(json.text.utf8))) != nil)
            let ics = try await browser.get(client, "/office/agenda/\(Self.week).ics")
            #expect(ics.text.hasPrefix("BEGIN:VCALENDAR"))
            #expect(ics.headers[.contentDisposition]?.contains("\(Self.week).ics") == true)

            // Skipping a topic on the agenda makes the stored agenda stale until it is rebuilt.
            let other = try #require(items.map(\.topicID).first { $0 != lightingTopic })
            let skip = try await browser.post(client, "/office/agenda/\(Self.week)/mark", [("topic", "\(other)"), ("action", "skip"), ("reason", "answered in writing")])
            #expect(skip.status == .seeOther)
            #expect(try await browser.get(client, "/office/agenda?week=\(Self.week)").text.contains("id=\"stale\""))
            #expect(try await browser.get(client, "/office/agenda/\(Self.week).md").status == .conflict)
            #expect(try await browser.post(client, "/office/agenda/\(Self.week)/rebuild").status == .seeOther)
            #expect(try await database.agendaItems(week: ISOWeek(Self.week)!).map(\.topicID) == [lightingTopic])
            #expect(try await browser.get(client, "/office/agenda/\(Self.week).md").status == .ok)

            // Once the meeting has started the agenda is frozen.
            clock.advance(Self.meetingStart.timeIntervalSince(clock.now) + 60)
            let later = try await Office.signIn(client, "aigerim")
            let frozen = try await later.post(client, "/office/agenda/\(Self.week)/rebuild")
            #expect(frozen.status == .conflict)
            let page = try await later.get(client, "/office/agenda?week=\(Self.week)")
            #expect(page.text.contains("no longer changes"))
        }
    }

    @Test func liveMeetingSavesAnswersKeepsRejectedInputAndCloses() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        _ = try await seed(database, clock)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            #expect(try await browser.post(client, "/office/agenda/\(Self.week)/rebuild").status == .seeOther)
            let early = try await browser.post(client, "/office/meeting/\(Self.week)/close")
            #expect(early.status == .conflict)

            clock.advance(Self.meetingStart.timeIntervalSince(clock.now) + 120)
            let browserNow = try await Office.signIn(client, "aigerim")
            let live = try await browserNow.get(client, "/office/meeting")
            #expect(live.status == .ok)
            #expect(live.text.contains("2 of 60 min"))
            let items = try await database.answeredItems(week: ISOWeek(Self.week)!)
            let item = try #require(items.first?.item.id)

            let rejected = try await browserNow.post(
                client, "/office/meeting/\(Self.week)/items/\(item)/answer",
                [("text", "Фонари заменят до конца месяца"), ("status", "commitment"), ("responsible", "")]
            )
            #expect(rejected.status == .unprocessableContent)
            #expect(rejected.text.contains("Фонари заменят до конца месяца"))
            #expect(rejected.text.contains("<strong>Due date</strong>"))
            #expect(rejected.text.contains("<strong>Responsible</strong>"))

            let saved = try await browserNow.post(
                client, "/office/meeting/\(Self.week)/items/\(item)/answer",
                [("text", "Фонари заменят до конца месяца"), ("status", "commitment"), ("responsible", "Алматы Жарык"), ("due", "2026-11-30")]
            )
            #expect(saved.status == .seeOther)
            let answered = try #require(try await database.answeredItems(week: ISOWeek(Self.week)!).first { $0.item.id == item })
            #expect(answered.answer?.recordedBy == "office:aigerim")
            #expect(answered.commitment?.dueDate == "2026-11-30")
            // One text, detected as Russian: before closing, the page counts the answer lacking Kazakh.
            #expect(answered.answer?.texts == BilingualText(ru: "Фонари заменят до конца месяца"))
            let lacking = try await browserNow.get(client, "/office/meeting")
            #expect(lacking.text.contains("Answers lacking a language: 1."))
            #expect(lacking.text.contains("No text in: Kazakh"))
            let both = try await browserNow.post(
                client, "/office/meeting/\(Self.week)/items/\(item)/answer",
                [
                    ("text_kk", "Шамдар ай соңына дейін ауыстырылады"), ("text_ru", "Фонари заменят до конца месяца"),
                    ("status", "commitment"), ("responsible_kk", "Алматы Жарық"), ("responsible_ru", "Алматы Жарык"),
                    ("due", "2026-11-30"),
                ]
            )
            #expect(both.status == .seeOther)
            let complete = try await browserNow.get(client, "/office/meeting")
            #expect(!complete.text.contains("Answers lacking a language") && !complete.text.contains("No text in:"))
            #expect(complete.text.contains("Шамдар ай соңына дейін ауыстырылады"))
            let bilingual = try #require(try await database.answeredItems(week: ISOWeek(Self.week)!).first { $0.item.id == item })
            #expect(bilingual.answer?.texts.kk == "Шамдар ай соңына дейін ауыстырылады")
            #expect(bilingual.commitment?.responsibleTexts == BilingualText(kk: "Алматы Жарық", ru: "Алматы Жарык"))

            let close = try await browserNow.post(client, "/office/meeting/\(Self.week)/close")
            #expect(close.status == .seeOther)
            #expect(close.headers[.location] == "/office/deliveries?week=\(Self.week)")
            #expect(try await database.meeting(week: ISOWeek(Self.week)!)?.state == .closed)
            let after = try await browserNow.post(
                client, "/office/meeting/\(Self.week)/items/\(item)/answer", [("text", "изменение"), ("status", "answered")]
            )
            #expect(after.status == .conflict)

            let commitments = try await browserNow.get(client, "/office/commitments")
            #expect(commitments.text.contains("Алматы Жарык"))
            let commitment = try #require(try await database.commitments(dueBefore: nil, openOnly: true).first?.commitment.id)
            #expect(try await browserNow.post(client, "/office/commitments/\(commitment)/done").status == .seeOther)
            #expect(try await database.commitments(dueBefore: nil, openOnly: true).isEmpty)
            let closedEvents = try await database.auditEvents(AuditFilter(actor: "office:aigerim", actionPrefix: "meeting."), limit: 10)
            #expect(!closedEvents.isEmpty)
        }
    }

    @Test func deliveriesShowEachEndpointsStateAndRetryDeadLetters() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        try await database.syncEndpoints([Endpoint(name: "chat", kind: "webhook"), Endpoint(name: "mail", kind: "email")])
        try await database.enqueue(OutgoingMessage(messageKey: "digest:\(Self.week)", body: "Итоги"), endpointNames: ["chat", "mail"], now: clock.now)
        try await database.enqueue(OutgoingMessage(messageKey: "digest:2026-W46", body: "Старые итоги"), endpointNames: ["chat"], now: clock.now)
        let claimed = try await database.claimDue(now: clock.now, lease: 60, limit: 10).filter { $0.delivery.endpointName == "mail" }
        try await database.apply(claimed.map {
            DeliveryReport(claimed: $0, attempts: [], partsSent: 0, resolution: .failed(error: "HTTP 400: no such mailbox", dead: true), now: clock.now)
        })
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let page = try await browser.get(client, "/office/deliveries?week=\(Self.week)")
            #expect(page.status == .ok)
            #expect(page.text.contains("digest:\(Self.week)"))
            #expect(!page.text.contains("digest:2026-W46"))
            #expect(page.text.contains("dead-lettered"))
            #expect(page.text.contains("HTTP 400: no such mailbox"))
            #expect(page.text.contains("Retry"))
            let dead = try #require(try await database.deliveries(status: .dead, limit: 10).first?.id)
            let retry = try await browser.post(client, "/office/deliveries/\(dead)/retry")
            #expect(retry.status == .seeOther)
            #expect(try await database.delivery(id: dead)?.status == .pending)
            let again = try await browser.post(client, "/office/deliveries/\(dead)/retry")
            #expect(again.status == .unprocessableContent)
            let audit = try await browser.get(client, "/office/audit?action=delivery.")
            #expect(audit.text.contains("delivery.retry"))
            #expect(audit.text.contains("office:aigerim"))
        }
    }

    @Test func adminsChangeTheSeriesWithFieldNamedErrors() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "boss", .admin, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let admin = try await Office.signIn(client, "boss")
            #expect(try await admin.post(client, "/office/series", [("key", "duration_minutes"), ("value", "90")]).status == .seeOther)
            #expect(try await database.seriesSettings()["duration_minutes"] == "90")
            let bad = try await admin.post(client, "/office/series", [("key", "weekday"), ("value", "9")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("weekday"))
            #expect(bad.text.contains("value out of range"))
            let unknown = try await admin.post(client, "/office/series", [("key", "colour"), ("value", "red")])
            #expect(unknown.status == .unprocessableContent)
            #expect(try await admin.post(client, "/office/series", [("key", "duration_minutes"), ("value", "")]).status == .seeOther)
            #expect(try await database.seriesSettings()["duration_minutes"] == nil)
            let page = try await admin.get(client, "/office/series")
            #expect(page.text.contains("duration_minutes"))
        }
    }

    @Test func theTopicPageSetsTheKazakhAndRussianTitles() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        try await Office.question(database, Self.lighting, minutesAgo: 3000, now: clock.now)
        try await Office.question(database, Self.lightingAgain, minutesAgo: 2900, now: clock.now)
        _ = try await TopicGrouping().run(store: database, rebuild: false, actor: "test", now: clock.now)
        let topic = try #require(try await database.topicOverviews(states: nil).first?.summary.topic.id)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let page = try await browser.get(client, "/office/topics/\(topic)")
            #expect(page.text.contains("name=\"title_kk\"") && page.text.contains("name=\"title_ru\""))
            let saved = try await browser.post(
                client, "/office/topics/\(topic)/titles",
                [("title_kk", "Жансүгіров көшесіндегі шамдар"), ("title_ru", "Фонари на Жансугурова")])
            #expect(saved.status == .seeOther)
            let stored = try #require(try await database.agendaTopic(id: topic))
            #expect(stored.titleKk == "Жансүгіров көшесіндегі шамдар" && stored.titleRu == "Фонари на Жансугурова")
            #expect(try await browser.get(client, "/office/topics/\(topic)").text.contains("value=\"Жансүгіров көшесіндегі шамдар\""))
            let tooLong = try await browser.post(
                client, "/office/topics/\(topic)/titles", [("title_kk", String(repeating: "ә", count: 201)), ("title_ru", "")])
            #expect(tooLong.status == .unprocessableContent)
            // An empty field returns the form to its default.
            #expect(try await browser.post(client, "/office/topics/\(topic)/titles", [("title_kk", ""), ("title_ru", "")]).status == .seeOther)
            #expect(try await database.agendaTopic(id: topic)?.titleKk == nil)
        }
    }

    @Test func userTextWithScriptTagsIsEscapedOnEveryPage() async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let hostile = "<script>alert('x')</script> Не горят фонари на Жансугурова 45"
        try await Office.question(database, hostile, minutesAgo: 3000, now: clock.now, street: "<script>street</script>")
        try await Office.question(database, hostile + " снова", minutesAgo: 2900, now: clock.now)
        _ = try await TopicGrouping().run(store: database, rebuild: false, actor: "test", now: clock.now)
        try await Office.question(database, hostile + "!", minutesAgo: 5, now: clock.now)
        let topic = try #require(try await database.topicOverviews(states: nil).first?.summary.topic.id)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            #expect(try await browser.post(client, "/office/topics/\(topic)/responsible", [("responsible", "<script>r</script>")]).status == .seeOther)
            #expect(try await browser.post(client, "/office/agenda/\(Self.week)/rebuild").status == .seeOther)
            let pages = [
                "/office/inbox", "/office/inbox?status=scheduled", "/office/inbox?street=%3Cscript%3E", "/office/topics?state=all",
                "/office/topics/\(topic)", "/office/agenda?week=\(Self.week)", "/office/meeting?week=\(Self.week)",
                "/office/audit", "/office/audit?actor=%3Cscript%3Ex",
            ]
            for path in pages {
                let page = try await browser.get(client, path)
                #expect(page.status == .ok, "\(path)")
                // The console's own external script is the only <script> element a page may have.
                let withoutOwnScript = page.text.replacingOccurrences(of: "<script src=\"/static/office.js\" defer></script>", with: "")
                #expect(!withoutOwnScript.contains("<script"), "\(path) has an unescaped <script>")
                #expect(page.text.contains("&lt;script&gt;"), "\(path) shows the escaped text")
            }
        }
    }

    @Test(arguments: [
        "/office/inbox?status=zzz", "/office/inbox?language=xx", "/office/inbox?street=" + String(repeating: "a", count: 300),
        "/office/topics?state=x", "/office/topics/abc", "/office/topics/999999", "/office/topics/-1",
        "/office/agenda?week=2026-W99", "/office/agenda?week=%ZZ", "/office/agenda/report.pdf", "/office/agenda/2026-W47.md",
        "/office/meeting?week=x", "/office/deliveries?week=x", "/office/deliveries?status=lost", "/office/commitments?show=x",
        "/office/audit?actor=" + String(repeating: "b", count: 200), "/office/nowhere",
        "/office/inbox?after=abc", "/office/inbox?after=999999", "/office/inbox?before=-3", "/office/inbox?after=1&before=2",
        "/office/inbox?size=0", "/office/inbox?size=100000", "/office/inbox?after=99999999999999999999999",
        "/office/topics?after=xyz", "/office/topics?before=999999", "/office/topics?size=abc", "/office/agenda?omitted_after=x",
    ])
    func badPageInputGivesAnErrorPageNotA500(path: String) async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let response = try await browser.get(client, path)
            #expect((400..<500).contains(response.status.code), "\(path) → \(response.status.code)")
        }
    }

    @Test(arguments: [
        ("/office/inbox/abc/accept", "topic=1"), ("/office/inbox/999/accept", "topic=1"), ("/office/inbox/999/reject", "kind=spam"),
        ("/office/inbox/1/accept", "topic=%ZZ"), ("/office/topics/1/merge", "from=abc"), ("/office/topics/999/rename", "title=x"),
        ("/office/topics/1/split", ""), ("/office/agenda/bad/rebuild", ""), ("/office/agenda/2026-W47/items/999", "minutes=5"),
        ("/office/agenda/2026-W47/mark", "topic=1&action=dance"), ("/office/meeting/2026-W47/items/1/answer", "text=x"),
        ("/office/meeting/bad/close", ""), ("/office/deliveries/999/retry", ""), ("/office/commitments/999/done", ""),
    ])
    func badFormInputGivesAnErrorPageNotA500(path: String, body: String) async throws {
        let database = try SQLiteStore.inMemory()
        let clock = ManualClock()
        try await Office.user(database, "aigerim", .operator, at: clock.now)
        try await Office.question(database, Self.lighting, minutesAgo: 5, now: clock.now)
        let app = try Office.application(database, clock: clock)
        try await app.test(.router) { client in
            let browser = try await Office.signIn(client, "aigerim")
            let response = try await client.execute(
                uri: path, method: .post,
                headers: [.cookie: browser.cookie, .contentType: "application/x-www-form-urlencoded", .init("X-Forwarded-For")!: browser.client],
                body: ByteBuffer(string: "csrf=\(browser.csrf)" + (body.isEmpty ? "" : "&" + body))
            )
            #expect((400..<500).contains(response.status.code), "\(path) → \(response.status.code)")
            let json = try await client.execute(
                uri: path, method: .post, headers: [.cookie: browser.cookie, .contentType: "application/json"],
                body: ByteBuffer(string: "{\"csrf\": \"\(browser.csrf)\"}")
            )
            #expect((400..<500).contains(json.status.code), "\(path) as JSON → \(json.status.code)")
        }
    }
}
