import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// The public record's pages and downloads over a real router: a closed meeting with generated
/// personal data in question texts and contacts, the live page and the tracker on an injected clock.
@Suite("Public record pages")
struct PublicRecordPagesTests {
    static let week = ISOWeek("2026-W49")!
    /// Thursday 2026-12-03 15:00 Almaty.
    static let start = Date(timeIntervalSince1970: 1_796_292_000)
    static let before = start.addingTimeInterval(-3 * 86_400)

    /// Personal data as residents type it: names, phones in several shapes, e-mails, valid IINs.
    struct People {
        var names: [String] = []
        var phones: [String] = []
        var emails: [String] = []
        var iins: [String] = []

        init(count: Int) {
            var random = SplitMix64(seed: 49)
            let first = ["Гульнара", "Ерлан", "Айгерим", "Нурлан", "Светлана", "Бауыржан", "Жанар", "Тимур"]
            let last = ["Сапарова", "Ахметов", "Ким", "Жумабаев", "Иванова", "Оспанов", "Сериккызы", "Нуриев"]
            for index in 0..<count {
                names.append(first[index % first.count] + " " + last[(index / 2) % last.count])
                let digits = (0..<7).map { _ in String(random.next() % 10) }.joined()
                phones.append(index % 2 == 0 ? "+7 701 \(digits.prefix(3)) \(digits.dropFirst(3).prefix(2)) \(digits.suffix(2))" : "8701\(digits)")
                emails.append("resident\(index)@mail.kz")
                iins.append(Self.iin(random: &random))
            }
        }

        /// A 12-digit IIN with a valid control digit (born in the 1980s, so the date part is plausible).
        static func iin(random: inout SplitMix64) -> String {
            while true {
                var digits: [Int] = [8, Int(random.next() % 10), 0, Int(1 + random.next() % 9), 1, Int(random.next() % 3), 3]
                digits += (0..<4).map { _ in Int(random.next() % 10) }
                var control = zip(digits, 1...11).map { $0 * $1 }.reduce(0, +) % 11
                if control == 10 { control = zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]).map { $0 * $1 }.reduce(0, +) % 11 }
                if control == 10 { continue }
                return (digits + [control]).map(String.init).joined()
            }
        }

        var all: [String] { names.flatMap { $0.split(separator: " ").map(String.init) } + phones + emails + iins }
    }

    /// Eight questions, each with the asker's personal data in its text and contact, one topic each,
    /// on the week's agenda; six answered (two promises), the meeting closed unless `close` is false.
    static func seed(_ database: SQLiteStore, people: People, close: Bool = true) async throws -> [AgendaItem] {
        var topics: [Topic.ID] = []
        for index in 0..<8 {
            let text = "Меня зовут \(people.names[index]), ИИН \(people.iins[index]), тел. \(people.phones[index]), "
                + "почта \(people.emails[index]). Когда отремонтируют дорогу на улице Жансугурова \(index + 1)?"
            let question = NewQuestion(
                question: Question(text: text, language: .ru, category: .transport, street: "Жансугурова", channel: .web,
                                   submittedAt: before.addingTimeInterval(Double(index) * 60)),
                contact: AskerContact(name: people.names[index], phone: people.phones[index], email: people.emails[index], consent: true))
            let id = try #require(try await database.insert(question).id)
            _ = try await database.makeSingleQuestionTopics(actor: "test", now: before)
            topics.append(try #require(try await database.question(id: id)?.topicID))
        }
        let record = AgendaRecord(
            meeting: Meeting(week: week, startsAt: start, durationMinutes: 60, timeZone: "Asia/Almaty"),
            items: topics.enumerated().map { index, id in
                AgendaItem(meetingID: 0, topicID: id, position: index + 1, block: .landscapingUtilities,
                           startOffsetMinutes: 5 + 5 * index, minutes: 5, why: "askers=1")
            },
            writtenAnswers: [])
        try await database.saveAgenda(record, actor: "test", now: before)
        let items = try await database.agendaItems(week: week)
        let during = start.addingTimeInterval(600)
        for (index, item) in items.prefix(6).enumerated() {
            let input = index < 2
                ? AnswerInput(text: "Отремонтируем участок \(index + 1), \(people.names[index]) будет уведомлён", kind: .commitment,
                              responsible: "Отдел ЖКХ", dueDate: index == 0 ? "2026-12-20" : "2027-02-01")
                : AnswerInput(text: "Ремонт участка \(index + 1) выполнен", kind: .answered)
            try await database.recordAnswer(input, week: week, itemID: item.id!, actor: "office", now: during)
        }
        if close { _ = try await database.closeMeeting(week: week, actor: "office", now: start.addingTimeInterval(3600)) }
        return items
    }

    static let publicPaths = [
        "/meetings", "/meetings/2026-W49", "/promises", "/promises?status=overdue", "/live", "/stats", "/open-data",
        "/open-data/meetings.json", "/open-data/meetings.csv", "/open-data/promises.json", "/open-data/promises.csv",
        "/feeds/meetings.atom", "/feeds/meetings.ics",
    ]

    @Test func noPageOrDownloadHoldsPersonalData() async throws {
        let database = try SQLiteStore.inMemory()
        let people = People(count: 8)
        _ = try await Self.seed(database, people: people)
        let clock = ManualClock(Self.start.addingTimeInterval(86_400))
        let app = try TestServer.application(database, clock: clock)
        try await app.test(.router) { client in
            for language in ["ru", "kk", "en"] {
                for path in Self.publicPaths {
                    let uri = path + (path.contains("?") ? "&" : "?") + "lang=\(language)"
                    let response = try await client.execute(uri: uri, method: .get)
                    #expect(response.status == .ok, "\(uri)")
                    let leaked = people.all.filter { response.text.contains($0) }
                    #expect(leaked.isEmpty, "\(uri) shows \(leaked)")
                }
            }
            // What must be there is there: the answers, the promises, the street.
            let meeting = try await client.execute(uri: "/meetings/2026-W49?lang=ru", method: .get)
            #expect(meeting.text.contains("Ремонт участка 3 выполнен") && meeting.text.contains("Отдел ЖКХ"))
            #expect(meeting.text.contains("улице Жансугурова 1?"))
            #expect(!meeting.text.contains("Отремонтируем участок 7"))
            let csv = try await client.execute(uri: "/open-data/meetings.csv", method: .get)
            #expect(csv.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 7)  // header and six answered topics
        }
    }

    @Test func theArchiveShowsNothingBeforeTheMeetingIsClosed() async throws {
        let database = try SQLiteStore.inMemory()
        _ = try await Self.seed(database, people: People(count: 8), close: false)
        let app = try TestServer.application(database, clock: ManualClock(Self.start.addingTimeInterval(1800)))
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/meetings/2026-W49", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/meetings/not-a-week", method: .get).status == .notFound)
            #expect(!(try await client.execute(uri: "/meetings?lang=en", method: .get).text.contains("2026-W49")))
            #expect(!(try await client.execute(uri: "/promises?lang=en", method: .get).text.contains("Отдел ЖКХ")))
            let json = try await client.execute(uri: "/open-data/promises.json", method: .get)
            #expect((json.object["promises"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aPromiseIsOverdueFromTheDayAfterItsDueDate() async throws {
        let database = try SQLiteStore.inMemory()
        _ = try await Self.seed(database, people: People(count: 8))
        // 2026-12-20 23:30 Almaty: the due day itself.
        let clock = ManualClock(ISODate.parse("2026-12-20T23:30:00+05:00")!)
        let app = try TestServer.application(database, clock: clock)
        try await app.test(.router) { client in
            let due = try await client.execute(uri: "/promises?lang=en&status=overdue", method: .get)
            #expect(due.text.contains("Found: 0"))
            clock.advance(3600)  // 2026-12-21 00:30 Almaty
            let overdue = try await client.execute(uri: "/promises?lang=en&status=overdue", method: .get)
            #expect(overdue.text.contains("Found: 1") && overdue.text.contains("state-overdue"))
            let all = try await client.execute(uri: "/promises?lang=en", method: .get)
            // Overdue first, then the open one.
            let overdueAt = try #require(all.text.range(of: "state-overdue"))
            let openAt = try #require(all.text.range(of: "state-open"))
            #expect(overdueAt.lowerBound < openAt.lowerBound)
        }
    }

    @Test func theLivePageFollowsTheMeeting() async throws {
        let database = try SQLiteStore.inMemory()
        let items = try await Self.seed(database, people: People(count: 8), close: false)
        let clock = ManualClock(Self.start.addingTimeInterval(-3600))
        let app = try TestServer.application(database, clock: clock)
        try await app.test(.router) { client in
            let upcoming = try await client.execute(uri: "/live?lang=en", method: .get)
            #expect(upcoming.text.contains("The meeting starts at 03.12.2026 15:00"))
            #expect(!upcoming.text.contains("http-equiv=\"refresh\""))
            #expect(try await client.execute(uri: "/live?auto=1", method: .get).text.contains("<meta http-equiv=\"refresh\" content=\"20\">"))
            #expect(!upcoming.text.contains("Being answered now"))
            clock.advance(3600 + 1200)
            let onAir = try await client.execute(uri: "/live?lang=en", method: .get)
            #expect(onAir.text.contains("On air"))
            // Six answered: the seventh is being answered, the eighth is next.
            #expect(onAir.text.contains("Being answered now") && onAir.text.contains("<p class=\"live-title\">7."))
            #expect(onAir.text.contains("Ремонт участка 6 выполнен"))
            try await database.recordAnswer(
                AnswerInput(text: "Седьмой ответ", kind: .answered), week: Self.week, itemID: items[6].id!, actor: "office",
                now: clock.now)
            let next = try await client.execute(uri: "/live?lang=en", method: .get)
            #expect(next.text.contains("<p class=\"live-title\">8.") && next.text.contains("Седьмой ответ"))
        }
    }

    @Test func statisticsDrawChartsWithTheirNumbers() async throws {
        let database = try SQLiteStore.inMemory()
        _ = try await Self.seed(database, people: People(count: 8))
        let app = try TestServer.application(database, clock: ManualClock(Self.start.addingTimeInterval(86_400)))
        try await app.test(.router) { client in
            let page = try await client.execute(uri: "/stats?lang=en", method: .get)
            #expect(page.status == .ok)
            #expect(page.text.components(separatedBy: "<svg").count - 1 == 4)
            #expect(page.text.components(separatedBy: "<table").count - 1 == 4)
            // Eight questions in the week, all Russian, in the landscaping and utilities block.
            #expect(page.text.contains("<td>2026-W49</td><td>8</td><td>0</td><td>0</td><td>0</td><td>8</td>"))
            #expect(page.text.contains("<td>Answered at a meeting</td><td>6</td>"))
            #expect(page.text.contains("<td>Waiting</td><td>2</td>"))
        }
    }
}
