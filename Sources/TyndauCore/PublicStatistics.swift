import Foundation

/// The public statistics page's figures: questions per week by block and language, the golden hour,
/// time to an answer, outcomes, and promises. Counts only: no text, no asker.
public struct PublicStatistics: Sendable, Hashable, Codable {
    /// One ISO week of questions.
    public struct Week: Sendable, Hashable, Codable {
        public var week: ISOWeek
        public var byBlock: [AgendaBlock: Int]
        /// `ru`, `kk` (Cyrillic and Latin) and `other` (mixed or not recognised).
        public var byLanguage: [String: Int]
        public var total: Int { byBlock.values.reduce(0, +) }
    }

    /// How questions ended up (or where they are).
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        case answeredAtMeeting = "answered-at-meeting"
        case answeredInWriting = "answered-in-writing"
        case redirected
        case rejected
        case waiting
    }

    public static let languageGroups = ["ru", "kk", "other"]

    /// The last weeks, oldest first (weeks without questions included).
    public var weeks: [Week]
    /// Questions whose golden hour has passed: triaged within it, and not.
    public var triagedInTime: Int
    public var triagedLate: Int
    /// Median hours from a question to the close of the meeting that answered it.
    public var medianHoursToAnswer: Double?
    public var outcomes: [Outcome: Int]
    public var promises: [PromiseStatus: Int]

    /// Share of questions triaged within the golden hour, 0…1 (`nil` before any hour has passed).
    public var goldenHourShare: Double? {
        let total = triagedInTime + triagedLate
        return total == 0 ? nil : Double(triagedInTime) / Double(total)
    }

    /// Figures over `timelines` (questions of the last `weekCount` weeks up to `now`) and `promises`.
    public init(
        timelines: [QuestionTimeline], promises: [PublicPromise], now: Date, weekCount: Int, goldenHourMinutes: Int,
        timeZone: TimeZone = .almaty
    ) {
        let last = ISOWeek(containing: now, timeZone: timeZone)
        let weekList = (0..<max(1, weekCount)).reversed().map { last.adding(weeks: -$0) }
        var byWeek = Dictionary(uniqueKeysWithValues: weekList.map { ($0, Week(week: $0, byBlock: [:], byLanguage: [:])) })
        var inTime = 0, late = 0
        var hours: [Double] = []
        var outcomes: [Outcome: Int] = [:]
        let hour = Double(goldenHourMinutes) * 60
        for question in timelines {
            let week = ISOWeek(containing: question.submittedAt, timeZone: timeZone)
            if byWeek[week] != nil {
                byWeek[week]!.byBlock[(question.category ?? .other).block, default: 0] += 1
                byWeek[week]!.byLanguage[Self.languageGroup(question.language), default: 0] += 1
            }
            if let triaged = question.triagedAt, triaged.timeIntervalSince(question.submittedAt) <= hour {
                inTime += 1
            } else if now.timeIntervalSince(question.submittedAt) > hour {
                late += 1
            }
            if let answered = question.answeredAt { hours.append(answered.timeIntervalSince(question.submittedAt) / 3600) }
            outcomes[Self.outcome(question.status), default: 0] += 1
        }
        weeks = weekList.map { byWeek[$0]! }
        triagedInTime = inTime
        triagedLate = late
        hours.sort()
        medianHoursToAnswer = hours.isEmpty
            ? nil : (hours.count % 2 == 1 ? hours[hours.count / 2] : (hours[hours.count / 2 - 1] + hours[hours.count / 2]) / 2)
        self.outcomes = outcomes
        self.promises = Dictionary(grouping: promises, by: \.status).mapValues(\.count)
    }

    static func languageGroup(_ language: TextLanguage) -> String {
        switch language {
        case .ru: "ru"
        case .kk, .kkLatn: "kk"
        case .mixed, .unknown: "other"
        }
    }

    static func outcome(_ status: QuestionStatus) -> Outcome {
        switch status {
        case .answered: .answeredAtMeeting
        case .answeredInWriting: .answeredInWriting
        case .redirected: .redirected
        case .rejected: .rejected
        case .received, .acknowledged, .grouped, .scheduled: .waiting
        }
    }
}

extension PublicRecord {
    /// Statistics of the last `weeks` weeks at `now`.
    public func statistics(now: Date, weeks: Int, goldenHourMinutes: Int) async throws -> PublicStatistics {
        let first = ISOWeek(containing: now).adding(weeks: -(max(1, weeks) - 1)).date()
        let timelines = try await store.questionTimelines(since: first)
        let promises = try await promises(today: ISODate.day(now))
        return PublicStatistics(timelines: timelines, promises: promises, now: now, weekCount: weeks, goldenHourMinutes: goldenHourMinutes)
    }
}
