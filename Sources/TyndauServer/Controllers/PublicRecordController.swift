import AgendaScheduler
import Foundation
import Hummingbird
import Synchronization
import TyndauCore

/// The public record, for residents who did not ask, journalists and the press office: the meeting
/// archive (`/meetings`, `/meetings/{week}`), the promises tracker (`/promises`), the live page
/// (`/live`), statistics with charts (`/stats`) and open data (`/open-data`, feeds under `/feeds`).
/// Server-rendered in ru/kk/en without script; what may be shown is ``PublicRecord``'s rule.
struct PublicRecordController: Sendable {
    let record: PublicRecord
    let cache: PublicRecordCache
    let pages: PageRenderer
    let downloads: PublicRecordDownloads
    let now: @Sendable () -> Date
    /// Seconds between the live page's refreshes.
    static let liveRefreshSeconds = 20
    static let statisticsWeeks = 12
    /// Promises per page of the tracker, so a long history stays a light page.
    static let promisesPerPage = 50

    func addRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/meetings", use: meetings)
        router.get("/meetings/{week}", use: meeting)
        router.get("/promises", use: promises)
        router.get("/live", use: live)
        router.get("/stats", use: stats)
        router.get("/open-data", use: openData)
        downloads.addRoutes(to: router)
    }

    // MARK: - Archive

    @Sendable func meetings(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let rows = try await cache.meetings(now: now()).map { summary -> [String: Any] in
            [
                "week": summary.meeting.week.description, "date": Self.localTime(summary.meeting.startsAt, summary.meeting.timeZone),
                "answered": summary.answeredTopics, "commitments": summary.commitments,
            ]
        }
        return pages.page(
            "public-meetings", ["meetings": rows, "hasMeetings": !rows.isEmpty],
            title: ServerText.text("page.meetings.title", choice.language), choice: choice, path: "/meetings")
    }

    @Sendable func meeting(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let language = choice.language
        let raw = context.parameters.get("week") ?? ""
        guard let week = ISOWeek(raw),
            let meeting = try await cache.meeting(week: week, now: now())
        else {
            return pages.page(
                "error", ["message": ServerText.text("page.meeting.not-found", language, [String(raw.prefix(10))])],
                title: ServerText.text("page.error.title", language), choice: choice, path: "/meetings", status: .notFound)
        }
        let heading = ServerText.text("page.meeting.title", language, [Self.localDay(meeting.startsAt, meeting.timeZone)])
        return pages.page(
            "public-meeting",
            [
                "heading": heading,
                "startsLine": Self.localTime(meeting.startsAt, meeting.timeZone),
                "summaryLine": ServerText.text("page.meeting.residents", language, [String(meeting.items.count), String(meeting.residents)]),
                "items": meeting.items.map { item($0, language) },
                "written": meeting.written.map { ["title": $0.titles.text(for: language, as: .name), "deadline": Self.displayDay($0.deadline)] },
                "hasWritten": !meeting.written.isEmpty,
            ],
            title: heading, choice: choice, path: "/meetings/\(week)")
    }

    /// One agenda item's values for the templates (archive and live page).
    func item(_ item: PublicMeeting.Item, _ language: UILanguage) -> [String: Any] {
        var values: [String: Any] = [
            "position": item.position, "title": item.titles.text(for: language, as: .name), "askers": item.askers,
            "blockLabel": CoreText.block(item.block, language),
        ]
        if item.question != item.title, ![item.titles.kk, item.titles.ru].contains(item.question) { values["question"] = item.question }
        if let place = item.place { values["place"] = place }
        // The page's language's text, or the other one after a note saying so.
        if let answer = item.answerTexts?.text(for: language), !answer.isEmpty { values["answer"] = answer }
        if let kind = item.kind { values["kindLabel"] = ServerText.text("page.meeting.kind." + kind.rawValue, language) }
        if let target = item.redirectedTo { values["redirectedLine"] = ServerText.text("page.meeting.redirected-to", language, [target]) }
        if let promise = item.promise { values["promise"] = self.promise(promise, language) }
        return values
    }

    // MARK: - Promises

    @Sendable func promises(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let language = choice.language
        let query = request.uri.queryParameters
        let status = query["status"].flatMap { PromiseStatus(rawValue: String($0)) }
        let block = query["block"].flatMap { AgendaBlock(rawValue: String($0)) }
        let place = query["place"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let all = try await cache.promises(now: now())
        let shown = all.filter { promise in
            (status == nil || promise.status == status) && (block == nil || promise.block == block)
                && (place == nil || promise.place == place)
        }
        let pageCount = max(1, (shown.count + Self.promisesPerPage - 1) / Self.promisesPerPage)
        let page = min(pageCount, max(1, query["page"].flatMap { Int(String($0)) } ?? 1))
        let filters = [("status", status?.rawValue), ("block", block?.rawValue), ("place", place)]
            .compactMap { name, value in value.map { "\(name)=\(Self.queryEscaped($0))" } }
        func link(_ page: Int) -> String {
            "/promises?" + (filters + ["page=\(page)", "lang=\(language.rawValue)"]).joined(separator: "&")
        }
        let path = "/promises" + (filters.isEmpty && page == 1 ? "" : "?" + (filters + (page == 1 ? [] : ["page=\(page)"])).joined(separator: "&"))
        let pageItems = shown.dropFirst((page - 1) * Self.promisesPerPage).prefix(Self.promisesPerPage)
        return pages.page(
            "public-promises",
            [
                "statuses": PromiseStatus.allCases.map { value -> [String: Any] in
                    ["value": value.rawValue, "label": Self.statusLabel(value, language), "selected": value == status]
                },
                "blocks": AgendaBlock.allCases.map { value -> [String: Any] in
                    ["value": value.rawValue, "label": CoreText.block(value, language), "selected": value == block]
                },
                "places": Set(all.compactMap(\.place)).sorted().map { value -> [String: Any] in ["value": value, "selected": value == place] },
                "countLine": ServerText.text("page.promises.count", language, [String(shown.count)]),
                "hasPromises": !shown.isEmpty,
                "pageLine": pageCount > 1 ? ServerText.text("page.promises.page", language, [String(page), String(pageCount)]) as Any : false,
                "previousPage": page > 1 ? link(page - 1) as Any : false,
                "nextPage": page < pageCount ? link(page + 1) as Any : false,
                "promises": pageItems.map { promise -> [String: Any] in
                    var values = self.promise(promise, language)
                    values["id"] = promise.id
                    values["topicTitle"] = promise.topicTitle
                    if let week = promise.week {
                        values["week"] = week.description
                        values["madeAt"] = ServerText.text("page.promises.made-at", language, [week.description])
                    }
                    if let block = promise.block { values["blockLabel"] = CoreText.block(block, language) }
                    if let place = promise.place { values["place"] = place }
                    return values
                },
            ],
            title: ServerText.text("page.promises.title", language), choice: choice, path: path)
    }

    func promise(_ promise: PublicPromise, _ language: UILanguage) -> [String: Any] {
        var values: [String: Any] = [
            "status": promise.status.rawValue, "statusLabel": Self.statusLabel(promise.status, language),
            "text": promise.texts.text(for: language), "responsible": promise.responsibleTexts.text(for: language, as: .name), "due": Self.displayDay(promise.dueDate),
        ]
        if let kept = promise.keptOn {
            values["keptLine"] = ServerText.text("page.promises.kept-on", language, [Self.displayDay(kept)])
                + (promise.note.map { ": " + $0 } ?? "")
        }
        return values
    }

    static func statusLabel(_ status: PromiseStatus, _ language: UILanguage) -> String {
        ServerText.text("page.promises.status." + status.rawValue, language)
    }

    // MARK: - Live

    @Sendable func live(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let language = choice.language
        // Refreshing by itself is the viewer's choice (`?auto=1`, e.g. the stream's browser source):
        // a page that reloads unasked moves a screen reader's place (WCAG 2.2.1), so it is off by default.
        let auto = request.uri.queryParameters["auto"] == "1"
        var values: [String: Any] = [
            "refreshLine": ServerText.text(auto ? "page.live.refresh" : "page.live.refresh-off", language, [String(Self.liveRefreshSeconds)]),
            "refreshToggle": auto ? "/live?lang=\(language.rawValue)" : "/live?auto=1&lang=\(language.rawValue)",
            "refreshToggleLabel": ServerText.text(auto ? "page.live.refresh-stop" : "page.live.refresh-start", language),
        ]
        if auto { values["refreshSeconds"] = Self.liveRefreshSeconds }
        if let live = try await record.live(now: now()) {
            values["hasMeeting"] = true
            let start = Self.localTime(live.startsAt, live.timeZone)
            switch live.phase {
            case .upcoming: values["phaseLine"] = ServerText.text("page.live.upcoming", language, [start])
            case .onAir: values["phaseLine"] = ServerText.text("page.live.on-air", language, [start, Self.clock(live.endsAt, live.timeZone)])
            case .ended: values["phaseLine"] = ServerText.text("page.live.ended", language)
            }
            let zone = TimeZone(identifier: live.timeZone) ?? .almaty
            var upcoming = live.phase == .upcoming ? live.items : []
            if let index = live.currentIndex {
                values["current"] = item(live.items[index], language)
                upcoming = live.items[(index + 1)...].filter { $0.answer == nil }
            }
            values["nextHeading"] = ServerText.text(live.phase == .upcoming ? "page.live.agenda" : "page.live.next", language)
            values["hasNext"] = !upcoming.isEmpty
            values["next"] = upcoming.map { entry -> [String: Any] in
                var row = item(entry, language)
                row["clock"] = Self.clock(live.startsAt.addingTimeInterval(Double(entry.startOffsetMinutes) * 60), zone.identifier)
                return row
            }
            let answered = live.items.filter { $0.answer != nil }
            values["hasAnswered"] = !answered.isEmpty
            values["answered"] = answered.map { item($0, language) }
        }
        return pages.page(
            "public-live", values, title: ServerText.text("page.live.title", language), choice: choice, path: auto ? "/live?auto=1" : "/live")
    }

    // MARK: - Statistics

    @Sendable func stats(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let language = choice.language
        let figures = try await cache.statistics(now: now(), weeks: Self.statisticsWeeks)
        let percent = figures.goldenHourShare.map { String(Int(($0 * 100).rounded())) }
        let total = figures.triagedInTime + figures.triagedLate
        let values: [String: Any] = [
            "periodLine": ServerText.text("page.stats.period", language, [String(Self.statisticsWeeks)]),
            "charts": StatisticsCharts(figures: figures, language: language).all,
            "goldenHourLine": percent.map {
                ServerText.text("page.stats.golden-hour-line", language, [String(figures.triagedInTime), String(total), $0])
            } ?? ServerText.text("page.stats.none", language),
            "medianLine": figures.medianHoursToAnswer.map {
                ServerText.text("page.stats.hours", language, [String(format: "%.1f", $0)])
            } ?? ServerText.text("page.stats.none", language),
        ]
        return pages.page("public-stats", values, title: ServerText.text("page.stats.title", language), choice: choice, path: "/stats")
    }

    // MARK: - Open data

    @Sendable func openData(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let language = choice.language
        let downloads: [[String: Any]] = [
            [
                "label": ServerText.text("page.data.meetings", language), "json": "/open-data/meetings.json",
                "csv": "/open-data/meetings.csv", "fields": PublicRecordDownloads.meetingColumns,
            ],
            [
                "label": ServerText.text("page.data.promises", language), "json": "/open-data/promises.json",
                "csv": "/open-data/promises.csv", "fields": PublicRecordDownloads.promiseColumns,
            ],
        ]
        return pages.page(
            "public-data", ["downloads": downloads], title: ServerText.text("page.data.title", language), choice: choice,
            path: "/open-data")
    }

    // MARK: - Formatting

    /// `03.12.2026 15:00` in the meeting's zone.
    static func localTime(_ date: Date, _ zone: String) -> String { LocalTime(date, in: timeZone(zone)).dotted }

    /// `03.12.2026` in the meeting's zone.
    static func localDay(_ date: Date, _ zone: String) -> String { LocalTime(date, in: timeZone(zone)).date.dotted }

    /// `15:00` in the meeting's zone.
    static func clock(_ date: Date, _ zone: String) -> String { LocalTime(date, in: timeZone(zone)).clock }

    /// One `TimeZone` per identifier, looked up once (the archive index formats 200 rows).
    private static let zones = Mutex<[String: TimeZone]>([:])

    private static func timeZone(_ identifier: String) -> TimeZone {
        zones.withLock { cache in
            if let zone = cache[identifier] { return zone }
            let zone = TimeZone(identifier: identifier) ?? .almaty
            cache[identifier] = zone
            return zone
        }
    }

    /// `2026-12-20` as residents read it: `20.12.2026`.
    static func displayDay(_ day: String) -> String {
        let parts = day.split(separator: "-")
        return parts.count == 3 ? "\(parts[2]).\(parts[1]).\(parts[0])" : day
    }

    static func queryEscaped(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

/// The public record's pages read a long history: each result (the archive index, a meeting, the
/// promises of a day, the statistics) is computed at most once per ``lifetime`` by the injected
/// clock and shared by every request and language. The live page is not cached.
actor PublicRecordCache {
    let record: PublicRecord
    let goldenHourMinutes: Int
    let lifetime: TimeInterval
    private var entries: [String: (at: Date, value: any Sendable)] = [:]

    init(record: PublicRecord, goldenHourMinutes: Int, lifetime: TimeInterval = 30) {
        self.record = record
        self.goldenHourMinutes = goldenHourMinutes
        self.lifetime = lifetime
    }

    func meetings(now: Date) async throws -> [ClosedMeetingSummary] {
        try await cached("meetings", now: now) { try await record.meetings() }
    }

    func meeting(week: ISOWeek, now: Date) async throws -> PublicMeeting? {
        // Only closed meetings are looked up (and kept), so asking for any week costs nothing.
        guard try await meetings(now: now).contains(where: { $0.meeting.week == week }) else { return nil }
        let today = ISODate.day(now)
        return try await cached("meeting:\(week):\(today)", now: now) { try await record.meeting(week: week, today: today) }
    }

    func promises(now: Date) async throws -> [PublicPromise] {
        let today = ISODate.day(now)
        return try await cached("promises:\(today)", now: now) { try await record.promises(today: today) }
    }

    func statistics(now: Date, weeks: Int) async throws -> PublicStatistics {
        try await cached("statistics:\(weeks)", now: now) {
            try await record.statistics(now: now, weeks: weeks, goldenHourMinutes: goldenHourMinutes)
        }
    }

    private func cached<T: Sendable>(_ key: String, now: Date, compute: () async throws -> T) async throws -> T {
        if let entry = entries[key], let value = entry.value as? T, now >= entry.at, now.timeIntervalSince(entry.at) < lifetime {
            return value
        }
        let value = try await compute()
        entries = entries.filter { now.timeIntervalSince($0.value.at) < lifetime && now >= $0.value.at }
        entries[key] = (now, value)
        return value
    }
}
