import Foundation
import QuestionCollection
import TyndauCore
import TyndauSQLite

/// `tyndau-bench history --db PATH [--questions N] [--topics T] [--meetings M]`: writes a SQLite
/// file with a long history for the public pages' benchmark (`bench/public-pages.sh`): N questions
/// (default 100,000; a third with a named contact) in T topics (default 2,000), answered at M weekly
/// meetings (default 200) that ended before now, ten topics each, three promises per meeting (some
/// kept, some overdue). Everything goes through the store's own transactions, as the office would.
enum HistoryBenchmark {
    static func run(_ arguments: [String]) async throws {
        guard let path = Measure.option("--db", in: arguments) else { throw TyndauError.validation(["db": "field.required"]) }
        let questionCount = Int(Measure.option("--questions", in: arguments) ?? "") ?? 100_000
        let topicCount = Int(Measure.option("--topics", in: arguments) ?? "") ?? 2_000
        let meetingCount = Int(Measure.option("--meetings", in: arguments) ?? "") ?? 200
        let perMeeting = max(1, topicCount / meetingCount)
        let database = try SQLiteStore.open(path: path)
        let series = MeetingSeries()
        let now = Date()
        let lastWeek = ISOWeek(containing: now).adding(weeks: -1)
        let weeks = (0..<meetingCount).map { lastWeek.adding(weeks: -(meetingCount - 1) + $0) }
        var generator = QuestionGenerator(seed: 2026)
        var random = SplitMix64(seed: 200)

        let (_, seconds) = try await Measure.seconds { () async throws -> Void in
            // Questions, each topic's members submitted in the week before its meeting.
            var members: [[Question.ID]] = Array(repeating: [], count: topicCount)
            var pending: [(topic: Int, question: NewQuestion)] = []
            func flush() async throws {
                let stored = try await database.insert(batch: pending.map(\.question)).inserted
                for (entry, question) in zip(pending, stored) { members[entry.topic].append(question.id!) }
                pending.removeAll(keepingCapacity: true)
            }
            for index in 0..<questionCount {
                let topic = index % topicCount
                let meetingStart = series.start(of: weeks[min(meetingCount - 1, topic / perMeeting)])
                let row = generator.row(index: index)
                let submittedAt = meetingStart.addingTimeInterval(-Double(2 + random.next(5 * 24)) * 3600)
                let contact = index % 3 == 0
                    ? AskerContact(name: Self.name(index), phone: "+7701\(1_000_000 + index % 9_000_000)", consent: true) : nil
                pending.append((topic, NewQuestion(
                    question: Question(
                        text: row.submission.text ?? "", language: .ru, category: .utilities, street: QuestionGenerator.streets[topic % 10],
                        channel: .import, submittedAt: submittedAt),
                    contact: contact)))
                if pending.count == 5_000 { try await flush() }
            }
            try await flush()

            // Topics.
            let assignments = members.enumerated().map { index, ids in
                TopicAssignment(topicID: nil, questionIDs: ids, facts: TopicFacts(
                    representativeQuestionID: ids.first, title: "Тема \(index + 1): фонари и дороги на \(QuestionGenerator.streets[index % 10])",
                    category: .utilities, placeKey: nil, place: QuestionGenerator.streets[index % 10], conceptKey: nil, reason: "bench"))
            }
            let topicIDs = try await database.saveGrouping(assignments, actor: "bench", now: weeks[0].date().addingTimeInterval(-86_400))

            // Meetings: agenda, answers (three promises), closed; half the promises kept.
            for (number, week) in weeks.enumerated() {
                let start = series.start(of: week)
                let topics = topicIDs[min(topicIDs.count, number * perMeeting)..<min(topicIDs.count, (number + 1) * perMeeting)]
                let record = AgendaRecord(
                    meeting: Meeting(week: week, startsAt: start, durationMinutes: 60, timeZone: series.timeZone),
                    items: topics.enumerated().map { position, id in
                        AgendaItem(meetingID: 0, topicID: id, position: position + 1, block: .landscapingUtilities,
                                   startOffsetMinutes: 5 + 5 * position, minutes: 5, why: "bench")
                    },
                    writtenAnswers: [])
                try await database.saveAgenda(record, actor: "bench", now: start.addingTimeInterval(-86_400))
                for (position, item) in try await database.agendaItems(week: week).enumerated() {
                    let due = ISODate.day(start.addingTimeInterval(Double(7 + position * 10) * 86_400))
                    let input = position < 3
                        ? AnswerInput(text: "Сделаем до \(due): участок \(position + 1)", kind: .commitment, responsible: "Отдел ЖКХ", dueDate: due)
                        : AnswerInput(text: "Ответ на встрече \(week): работы выполнены, участок \(position + 1).", kind: .answered)
                    try await database.recordAnswer(input, week: week, itemID: item.id!, actor: "bench", now: start.addingTimeInterval(600))
                }
                _ = try await database.closeMeeting(week: week, actor: "bench", now: start.addingTimeInterval(3600))
                for view in try await database.commitments(dueBefore: nil, openOnly: true) where view.week == week && random.next(2) == 0 {
                    try await database.markCommitmentDone(id: view.commitment.id!, note: nil, actor: "bench", now: start.addingTimeInterval(20 * 86_400))
                }
            }
        }
        try await database.close()
        Measure.emit("history_questions", Double(questionCount))
        Measure.emit("history_topics", Double(topicCount))
        Measure.emit("history_meetings", Double(meetingCount))
        Measure.emit("history_build_seconds", seconds, decimals: 1)
    }

    /// A resident's name as given in the form: 24 first names × 24 surnames.
    static func name(_ index: Int) -> String {
        let first = [
            "Айгерим", "Ерлан", "Гульнара", "Нурлан", "Светлана", "Бауыржан", "Жанар", "Тимур", "Алия", "Данияр", "Мадина", "Асхат",
            "Ольга", "Серик", "Динара", "Арман", "Камила", "Руслан", "Сауле", "Марат", "Айдана", "Ержан", "Наталья", "Болат",
        ]
        let last = [
            "Сапарова", "Ахметов", "Ким", "Жумабаев", "Иванова", "Оспанов", "Сериккызы", "Нуриев", "Абенова", "Касымов", "Пак",
            "Мусина", "Токаев", "Ли", "Бекова", "Ибраев", "Смагулова", "Есенов", "Цой", "Калиева", "Орлов", "Рахимова", "Байжанов",
            "Шевченко",
        ]
        return first[index % first.count] + " " + last[(index / first.count) % last.count]
    }
}
