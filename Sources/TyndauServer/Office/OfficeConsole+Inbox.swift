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

    /// Rejection reasons the office picks from.
    static let rejectionKinds = ["spam", "off-topic"]

    @Sendable func inbox(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let statusFilter = Self.query(request, "status")
        let statuses = try Self.inboxStatuses(statusFilter)
        let block = try Self.query(request, "block").map { raw -> AgendaBlock in
            guard let block = AgendaBlock(rawValue: raw) else { throw TyndauError.validation(["block": "field.unknown-value"]) }
            return block
        }
        let textLanguage = try Self.query(request, "language").map { raw -> TextLanguage in
            guard let value = TextLanguage(rawValue: raw) else { throw TyndauError.validation(["language": "field.unknown-value"]) }
            return value
        }
        let street = Self.query(request, "street")
        guard (street?.count ?? 0) <= 100 else { throw TyndauError.validation(["street": "field.too-long"]) }

        let moment = now()
        let questions = try await store.questions(QuestionQuery(statuses: statuses, limit: 2000)).filter { question in
            if let block, (question.category ?? .other).block != block { return false }
            if let textLanguage, question.language != textLanguage { return false }
            if let street {
                let place = [question.street, question.house].compactMap { $0 }.joined(separator: " ")
                if place.range(of: street, options: [.caseInsensitive, .diacriticInsensitive]) == nil { return false }
            }
            return true
        }
        let shown = Array(questions.prefix(200))
        let openTopics = try await store.topicOverviews(states: [.open])
        var suggestions: [Question.ID: TopicSuggester.Suggestion] = [:]
        // A question placed on arrival already has its topic: that is the one to accept it into.
        let triageable = shown.filter { !$0.status.isTriaged && $0.topicID == nil }
        if !triageable.isEmpty, !openTopics.isEmpty {
            // The largest open topics (the list is sorted by askers) with up to eight members each:
            // enough for the suggestion, bounded however large the queue grows.
            let members = try await store.questions(QuestionQuery(statuses: [.grouped]))
            var texts: [Topic.ID: [String]] = [:]
            for overview in openTopics.prefix(Self.suggestionTopics) { texts[overview.summary.topic.id ?? 0] = [overview.summary.topic.title] }
            for member in members {
                guard let topicID = member.topicID, texts[topicID] != nil, texts[topicID]!.count < 9 else { continue }
                texts[topicID]!.append(member.text)
            }
            suggestions = suggester.suggest(
                questions: Dictionary(uniqueKeysWithValues: triageable.map { ($0.id ?? 0, $0.text) }), topics: texts
            )
        }
        let titles = Dictionary(uniqueKeysWithValues: openTopics.map { ($0.summary.topic.id ?? 0, $0.summary.topic.title) })
        let askers = Dictionary(uniqueKeysWithValues: openTopics.map { ($0.summary.topic.id ?? 0, $0.summary.askers) })
        let memberIDs = Dictionary(uniqueKeysWithValues: openTopics.map { ($0.summary.topic.id ?? 0, $0.summary.questionIDs) })
        let window = TimeInterval(goldenHourMinutes * 60)
        let rows = shown.map { question -> [String: Any] in
            let id = question.id ?? 0
            let left = Int((question.submittedAt.addingTimeInterval(window).timeIntervalSince(moment) / 60).rounded(.down))
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
                row["late"] = left < 0
                row["clock"] = left < 0
                    ? ServerText.text("page.office.inbox.overdue", language, [String(-left)])
                    : ServerText.text("page.office.inbox.minutes-left", language, [String(left)])
            }
            // Placed on arrival (or by a grouping run): where it went and how many residents that topic has now.
            if let topicID = question.topicID, let count = askers[topicID] {
                // A question alone in its topic opened it: "joins … now 1 residents" would mislead.
                let opened = memberIDs[topicID] == [id]
                row["joined"] = [
                    "topicID": topicID,
                    "text": opened
                        ? ServerText.text("page.office.inbox.opened", language, [String(topicID)])
                        : ServerText.text(
                            "page.office.inbox.joined", language,
                            [String(topicID), Self.short(titles[topicID] ?? "", 80), String(count)]),
                ]
            }
            if !question.status.isTriaged, let topicID = question.topicID, titles[topicID] != nil {
                row["suggestion"] = ["topicID": topicID, "title": titles[topicID] ?? ""]
            } else if let suggestion = suggestions[id] {
                row["suggestion"] = [
                    "topicID": suggestion.topicID, "title": titles[suggestion.topicID] ?? "",
                    "score": String(Int((suggestion.score * 100).rounded())),
                ]
            }
            return row
        }
        let values: [String: Any] = [
            "questions": rows,
            "count": questions.count,
            "truncated": questions.count > shown.count,
            "topics": openTopics.prefix(300).map { overview -> [String: Any] in
                ["id": overview.summary.topic.id ?? 0, "title": Self.short(overview.summary.topic.title, 80)]
            },
            "rejectionKinds": Self.rejectionKinds.map {
                ["value": $0, "label": ServerText.text("page.office.reject." + $0, language)]
            },
            "filters": [
                "street": street ?? "",
                "blocks": AgendaBlock.allCases.map {
                    ["value": $0.rawValue, "label": CoreText.block($0, language), "selected": $0 == block]
                },
                "languages": TextLanguage.allCases.map {
                    ["value": $0.rawValue, "label": $0.rawValue, "selected": $0 == textLanguage]
                },
                "statuses": [["value": "new", "label": ServerText.text("page.office.inbox.status-new", language), "selected": statusFilter == nil || statusFilter == "new"]]
                    + QuestionStatus.allCases.map {
                        ["value": $0.rawValue, "label": CoreText.status($0, language), "selected": $0.rawValue == statusFilter]
                    },
            ],
        ]
        return render("office-inbox", values, titleKey: "page.office.inbox.title", visit: visit, section: "inbox")
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
