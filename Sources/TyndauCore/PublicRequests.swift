import Foundation

/// What anyone may see of residents' questions without their private link — the public promise of
/// the Open311 request list and of token-less lookups, written once for every engine and channel.
///
/// - Only questions the office has accepted are listed: grouped into a topic (also while in the
///   written-answer queue), on an agenda, answered at a meeting or in writing. Untriaged questions show only that they exist; rejected
///   and redirected ones are not shown at all.
/// - Text and street go through ``PersonalDataScrubber`` (with the asker's own name); the house number,
///   contacts and the office's reasons never leave.
/// - Status notes are one of three public wordings: on the agenda of a meeting, answered at a meeting,
///   written answer due.
public enum PublicRequests {
    /// Accepted by the office, so listed publicly.
    public static let listedStatuses: Set<QuestionStatus> = [.grouped, .scheduled, .answered, .answeredInWriting]
    /// GeoReport's `open`: accepted and still waiting for the meeting or the written answer.
    public static let openStatuses: Set<QuestionStatus> = [.grouped, .scheduled]
    /// GeoReport's `closed`: answered at a meeting or in writing.
    public static let closedStatuses: Set<QuestionStatus> = [.answered, .answeredInWriting]
    /// The longest `start_date`…`end_date` span, and the default window back from now.
    public static let maximumRange: TimeInterval = 90 * 86_400
    public static let defaultPageSize = 50
    public static let maximumPageSize = 200

    /// How much of a question a token-less lookup may show.
    public enum Visibility: Sendable, Hashable {
        /// The public view, as in the list.
        case listed
        /// Not yet triaged: that it exists, its service and date, nothing it says.
        case pendingReview
        /// Rejected or redirected: answered like an unknown ticket.
        case hidden
    }

    public static func visibility(of status: QuestionStatus) -> Visibility {
        if listedStatuses.contains(status) { return .listed }
        return status == .received || status == .acknowledged ? .pendingReview : .hidden
    }

    /// The public view of `facts`; `scrubber` removes personal data from the text and street.
    public static func view(
        _ facts: PublicRequestFacts, language: UILanguage, scrubber: PersonalDataScrubber = PersonalDataScrubber()
    ) -> PublicRequestView {
        let question = facts.question
        let names = facts.askerName.map { [$0] } ?? []
        var view = PublicRequestView(
            ticket: question.ticket ?? "", isOpen: !closedStatuses.contains(question.status),
            category: question.category ?? .other, requestedAt: question.submittedAt
        )
        guard visibility(of: question.status) == .listed else { return view }
        view.description = scrubber.scrub(question.text, names: names)
        view.street = question.street.map { scrubber.scrub($0, names: names) }.flatMap { $0.isEmpty ? nil : $0 }
        // Only what the closed meeting made final is public: drafts of a live meeting may change.
        let answer = facts.answer?.isFinal == true ? facts.answer : nil
        let commitment = answer == nil ? nil : facts.commitment
        let zone = facts.meeting.flatMap { TimeZone(identifier: $0.timeZone) } ?? .almaty
        switch question.status {
        case .scheduled:
            if let meeting = facts.meeting {
                view.statusNotes = CoreText.table.text("public.notes.on-agenda", language, [day(meeting.startsAt, zone)])
                view.expectedAt = meeting.startsAt
            }
        case .answered:
            if let meeting = facts.meeting, answer != nil {
                view.statusNotes = CoreText.table.text("public.notes.answered", language, [day(meeting.startsAt, zone)])
            }
        case .grouped, .answeredInWriting:
            // The agenda sends a topic that waited too long to the written-answer queue; its questions
            // stay open (grouped) until the answer is recorded.
            if let written = facts.writtenAnswer {
                view.statusNotes = CoreText.table.text("public.notes.written-due", language, [written.deadline])
                view.expectedAt = endOfDay(written.deadline, .almaty)
            }
        default:
            break
        }
        if let commitment {
            view.agencyResponsible = scrubber.scrub(commitment.responsible)
            if commitment.state == .open { view.expectedAt = endOfDay(commitment.dueDate, .almaty) }
        }
        let updates = [answer?.recordedAt, answer == nil ? nil : facts.meeting?.closedAt, commitment?.doneAt].compactMap { $0 }
        view.updatedAt = updates.max()
        return view
    }

    /// `yyyy-MM-dd` of `date` in `zone`: the public wording's date, the same in every language.
    static func day(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The last second of the local day `yyyy-MM-dd`, or `nil` when the text is not such a date.
    static func endOfDay(_ text: String, _ zone: TimeZone) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else { return nil }
        return start.addingTimeInterval(86_400 - 1)
    }
}

/// One question as the public sees it (GeoReport's service request), built by ``PublicRequests``.
public struct PublicRequestView: Sendable, Hashable {
    public var ticket: String
    public var isOpen: Bool
    public var statusNotes: String?
    public var category: QuestionCategory
    /// The scrubbed text; `nil` while the question is not listed.
    public var description: String?
    public var agencyResponsible: String?
    public var requestedAt: Date
    public var updatedAt: Date?
    public var expectedAt: Date?
    /// The scrubbed street, never the house.
    public var street: String?

    public init(
        ticket: String, isOpen: Bool, statusNotes: String? = nil, category: QuestionCategory, description: String? = nil,
        agencyResponsible: String? = nil, requestedAt: Date, updatedAt: Date? = nil, expectedAt: Date? = nil,
        street: String? = nil
    ) {
        self.ticket = ticket
        self.isOpen = isOpen
        self.statusNotes = statusNotes
        self.category = category
        self.description = description
        self.agencyResponsible = agencyResponsible
        self.requestedAt = requestedAt
        self.updatedAt = updatedAt
        self.expectedAt = expectedAt
        self.street = street
    }
}
