import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// The inbox: new questions with their golden-hour clock, filters, and one-click triage.
extension OfficeConsole {
    func addInboxRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/office/inbox", use: page(.operator, inbox))
        router.post("/office/inbox/{id}/accept", use: form(.operator, accept))
        router.post("/office/inbox/{id}/reject", use: form(.operator, reject))
        router.post("/office/inbox/{id}/redirect", use: form(.operator, redirectQuestion))
    }

    /// Status filter values: `new` (received or acknowledged: waiting for triage) or one status.
    static func inboxStatuses(_ raw: String?) throws -> Set<QuestionStatus> {
        guard let raw, raw != "new" else { return [.received, .acknowledged] }
        guard let status = QuestionStatus(rawValue: raw) else { throw TyndauError.validation(["status": "field.unknown-value"]) }
        return [status]
    }

    /// How many open topics the inbox compares new questions with.
    static let suggestionTopics = 400

    /// Questions on one inbox page by default, and at most (`size`).
    static let inboxPageSize = 50
    static let inboxPageLimit = 100

    /// With a street filter (matched here, not in SQL) one page reads at most this many questions.
    static let inboxScanLimit = 5_000

    /// Rejection reasons the office picks from.
    static let rejectionKinds = ["spam", "off-topic"]

    /// The inbox's filters as the query string gives them, checked.
    struct InboxFilter {
        var statusFilter: String?
        var statuses: Set<QuestionStatus>
        var block: AgendaBlock?
        var language: TextLanguage?
        var street: String?

        init(_ request: Request) throws {
            statusFilter = OfficeConsole.query(request, "status")
            statuses = try OfficeConsole.inboxStatuses(statusFilter)
            block = try OfficeConsole.query(request, "block").map { raw -> AgendaBlock in
                guard let block = AgendaBlock(rawValue: raw) else { throw TyndauError.validation(["block": "field.unknown-value"]) }
                return block
            }
            language = try OfficeConsole.query(request, "language").map { raw -> TextLanguage in
                guard let value = TextLanguage(rawValue: raw) else { throw TyndauError.validation(["language": "field.unknown-value"]) }
                return value
            }
            street = OfficeConsole.query(request, "street")
            guard (street?.count ?? 0) <= 100 else { throw TyndauError.validation(["street": "field.too-long"]) }
        }

        /// What the store filters: statuses, language and the block's categories.
        func query(position: Question.ID?, side: PageSide, limit: Int) -> QuestionPageQuery {
            QuestionPageQuery(
                statuses: statuses, languages: language.map { [$0] },
                categories: block.map { block in Set(QuestionCategory.allCases.filter { $0.block == block }) },
                position: position, side: side, limit: limit)
        }

        /// The street filter, accent- and case-insensitive, on "street house".
        func matchesStreet(_ question: Question) -> Bool {
            guard let street else { return true }
            let place = [question.street, question.house].compactMap { $0 }.joined(separator: " ")
            return place.range(of: street, options: [.caseInsensitive, .diacriticInsensitive]) != nil
        }
    }

    /// Up to `want` questions on `side` of `position`, in inbox order. Without a street filter one
    /// indexed query; with one, chunks are read until enough match or ``inboxScanLimit`` is reached.
    func inboxSlice(_ filter: InboxFilter, from position: Question.ID?, side: PageSide, want: Int) async throws -> [Question] {
        guard filter.street != nil else {
            return try await store.questionPage(filter.query(position: position, side: side, limit: want))
        }
        var found: [Question] = []
        var cursor = position
        var scanned = 0
        while found.count < want, scanned < Self.inboxScanLimit {
            let chunk = try await store.questionPage(filter.query(position: cursor, side: side, limit: 500))
            scanned += chunk.count
            let matches = chunk.filter(filter.matchesStreet)
            found = side == .after ? found + matches : matches + found
            guard chunk.count == 500 else { break }
            cursor = side == .after ? chunk.last?.id : chunk.first?.id
        }
        return side == .after ? Array(found.prefix(want)) : Array(found.suffix(want))
    }

    /// One page of the inbox and whether there is more on either side.
    func inboxPage(_ filter: InboxFilter, cursor: PageCursor, size: Int) async throws -> (questions: [Question], previous: Bool, next: Bool) {
        let side = cursor.side
        var page = try await inboxSlice(filter, from: cursor.id, side: side, want: size + 1)
        let more = page.count > size
        if more { page = side == .after ? Array(page.dropLast()) : Array(page.dropFirst()) }
        // The other side: one row beyond the page's edge, so the link is shown only when it leads somewhere.
        var previous = side == .before ? more : false
        var next = side == .after ? more : false
        if let edge = side == .after ? page.first?.id : page.last?.id, cursor.id != nil {
            let beyond = try await inboxSlice(filter, from: edge, side: side == .after ? .before : .after, want: 1)
            if side == .after { previous = !beyond.isEmpty } else { next = !beyond.isEmpty }
        }
        return (page, previous, next)
    }

    /// Topic suggestions for questions that still need triage: compared with the largest open
    /// topics, each with its title and up to eight member texts — bounded however large the store grows.
    func inboxSuggestions(for questions: [Question], openTopics: [TopicOverview]) async throws -> [Question.ID: TopicSuggester.Suggestion] {
        guard !questions.isEmpty, !openTopics.isEmpty else { return [:] }
        var texts: [Topic.ID: [String]] = [:]
        for overview in openTopics { texts[overview.summary.topic.id ?? 0] = [overview.summary.topic.title] }
        let memberIDs = openTopics.flatMap { $0.summary.questionIDs.prefix(8) }
        for member in try await store.questions(ids: memberIDs) {
            guard let topicID = member.topicID, texts[topicID] != nil, texts[topicID]!.count < 9 else { continue }
            texts[topicID]!.append(member.text)
        }
        return await suggestions.suggest(questions: Dictionary(uniqueKeysWithValues: questions.map { ($0.id ?? 0, $0.text) }), topics: texts)
    }

    @Sendable func inbox(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let filter = try InboxFilter(request)
        let cursor = try PageCursor(request)
        let size = try Self.pageSize(request, default: Self.inboxPageSize, limit: Self.inboxPageLimit)
        let (shown, hasPrevious, hasNext) = try await inboxPage(filter, cursor: cursor, size: size)
        if let id = cursor.id, shown.isEmpty, try await store.question(id: id) == nil {
            throw TyndauError.validation([cursor.field: "field.unknown-value"])
        }
        // A question placed on arrival already has its topic: that is the one to accept it into.
        let triageable = shown.filter { !$0.status.isTriaged && $0.topicID == nil }
        var openTopics: [TopicOverview] = []
        if shown.contains(where: { !$0.status.isTriaged }) {
            openTopics = try await store.topicPage(states: [.open], position: nil, side: .after, limit: Self.suggestionTopics)
        }
        let suggestions = try await inboxSuggestions(for: triageable, openTopics: openTopics)
        let placedIn = try await store.topicOverviews(ids: Array(Set(shown.compactMap(\.topicID))))
        let topics = Dictionary((openTopics + placedIn).map { ($0.summary.topic.id ?? 0, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = shown.map { inboxRow($0, topics: topics, suggestion: suggestions[$0.id ?? 0], language: language) }
        var values: [String: Any] = [
            "questions": rows,
            "topics": openTopics.prefix(300).map { overview -> [String: Any] in
                ["id": overview.summary.topic.id ?? 0, "title": Self.short(overview.summary.topic.title, 80)]
            },
            "rejectionKinds": Self.rejectionKinds.map {
                ["value": $0, "label": ServerText.text("page.office.reject." + $0, language)]
            },
            "filters": inboxFilterValues(filter, language),
        ]
        values["pager"] = Self.pager(request, ids: shown.map(\.id), previous: hasPrevious, next: hasNext)
        if filter.block == nil, filter.language == nil, filter.street == nil {
            var count = 0
            for status in filter.statuses { count += try await store.countQuestions(status: status) }
            values["count"] = count
            values["counted"] = true
        }
        return render("office-inbox", values, titleKey: "page.office.inbox.title", visit: visit, section: "inbox")
    }

    /// One card of the inbox: the question, its golden-hour clock, where it was placed, the suggestion.
    func inboxRow(
        _ question: Question, topics: [Topic.ID: TopicOverview], suggestion: TopicSuggester.Suggestion?, language: UILanguage
    ) -> [String: Any] {
        let id = question.id ?? 0
        var row: [String: Any] = [
            "id": id, "ticket": question.ticket ?? "", "text": question.text,
            "language": question.language.rawValue,
            "category": question.category.map { CoreText.category($0, language) } ?? "—",
            "place": [question.street, question.house].compactMap { $0 }.joined(separator: ", "),
            "submittedAt": Self.localTime(question.submittedAt),
            "status": CoreText.status(question.status, language),
            "triageable": !question.status.isTriaged,
            "reason": question.statusReason ?? "",
        ].droppingEmpty("place", "reason")
        if !question.status.isTriaged {
            let window = TimeInterval(goldenHourMinutes * 60)
            let left = Int((question.submittedAt.addingTimeInterval(window).timeIntervalSince(now()) / 60).rounded(.down))
            row["late"] = left < 0
            row["clock"] = left < 0
                ? ServerText.text("page.office.inbox.overdue", language, [String(-left)])
                : ServerText.text("page.office.inbox.minutes-left", language, [String(left)])
        }
        // Placed on arrival (or by a grouping run): where it went and how many residents that topic has now.
        if let topicID = question.topicID, let topic = topics[topicID], topic.summary.topic.state == .open {
            // A question alone in its topic opened it: "joins … now 1 residents" would mislead.
            let opened = topic.summary.questionIDs == [id]
            row["joined"] = [
                "topicID": topicID,
                "text": opened
                    ? ServerText.text("page.office.inbox.opened", language, [String(topicID)])
                    : ServerText.text(
                        "page.office.inbox.joined", language,
                        [String(topicID), Self.short(topic.summary.topic.title, 80), String(topic.summary.askers)]),
            ]
        }
        let open = question.topicID.flatMap { topics[$0] }.map { $0.summary.topic.state == .open } ?? false
        if !question.status.isTriaged, let topicID = question.topicID, open {
            row["suggestion"] = ["topicID": topicID, "title": topics[topicID]?.summary.topic.title ?? ""]
        } else if let suggestion {
            row["suggestion"] = [
                "topicID": suggestion.topicID, "title": topics[suggestion.topicID]?.summary.topic.title ?? "",
                "score": String(Int((suggestion.score * 100).rounded())),
            ]
        }
        return row
    }

    /// The filter form's options, the current choices selected.
    func inboxFilterValues(_ filter: InboxFilter, _ language: UILanguage) -> [String: Any] {
        let statusFilter = filter.statusFilter
        return [
            "street": filter.street ?? "",
            "blocks": AgendaBlock.allCases.map {
                ["value": $0.rawValue, "label": CoreText.block($0, language), "selected": $0 == filter.block]
            },
            "languages": TextLanguage.allCases.map {
                ["value": $0.rawValue, "label": $0.rawValue, "selected": $0 == filter.language]
            },
            "statuses": [["value": "new", "label": ServerText.text("page.office.inbox.status-new", language), "selected": statusFilter == nil || statusFilter == "new"]]
                + QuestionStatus.allCases.map {
                    ["value": $0.rawValue, "label": CoreText.status($0, language), "selected": $0.rawValue == statusFilter]
                },
        ]
    }

    /// `POST /office/inbox/{id}/accept` with `topic` (an id, or `new` for a topic of its own).
    @Sendable func accept(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let questionID = try visit.id(field: "question")
        guard let question = try await store.question(id: questionID) else { throw TyndauError.notFound("question \(questionID)") }
        guard !question.status.isTriaged else { throw TyndauError.illegalTransition(from: question.status, to: .grouped) }
        let moment = now()
        let topicID: Topic.ID
        if fields["topic"] == "new" {
            let facts = suggester.singleQuestionFacts(question)
            guard let created = try await store.saveGrouping(
                [TopicAssignment(topicID: nil, questionIDs: [questionID], facts: facts)], actor: visit.actor, now: moment
            ).first else { throw TyndauError.conflict("question \(questionID)") }
            topicID = created
        } else {
            topicID = try Self.id(fields["topic"], field: "topic")
        }
        // Moving pins the question there, records the decision and audits it as this user.
        try await store.moveQuestion(questionID, to: topicID, actor: visit.actor, now: moment)
        return Self.redirect(Self.back(fields, "/office/inbox"))
    }

    /// `POST /office/inbox/{id}/reject` with `kind` (`spam`, `off-topic`) and an optional `note`.
    @Sendable func reject(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let questionID = try visit.id(field: "question")
        guard let kind = fields["kind"], Self.rejectionKinds.contains(kind) else {
            throw TyndauError.validation(["kind": "field.required"])
        }
        let note = fields["note"]
        guard (note?.count ?? 0) <= 500 else { throw TyndauError.validation(["note": "field.too-long"]) }
        try await store.updateStatus(
            questionID: questionID, to: .rejected, reason: kind + (note.map { ": " + $0 } ?? ""), actor: visit.actor, now: now()
        )
        return Self.redirect(Self.back(fields, "/office/inbox"))
    }

    /// `POST /office/inbox/{id}/redirect` with `to`: the body that answers instead of the akim.
    @Sendable func redirectQuestion(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let questionID = try visit.id(field: "question")
        guard let target = fields["to"] else { throw TyndauError.validation(["to": "field.required"]) }
        guard target.count <= 200 else { throw TyndauError.validation(["to": "field.too-long"]) }
        try await store.updateStatus(questionID: questionID, to: .redirected, reason: target, actor: visit.actor, now: now())
        return Self.redirect(Self.back(fields, "/office/inbox"))
    }

    static func short(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }
}
