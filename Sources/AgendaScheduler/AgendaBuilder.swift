import Foundation
import TyndauCore

/// Builds a week's agenda from storage: the candidates with the office's pins and skips, the
/// commitments due for the opening block, the planner's choice and the three renderings. Shared by
/// `tyndau agenda build`, `tyndau demo` and the office console, over the Core storage protocols.
public struct AgendaBuilder: Sendable {
    /// The agenda as Markdown, JSON and iCalendar.
    public struct Files: Sendable, Hashable {
        public var markdown: String
        public var json: String
        public var ics: String
    }

    public struct Result: Sendable {
        public var agenda: Agenda
        public var files: Files
        /// Topics made of single questions because grouping has not run.
        public var singleTopicsMade: Int
        /// Nothing stored and no topic exists: each waiting question was previewed as a topic.
        public var preview: Bool
    }

    public var settings: SeriesSettings
    /// Who the audit log records for what a saved build changes.
    public var actor: String

    public init(settings: SeriesSettings, actor: String) {
        self.settings = settings
        self.actor = actor
    }

    /// Agenda files travel (the .ics goes to calendars): titles quote questions without personal data.
    static let scrubber = PersonalDataScrubber()

    /// Plans `week`; with `save` the agenda replaces the stored one (refused once the meeting has started).
    public func build(
        week: ISOWeek, store: any AgendaStore & AnswerStore & QuestionStore, now: Date, save: Bool
    ) async throws -> Result {
        let calendar = MeetingCalendar(series: settings.series)
        try calendar.requireAgendaOpen(week: week, meeting: try await store.meeting(week: week), now: now)

        let cutoff = calendar.cutoff(of: week)
        var singleTopicsMade = 0
        var preview = false
        let candidates: [AgendaCandidate]
        if try await store.agendaTopicCount() == 0 {
            if save {
                singleTopicsMade = try await store.makeSingleQuestionTopics(actor: actor, now: now)
                candidates = try await Self.storedCandidates(week: week, cutoff: cutoff, store: store)
            } else {
                preview = true
                candidates = try await Self.singleQuestionPreview(cutoff: cutoff, store: store)
            }
        } else {
            candidates = try await Self.storedCandidates(week: week, cutoff: cutoff, store: store)
        }

        let planner = AgendaPlanner(series: settings.series, policy: settings.policy)
        let commitments = try await Self.commitmentsDueSinceLastMeeting(
            week: week, start: calendar.start(of: week), timeZone: settings.series.zone, store: store
        )
        let agenda = try planner.plan(week: week, candidates: candidates, commitmentsDue: commitments)
        let files = Files(
            markdown: AgendaMarkdownRenderer().render(agenda),
            json: AgendaJSONRenderer().render(agenda),
            ics: AgendaICalendarRenderer().render(agenda)
        )
        if save { try await store.saveAgenda(Self.record(agenda), actor: actor, now: now) }
        return Result(agenda: agenda, files: files, singleTopicsMade: singleTopicsMade, preview: preview)
    }

    /// The opening block: promises due by this meeting's day that are still open, and those kept
    /// since the previous meeting.
    public static func commitmentsDueSinceLastMeeting(
        week: ISOWeek, start: Date, timeZone: TimeZone = .almaty, store: any AnswerStore
    ) async throws -> [CommitmentDue] {
        let through = ISODate.day(start, timeZone: timeZone)
        let previousMeeting = start.addingTimeInterval(-7 * 86_400)
        return try await store.commitments(dueBefore: nil, openOnly: false)
            .filter { view in
                let commitment = view.commitment
                guard commitment.dueDate <= through else { return false }
                return commitment.state == .open || (commitment.doneAt.map { $0 >= previousMeeting } ?? false)
            }
            .map { view in
                CommitmentDue(
                    topicID: view.commitment.topicID, text: view.commitment.text, responsible: view.commitment.responsible,
                    dueDate: view.commitment.dueDate, done: view.commitment.state == .done
                )
            }
    }

    public static func storedCandidates(week: ISOWeek, cutoff: Date, store: any AgendaStore) async throws -> [AgendaCandidate] {
        let marks = Dictionary(uniqueKeysWithValues: try await store.agendaMarks(week: week).map { ($0.topicID, $0) })
        return try await store.agendaCandidates(week: week, submittedBefore: cutoff).map { facts in
            let topic = facts.summary.topic
            let mark = marks[topic.id!]
            return AgendaCandidate(
                topicID: topic.id!, title: scrubber.scrub(topic.title), block: (topic.category ?? .other).block,
                askers: facts.summary.askers, firstSubmittedAt: facts.summary.firstSubmittedAt,
                lastChangedAt: max(facts.lastChangedAt, mark?.at ?? facts.lastChangedAt),
                place: topic.place, responsible: topic.responsible, texts: facts.texts,
                pinned: mark?.kind == .pin, skipReason: mark?.kind == .skip ? (mark?.reason ?? "") : nil
            )
        }
    }

    /// A dry run before any topic exists: each waiting question as a topic, numbered by its question id.
    public static func singleQuestionPreview(cutoff: Date, store: any QuestionStore) async throws -> [AgendaCandidate] {
        let questions = try await store.questions(QuestionQuery(statuses: [.received, .acknowledged, .grouped]))
        return questions.filter { $0.submittedAt < cutoff && $0.topicID == nil }.map { question in
            let place = [question.street, question.house].compactMap { $0 }.joined(separator: ", ")
            return AgendaCandidate(
                topicID: question.id!, title: scrubber.scrub(question.text), block: (question.category ?? .other).block, askers: 1,
                firstSubmittedAt: question.submittedAt, place: place.isEmpty ? nil : place, texts: [question.text]
            )
        }
    }

    /// What storage keeps of an agenda: the meeting, its items with a compact reason, the written queue.
    public static func record(_ agenda: Agenda) -> AgendaRecord {
        AgendaRecord(
            meeting: Meeting(
                week: agenda.week, startsAt: agenda.start, durationMinutes: agenda.series.durationMinutes,
                timeZone: agenda.series.timeZone
            ),
            items: agenda.topics.map { topic in
                AgendaItem(
                    meetingID: 0, topicID: topic.topicID, position: topic.position, block: topic.block,
                    startOffsetMinutes: topic.startOffsetMinutes, minutes: topic.minutes,
                    why: AgendaText.why(topic.reasons, .ru)
                )
            },
            writtenAnswers: agenda.writtenAnswers.map {
                WrittenAnswerEntry(topicID: $0.topicID, week: agenda.week, deadline: $0.deadline.description, weeksWaited: $0.reasons.weeksWaited)
            }
        )
    }

    /// `agenda` with the office's manual order and minutes of the stored items (same topics only;
    /// when the plan and the stored agenda differ in topics, the plan is returned as it is), so the
    /// downloads match what the office arranged.
    public static func applying(_ items: [AgendaItem], to agenda: Agenda) -> Agenda {
        let stored = Dictionary(items.map { ($0.topicID, $0) }, uniquingKeysWith: { first, _ in first })
        guard !items.isEmpty, Set(stored.keys) == Set(agenda.topics.map(\.topicID)) else { return agenda }
        var result = agenda
        for index in result.blocks.indices {
            result.blocks[index].topics = result.blocks[index].topics.map { topic in
                var adjusted = topic
                if let item = stored[topic.topicID] {
                    adjusted.position = item.position
                    adjusted.minutes = item.minutes
                    adjusted.startOffsetMinutes = item.startOffsetMinutes
                }
                return adjusted
            }.sorted { $0.position < $1.position }
        }
        result.usedMinutes = result.topics.reduce(0) { $0 + $1.minutes }
        return result
    }
}
