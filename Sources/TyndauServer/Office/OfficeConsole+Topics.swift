import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// Topics: the list with askers and languages, one topic with its questions, and the office's
/// decisions (merge, split, move, rename, category) plus the responsible department.
extension OfficeConsole {
    func addTopicRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/office/topics", use: page(.operator, topics))
        router.get("/office/topics/{id}", use: page(.operator, topic))
        router.post("/office/topics/{id}/rename", use: form(.operator, renameTopic))
        router.post("/office/topics/{id}/titles", use: form(.operator, setTitles))
        router.post("/office/topics/{id}/category", use: form(.operator, setCategory))
        router.post("/office/topics/{id}/responsible", use: form(.operator, setResponsible))
        router.post("/office/topics/{id}/merge", use: form(.operator, mergeTopic))
        router.post("/office/topics/{id}/split", use: form(.operator, splitTopic))
        router.post("/office/topics/{id}/move", use: form(.operator, moveQuestion))
    }

    /// Topics on one page by default, and at most (`size`).
    static let topicPageSize = 50
    static let topicPageLimit = 100

    @Sendable func topics(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let stateFilter = Self.query(request, "state") ?? "open"
        let states: Set<TopicState>?
        if stateFilter == "all" {
            states = nil
        } else if let state = TopicState(rawValue: stateFilter) {
            states = [state]
        } else {
            throw TyndauError.validation(["state": "field.unknown-value"])
        }
        let cursor = try PageCursor(request)
        let size = try Self.pageSize(request, default: Self.topicPageSize, limit: Self.topicPageLimit)
        var overviews = try await store.topicPage(states: states, position: cursor.id, side: cursor.side, limit: size + 1)
        if let id = cursor.id, overviews.isEmpty, try await store.topicOverviews(ids: [id]).isEmpty {
            throw TyndauError.validation([cursor.field: "field.unknown-value"])
        }
        // One row beyond the page says whether there is more on its side; the other side is where we came from.
        let more = overviews.count > size
        if more { overviews = cursor.side == .after ? Array(overviews.prefix(size)) : Array(overviews.suffix(size)) }
        var previous = cursor.side == .before && more
        var next = cursor.side == .after && more
        if cursor.id != nil, let edge = (cursor.side == .after ? overviews.first : overviews.last)?.summary.topic.id {
            let beyond = try await store.topicPage(
                states: states, position: edge, side: cursor.side == .after ? .before : .after, limit: 1)
            if cursor.side == .after { previous = !beyond.isEmpty } else { next = !beyond.isEmpty }
        }
        let rows = overviews.map { overview -> [String: Any] in
            let topic = overview.summary.topic
            return [
                "id": topic.id ?? 0, "title": topic.title, "askers": overview.summary.askers,
                "questions": overview.summary.questionIDs.count,
                "languages": overview.summary.languages.map(\.rawValue).joined(separator: ", "),
                "category": topic.category.map { CoreText.category($0, language) } ?? "—",
                "responsible": topic.responsible ?? "",
                "state": ServerText.text("page.office.topic-state." + topic.state.rawValue, language),
                "reason": topic.reason ?? "",
            ].droppingEmpty("reason")
        }
        let total = try await store.countTopics(states: states)
        var values: [String: Any] = [
            "topics": rows, "count": total,
            "states": (["all"] + TopicState.allCases.map(\.rawValue)).map { value -> [String: Any] in
                [
                    "value": value, "selected": value == stateFilter,
                    "label": value == "all"
                        ? ServerText.text("page.office.topics.all", language)
                        : ServerText.text("page.office.topic-state." + value, language),
                ]
            },
        ]
        values["pager"] = Self.pager(request, ids: overviews.map(\.summary.topic.id), previous: previous, next: next)
        return render("office-topics", values, titleKey: "page.office.topics.title", visit: visit, section: "topics")
    }

    @Sendable func topic(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let id = try visit.id(field: "topic")
        guard let overview = try await store.topicOverview(id: id) else { throw TyndauError.notFound("topic \(id)") }
        let topic = overview.summary.topic
        // Why the members are together: the same explanation as `tyndau topics explain`.
        let members = try await store.topicMembers(id)
        let explanation = TopicExplainer().explain(topic: id, questions: members, language: language)
        let explained = Dictionary(explanation.members.map { ($0.questionID, $0) }, uniquingKeysWith: { first, _ in first })
        func score(_ value: Double) -> String { String(format: "%.2f", value) }
        var questions: [[String: Any]] = []
        let stored = Dictionary(
            try await store.questions(ids: overview.summary.questionIDs).map { ($0.id ?? 0, $0) }, uniquingKeysWith: { first, _ in first })
        for questionID in overview.summary.questionIDs {
            guard let question = stored[questionID] else { continue }
            let member = explained[questionID]
            questions.append([
                "scores": member.map {
                    ServerText.text("page.office.topic.scores", language, [score($0.averageScore), score($0.medoidScore)])
                } ?? "",
                "weak": member?.weak ?? false,
                "refusals": (member?.vetoes ?? []).prefix(3).map {
                    ServerText.text(
                        "page.office.topic.refused", language,
                        [String($0.questionID), ServerText.text("page.office.veto." + $0.reason, language)])
                },
                "id": questionID, "ticket": question.ticket ?? "", "text": question.text,
                "language": question.language.rawValue, "status": CoreText.status(question.status, language),
                "place": [question.street, question.house].compactMap { $0 }.joined(separator: ", "),
                "submittedAt": Self.localTime(question.submittedAt),
                "representative": questionID == topic.representativeQuestionID,
            ].droppingEmpty("place"))
        }
        let others = try await store.topicPage(states: [.open, .scheduled], position: nil, side: .after, limit: 301)
            .filter { $0.summary.topic.id != id }
        let decisions = try await store.topicDecisions(topicID: id).suffix(30).reversed().map { decision -> [String: Any] in
            [
                "at": Self.localTime(decision.at), "actor": decision.actor,
                "kind": ServerText.text("page.office.decision." + decision.kind.rawValue, language),
                "value": decision.value ?? "", "other": decision.otherTopicID.map { "#\($0)" } ?? "",
            ]
        }
        // The default of each form (a member question in that language) is the field's placeholder.
        let representativeFirst = members.filter { $0.id == topic.representativeQuestionID }
            + members.filter { $0.id != topic.representativeQuestionID && $0.status != .rejected }
        let defaults = BilingualText().filled(
            from: Topic(title: topic.title, createdAt: topic.createdAt).titles(
                members: representativeFirst.map { MemberQuestionText(text: $0.text, language: $0.language) }))
        let values: [String: Any] = [
            "topic": [
                "id": id, "title": topic.title, "askers": overview.summary.askers, "place": topic.place ?? "",
                "titleKk": topic.titleKk ?? "", "titleRu": topic.titleRu ?? "",
                "defaultKk": Self.short(defaults.text(for: .kk, as: .name), 120),
                "defaultRu": Self.short(defaults.text(for: .ru, as: .name), 120),
                "responsible": topic.responsible ?? "", "reason": topic.reason ?? "",
                "languages": overview.summary.languages.map(\.rawValue).joined(separator: ", "),
                "state": ServerText.text("page.office.topic-state." + topic.state.rawValue, language),
                "category": topic.category.map { CoreText.category($0, language) } ?? "—",
            ].droppingEmpty("place", "reason"),
            "questions": questions,
            "canSplit": questions.count > 1,
            "categories": QuestionCategory.allCases.map {
                ["value": $0.rawValue, "label": CoreText.category($0, language), "selected": $0 == topic.category]
            },
            "others": others.prefix(300).map { ["id": $0.summary.topic.id ?? 0, "title": Self.short($0.summary.topic.title, 80)] },
            "decisions": decisions,
            "why": [
                "cohesion": ServerText.text("page.office.topic.cohesion", language, [score(explanation.threshold)]),
                "cohesionValue": score(explanation.cohesion),
                "places": Self.sharedFacts(explanation.places, of: explanation.members.count, language),
                "numbers": Self.sharedFacts(explanation.numbers, of: explanation.members.count, language),
                "concepts": Self.sharedFacts(explanation.concepts, of: explanation.members.count, language),
            ],
        ]
        return render("office-topic", values, titleKey: "page.office.topic.title", visit: visit, section: "topics")
    }

    /// Shared facts as one line ("Шуақты (9 of 10), …"), or the "none shared" text.
    static func sharedFacts(_ facts: [TopicExplainer.SharedFact], of count: Int, _ language: UILanguage) -> String {
        guard !facts.isEmpty else { return ServerText.text("page.office.topic.shared-none", language) }
        return facts.map {
            $0.label + " (" + ServerText.text("page.office.topic.of", language, [String($0.members), String(count)]) + ")"
        }.joined(separator: ", ")
    }

    @Sendable func renameTopic(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "topic")
        guard let title = fields["title"] else { throw TyndauError.validation(["title": "field.required"]) }
        guard title.count <= 200 else { throw TyndauError.validation(["title": "field.too-long"]) }
        try await store.renameTopic(id, title: title, actor: visit.actor, now: now())
        // The new title is also the title form of its (detected) language.
        if let topic = try await store.topicOverview(id: id)?.summary.topic {
            let titles = try BilingualText.fromOffice(kk: nil, ru: nil, single: title, field: "title").filled(from: topic.officeTitles)
            try await store.setTopicTitles(id, titles: titles, actor: visit.actor, now: now())
        }
        return Self.redirect("/office/topics/\(id)")
    }

    /// `title_kk`, `title_ru`: the office's forms of the title; an empty field goes back to the default.
    @Sendable func setTitles(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "topic")
        let titles = BilingualText(kk: fields["title_kk"], ru: fields["title_ru"])
        try await store.setTopicTitles(id, titles: titles, actor: visit.actor, now: now())
        return Self.redirect("/office/topics/\(id)")
    }

    @Sendable func setCategory(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "topic")
        guard let category = fields["category"].flatMap(QuestionCategory.init(rawValue:)) else {
            throw TyndauError.validation(["category": "field.unknown-value"])
        }
        try await store.overrideCategory(id, category: category, actor: visit.actor, now: now())
        return Self.redirect("/office/topics/\(id)")
    }

    @Sendable func setResponsible(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "topic")
        let responsible = fields["responsible"]
        guard (responsible?.count ?? 0) <= 200 else { throw TyndauError.validation(["responsible": "field.too-long"]) }
        try await store.setTopicResponsible(id, responsible: responsible, actor: visit.actor, now: now())
        return Self.redirect("/office/topics/\(id)")
    }

    /// Merges topic `from` into this one (`from` disappears).
    @Sendable func mergeTopic(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "topic")
        let other = try Self.id(fields["from"], field: "from")
        guard other != id else { throw TyndauError.validation(["from": "field.same-topic"]) }
        try await store.mergeTopics(into: id, from: other, actor: visit.actor, now: now())
        return Self.redirect("/office/topics/\(id)")
    }

    /// Moves the ticked questions (`question`, repeated) into a new topic.
    @Sendable func splitTopic(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "topic")
        let chosen = try fields.all("question").map { try Self.id($0, field: "question") }
        guard !chosen.isEmpty else { throw TyndauError.validation(["question": "field.required"]) }
        let created = try await store.splitTopic(id, questionIDs: chosen, actor: visit.actor, now: now())
        return Self.redirect("/office/topics/\(created)")
    }

    /// Moves one question (`question`) of this topic into topic `to`.
    @Sendable func moveQuestion(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "topic")
        let question = try Self.id(fields["question"], field: "question")
        let target = try Self.id(fields["to"], field: "to")
        guard let stored = try await store.question(id: question), stored.topicID == id else {
            throw TyndauError.validation(["question": "field.not-in-topic"])
        }
        try await store.moveQuestion(question, to: target, actor: visit.actor, now: now())
        return Self.redirect(try await store.topicOverview(id: id) == nil ? "/office/topics/\(target)" : "/office/topics/\(id)")
    }
}
