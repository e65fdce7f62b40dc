import Foundation
import Testing
import TyndauCore

/// `PublicRecordStore` and ``PublicRecord`` over it: the archive and the tracker show exactly the
/// closed meetings' answers and commitments, promise states follow the day, and no personal data
/// from question texts or contacts reaches the public record.
@Suite struct PublicRecordContractTests {
    static let week = AgendaStoreContractTests.week
    static let during = AnswerStoreContractTests.during
    static let nextWeek = ISOWeek("2026-W50")!

    /// The week's meeting with three topics: a promise (its question carries the asker's name, phone
    /// and e-mail), a plain answer, and one left unanswered; closed. Then next week's agenda with a
    /// draft answer, not closed.
    static func history(_ store: any TyndauStore) async throws -> (topics: [Topic.ID], commitment: Commitment.ID) {
        let (questions, topics, items) = try await AnswerStoreContractTests.meeting(store)
        // The first asker (named Айгуль in her contact) wrote her name, phone and e-mail into the text.
        try await store.renameTopic(
            topics[0], title: "Айгуль спрашивает: фонари на Саина, звоните +7 701 123 45 67, aigul@example.kz", actor: "office",
            now: AgendaStoreContractTests.before)
        _ = questions
        try await store.recordAnswer(
            AnswerInput(text: "Фонари заменят. Айгуль, вам позвонят", kind: .commitment, responsible: "ЖКХ", dueDate: "2026-12-20"),
            week: week, itemID: items[0].id!, actor: "office", now: during)
        try await store.recordAnswer(
            AnswerInput(text: "Перенаправлено", kind: .redirected, redirectedTo: "Акимат города"),
            week: week, itemID: items[1].id!, actor: "office", now: during)
        _ = try await store.closeMeeting(week: week, actor: "office", now: during)
        let commitment = try #require(try await store.commitments(dueBefore: nil, openOnly: false).first?.commitment.id)

        // Next week: the unanswered topic is on the agenda again, with a draft promise, not closed.
        let nextStart = AgendaStoreContractTests.start.addingTimeInterval(7 * 86_400)
        var record = AgendaStoreContractTests.record(items: [topics[2]], startsAt: nextStart)
        record.meeting.week = nextWeek
        try await store.saveAgenda(record, actor: "office", now: during)
        let nextItems = try await store.agendaItems(week: nextWeek)
        try await store.recordAnswer(
            AnswerInput(text: "Черновик", kind: .commitment, responsible: "Отдел", dueDate: "2026-12-25"),
            week: nextWeek, itemID: nextItems[0].id!, actor: "office", now: nextStart.addingTimeInterval(600))
        return (topics, commitment)
    }

    @Test(arguments: StoreFactory.all)
    func theArchiveShowsExactlyTheClosedMeetingsAnswers(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (topics, _) = try await Self.history(store)
            let record = PublicRecord(store: store)
            let summaries = try await record.meetings()
            #expect(summaries.map(\.meeting.week) == [Self.week])
            #expect(summaries.first?.answeredTopics == 2 && summaries.first?.commitments == 1)

            let meeting = try #require(try await record.meeting(week: Self.week, today: "2026-12-05"))
            #expect(meeting.items.map(\.kind) == [.commitment, .redirected])
            #expect(meeting.items[1].redirectedTo == "Акимат города" && meeting.items[1].answer == "Перенаправлено")
            #expect(meeting.items[0].promise?.responsible == "ЖКХ" && meeting.items[0].promise?.dueDate == "2026-12-20")
            #expect(meeting.items.allSatisfy { $0.askers == 1 })
            #expect(meeting.residents == 2)
            // The open meeting of next week and an unknown week are not public.
            #expect(try await record.meeting(week: Self.nextWeek, today: "2026-12-05") == nil)
            #expect(try await record.meeting(week: ISOWeek("2025-W01")!, today: "2026-12-05") == nil)
            #expect(try await store.askerNames(topicIDs: topics)[topics[0]] == ["Айгуль"])

            // Personal data: the asker's name, phone and e-mail are masked in titles and answers.
            let texts = meeting.items.flatMap { [$0.title, $0.question, $0.answer ?? ""] }.joined(separator: "\n")
            for personal in ["Айгуль", "701", "aigul@example.kz"] { #expect(!texts.contains(personal), "\(personal) in \(texts)") }
            #expect(meeting.items[0].title.contains("фонари на Саина"))
        }
    }

    @Test(arguments: StoreFactory.all)
    func promisesTakeTheirStateFromTheDay(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, commitment) = try await Self.history(store)
            let record = PublicRecord(store: store)
            // Only the closed meeting's promise; the draft of next week is not one.
            let early = try await record.promises(today: "2026-12-05")
            #expect(early.map(\.id) == [commitment] && early.first?.status == .open)
            #expect(early.first?.week == Self.week && early.first?.block == .landscapingUtilities && early.first?.place == "Саина")
            #expect(!(early.first?.text.contains("Айгуль") ?? true))
            #expect(try await record.promises(today: "2026-12-13").first?.status == .dueSoon)
            #expect(try await record.promises(today: "2026-12-20").first?.status == .dueSoon)
            #expect(try await record.promises(today: "2026-12-21").first?.status == .overdue)

            // Kept on 2026-12-22 (after the due day): kept late, with the day.
            let keptAt = ISODate.parse("2026-12-22T10:00:00+05:00")!
            _ = try await store.markCommitmentDone(id: commitment, note: "Опоры заменены; Айгуль подтвердила", actor: "office", now: keptAt)
            let kept = try #require(try await record.promises(today: "2027-01-10").first)
            #expect(kept.status == .keptLate && kept.keptOn == "2026-12-22")
            #expect(kept.note?.hasPrefix("Опоры заменены; ") == true && kept.note?.contains("Айгуль") == false)
            // A later note replaces the public one and is audited; the day it was kept stays.
            _ = try await store.markCommitmentDone(id: commitment, note: "24 опоры заменены", actor: "office", now: keptAt.addingTimeInterval(86_400))
            let renoted = try #require(try await record.promises(today: "2027-01-10").first)
            #expect(renoted.note == "24 опоры заменены" && renoted.keptOn == "2026-12-22")
            #expect(try await store.auditEvents(subject: "commitment:\(commitment)", limit: 5).map(\.action).sorted() == ["commitment.done", "commitment.note"])
            #expect(throws: TyndauError.validation(["note": "field.too-long"])) { try Commitment.validatedNote(String(repeating: "а", count: 501)) }
        }
    }

    @Test(arguments: StoreFactory.all)
    func statisticsCountEveryQuestionOnce(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            _ = try await Self.history(store)
            let record = PublicRecord(store: store)
            let now = AgendaStoreContractTests.start.addingTimeInterval(86_400)
            let timelines = try await store.questionTimelines(since: .distantPast)
            #expect(timelines.count == 3)
            #expect(timelines.filter { $0.answeredAt != nil }.count == 1)  // answered at the meeting (the promise)
            let figures = try await record.statistics(now: now, weeks: 4, goldenHourMinutes: 60)
            #expect(figures.weeks.count == 4 && figures.weeks.last?.week == Self.week)
            #expect(figures.weeks.map(\.total).reduce(0, +) == 3)
            #expect(figures.outcomes[.answeredAtMeeting] == 1 && figures.outcomes[.redirected] == 1)
            #expect(figures.promises[.open] == nil || figures.promises.values.reduce(0, +) == 1)
            #expect(figures.medianHoursToAnswer != nil)
        }
    }
}
