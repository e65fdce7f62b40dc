import Foundation
import TyndauCore

/// How the office spends its hour: fixed parts, minutes per topic, limits, block shares, the weights
/// of the priority score and the urgency words. The meeting's *time* is ``MeetingSeries`` (Core);
/// this is what the scheduler decides *with* that time.
///
/// Configuration keys (under `series:` in the YAML file, and `tyndau series set`):
/// `intro_minutes`, `closing_minutes`, `topic_minutes_base`, `topic_minutes_per_extra_asker`,
/// `topic_minutes_max`, `max_topics`, `block_min_share` (block → fraction of topic time),
/// `weight_demand`, `weight_waiting`, `weight_urgency`, `urgency_keywords`, `max_waiting_weeks`,
/// `minutes_per_due_commitment`, `written_answer_working_days`.
public struct AgendaPolicy: Sendable, Hashable {
    public var introMinutes: Int
    public var closingMinutes: Int
    /// Minutes any topic gets.
    public var topicMinutesBase: Int
    /// Extra minutes for each distinct asker beyond the first (fractions accumulate, rounded down).
    public var topicMinutesPerExtraAsker: Double
    /// No topic gets more than this, however many people asked.
    public var topicMinutesMax: Int
    public var maxTopics: Int
    /// Minimum share of the topic time per block (0…1); their sum may not exceed 1.
    public var blockMinimumShare: [AgendaBlock: Double]
    /// Priority points per distinct asker.
    public var demandWeight: Double
    /// Priority points per meeting the topic has already waited.
    public var waitingWeight: Double
    /// Priority points when a question in the topic names an urgent problem.
    public var urgencyWeight: Double
    /// Case-insensitive phrases that mark a topic as urgent.
    public var urgencyKeywords: [String]
    /// A topic that has waited this many meetings is scheduled now or answered in writing.
    public var maxWaitingWeeks: Int
    /// Time reserved in the opening block per commitment due since the last meeting.
    public var minutesPerDueCommitment: Int
    /// The legal term of a written answer, in working days from submission.
    public var writtenAnswerWorkingDays: Int

    public init(
        introMinutes: Int = 5,
        closingMinutes: Int = 5,
        topicMinutesBase: Int = 4,
        topicMinutesPerExtraAsker: Double = 0.5,
        topicMinutesMax: Int = 8,
        maxTopics: Int = 10,
        blockMinimumShare: [AgendaBlock: Double] = AgendaPolicy.defaultBlockMinimumShare,
        demandWeight: Double = 1,
        waitingWeight: Double = 2,
        urgencyWeight: Double = 5,
        urgencyKeywords: [String] = AgendaPolicy.defaultUrgencyKeywords,
        maxWaitingWeeks: Int = 3,
        minutesPerDueCommitment: Int = 1,
        writtenAnswerWorkingDays: Int = 15
    ) {
        self.introMinutes = introMinutes
        self.closingMinutes = closingMinutes
        self.topicMinutesBase = topicMinutesBase
        self.topicMinutesPerExtraAsker = topicMinutesPerExtraAsker
        self.topicMinutesMax = topicMinutesMax
        self.maxTopics = maxTopics
        self.blockMinimumShare = blockMinimumShare
        self.demandWeight = demandWeight
        self.waitingWeight = waitingWeight
        self.urgencyWeight = urgencyWeight
        self.urgencyKeywords = urgencyKeywords
        self.maxWaitingWeeks = maxWaitingWeeks
        self.minutesPerDueCommitment = minutesPerDueCommitment
        self.writtenAnswerWorkingDays = writtenAnswerWorkingDays
    }

    public static let defaultBlockMinimumShare: [AgendaBlock: Double] = [
        .landscapingUtilities: 0.3,
        .socialInfrastructure: 0.15,
        .socialProtection: 0.15,
        .other: 0,
    ]

    /// Russian, Kazakh Cyrillic and Kazakh Latin phrases for outages and emergencies. Phrases that
    /// mostly mean something slower are left out: "жарық жоқ" is usually about street lighting.
    public static let defaultUrgencyKeywords: [String] = [
        "нет воды", "без воды", "нет света", "без света", "нет электричества", "без электричества",
        "отключают электричество", "отключили электричество", "нет отопления", "без отопления",
        "нет газа", "запах газа", "утечка газа", "авария", "аварий", "прорыв", "затопил", "обрушен", "опасно для жизни",
        "су жоқ", "электр жоқ", "жылу жоқ", "газ жоқ", "газ иісі", "апат", "авариялық",
        "su joq", "elektr joq", "jylu joq", "apat",
    ]

    /// Minutes a topic with `askers` distinct askers is given.
    public func minutes(askers: Int) -> Int {
        let extra = Int((topicMinutesPerExtraAsker * Double(max(0, askers - 1))).rounded(.down))
        return max(1, min(topicMinutesMax, topicMinutesBase + extra))
    }

    /// Minutes of topic time reserved for `block` out of `topicMinutes`.
    public func minimumMinutes(for block: AgendaBlock, topicMinutes: Int) -> Int {
        let share = blockMinimumShare[block] ?? 0
        return Int((share * Double(topicMinutes) - 1e-9).rounded(.up))
    }

    /// The reasons this policy cannot work, as field → localisation key (empty when it is valid).
    public func problems(durationMinutes: Int) -> [String: String] {
        var problems: [String: String] = [:]
        if introMinutes < 0 { problems["intro_minutes"] = "agenda.policy.negative" }
        if closingMinutes < 0 { problems["closing_minutes"] = "agenda.policy.negative" }
        if introMinutes + closingMinutes >= durationMinutes { problems["intro_minutes"] = "agenda.policy.no-topic-time" }
        if topicMinutesBase < 1 { problems["topic_minutes_base"] = "agenda.policy.positive" }
        if topicMinutesPerExtraAsker < 0 { problems["topic_minutes_per_extra_asker"] = "agenda.policy.negative" }
        if topicMinutesMax < topicMinutesBase { problems["topic_minutes_max"] = "agenda.policy.max-below-base" }
        if maxTopics < 1 { problems["max_topics"] = "agenda.policy.positive" }
        if blockMinimumShare.values.contains(where: { $0 < 0 || $0 > 1 }) {
            problems["block_min_share"] = "agenda.policy.share-range"
        } else if blockMinimumShare.values.reduce(0, +) > 1 + 1e-9 {
            problems["block_min_share"] = "agenda.policy.share-sum"
        }
        for (key, weight) in [("weight_demand", demandWeight), ("weight_waiting", waitingWeight), ("weight_urgency", urgencyWeight)]
        where weight < 0 || weight > 1_000 {
            problems[key] = "agenda.policy.weight-range"
        }
        if maxWaitingWeeks < 1 { problems["max_waiting_weeks"] = "agenda.policy.positive" }
        if minutesPerDueCommitment < 0 { problems["minutes_per_due_commitment"] = "agenda.policy.negative" }
        if writtenAnswerWorkingDays < 1 { problems["written_answer_working_days"] = "agenda.policy.positive" }
        return problems
    }
}
