import Foundation
import TyndauCore

/// The meeting series and its agenda policy as in effect: the configuration file's `series:`
/// section (or the defaults), overridden by values written with `tyndau series set`, which live in
/// the database so every process using it agrees.
///
/// Every key has one string form, used by `series set`, stored in the database and printed by
/// `series show`: numbers as written, `start` as `HH:MM`, `block_min_share` as
/// `landscaping-utilities=0.3,social-infrastructure=0.15,…`, `urgency_keywords` as phrases
/// separated by `;`. Lives beside the scheduler so the CLI and the office console share it.
public struct SeriesSettings: Sendable, Hashable {
    public var series: MeetingSeries
    public var policy: AgendaPolicy

    public init(series: MeetingSeries = MeetingSeries(), policy: AgendaPolicy = AgendaPolicy()) {
        self.series = series
        self.policy = policy
    }

    public static let keys = [
        "weekday", "start", "duration_minutes", "time_zone", "cutoff_hours",
        "intro_minutes", "closing_minutes", "topic_minutes_base", "topic_minutes_per_extra_asker", "topic_minutes_max",
        "max_topics", "block_min_share", "weight_demand", "weight_waiting", "weight_urgency", "urgency_keywords",
        "max_waiting_weeks", "minutes_per_due_commitment", "written_answer_working_days",
    ]

    /// A key's value was refused: `reason` is a localisation key.
    public struct Problem: Error, Sendable {
        public var key: String
        public var reason: String
    }

    /// Sets one key from its string form; the whole set is checked by ``validate()``.
    public mutating func apply(key: String, value raw: String) throws {
        let value = raw.trimmingCharacters(in: .whitespaces)
        func int(_ range: ClosedRange<Int>) throws -> Int {
            guard let number = Int(value) else { throw Problem(key: key, reason: "series.reason.integer") }
            guard range.contains(number) else { throw Problem(key: key, reason: "series.reason.range") }
            return number
        }
        func decimal() throws -> Double {
            guard let number = Double(value), number.isFinite else { throw Problem(key: key, reason: "series.reason.number") }
            return number
        }
        switch key {
        case "weekday": series.weekday = try int(1...7)
        case "start":
            let parts = value.split(separator: ":").compactMap { Int($0) }
            guard value.count == 5, parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                throw Problem(key: key, reason: "series.reason.time")
            }
            series.startMinute = parts[0] * 60 + parts[1]
        case "duration_minutes": series.durationMinutes = try int(10...600)
        case "time_zone":
            guard TimeZone(identifier: value) != nil else { throw Problem(key: key, reason: "series.reason.time-zone") }
            series.timeZone = value
        case "cutoff_hours": series.cutoffHours = try int(0...168)
        case "intro_minutes": policy.introMinutes = try int(0...600)
        case "closing_minutes": policy.closingMinutes = try int(0...600)
        case "topic_minutes_base": policy.topicMinutesBase = try int(1...600)
        case "topic_minutes_per_extra_asker": policy.topicMinutesPerExtraAsker = try decimal()
        case "topic_minutes_max": policy.topicMinutesMax = try int(1...600)
        case "max_topics": policy.maxTopics = try int(1...100)
        case "block_min_share":
            var shares: [AgendaBlock: Double] = Dictionary(uniqueKeysWithValues: AgendaBlock.allCases.map { ($0, 0) })
            for pair in value.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, let block = AgendaBlock(rawValue: parts[0]), let share = Double(parts[1]) else {
                    throw Problem(key: key, reason: "series.reason.shares")
                }
                shares[block] = share
            }
            policy.blockMinimumShare = shares
        case "weight_demand": policy.demandWeight = try decimal()
        case "weight_waiting": policy.waitingWeight = try decimal()
        case "weight_urgency": policy.urgencyWeight = try decimal()
        case "urgency_keywords":
            policy.urgencyKeywords = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "max_waiting_weeks": policy.maxWaitingWeeks = try int(1...52)
        case "minutes_per_due_commitment": policy.minutesPerDueCommitment = try int(0...60)
        case "written_answer_working_days": policy.writtenAnswerWorkingDays = try int(1...365)
        default: throw Problem(key: key, reason: "series.reason.unknown-key")
        }
    }

    /// The string form of a key's current value.
    public func value(of key: String) -> String {
        func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
        switch key {
        case "weekday": return String(series.weekday)
        case "start": return String(format: "%02d:%02d", series.startMinute / 60, series.startMinute % 60)
        case "duration_minutes": return String(series.durationMinutes)
        case "time_zone": return series.timeZone
        case "cutoff_hours": return String(series.cutoffHours)
        case "intro_minutes": return String(policy.introMinutes)
        case "closing_minutes": return String(policy.closingMinutes)
        case "topic_minutes_base": return String(policy.topicMinutesBase)
        case "topic_minutes_per_extra_asker": return number(policy.topicMinutesPerExtraAsker)
        case "topic_minutes_max": return String(policy.topicMinutesMax)
        case "max_topics": return String(policy.maxTopics)
        case "block_min_share":
            return AgendaBlock.allCases.map { "\($0.rawValue)=\(number(policy.blockMinimumShare[$0] ?? 0))" }.joined(separator: ",")
        case "weight_demand": return number(policy.demandWeight)
        case "weight_waiting": return number(policy.waitingWeight)
        case "weight_urgency": return number(policy.urgencyWeight)
        case "urgency_keywords": return policy.urgencyKeywords.joined(separator: ";")
        case "max_waiting_weeks": return String(policy.maxWaitingWeeks)
        case "minutes_per_due_commitment": return String(policy.minutesPerDueCommitment)
        case "written_answer_working_days": return String(policy.writtenAnswerWorkingDays)
        default: return ""
        }
    }

    /// Checks the settings together (e.g. intro + closing must leave time for topics).
    public func validate() throws {
        let problems = policy.problems(durationMinutes: series.durationMinutes)
        if let key = problems.keys.sorted().first { throw Problem(key: key, reason: problems[key]!) }
    }

    /// The file's settings overlaid by the stored overrides, checked together; a stored value that
    /// no longer parses throws its ``Problem``.
    public func applying(_ stored: [String: String]) throws -> SeriesSettings {
        var settings = self
        for key in stored.keys.sorted() { try settings.apply(key: key, value: stored[key]!) }
        try settings.validate()
        return settings
    }
}
