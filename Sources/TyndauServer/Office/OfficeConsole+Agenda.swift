import AgendaScheduler
import Foundation
import Hummingbird
import TyndauCore

/// The week's agenda: the stored agenda with its reasons, what the planner left out and why, pins
/// and skips, order and minutes by plain forms, rebuild, and the .md/.json/.ics downloads — the
/// same ``AgendaBuilder`` and renderers as `tyndau agenda`.
extension OfficeConsole {
    func addAgendaRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/office/agenda", use: page(.operator, agendaPage))
        router.get("/office/agenda/{week}", use: page(.operator, agendaFile))
        router.post("/office/agenda/{week}/rebuild", use: form(.operator, rebuildAgenda))
        router.post("/office/agenda/{week}/mark", use: form(.operator, markTopic))
        router.post("/office/agenda/{week}/items/{item}", use: form(.operator, adjustItem))
    }

    /// The series in effect: the configuration file's settings overlaid by those stored with
    /// `tyndau series set` or the series page.
    func seriesInEffect() async throws -> SeriesSettings {
        do {
            return try series.applying(try await store.seriesSettings())
        } catch let problem as SeriesSettings.Problem {
            throw TyndauError.validation([problem.key: problem.reason])
        }
    }

    func week(_ raw: String?, settings: SeriesSettings) throws -> ISOWeek {
        guard let raw else { return MeetingCalendar(series: settings.series).nextMeeting(after: now()) }
        guard let week = ISOWeek(raw) else { throw TyndauError.validation(["week": "field.invalid-week"]) }
        return week
    }

    func builder(_ settings: SeriesSettings, _ visit: Visit) -> AgendaBuilder {
        AgendaBuilder(settings: settings, actor: visit.actor)
    }

    /// Whether the week's agenda can still change.
    func isOpen(_ week: ISOWeek, meeting: Meeting?, settings: SeriesSettings) -> Bool {
        MeetingCalendar(series: settings.series).agendaIsOpen(week: week, meeting: meeting, now: now())
    }

    /// Topics the planner left out, shown at once.
    static let omittedPageSize = 50

    @Sendable func agendaPage(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let settings = try await seriesInEffect()
        let week = try week(Self.query(request, "week"), settings: settings)
        let meeting = try await store.meeting(week: week)
        let open = isOpen(week, meeting: meeting, settings: settings)
        let zone = settings.series.zone
        let stored = try await store.agendaItems(week: week)
        let marks = Dictionary(uniqueKeysWithValues: try await store.agendaMarks(week: week).map { ($0.topicID, $0) })
        // The planner's current view (not saved) gives each topic's reasons in the reader's language.
        var plan: Agenda?
        var planProblem: String?
        if open {
            do {
                plan = try await builder(settings, visit).build(week: week, store: store, now: now(), save: false).agenda
            } catch let error as TyndauError {
                planProblem = ServerText.message(error, language)
            }
        }
        let reasons = Dictionary((plan?.topics ?? []).map { ($0.topicID, AgendaText.why($0.reasons, language)) }, uniquingKeysWith: { a, _ in a })
        let start = meeting?.startsAt ?? MeetingCalendar(series: settings.series).start(of: week)
        var items: [[String: Any]] = []
        for item in stored {
            let topic = try await store.agendaTopic(id: item.topicID)
            items.append([
                "id": item.id ?? 0, "position": item.position, "topicID": item.topicID, "title": topic?.title ?? "",
                "block": CoreText.block(item.block, language), "minutes": item.minutes,
                "time": Self.clock(start.addingTimeInterval(Double(item.startOffsetMinutes) * 60), zone),
                "why": reasons[item.topicID] ?? item.why, "pinned": marks[item.topicID]?.kind == .pin,
            ])
        }
        // What the planner left out can be thousands of topics: one bounded slice, `omitted_after` the cursor.
        let left = plan?.notSelected ?? []
        let after = try Self.query(request, "omitted_after").map { raw -> Topic.ID in
            guard raw.count <= 19, let id = Topic.ID(raw), id > 0 else { throw TyndauError.validation(["omitted_after": "field.invalid-id"]) }
            return id
        }
        // A topic no longer left out (pinned, rebuilt) starts the list from the top again.
        let from = after.flatMap { id in left.firstIndex { $0.topicID == id }.map { $0 + 1 } } ?? 0
        let slice = left[min(from, left.count)..<min(from + Self.omittedPageSize, left.count)]
        let omitted = slice.map { omission -> [String: Any] in
            [
                "topicID": omission.topicID, "title": omission.title, "block": CoreText.block(omission.block, language),
                "why": AgendaText.why(omission.reasons, language), "reason": AgendaText.reason(omission.reason, language),
                "skipped": marks[omission.topicID]?.kind == .skip,
            ]
        }
        let proposed = stored.isEmpty ? (plan?.topics ?? []).map { topic -> [String: Any] in
            [
                "position": topic.position, "topicID": topic.topicID, "title": topic.title, "minutes": topic.minutes,
                "block": CoreText.block(topic.block, language), "why": AgendaText.why(topic.reasons, language),
                "time": Self.clock(start.addingTimeInterval(Double(topic.startOffsetMinutes) * 60), zone),
            ]
        } : []
        let written = try await store.writtenAnswers(week: week).map { ["topicID": $0.topicID, "deadline": $0.deadline] }
        var values: [String: Any] = [
            "week": week.description, "start": Self.localTime(start, zone), "open": open, "items": items, "hasItems": !items.isEmpty,
            "proposed": proposed, "omitted": omitted, "written": written,
            "omittedCount": ServerText.text(
                "page.office.agenda.omitted-count", language, [String(from + 1), String(from + slice.count), String(left.count)]),
            "notes": (plan?.notes ?? []).map { AgendaText.note($0, language) },
            "previousWeek": week.adding(weeks: -1).description, "nextWeek": week.adding(weeks: 1).description,
            "marks": marks.values.sorted { $0.topicID < $1.topicID }.map { mark -> [String: Any] in
                ["topicID": mark.topicID, "pin": mark.kind == .pin, "reason": mark.reason ?? ""]
            },
        ]
        if let last = slice.last, from + slice.count < left.count {
            values["omittedMore"] = "/office/agenda?week=\(week)&omitted_after=\(last.topicID)"
        }
        if let plan { values["summary"] = ServerText.text("page.office.agenda.summary", language, [String(plan.topics.count), String(plan.usedMinutes), String(plan.topicMinutes)]) }
        if let planProblem { values["planProblem"] = planProblem }
        // Pins, skips or new questions since the last build: the stored agenda is not what the planner proposes now.
        if let plan, !stored.isEmpty, Set(plan.topics.map(\.topicID)) != Set(stored.map(\.topicID)) { values["stale"] = true }
        return render("office-agenda", values, titleKey: "page.office.agenda.title", visit: visit, section: "agenda")
    }

    /// `GET /office/agenda/2026-W49.md` (or `.json`, `.ics`): the stored agenda as arranged, from
    /// the same renderers as `tyndau agenda build`.
    @Sendable func agendaFile(request: Request, visit: Visit) async throws -> Response {
        let name = visit.parameters.get("week") ?? ""
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let week = ISOWeek(parts[0]), ["md", "json", "ics"].contains(parts[1]) else {
            throw TyndauError.routeNotFound
        }
        let settings = try await seriesInEffect()
        let stored = try await store.agendaItems(week: week)
        guard !stored.isEmpty else { throw TyndauError.notFound("agenda \(week)") }
        let meeting = try await store.meeting(week: week)
        // Planned again from storage without saving (the planner is deterministic), then arranged as
        // stored. Once the meeting has started the planner refuses: the files are those of the build.
        guard isOpen(week, meeting: meeting, settings: settings) else { throw TyndauError.agendaFrozen(week) }
        let built = try await builder(settings, visit).build(week: week, store: store, now: now(), save: false)
        guard Set(built.agenda.topics.map(\.topicID)) == Set(stored.map(\.topicID)) else { throw TyndauError.officeAgendaStale(week) }
        let agenda = AgendaBuilder.applying(stored, to: built.agenda)
        let (body, type): (String, String) = switch parts[1] {
        case "md": (AgendaMarkdownRenderer().render(agenda), "text/markdown; charset=utf-8")
        case "json": (AgendaJSONRenderer().render(agenda), "application/json; charset=utf-8")
        default: (AgendaICalendarRenderer().render(agenda), "text/calendar; charset=utf-8")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: type, .contentDisposition: "attachment; filename=\"\(week).\(parts[1])\"", .cacheControl: "no-store",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    @Sendable func rebuildAgenda(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let settings = try await seriesInEffect()
        let week = try week(visit.parameters.get("week"), settings: settings)
        _ = try await builder(settings, visit).build(week: week, store: store, now: now(), save: true)
        return Self.redirect("/office/agenda?week=\(week)")
    }

    /// `action` = `pin`, `skip` (with `reason`) or `unmark` for `topic`.
    @Sendable func markTopic(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let settings = try await seriesInEffect()
        let week = try week(visit.parameters.get("week"), settings: settings)
        let topicID = try Self.id(fields["topic"], field: "topic")
        let action: AgendaMarking.Action
        switch fields["action"] {
        case "pin": action = .pin
        case "skip": action = .skip(reason: fields["reason"] ?? "")
        case "unmark": action = .unmark
        default: throw TyndauError.validation(["action": "field.unknown-value"])
        }
        try await AgendaMarking(calendar: MeetingCalendar(series: settings.series)).apply(
            action, topicID: topicID, week: week, actor: visit.actor, store: store, now: now())
        return Self.redirect("/office/agenda?week=\(week)")
    }

    /// `minutes` and/or `move` (`up`, `down`) for one stored item.
    @Sendable func adjustItem(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let settings = try await seriesInEffect()
        let week = try week(visit.parameters.get("week"), settings: settings)
        let itemID = try visit.id("item", field: "item")
        var minutes: Int?
        if let raw = fields["minutes"] {
            guard let value = Int(raw), (1...120).contains(value) else {
                throw TyndauError.validation(["minutes": "field.minutes-range"])
            }
            let items = try await store.agendaItems(week: week)
            let others = items.filter { $0.id != itemID }.reduce(0) { $0 + $1.minutes }
            let available = (items.map(\.startOffsetMinutes).min() ?? 0) + others + value
            guard available <= settings.series.durationMinutes - settings.policy.closingMinutes else {
                throw TyndauError.validation(["minutes": "field.minutes-over-time"])
            }
            minutes = value
        }
        let move = switch fields["move"] {
        case "up": -1
        case "down": 1
        case nil: 0
        default: throw TyndauError.validation(["move": "field.unknown-value"])
        }
        try await store.adjustAgendaItem(week: week, itemID: itemID, minutes: minutes, move: move, actor: visit.actor, now: now())
        return Self.redirect("/office/agenda?week=\(week)")
    }

    /// `HH:mm` in `zone`.
    static func clock(_ date: Date, _ zone: TimeZone) -> String { LocalTime(date, in: zone).clock }
}

extension TyndauError {
    /// The planner would now choose other topics than the stored agenda holds: rebuild first.
    static func officeAgendaStale(_ week: ISOWeek) -> TyndauError {
        TyndauError(code: .conflict, messageKey: "error.office-agenda-stale", arguments: [week.description])
    }
}
