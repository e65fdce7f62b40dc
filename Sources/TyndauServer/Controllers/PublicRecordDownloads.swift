import AgendaScheduler
import Foundation
import Hummingbird
import TyndauCore

/// Open data and feeds: the archive and the promises as JSON and CSV (the columns are
/// ``meetingColumns`` and ``promiseColumns``, documented in README), an Atom feed of closed meetings'
/// summaries and an iCalendar feed of the upcoming meetings. The same ``PublicRecord`` as the pages,
/// so no download holds anything a page does not show.
struct PublicRecordDownloads: Sendable {
    let record: PublicRecord
    let cache: PublicRecordCache
    /// The configured series; overrides the office stored apply on top.
    let series: SeriesSettings
    let seriesStore: any AgendaStore
    /// `server.public_url` without a trailing slash: the base of the feeds' links (relative without it).
    let publicURL: String?
    let now: @Sendable () -> Date
    /// How many upcoming meetings the calendar feed lists.
    static let calendarWeeks = 8
    static let atomEntries = 50

    static let meetingColumns = [
        "week", "starts_at", "position", "block", "title", "question", "askers", "place", "answer_kind", "answer",
        "redirected_to", "promise_id",
    ]
    static let promiseColumns = [
        "id", "week", "topic", "promise", "responsible", "due_date", "status", "kept_on", "place", "block",
    ]

    func addRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/open-data/meetings.json") { _, _ in Self.json(try await meetingsData()) }
        router.get("/open-data/meetings.csv") { _, _ in Self.csv(Self.meetingColumns, try await meetingRows(), name: "meetings") }
        router.get("/open-data/promises.json") { _, _ in Self.json(try await promisesData()) }
        router.get("/open-data/promises.csv") { _, _ in Self.csv(Self.promiseColumns, try await promiseRows(), name: "promises") }
        router.get("/feeds/meetings.atom") { request, _ in try await atom(LanguageChoice(request).language) }
        router.get("/feeds/meetings.ics") { _, _ in try await calendar() }
    }

    // MARK: - Records

    struct MeetingsFile: Encodable {
        var generatedAt: Date
        var meetings: [PublicMeeting]
    }

    struct PromisesFile: Encodable {
        var generatedAt: Date
        var promises: [PublicPromise]
    }

    func closedMeetings(limit: Int? = nil) async throws -> [PublicMeeting] {
        var meetings: [PublicMeeting] = []
        for summary in try await cache.meetings(now: now()).prefix(limit ?? .max) {
            if let meeting = try await cache.meeting(week: summary.meeting.week, now: now()) { meetings.append(meeting) }
        }
        return meetings
    }

    func meetingsData() async throws -> MeetingsFile {
        MeetingsFile(generatedAt: now(), meetings: try await closedMeetings())
    }

    func promisesData() async throws -> PromisesFile {
        PromisesFile(generatedAt: now(), promises: try await cache.promises(now: now()))
    }

    func meetingRows() async throws -> [[String]] {
        try await closedMeetings().flatMap { meeting in
            meeting.items.map { item in
                [
                    meeting.week.description, Self.iso(meeting.startsAt), String(item.position), item.block.rawValue, item.title,
                    item.question, String(item.askers), item.place ?? "", item.kind?.rawValue ?? "", item.answer ?? "",
                    item.redirectedTo ?? "", item.promise.map { String($0.id) } ?? "",
                ]
            }
        }
    }

    func promiseRows() async throws -> [[String]] {
        try await cache.promises(now: now()).map { promise in
            [
                String(promise.id), promise.week?.description ?? "", promise.topicTitle, promise.text, promise.responsible,
                promise.dueDate, promise.status.rawValue, promise.keptOn ?? "", promise.place ?? "", promise.block?.rawValue ?? "",
            ]
        }
    }

    // MARK: - Encodings

    static func json<T: Encodable>(_ value: T) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .accessControlAllowOrigin: "*"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// RFC 4180 CSV with a header row, UTF-8 with a byte order mark (so spreadsheet programs read
    /// Cyrillic), CRLF line ends. A cell a spreadsheet would run as a formula gets a leading `'`.
    static func csv(_ columns: [String], _ rows: [[String]], name: String) -> Response {
        var text = "\u{FEFF}" + columns.joined(separator: ",") + "\r\n"
        for row in rows { text += row.map(csvCell).joined(separator: ",") + "\r\n" }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8; header=present", .contentDisposition: "attachment; filename=\"\(name).csv\"",
                .accessControlAllowOrigin: "*",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func csvCell(_ value: String) -> String {
        var cell = value
        if let first = cell.first, "=+-@\t\r".contains(first) { cell = "'" + cell }
        guard cell.contains(where: { ",\"\r\n".contains($0) }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    // MARK: - Atom

    /// The newest closed meetings' summaries (RFC 4287), in `language`; text escaped as the Open311
    /// answers' XML is.
    func atom(_ language: UILanguage) async throws -> Response {
        let base = publicURL ?? ""
        let meetings = try await closedMeetings(limit: Self.atomEntries)
        let updated = meetings.compactMap { $0.closedAt ?? $0.startsAt }.max() ?? Date(timeIntervalSince1970: 0)
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(language.rawValue)">
            <title>\(GeoReportXML.escape(ServerText.text("page.feed.title", language)))</title>
            <id>urn:tyndau:meetings:\(language.rawValue)</id>
            <updated>\(Self.iso(updated))</updated>
            <link rel="self" href="\(GeoReportXML.escape(base))/feeds/meetings.atom?lang=\(language.rawValue)"/>
            <link rel="alternate" type="text/html" href="\(GeoReportXML.escape(base))/meetings?lang=\(language.rawValue)"/>
            <author><name>\(GeoReportXML.escape(ServerText.text("page.site-title", language)))</name></author>

            """
        for meeting in meetings {
            let day = PublicRecordController.localDay(meeting.startsAt, meeting.timeZone)
            var lines: [String] = []
            for item in meeting.items {
                // The feed's language's texts, the other one after a note where it is missing.
                lines.append("\(item.position). \(item.titles.text(for: language, as: .name))")
                if let answer = item.answerTexts?.text(for: language), !answer.isEmpty { lines.append("   " + answer) }
                if let promise = item.promise {
                    let responsible = promise.responsibleTexts.text(for: language, as: .name)
                    lines.append(
                        "   \(ServerText.text("page.meeting.promise", language)): \(promise.texts.text(for: language)) "
                            + "(\(responsible), \(PublicRecordController.displayDay(promise.dueDate)))")
                }
            }
            xml += """
                <entry>
                <title>\(GeoReportXML.escape(ServerText.text("page.feed.entry", language, [day])))</title>
                <id>urn:tyndau:meeting:\(meeting.week)</id>
                <updated>\(Self.iso(meeting.closedAt ?? meeting.startsAt))</updated>
                <link rel="alternate" type="text/html" href="\(GeoReportXML.escape(base))/meetings/\(meeting.week)?lang=\(language.rawValue)"/>
                <summary>\(GeoReportXML.escape(ServerText.text("page.meeting.residents", language, [String(meeting.items.count), String(meeting.residents)])))</summary>
                <content type="text">\(GeoReportXML.escape(lines.joined(separator: "\n")))</content>
                </entry>

                """
        }
        xml += "</feed>\n"
        return Response(
            status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8", .contentLanguage: language.rawValue],
            body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    // MARK: - iCalendar

    /// The next meetings of the series in effect (RFC 5545), each with its stored agenda's topics
    /// when the office has built it: one subscription keeps a calendar up to date.
    func calendar() async throws -> Response {
        let settings = (try? series.applying(try await seriesStore.seriesSettings())) ?? series
        let calendar = MeetingCalendar(series: settings.series)
        let first = calendar.nextMeeting(after: now())
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tyndau//Meetings 1//RU", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        let summary = ServerText.text("page.calendar.summary", .kk) + " · " + ServerText.text("page.calendar.summary", .ru)
        lines.append("X-WR-CALNAME:" + AgendaICalendarRenderer.escape(summary))
        for offset in 0..<Self.calendarWeeks {
            let week = first.adding(weeks: offset)
            let start = calendar.start(of: week)
            var description = "\(publicURL ?? "")/live"
            if let live = try await record.live(now: start.addingTimeInterval(-1)), live.week == week, !live.items.isEmpty {
                description = live.items.map { "\($0.position). \($0.title)" }.joined(separator: "\n") + "\n\n" + description
            }
            lines += [
                "BEGIN:VEVENT",
                "UID:tyndau-meeting-\(week)",
                "DTSTAMP:" + AgendaICalendarRenderer.utc(now()),
                "DTSTART:" + AgendaICalendarRenderer.utc(start),
                "DURATION:PT\(settings.series.durationMinutes)M",
                "SUMMARY:" + AgendaICalendarRenderer.escape(summary),
                "DESCRIPTION:" + AgendaICalendarRenderer.escape(description),
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        let text = lines.map(AgendaICalendarRenderer.fold).joined(separator: "\r\n") + "\r\n"
        return Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
