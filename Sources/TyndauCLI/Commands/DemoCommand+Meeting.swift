import Foundation
import TyndauCore
import TyndauSQLite

extension DemoCommand {
    /// A sample answer from `demo-answers.json`, found for an agenda item by the word stems it names.
    /// One sample has no Kazakh text, so the Kazakh digest shows the note that says so.
    struct SampleAnswer: Decodable {
        var ru: String
        var kk: String?
        /// The responsible body in Russian and in Kazakh.
        var responsible: String?
        var responsibleKk: String?
        var due: String?
        var match: [String]
        /// Stems that must occur in the question (default 2: a subject and a place).
        var minHits: Int?

        enum CodingKeys: String, CodingKey {
            case ru, kk, responsible, due, match
            case responsibleKk = "responsible_kk"
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
                texts: BilingualText(kk: sample.kk, ru: sample.ru), kind: sample.due == nil ? .answered : .commitment,
                responsible: BilingualText(kk: sample.responsibleKk, ru: sample.responsible), dueDate: sample.due
            )
            let at = meeting.startsAt.addingTimeInterval(Double(entry.item.startOffsetMinutes + entry.item.minutes) * 60)
            try await database.recordAnswer(input, week: demoWeek, itemID: itemID, actor: "demo:secretary", now: at)
        }
        let closure = try await database.closeMeeting(week: demoWeek, actor: "demo:secretary", now: meeting.endsAt)
        print(CLIText.text("demo.meeting", demoWeek, closure.answered, closure.returnedToQueue))
        let items = try await database.answeredItems(week: demoWeek)
        for entry in items where entry.answer != nil {
            let title = entry.question.count > 60 ? entry.question.prefix(59) + "…" : Substring(entry.question)
            let due = entry.commitment.map { " → \($0.responsible.prefix(40)), \($0.dueDate)" } ?? ""
            let missing = entry.answer?.texts.missingLanguages.map(\.rawValue).joined(separator: ", ") ?? ""
            print("  \(entry.item.position). [\(entry.askers)] \(title)\(due)" + (missing.isEmpty ? "" : " [− \(missing)]"))
        }
        let missing = items.answersMissingALanguage
        if missing > 0 { print(CLIText.text("meeting.missing-language", missing)) }
        return closure.meeting
    }
}
