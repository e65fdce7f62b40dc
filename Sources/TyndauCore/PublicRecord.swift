import Foundation

/// What the public may see of the meetings: closed meetings' answers, promises and their state, the
/// meeting on air, and statistics. Every resident text (topic titles are resident questions) passes
/// through ``PersonalDataScrubber`` with the names the topic's askers gave, so no page, download or
/// feed carries a phone, e-mail, IIN, card number or asker name. The web pages, open data and feeds
/// all read through here, so the rules are written once.
public struct PublicRecord: Sendable {
    public typealias Store = AnswerStore & AgendaStore & PublicRecordStore

    let store: any Store
    let scrubber = PersonalDataScrubber()
    /// A promise is "due soon" this many days before its due date.
    public static let dueSoonDays = 7

    public init(store: any Store) {
        self.store = store
    }

    // MARK: - Archive

    /// Closed meetings, newest first.
    public func meetings() async throws -> [ClosedMeetingSummary] {
        try await store.closedMeetingSummaries()
    }

    /// A closed meeting's public record; `nil` when there is no such meeting or it is not closed yet
    /// (answers become public when the meeting is closed).
    public func meeting(week: ISOWeek, today: String) async throws -> PublicMeeting? {
        guard let meeting = try await store.meeting(week: week), meeting.state == .closed else { return nil }
        let items = try await store.answeredItems(week: week)
        let written = try await store.writtenAnswers(week: week)
        var writtenTopics: [Topic] = []
        for entry in written {
            if let topic = try await store.agendaTopic(id: entry.topicID) { writtenTopics.append(topic) }
        }
        let names = try await store.askerNames(topicIDs: items.map(\.item.topicID) + written.map(\.topicID))
        let answered = items.filter { $0.answer?.isFinal == true }
        return PublicMeeting(
            week: week, startsAt: meeting.startsAt, timeZone: meeting.timeZone, closedAt: meeting.closedAt,
            items: answered.map { item(from: $0, names: names[$0.item.topicID] ?? [], today: today) },
            written: zip(written, writtenTopics).map { entry, topic in
                let names = names[entry.topicID] ?? []
                return PublicMeeting.WrittenItem(
                    title: scrubber.scrub(topic.title, names: names), deadline: entry.deadline,
                    titles: topic.titles(members: []).map { scrubber.scrub($0, names: names) })
            }
        )
    }

    private func item(from entry: AnsweredItem, names: [String], today: String) -> PublicMeeting.Item {
        let answer = entry.answer
        return PublicMeeting.Item(
            position: entry.item.position, startOffsetMinutes: entry.item.startOffsetMinutes, block: entry.item.block,
            title: scrubber.scrub(entry.topic.title, names: names), question: scrubber.scrub(entry.question, names: names),
            askers: entry.askers, place: entry.topic.place,
            answer: answer.map { scrubber.scrub($0.text, names: names) }, kind: answer?.kind,
            redirectedTo: answer?.redirectedTo,
            promise: entry.commitment.map { commitment in
                promise(CommitmentView(commitment: commitment, topicTitle: entry.topic.title, week: nil, place: entry.topic.place,
                                       block: entry.item.block),
                        names: names, today: today)
            },
            titles: entry.titles.map { scrubber.scrub($0, names: names) },
            answerTexts: answer.map { $0.texts.map { scrubber.scrub($0, names: names) } }
        )
    }

    // MARK: - Promises

    /// Every promise of a closed meeting with its state on `today` (`yyyy-MM-dd`, local): overdue
    /// first, then open by due date, then kept, most recently kept first.
    public func promises(today: String) async throws -> [PublicPromise] {
        let views = try await store.commitments(dueBefore: nil, openOnly: false)
        let names = try await store.askerNames(topicIDs: Array(Set(views.map(\.commitment.topicID))))
        return views.map { promise($0, names: names[$0.commitment.topicID] ?? [], today: today) }
            .sorted(by: PublicPromise.trackerOrder)
    }

    private func promise(_ view: CommitmentView, names: [String], today: String) -> PublicPromise {
        let commitment = view.commitment
        let keptOn = commitment.doneAt.map { ISODate.day($0) }
        return PublicPromise(
            id: commitment.id ?? 0, week: view.week, topicTitle: scrubber.scrub(view.topicTitle, names: names),
            text: scrubber.scrub(commitment.text, names: names), responsible: commitment.responsible,
            dueDate: commitment.dueDate, keptOn: keptOn, note: commitment.publicNote.map { scrubber.scrub($0, names: names) },
            status: PromiseStatus(dueDate: commitment.dueDate, keptOn: commitment.state == .done ? keptOn ?? today : nil, today: today),
            place: view.place, block: view.block, texts: commitment.texts.map { scrubber.scrub($0, names: names) },
            responsibleTexts: commitment.responsibleTexts
        )
    }

    // MARK: - Live

    /// The meeting on air at `now`, or the next one whose agenda is stored; `nil` when none is.
    /// During the meeting the answers recorded so far are shown (it is a public broadcast); the item
    /// being answered is the first one in speaking order without an answer.
    public func live(now: Date) async throws -> LiveMeeting? {
        let open = try await store.openMeetings()
        guard let meeting = open.first(where: { $0.endsAt > now }) ?? open.last else { return nil }
        let items = try await store.answeredItems(week: meeting.week)
        let names = try await store.askerNames(topicIDs: items.map(\.item.topicID))
        let today = ISODate.day(now)
        let entries = items.map { item(from: $0, names: names[$0.item.topicID] ?? [], today: today) }
        let phase: LiveMeeting.Phase = now < meeting.startsAt ? .upcoming : (now < meeting.endsAt ? .onAir : .ended)
        let current = phase == .onAir ? entries.firstIndex(where: { $0.answer == nil }) : nil
        return LiveMeeting(
            week: meeting.week, startsAt: meeting.startsAt, endsAt: meeting.endsAt, timeZone: meeting.timeZone, phase: phase,
            items: entries, currentIndex: current
        )
    }
}

/// A closed meeting as the public sees it.
public struct PublicMeeting: Sendable, Hashable, Codable {
    public struct Item: Sendable, Hashable, Codable {
        public var position: Int
        /// Minutes after the meeting's start at which the item begins.
        public var startOffsetMinutes: Int
        public var block: AgendaBlock
        public var title: String
        public var question: String
        public var askers: Int
        public var place: String?
        public var answer: String?
        public var kind: AnswerKind?
        public var redirectedTo: String?
        public var promise: PublicPromise?
        /// The title and the answer in Kazakh and Russian, scrubbed: a page shows its language's text
        /// with ``BilingualText/text(for:as:)``.
        public var titles: BilingualText
        public var answerTexts: BilingualText?
    }

    /// A topic the meeting sent to a written answer, with the date it is due.
    public struct WrittenItem: Sendable, Hashable, Codable {
        public var title: String
        /// `yyyy-MM-dd`.
        public var deadline: String
        public var titles: BilingualText
    }

    public var week: ISOWeek
    public var startsAt: Date
    public var timeZone: String
    public var closedAt: Date?
    public var items: [Item]
    public var written: [WrittenItem]

    /// Residents heard: the askers of every answered topic.
    public var residents: Int { items.map(\.askers).reduce(0, +) }
}

/// Where a promise stands on a given day.
public enum PromiseStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case overdue
    case dueSoon = "due-soon"
    case open
    case kept
    case keptLate = "kept-late"

    /// `dueDate`, `keptOn` and `today` are local `yyyy-MM-dd` days (they compare as strings). A
    /// promise is overdue the day after its due date, due soon within ``PublicRecord/dueSoonDays``.
    public init(dueDate: String, keptOn: String?, today: String) {
        if let keptOn {
            self = keptOn <= dueDate ? .kept : .keptLate
        } else if today > dueDate {
            self = .overdue
        } else if let soon = ISODate.parse(today).map({ ISODate.day($0.addingTimeInterval(Double(PublicRecord.dueSoonDays) * 86_400)) }),
            dueDate <= soon
        {
            self = .dueSoon
        } else {
            self = .open
        }
    }

    public var isKept: Bool { self == .kept || self == .keptLate }
}

/// A promise made at a meeting, as the public tracker shows it.
public struct PublicPromise: Sendable, Hashable, Codable {
    public var id: Commitment.ID
    public var week: ISOWeek?
    public var topicTitle: String
    public var text: String
    public var responsible: String
    /// `yyyy-MM-dd`.
    public var dueDate: String
    /// The local day it was marked kept.
    public var keptOn: String?
    /// The office's public note on how it was kept.
    public var note: String?
    public var status: PromiseStatus
    public var place: String?
    public var block: AgendaBlock?
    /// What was promised (scrubbed) and who answers for it, in Kazakh and Russian.
    public var texts: BilingualText
    public var responsibleTexts: BilingualText

    /// Overdue first (longest overdue first), then open ones by due date, then kept ones, latest first.
    static func trackerOrder(_ lhs: PublicPromise, _ rhs: PublicPromise) -> Bool {
        func rank(_ promise: PublicPromise) -> Int { promise.status.isKept ? 2 : (promise.status == .overdue ? 0 : 1) }
        if rank(lhs) != rank(rhs) { return rank(lhs) < rank(rhs) }
        if lhs.status.isKept { return (lhs.keptOn ?? "", lhs.id) > (rhs.keptOn ?? "", rhs.id) }
        return (lhs.dueDate, lhs.id) < (rhs.dueDate, rhs.id)
    }
}

/// The meeting on air (or the next one) for the live page.
public struct LiveMeeting: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case upcoming
        case onAir = "on-air"
        case ended
    }

    public var week: ISOWeek
    public var startsAt: Date
    public var endsAt: Date
    public var timeZone: String
    public var phase: Phase
    /// The agenda in speaking order, answers recorded so far included.
    public var items: [PublicMeeting.Item]
    /// The item being answered now (on air only).
    public var currentIndex: Int?
}
