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
        // The opening report takes at most a quarter of the meeting and never all the time for topics.
        let openingMinutes = min(
            commitmentsDue.count * policy.minutesPerDueCommitment, series.durationMinutes / 4,
            (series.durationMinutes - policy.introMinutes - policy.closingMinutes) / 2
        )
        let topicMinutes = series.durationMinutes - policy.introMinutes - policy.closingMinutes - openingMinutes

        let waiting = calendar.waitingCounter(at: week, earliest: candidates.map(\.firstSubmittedAt).min() ?? calendar.cutoff(of: week))
        let urgency = UrgencyMatcher(keywords: policy.urgencyKeywords)
        let scored = rank(candidates.map { score($0, waited: waiting.weeksWaited(firstSubmittedAt: $0.firstSubmittedAt), urgency: urgency) })
        let open = scored.filter { $0.candidate.skipReason == nil }
        let requirements = Dictionary(uniqueKeysWithValues: AgendaBlock.allCases.map {
            ($0, policy.minimumMinutes(for: $0, topicMinutes: topicMinutes))
        })

        var (chosen, notes) = try select(open, topicMinutes: topicMinutes, requirements: requirements)
        let blocks = timeline(open, chosen: chosen, requirements: requirements, startOffset: policy.introMinutes + openingMinutes)
        let meetingDay = calendar.localDay(of: calendar.start(of: week))
        let (notSelected, written) = try leftOut(scored, chosen: chosen, meetingDay: meetingDay)
        if let dayOff = dayOffNote(meetingDay) { notes.append(dayOff) }

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

    /// The topics on the agenda, chosen exactly (``AgendaSelector``). When the block minimums cannot be
    /// met, the ones that lack questions are lowered to what they have, then all are lifted; the notes
    /// say so.
    func select(_ open: [Scored], topicMinutes: Int, requirements: [AgendaBlock: Int]) throws -> (Set<Topic.ID>, [Agenda.Note]) {
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
            outcome = AgendaSelector.select(items: items, budget: topicMinutes, maxCount: policy.maxTopics, blockMinimums: [:])
        }
        switch outcome {
        case .selected(let indices):
            return (Set(indices.map { open[$0].candidate.topicID }), notes)
        case .pinnedDoNotFit(let minutes, let count):
            throw TyndauError.agendaPinnedDoNotFit(minutes: minutes, budget: topicMinutes, count: count, maxTopics: policy.maxTopics)
        case .blockMinimumsUnsatisfiable:
            preconditionFailure("without block minimums any set of pinned topics that fits is a solution")
        }
    }

    /// The timeline: blocks in their fixed order, topics by rank inside a block, from `startOffset` minutes.
    func timeline(_ open: [Scored], chosen: Set<Topic.ID>, requirements: [AgendaBlock: Int], startOffset: Int) -> [Agenda.BlockPlan] {
        var blocks: [Agenda.BlockPlan] = []
        var offset = startOffset
        var position = 0
        for block in AgendaBlock.allCases {
            var topics: [Agenda.ScheduledTopic] = []
            for entry in open where entry.candidate.block == block && chosen.contains(entry.candidate.topicID) {
                position += 1
                topics.append(Agenda.ScheduledTopic(
                    position: position, topicID: entry.candidate.topicID, title: entry.candidate.title, titles: entry.candidate.titles, block: block,
                    place: entry.candidate.place, responsible: entry.candidate.responsible, minutes: entry.minutes,
                    startOffsetMinutes: offset, reasons: entry.reasons
                ))
                offset += entry.minutes
            }
            blocks.append(Agenda.BlockPlan(block: block, minimumMinutes: requirements[block, default: 0], topics: topics))
        }
        return blocks
    }

    /// What was left out, and who goes to a written answer: a topic that waited the maximum, due within
    /// ``AgendaPolicy/writtenAnswerWorkingDays`` working days of its first question.
    func leftOut(_ scored: [Scored], chosen: Set<Topic.ID>, meetingDay: LocalDate) throws
        -> ([Agenda.Omission], [Agenda.WrittenAnswer])
    {
        var notSelected: [Agenda.Omission] = []
        var written: [Agenda.WrittenAnswer] = []
        var deadlines: [LocalDate: LocalDate] = [:]
        for entry in scored where !chosen.contains(entry.candidate.topicID) {
            let candidate = entry.candidate
            if entry.reasons.weeksWaited >= policy.maxWaitingWeeks {
                let submitted = calendar.localDay(of: candidate.firstSubmittedAt)
                let deadline = try deadlines[submitted] ?? workingCalendar.adding(workingDays: policy.writtenAnswerWorkingDays, to: submitted)
                deadlines[submitted] = deadline
                written.append(Agenda.WrittenAnswer(
                    topicID: candidate.topicID, title: candidate.title, titles: candidate.titles, block: candidate.block, reasons: entry.reasons,
                    firstSubmitted: submitted, deadline: deadline, overdue: deadline < meetingDay, skipReason: candidate.skipReason
                ))
            } else {
                notSelected.append(Agenda.Omission(
                    topicID: candidate.topicID, title: candidate.title, titles: candidate.titles, block: candidate.block, reasons: entry.reasons,
                    reason: candidate.skipReason.map { .skipped($0) } ?? .outranked
                ))
            }
        }
        return (notSelected, written)
    }

    /// A note when the meeting falls on a day off the working calendar knows.
    func dayOffNote(_ meetingDay: LocalDate) -> Agenda.Note? {
        guard workingCalendar.coveredYears.contains(meetingDay.year), let dayOff = workingCalendar.daysOff[meetingDay] else { return nil }
        return .meetingOnDayOff(Dictionary(uniqueKeysWithValues: UILanguage.allCases.map {
            ($0.rawValue, workingCalendar.name(of: dayOff, in: $0))
        }))
    }

    /// Priority in thousandths: demand × askers + waiting × weeks waited + urgency when urgent.
    func score(_ candidate: AgendaCandidate, waited weeks: Int, urgency matcher: UrgencyMatcher) -> Scored {
        // The title is usually one of the texts: search each distinct text once.
        let urgency = matcher.matches(in: candidate.texts.contains(candidate.title) ? candidate.texts : [candidate.title] + candidate.texts)
        // Demand counts up to a million askers, which keeps priorities far inside 64-bit arithmetic.
        let points = policy.demandWeight * Double(min(candidate.askers, 1_000_000)) + policy.waitingWeight * Double(weeks)
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

/// Finds the configured urgency phrases in texts, case-insensitively for Latin (incl. Kazakh Latin),
/// Cyrillic and Kazakh Cyrillic letters. Texts are case-folded byte by byte and searched with
/// `strstr`: `String.lowercased()` and `String.contains` work grapheme by grapheme and were most of
/// the time of an agenda with thousands of topics. (Question texts never hold NUL: intake strips
/// control characters.)
public struct UrgencyMatcher: Sendable {
    private let keywords: [(original: String, folded: [UInt8])]

    public init(keywords: [String]) {
        self.keywords = keywords.map { ($0, Self.fold($0)) }.filter { $0.1.count > 1 && !$0.0.contains("\0") }
    }

    /// The keywords found, in configuration order, each once.
    public func matches(in texts: [String]) -> [String] {
        guard !keywords.isEmpty else { return [] }
        var found = [Bool](repeating: false, count: keywords.count)
        for text in texts where !text.isEmpty {
            let folded = Self.fold(text)
            folded.withUnsafeBufferPointer { haystack in
                haystack.withMemoryRebound(to: CChar.self) { haystack in
                    for index in keywords.indices where !found[index] {
                        found[index] = keywords[index].folded.withUnsafeBufferPointer { needle in
                            needle.withMemoryRebound(to: CChar.self) { strstr(haystack.baseAddress!, $0.baseAddress!) != nil }
                        }
                    }
                }
            }
        }
        return keywords.indices.filter { found[$0] }.map { keywords[$0].original }
    }

    /// UTF-8 with upper-case letters of U+0000–U+04FF mapped to lower case, NUL-terminated.
    /// Folding never makes text longer, so the result is written into one allocation.
    static func fold(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { bytes in
            [UInt8](unsafeUninitializedCapacity: bytes.count + 1) { out, written in
                var index = 0
                var count = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte < 0x80 {
                        out[count] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
                        count += 1
                        index += 1
                    } else if byte >= 0xC2, byte <= 0xD3, index + 1 < bytes.count {
                        let scalar = foldScalar(Int(byte & 0x1F) << 6 | Int(bytes[index + 1] & 0x3F))
                        if scalar < 0x80 {
                            out[count] = UInt8(scalar)
                            count += 1
                        } else {
                            out[count] = UInt8(0xC0 | scalar >> 6)
                            out[count + 1] = UInt8(0x80 | scalar & 0x3F)
                            count += 2
                        }
                        index += 2
                    } else {
                        out[count] = byte
                        count += 1
                        index += 1
                    }
                }
                out[count] = 0
                written = count + 1
            }
        }
    }

    /// Lower case of one scalar in U+0080–U+04FF (Latin-1, Latin Extended-A, Cyrillic with Kazakh letters).
    static func foldScalar(_ scalar: Int) -> Int {
        switch scalar {
        case 0x00C0...0x00DE where scalar != 0x00D7: scalar + 0x20
        case 0x0130: 0x69  // İ → i (Kazakh Latin keeps ı apart)
        case 0x0100...0x012F, 0x0132...0x0137, 0x014A...0x0177: scalar | 1
        case 0x0139...0x0148, 0x0179...0x017E: scalar % 2 == 1 ? scalar + 1 : scalar
        case 0x0400...0x040F: scalar + 0x50
        case 0x0410...0x042F: scalar + 0x20
        case 0x0460...0x0481, 0x048A...0x04BF, 0x04D0...0x04FF: scalar | 1
        case 0x04C0: 0x04CF
        case 0x04C1...0x04CE: scalar % 2 == 1 ? scalar + 1 : scalar
        default: scalar
        }
    }
}

extension TyndauError {
    /// The pinned topics alone need more minutes or more slots than the meeting has.
    public static func agendaPinnedDoNotFit(minutes: Int, budget: Int, count: Int, maxTopics: Int) -> TyndauError {
        TyndauError(
            code: .agendaPinnedDoNotFit, messageKey: "error.agenda-pinned-do-not-fit",
            arguments: [String(minutes), String(budget), String(count), String(maxTopics)]
        )
    }
}
