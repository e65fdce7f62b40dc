import AgendaScheduler
import Foundation
import Logging
import MeetingSummaries
import Publisher
import TyndauCore
import TyndauSQLite

/// Watches the meeting calendar for `tyndau worker` and `tyndau serve`: closes meetings the office
/// left open when `summaries.autoclose_after_minutes` is set, and enqueues each closed meeting's
/// digest and personal notices exactly once (the database's `publishedAt` guard and unique message
/// keys hold even when several processes run this loop).
struct MeetingAutomation: Sendable {
    var database: any TyndauStore
    var configuration: TyndauConfiguration
    var renderer: SummaryRenderer
    var logger: Logger
    var now: @Sendable () -> Date = WallClock.now

    init(database: any TyndauStore, configuration: TyndauConfiguration, logger: Logger) async throws {
        self.database = database
        self.configuration = configuration
        self.renderer = try await SummaryRenderer(overrideDirectory: configuration.summaries.templates)
        self.logger = logger
    }

    var publication: MeetingPublication {
        MeetingPublication(
            renderer: renderer, endpoints: configuration.endpoints, settings: configuration.summaries,
            publicURL: configuration.server.publicURL
        )
    }

    var announcement: MeetingAnnouncement {
        MeetingAnnouncement(endpoints: configuration.endpoints, settings: configuration.summaries, publicURL: configuration.server.publicURL)
    }

    /// One pass: the draft agenda at the cut-off (when configured), autoclose, then publish. Returns
    /// the weeks drafted, closed and published.
    @discardableResult
    func runOnce() async throws -> (drafted: [ISOWeek], closed: [ISOWeek], published: [ISOWeek]) {
        let drafted = configuration.summaries.draftAtCutoff ? try await draftAtCutoff() : []
        var closed: [ISOWeek] = []
        if let minutes = configuration.summaries.autocloseAfterMinutes {
            let deadline = now().addingTimeInterval(-Double(minutes) * 60)
            for meeting in try await database.openMeetings() where meeting.endsAt <= deadline {
                let closure: MeetingClosure
                do {
                    closure = try await database.closeMeeting(week: meeting.week, actor: "system:autoclose", now: now())
                } catch let error as TyndauError where error.code == .meetingClosed {
                    // Another process (a second worker or server) closed it a moment ago.
                    continue
                }
                logger.notice("meeting closed automatically", metadata: [
                    "tyndau.meeting.week": "\(meeting.week)", "tyndau.meeting.answered": "\(closure.answered)",
                ])
                closed.append(meeting.week)
            }
        }
        var published: [ISOWeek] = []
        for meeting in try await database.meetingsAwaitingPublication() {
            if try await publish(meeting) { published.append(meeting.week) }
        }
        return (drafted, closed, published)
    }

    /// Between the next meeting's cut-off and its start: builds its agenda when none is stored, and
    /// sends the draft to the office's internal endpoints (once: the message key is per week).
    func draftAtCutoff() async throws -> [ISOWeek] {
        let settings = try await AgendaWorkflow.settings(configuration, database)
        let calendar = MeetingCalendar(series: settings.series)
        let now = now()
        let week = calendar.nextMeeting(after: now)
        guard now >= calendar.cutoff(of: week) else { return [] }
        if try await database.meeting(week: week) == nil {
            _ = try await AgendaBuilder(settings: settings, actor: "system:cutoff").build(week: week, store: database, now: now, save: true)
            logger.notice("agenda drafted at the cut-off", metadata: ["tyndau.meeting.week": "\(week)"])
        }
        guard let meeting = try await database.meeting(week: week) else { return [] }
        let batches = try await announcement.batches(.draft, meeting: meeting, store: database)
        try await database.enqueue(batches, now: now)
        return batches.isEmpty ? [] : [week]
    }

    /// Enqueues one closed meeting's messages; `false` when another process got there first.
    func publish(_ meeting: Meeting) async throws -> Bool {
        let items = try await database.answeredItems(week: meeting.week)
        let topicIDs = items.filter { $0.answer != nil }.map(\.item.topicID)
        let recipients = try await database.noticeRecipients(topicIDs: topicIDs)
        let batches = publication.batches(meeting: meeting, items: items, recipients: recipients)
        let done = try await database.publishMeeting(week: meeting.week, batches: batches, now: now())
        if done {
            logger.notice("meeting published", metadata: [
                "tyndau.meeting.week": "\(meeting.week)",
                "tyndau.deliveries": "\(batches.map(\.endpointNames.count).reduce(0, +))",
            ])
        }
        return done
    }

    /// Repeats ``runOnce()`` every `interval` until cancelled (then returns normally, like the
    /// delivery worker); a failed pass is logged and retried.
    func run(interval: Duration = .seconds(30)) async {
        while !Task.isCancelled {
            do {
                try await runOnce()
            } catch {
                logger.error("meeting automation pass failed", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}

/// The `summaries` configuration section.
///
/// Keys: `autoclose_after_minutes` (close a meeting the office left open this long after its end;
/// absent = only by hand), `templates` (folder whose `digest.ru.mustache`, `notice.kk.mustache`, …
/// override the bundled ones), `digest_tags`
/// (default `[public, internal]`), `notice_tags` (default `[residents]`), `digest_languages`
/// (for endpoints without a language; default `[kk, ru]`), `draft_at_cutoff` (at the cut-off, build the
/// next meeting's agenda when the office has not and send the draft to `draft_tags`, default
/// `[internal]`; default off), `announcement_tags` (where `tyndau agenda announce` sends the published
/// agenda; default `[public]`), `stream_url` (the link to the meeting's broadcast in announcements).
struct SummariesSettings: Sendable, Decodable {
    var autocloseAfterMinutes: Int?
    var templates: String?
    var digestTags: Set<String> = ["public", "internal"]
    var noticeTags: Set<String> = ["residents"]
    var digestLanguages: [UILanguage] = [.kk, .ru]
    var draftAtCutoff = false
    var draftTags: Set<String> = ["internal"]
    var announcementTags: Set<String> = ["public"]
    var streamURL: String?

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case autocloseAfterMinutes = "autoclose_after_minutes"
        case templates
        case digestTags = "digest_tags"
        case noticeTags = "notice_tags"
        case digestLanguages = "digest_languages"
        case draftAtCutoff = "draft_at_cutoff"
        case draftTags = "draft_tags"
        case announcementTags = "announcement_tags"
        case streamURL = "stream_url"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func fail(_ key: CodingKeys, _ reason: String) -> TyndauError {
            .configuration(ConfigurationPath.render(decoder.codingPath + [key]), reason)
        }
        if let minutes = try container.decodeIfPresent(Int.self, forKey: .autocloseAfterMinutes) {
            guard (0...10_080).contains(minutes) else { throw fail(.autocloseAfterMinutes, "must be 0–10080") }
            autocloseAfterMinutes = minutes
        }
        templates = try container.decodeIfPresent(String.self, forKey: .templates)
        if let tags = try container.decodeIfPresent([String].self, forKey: .digestTags) { digestTags = Set(tags) }
        if let tags = try container.decodeIfPresent([String].self, forKey: .noticeTags) { noticeTags = Set(tags) }
        if let languages = try container.decodeIfPresent([UILanguage].self, forKey: .digestLanguages) {
            guard !languages.isEmpty else { throw fail(.digestLanguages, "needs at least one of ru, kk, en") }
            digestLanguages = languages
        }
        draftAtCutoff = try container.decodeIfPresent(Bool.self, forKey: .draftAtCutoff) ?? false
        if let tags = try container.decodeIfPresent([String].self, forKey: .draftTags) { draftTags = Set(tags) }
        if let tags = try container.decodeIfPresent([String].self, forKey: .announcementTags) { announcementTags = Set(tags) }
        if let url = try container.decodeIfPresent(String.self, forKey: .streamURL) {
            guard let parsed = URL(string: url), ["https", "http"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw fail(.streamURL, "must be an http(s) URL")
            }
            streamURL = url
        }
    }
}
