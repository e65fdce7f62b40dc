import Foundation
import TyndauCore
import TyndauStorage

extension DemoCommand {
    /// A sample answer from `demo-answers.json`, found for an agenda item by the word stems it names.
    struct SampleAnswer: Decodable {
        var ru: String
        var kk: String
        var responsible: String?
        var due: String?
        var match: [String]
        /// Stems that must occur in the question (default 2: a subject and a place).
        var minHits: Int?

        enum CodingKeys: String, CodingKey {
            case ru, kk, responsible, due, match
            case minHits = "min_hits"
        }

        func matches(_ text: String) -> Bool {
            let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }
            let hits = match.filter { stem in words.contains { $0.hasPrefix(stem) } }.count
            return hits >= (minHits ?? min(2, match.count))
        }
    }

    /// The meeting: the akim answers the agenda items the sample has answers for (a promise where the
    /// answer has a due date); items without one stay unanswered and go back to the queue on closing.
    static func meetingStage(database: any TyndauStore) async throws -> Meeting? {
        guard let url = Bundle.module.url(forResource: "demo-answers", withExtension: "json"),
            let meeting = try await database.meeting(week: demoWeek)
        else { return nil }
        let samples = try JSONDecoder().decode([String: SampleAnswer].self, from: Data(contentsOf: url))
            .sorted { $0.key < $1.key }
        var used: Set<String> = []
        for entry in try await database.answeredItems(week: demoWeek) {
            guard let itemID = entry.item.id,
                let (key, sample) = samples.first(where: { !used.contains($0.key) && $0.value.matches(entry.question) })
            else { continue }
            used.insert(key)
            let input = AnswerInput(
                text: sample.ru, kind: sample.due == nil ? .answered : .commitment,
                responsible: sample.responsible, dueDate: sample.due
            )
            let at = meeting.startsAt.addingTimeInterval(Double(entry.item.startOffsetMinutes + entry.item.minutes) * 60)
            try await database.recordAnswer(input, week: demoWeek, itemID: itemID, actor: "demo:secretary", now: at)
        }
        let closure = try await database.closeMeeting(week: demoWeek, actor: "demo:secretary", now: meeting.endsAt)
        print(CLIText.text("demo.meeting", demoWeek, closure.answered, closure.returnedToQueue))
        for entry in try await database.answeredItems(week: demoWeek) where entry.answer != nil {
            let title = entry.question.count > 60 ? entry.question.prefix(59) + "…" : Substring(entry.question)
            let due = entry.commitment.map { " → \($0.responsible.prefix(40)), \($0.dueDate)" } ?? ""
            print("  \(entry.item.position). [\(entry.askers)] \(title)\(due)")
        }
        return closure.meeting
    }
}
