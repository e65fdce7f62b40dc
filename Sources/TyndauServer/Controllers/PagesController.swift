import AgendaScheduler
import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// The resident pages: the form (`GET /`, `POST /questions`) with its second step (unanswered topics
/// like the question: join one, or file anyway), the receipt, the status page
/// (`GET /questions/{ticket}?token=…`, also under `/status/`) with its timeline and "me too"
/// (`POST /questions/{ticket}/join`), the withdrawal of the resident's contact details
/// (`POST /questions/{ticket}/withdraw`) and the stylesheet. Server-rendered, no JavaScript.
struct PagesController: Sendable {
    let endpoint: IntakeEndpoint
    let pages: PageRenderer
    let series: SeriesInEffect
    /// Withdrawal from the status page: the same rule as `tyndau residents forget`, for one question.
    let rights: PersonalDataRights
    let similar: SimilarTopics
    let joins: any TopicJoinStore
    /// Joins from status pages, per client, at the intake's hourly limit (a join from the form is a
    /// submission and counts against the intake's own limit).
    let joinLimiter: SubmissionRateLimiter
    let now: @Sendable () -> Date

    static let formFields = ["text", "category", "street", "house", "name", "phone", "email", "telegram"]

    func addRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/", use: form)
        router.post("/questions", use: submit)
        router.get("/questions/{ticket}", use: status)
        router.post("/questions/{ticket}/join", use: join)
        // Older links and the README's first examples used /status/; both show the same page.
        router.get("/status/{ticket}", use: status)
        router.post("/questions/{ticket}/withdraw", use: withdraw)
        router.get("/static/style.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: pages.stylesheet)
            )
        }
    }

    @Sendable func form(request: Request, context: TyndauRequestContext) async throws -> Response {
        await renderForm(choice: LanguageChoice(request), values: [:], consent: false, error: nil)
    }

    @Sendable func submit(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let fields: RequestFields
        do {
            fields = try await RequestFields.read(
                request, limit: endpoint.intake.settings.maxBodyBytes, known: Set(Self.formFields + ["website", "join", "step"]),
                booleanFields: ["consent"]
            )
            try fields.checkTypes()
        } catch let error as TyndauError {
            return pages.errorPage(error, choice: choice, path: "/")
        }
        let consent = fields.flags["consent"] ?? false
        let submission = Submission(
            text: fields["text"], category: fields["category"], street: fields["street"], house: fields["house"],
            name: fields["name"], phone: fields["phone"], email: fields["email"], telegram: fields["telegram"],
            consent: consent, channel: .web, language: choice.language
        )
        // "File anyway" wins over a topic still selected in the second step.
        let filing = fields["step"] == "file"
        let joining = filing ? nil : fields["join"].flatMap { Topic.ID($0.trimmingCharacters(in: .whitespaces)) }
        if !filing, fields["join"] == nil, fields["website"]?.isEmpty ?? true,
            let newQuestion = try? endpoint.intake.validator.validate(submission, now: now())
        {
            // The second step: unanswered topics like this question, before anything is stored.
            let topics = await similar.similar(to: newQuestion.question.text, now: now())
            if !topics.isEmpty { return renderSimilar(topics, fields: fields, consent: consent, text: newQuestion.question.text, choice: choice) }
        }
        if let joining, let askerKey = (try? endpoint.intake.validator.validate(submission, now: now()))?.contact?.personKey {
            // Counted once: a contact already among the topic's askers stores nothing new.
            let counted: Bool
            do {
                counted = try await joins.askerCounted(askerKey, in: joining)
            } catch let error as TyndauError {
                return pages.errorPage(error.publicFacing(logger: context.logger), choice: choice, path: "/")
            }
            if counted {
                return pages.page("joined", [:], title: ServerText.text("page.join.title", choice.language), choice: choice, path: "/")
            }
        }
        let receipt: IntakeReceipt
        do {
            receipt = try await endpoint.intake.submit(
                submission, honeypot: fields["website"], client: endpoint.client(request, context), logger: context.logger
            )
        } catch let error as TyndauError where error.code == .validation {
            return await renderForm(choice: choice, values: fields.values, consent: consent, error: error)
        } catch let error as TyndauError {
            return pages.errorPage(error.publicFacing(logger: context.logger), choice: choice, path: "/")
        }
        let question = receipt.question
        let ticket = question.ticket ?? ""
        let statusPath = endpoint.statusPath(ticket: ticket, token: question.accessToken) + "&lang=" + choice.language.rawValue
        let timeframe = await series.timeframe(submittedAt: question.submittedAt, now: now())
        var joinLine: String?
        if let joining, let id = question.id {
            do {
                let outcome = try await joins.joinTopic(joining, questionID: id, actor: "resident:web", now: now())
                await similar.invalidate()
                // A new question the arrival grouper already placed in this very topic has joined it too.
                joinLine =
                    outcome.decision == .join || !receipt.isDuplicate
                    ? ServerText.text("page.receipt.joined", choice.language, [String(outcome.askers)])
                    : ServerText.text("page.receipt.already-counted", choice.language)
                context.logger.info("intake.joined", metadata: [
                    "tyndau.question.ticket": "\(ticket)", "tyndau.topic.id": "\(joining)",
                    "tyndau.join.decision": "\(outcome.decision.rawValue)",
                ])
            } catch let error as TyndauError where error.code == .conflict || error.code == .notFound {
                // The topic was answered meanwhile (or the office already triaged the duplicate's first
                // copy): the question stays filed on its own.
                joinLine = ServerText.message(error, choice.language) + " " + ServerText.text("page.receipt.filed-instead", choice.language)
            }
        }
        return pages.page(
            "receipt",
            [
                "joinLine": joinLine ?? "",
                "timeframeLines": timeframe.lines(choice.language),
                "ticket": ticket,
                "duplicate": receipt.isDuplicate,
                "statusPath": statusPath,
                "statusURL": endpoint.statusURL(ticket: ticket, token: question.accessToken),
            ],
            title: ServerText.text("page.receipt.title", choice.language),
            choice: choice,
            path: "/",
            status: receipt.isDuplicate ? .ok : .created
        )
    }

    @Sendable func status(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let ticket = context.parameters.get("ticket") ?? ""
        let token = request.uri.queryParameters["token"].map(String.init)
        let progress: QuestionProgress
        do {
            progress = try await endpoint.progress(ticket: ticket, token: token)
        } catch let error as TyndauError {
            return pages.errorPage(error, choice: choice, path: "/")
        }
        let question = progress.question
        let language = choice.language
        var values: [String: Any] = [
            "ticket": question.ticket ?? "",
            "statusLabel": CoreText.status(question.status, language),
            "submittedAt": Self.localTime(question.submittedAt),
            "receivedLine": ServerText.text("page.status.received-at", language, [Self.localTime(question.submittedAt)]),
            "text": question.text,
        ]
        let place = [question.street, question.house].compactMap { $0 }.joined(separator: ", ")
        if !place.isEmpty { values["place"] = place }
        if let triagedAt = progress.triagedAt {
            values["triagedLine"] = ServerText.text("page.status.triaged-at", language, [Self.localTime(triagedAt)])
        }
        if let title = progress.topicTitle {
            // The title is a resident's question (often another resident's): shown scrubbed, as in public.
            values["topicLine"] = ServerText.text(
                "page.status.topic-askers", language, [PersonalDataScrubber().scrub(title), String(progress.topicAskers ?? 1)])
        }
        switch request.uri.queryParameters["joined"].flatMap({ TopicJoin.Decision(rawValue: String($0)) }) {
        case .join?: values["joinedLine"] = ServerText.text("page.receipt.joined", language, [String(progress.topicAskers ?? 1)])
        case .alreadyCounted?: values["joinedLine"] = ServerText.text("page.receipt.already-counted", language)
        case nil: break
        }
        if let meeting = progress.meeting, let item = progress.agendaItem {
            let starts = meeting.startsAt.addingTimeInterval(Double(item.startOffsetMinutes) * 60)
            values["agendaLine"] = ServerText.text(
                "page.status.step-agenda", language, [String(meeting.week.week), Self.localTime(starts)]
            )
        }
        if let answer = progress.publishedAnswer {
            values["answerText"] = answer.texts.text(for: language)
            if let target = answer.redirectedTo {
                values["redirectedLine"] = ServerText.text("page.status.redirected-to", language, [target])
            }
        }
        // On the agenda of (date), or — while it waits — the candidate meeting and the written-answer date.
        if !question.status.isFinal, question.status != .scheduled, values["agendaLine"] == nil {
            values["timeframeLines"] = await series.timeframe(submittedAt: question.submittedAt, now: now()).lines(language)
        }
        if question.status == .rejected || question.status == .redirected, let reason = question.statusReason {
            values["reasonLine"] = ServerText.text("page.status.reason", language, [reason])
        }
        if let id = question.id, try await rights.holdsPersonalData(questionID: id) {
            values["canWithdraw"] = true
            values["token"] = question.accessToken
        }
        // "Me too" while the office has not triaged the question yet (``TopicJoin``'s rule).
        if !question.status.isTriaged {
            let topics = await similar.similar(to: question.text, excluding: question.topicID, now: now())
            values["hasSimilar"] = !topics.isEmpty
            values["similar"] = topics.map { topic -> [String: Any] in
                [
                    "id": String(topic.topicID), "title": topic.publicTitle, "token": question.accessToken,
                    "askersLine": ServerText.text("page.similar.askers", language, [String(topic.askers)]),
                    "joinPath": "/questions/\(question.ticket ?? "")/join?lang=\(language.rawValue)",
                ]
            }
        }
        let path = "/questions/\(question.ticket ?? "")?token=\(question.accessToken)"
        return pages.page(
            "status", values, title: ServerText.text("page.status.title", language), choice: choice, path: path
        )
    }

    /// `POST /questions/{ticket}/withdraw` with `token` and `confirm`: erases the question's contact
    /// details, the notices addressed to them and the bot's link. Not open to forgery from another
    /// site: like every resident page, it acts only with the question's secret token, which a forged
    /// form cannot know; the checkbox guards against a slip.
    @Sendable func withdraw(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let ticket = context.parameters.get("ticket") ?? ""
        let fields: RequestFields
        let progress: QuestionProgress
        do {
            fields = try await RequestFields.read(request, limit: 4096, known: ["token", "confirm"], booleanFields: ["confirm"])
            try fields.checkTypes()
            progress = try await endpoint.progress(ticket: ticket, token: fields["token"])
        } catch let error as TyndauError {
            return pages.errorPage(error, choice: choice, path: "/")
        }
        let question = progress.question
        let shownTicket = question.ticket ?? ticket
        let statusPath = "/questions/\(shownTicket)?token=\(question.accessToken)"
        guard fields.flags["confirm"] == true, let id = question.id else {
            return pages.errorPage(Self.withdrawalUnconfirmed, choice: choice, path: statusPath)
        }
        let erased = try await rights.withdraw(questionID: id, reason: .statusPage, actor: "resident", now: now())
        let language = choice.language
        return pages.page(
            "withdrawn",
            [
                "heading": ServerText.text(erased.total > 0 ? "page.withdraw.done-title" : "page.withdraw.title", language),
                "line": ServerText.text(erased.total > 0 ? "page.withdraw.done" : "page.withdraw.nothing", language, [shownTicket]),
                "statusPath": statusPath + "&lang=" + language.rawValue,
            ],
            title: ServerText.text("page.withdraw.title", language), choice: choice, path: statusPath
        )
    }

    /// The withdrawal form came without its confirmation box ticked.
    static let withdrawalUnconfirmed = TyndauError(code: .validation, messageKey: "error.withdraw-unconfirmed")

    /// `POST /questions/{ticket}/join` (`token`, `topic`): the status page's "me too". The question joins
    /// the topic by ``TopicJoin``'s rules, rate-limited per client like submissions; the resident goes
    /// back to the status page, which says what happened.
    @Sendable func join(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let ticket = context.parameters.get("ticket") ?? ""
        do {
            let fields = try await RequestFields.read(
                request, limit: endpoint.intake.settings.maxBodyBytes, known: ["token", "topic"], booleanFields: [])
            try fields.checkTypes()
            let progress = try await endpoint.progress(ticket: ticket, token: fields["token"])
            guard let topic = fields["topic"].flatMap({ Topic.ID($0) }), let questionID = progress.question.id else {
                throw TyndauError.validation(["topic": "field.required"])
            }
            let client = endpoint.client(request, context)
            if case .limited(let retryAfter) = await joinLimiter.check(client.key) {
                context.logger.notice("intake.join-rate-limited")
                throw TyndauError.rateLimited(retryAfter: retryAfter)
            }
            let outcome = try await joins.joinTopic(topic, questionID: questionID, actor: "resident:web", now: now())
            if outcome.decision == .join { await joinLimiter.record(client.key) }
            await similar.invalidate()
            context.logger.info("intake.joined", metadata: [
                "tyndau.question.ticket": "\(progress.question.ticket ?? "")", "tyndau.topic.id": "\(topic)",
                "tyndau.join.decision": "\(outcome.decision.rawValue)",
            ])
            let question = progress.question
            let location = endpoint.statusPath(ticket: question.ticket ?? "", token: question.accessToken)
                + "&lang=\(choice.language.rawValue)&joined=\(outcome.decision.rawValue)"
            return Response(status: .seeOther, headers: [.location: location])
        } catch let error as TyndauError {
            return pages.errorPage(error.publicFacing(logger: context.logger), choice: choice, path: "/questions/\(ticket)")
        }
    }

    /// The form's second step: the unanswered topics like the question, to join one, or to file anyway.
    /// What the resident typed rides along in hidden fields (escaped by the template; an IIN never does).
    private func renderSimilar(
        _ topics: [JoinableTopic], fields: RequestFields, consent: Bool, text: String, choice: LanguageChoice
    ) -> Response {
        let language = choice.language
        var hidden: [[String: String]] = Self.formFields.compactMap { field in
            guard let value = fields[field], !value.isEmpty else { return nil }
            return ["name": field, "value": NationalID.maskingIINs(in: value)]
        }
        if consent { hidden.append(["name": "consent", "value": "yes"]) }
        return pages.page(
            "similar",
            [
                "hidden": hidden,
                "text": text,
                "topics": topics.enumerated().map { index, topic -> [String: Any] in
                    [
                        "id": String(topic.topicID), "title": topic.publicTitle, "first": index == 0,
                        "askersLine": ServerText.text("page.similar.askers", language, [String(topic.askers)]),
                    ]
                },
            ],
            title: ServerText.text("page.similar.title", language), choice: choice, path: "/"
        )
    }

    private func renderForm(choice: LanguageChoice, values: [String: String], consent: Bool, error: TyndauError?) async -> Response {
        let language = choice.language
        let next = await series.timeframe(submittedAt: now(), now: now())
        // What the resident typed goes back into the form (escaped by the template); an IIN never does.
        var echoed: [String: Any] = [:]
        for field in Self.formFields { echoed[field] = NationalID.maskingIINs(in: values[field] ?? "") }
        echoed["consent"] = consent
        let chosen = values["category"]?.lowercased()
        var context: [String: Any] = [
            "nextMeetingLine": ServerText.text("page.timeframe.next-meeting", language, [
                PublicRecordController.localTime(next.meetingStart, next.timeZone.identifier) + " (\(next.timeZone.identifier))",
                PublicRecordController.localTime(next.cutoff, next.timeZone.identifier),
            ]),
            "values": echoed,
            "categories": QuestionCategory.allCases.map { category -> [String: Any] in
                ["value": category.rawValue, "label": CoreText.category(category, language), "selected": category.rawValue == chosen]
            },
        ]
        if let error {
            let reasons = ServerText.fields(error, language)
            context["hasErrors"] = true
            context["message"] = ServerText.message(error, language)
            context["fieldErrors"] = reasons
            context["errors"] = reasons.keys.sorted().map { field -> [String: Any] in
                [
                    "field": field == "website" ? "text" : field,
                    "label": Self.fieldLabel(field, language),
                    "reason": reasons[field] ?? "",
                ]
            }
        }
        return pages.page(
            "form", context, title: ServerText.text("page.form.title", language), choice: choice, path: "/",
            status: error == nil ? .ok : APIErrorResponse.status(for: error!)
        )
    }

    static func fieldLabel(_ field: String, _ language: UILanguage) -> String {
        let key = "page.form." + field
        return ServerText.table.contains(key) ? ServerText.text(key, language) : field
    }

    /// `29.11.2026 15:00` in Almaty time: how residents read dates in Kazakhstan.
    static func localTime(_ date: Date) -> String { LocalTime(date, in: .almaty).dotted }
}
