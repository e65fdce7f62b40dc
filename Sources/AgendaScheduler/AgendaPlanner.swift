import Foundation
import TyndauCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a week's ``Agenda`` from candidate topics: scores them, picks the best set exactly
/// (``AgendaSelector``), lays out the timeline, and says why each topic is in or out. Topics that
/// waited the maximum and still did not fit go to the written-answer queue, so nobody waits forever.
///
/// Pure and deterministic: the same candidates, policy and week give the same agenda.
public struct AgendaPlanner: Sendable {
    public var policy: AgendaPolicy
    public var calendar: MeetingCalendar
    public var workingCalendar: WorkingCalendar

    public init(series: MeetingSeries, policy: AgendaPolicy = AgendaPolicy(), workingCalendar: WorkingCalendar = .kazakhstan) {
        self.policy = policy
        self.calendar = MeetingCalendar(series: series)
        self.workingCalendar = workingCalendar
    }

    /// A candidate with what the planner derived from it.
    struct Scored {
        var candidate: AgendaCandidate
        var reasons: Agenda.Reasons
        var minutes: Int
    }

    public func plan(week: ISOWeek, candidates: [AgendaCandidate], commitmentsDue: [CommitmentDue] = []) throws -> Agenda {
        let series = calendar.series
        let problems = policy.problems(durationMinutes: series.durationMinutes)
        guard problems.isEmpty else { throw TyndauError.validation(problems) }
        let openingMinutes = min(commitmentsDue.count * policy.minutesPerDueCommitment, series.durationMinutes / 4)
        let topicMinutes = series.durationMinutes - policy.introMinutes - policy.closingMinutes - openingMinutes

        let waiting = calendar.waitingCounter(at: week, earliest: candidates.map(\.firstSubmittedAt).min() ?? calendar.cutoff(of: week))
        let urgency = UrgencyMatcher(keywords: policy.urgencyKeywords)
        let scored = rank(candidates.map { score($0, waited: waiting.weeksWaited(firstSubmittedAt: $0.firstSubmittedAt), urgency: urgency) })
        let open = scored.filter { $0.candidate.skipReason == nil }
        let requirements = Dictionary(uniqueKeysWithValues: AgendaBlock.allCases.map {
            ($0, policy.minimumMinutes(for: $0, topicMinutes: topicMinutes))
        })

        // Exact selection; when the block minimums cannot be met, lower the ones that lack questions to
        // what they have, then lift all of them, and say so in the agenda.
        var notes: [Agenda.Note] = []
        var minimums = requirements
        let items = open.map {
            AgendaSelector.Item(block: $0.candidate.block, minutes: $0.minutes, priority: $0.reasons.priority, pinned: $0.candidate.pinned)
        }
        var outcome = AgendaSelector.select(items: items, budget: topicMinutes, maxCount: policy.maxTopics, blockMinimums: minimums)
        if case .blockMinimumsUnsatisfiable = outcome {
            for block in AgendaBlock.allCases where minimums[block, default: 0] > 0 {
                let available = open.filter { $0.candidate.block == block }.map(\.minutes).sorted(by: >)
                    .prefix(policy.maxTopics).reduce(0, +)
                if available < minimums[block, default: 0] {
                    notes.append(.blockShort(block, required: minimums[block, default: 0], available: available))
                    minimums[block] = available
                }
            }
            outcome = AgendaSelector.select(items: items, budget: topicMinutes, maxCount: policy.maxTopics, blockMinimums: minimums)
        }
        if case .blockMinimumsUnsatisfiable = outcome {
            notes.append(.blockMinimumsLifted)
            minimums = [:]
            outcome = AgendaSelector.select(items: items, budget: topicMinutes, maxCount: policy.maxTopics, blockMinimums: minimums)
        }
        let chosenIndices: [Int]
        switch outcome {
        case .selected(let indices):
            chosenIndices = indices
        case .pinnedDoNotFit(let minutes, let count):
            throw TyndauError.agendaPinnedDoNotFit(minutes: minutes, budget: topicMinutes, count: count, maxTopics: policy.maxTopics)
        case .blockMinimumsUnsatisfiable:
            preconditionFailure("without block minimums any set of pinned topics that fits is a solution")
        }
        let chosen = Set(chosenIndices.map { open[$0].candidate.topicID })

        // The timeline: blocks in their fixed order, topics by rank inside a block.
        var blocks: [Agenda.BlockPlan] = []
        var offset = policy.introMinutes + openingMinutes
        var position = 0
        for block in AgendaBlock.allCases {
            var topics: [Agenda.ScheduledTopic] = []
            for entry in open where entry.candidate.block == block && chosen.contains(entry.candidate.topicID) {
                position += 1
                topics.append(Agenda.ScheduledTopic(
                    position: position, topicID: entry.candidate.topicID, title: entry.candidate.title, block: block,
                    place: entry.candidate.place, responsible: entry.candidate.responsible, minutes: entry.minutes,
                    startOffsetMinutes: offset, reasons: entry.reasons
                ))
                offset += entry.minutes
            }
            blocks.append(Agenda.BlockPlan(block: block, minimumMinutes: requirements[block, default: 0], topics: topics))
        }

        // What was left out, and who goes to a written answer.
        var notSelected: [Agenda.Omission] = []
        var written: [Agenda.WrittenAnswer] = []
        let meetingDay = calendar.localDay(of: calendar.start(of: week))
        var deadlines: [LocalDate: LocalDate] = [:]
        for entry in scored where !chosen.contains(entry.candidate.topicID) {
            let candidate = entry.candidate
            if entry.reasons.weeksWaited >= policy.maxWaitingWeeks {
                let submitted = calendar.localDay(of: candidate.firstSubmittedAt)
                let deadline = try deadlines[submitted] ?? workingCalendar.adding(workingDays: policy.writtenAnswerWorkingDays, to: submitted)
                deadlines[submitted] = deadline
                written.append(Agenda.WrittenAnswer(
                    topicID: candidate.topicID, title: candidate.title, block: candidate.block, reasons: entry.reasons,
                    firstSubmitted: submitted, deadline: deadline, overdue: deadline < meetingDay, skipReason: candidate.skipReason
                ))
                notSelected.append(Agenda.Omission(
                    topicID: candidate.topicID, title: candidate.title, block: candidate.block, reasons: entry.reasons,
                    reason: .writtenAnswer
                ))
            } else {
                notSelected.append(Agenda.Omission(
                    topicID: candidate.topicID, title: candidate.title, block: candidate.block, reasons: entry.reasons,
                    reason: candidate.skipReason.map { .skipped($0) } ?? .outranked
                ))
            }
        }
        if workingCalendar.coveredYears.contains(meetingDay.year), let name = workingCalendar.daysOff[meetingDay] {
            notes.append(.meetingOnDayOff(name))
        }

        let used = blocks.reduce(0) { $0 + $1.minutes }
        return Agenda(
            week: week, series: series, start: calendar.start(of: week), end: calendar.end(of: week),
            cutoff: calendar.cutoff(of: week),
            revisedAt: candidates.map(\.lastChangedAt).max() ?? calendar.cutoff(of: week),
            introMinutes: policy.introMinutes, openingMinutes: openingMinutes, closingMinutes: policy.closingMinutes,
            topicMinutes: topicMinutes, usedMinutes: used, maxTopics: policy.maxTopics, maxWaitingWeeks: policy.maxWaitingWeeks,
            writtenAnswerWorkingDays: policy.writtenAnswerWorkingDays, commitmentsDue: commitmentsDue,
            blocks: blocks, notSelected: notSelected, writtenAnswers: written, notes: notes,
            candidateCount: candidates.count,
            totalPriority: blocks.flatMap(\.topics).reduce(0) { $0 + $1.reasons.priority }
        )
    }

    /// Priority in thousandths: demand × askers + waiting × weeks waited + urgency when urgent.
    func score(_ candidate: AgendaCandidate, waited weeks: Int, urgency matcher: UrgencyMatcher) -> Scored {
        let urgency = matcher.matches(in: [candidate.title] + candidate.texts)
        let points = policy.demandWeight * Double(candidate.askers) + policy.waitingWeight * Double(weeks)
            + (urgency.isEmpty ? 0 : policy.urgencyWeight)
        let reasons = Agenda.Reasons(
            askers: candidate.askers, weeksWaited: weeks, urgency: urgency, pinned: candidate.pinned,
            priority: Int((points * 1000).rounded())
        )
        return Scored(candidate: candidate, reasons: reasons, minutes: policy.minutes(askers: candidate.askers))
    }

    /// The canonical order: pinned first, then priority, longer wait, more askers, earlier
    /// submission, lower topic id — a total order, so ties never depend on input order.
    func rank(_ scored: [Scored]) -> [Scored] {
        scored.sorted { a, b in
            if a.candidate.pinned != b.candidate.pinned { return a.candidate.pinned }
            if a.reasons.priority != b.reasons.priority { return a.reasons.priority > b.reasons.priority }
            if a.reasons.weeksWaited != b.reasons.weeksWaited { return a.reasons.weeksWaited > b.reasons.weeksWaited }
            if a.candidate.askers != b.candidate.askers { return a.candidate.askers > b.candidate.askers }
            if a.candidate.firstSubmittedAt != b.candidate.firstSubmittedAt {
                return a.candidate.firstSubmittedAt < b.candidate.firstSubmittedAt
            }
            return a.candidate.topicID < b.candidate.topicID
        }
    }
}

/// Finds the configured urgency phrases in texts, case-insensitively (Cyrillic, Kazakh and Latin
/// letters included). Texts are lowercased once and searched as C strings with `strstr`, because
/// `String.contains` compares grapheme by grapheme and is far too slow for thousands of topics.
/// (Question texts never hold NUL: intake strips control characters.)
public struct UrgencyMatcher: Sendable {
    private let keywords: [(original: String, folded: String)]

    public init(keywords: [String]) {
        self.keywords = keywords.map { ($0, $0.lowercased()) }.filter { !$0.1.isEmpty && !$0.1.contains("\0") }
    }

    /// The keywords found, in configuration order, each once.
    public func matches(in texts: [String]) -> [String] {
        guard !keywords.isEmpty else { return [] }
        var found = [Bool](repeating: false, count: keywords.count)
        for text in texts where !text.isEmpty {
            text.lowercased().withCString { haystack in
                for index in keywords.indices where !found[index] {
                    found[index] = keywords[index].folded.withCString { needle in strstr(haystack, needle) != nil }
                }
            }
        }
        return keywords.indices.filter { found[$0] }.map { keywords[$0].original }
    }
}

extension TyndauError {
    /// The pinned topics alone need more minutes or more slots than the meeting has.
    public static func agendaPinnedDoNotFit(minutes: Int, budget: Int, count: Int, maxTopics: Int) -> TyndauError {
        TyndauError(
            code: "agenda-pinned-do-not-fit", messageKey: "error.agenda-pinned-do-not-fit",
            arguments: [String(minutes), String(budget), String(count), String(maxTopics)]
        )
    }
}
