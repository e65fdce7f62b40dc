import Foundation
import Logging
import MeetingSummaries
import Publisher
import TyndauCore
import TyndauStorage

/// Watches the meeting calendar for `tyndau worker` and `tyndau serve`: closes meetings the office
/// left open when `summaries.autoclose_after_minutes` is set, and enqueues each closed meeting's
/// digest and personal notices exactly once (the database's `publishedAt` guard and unique message
/// keys hold even when several processes run this loop).
struct MeetingAutomation: Sendable {
    var database: any TyndauStore
    var configuration: TyndauConfiguration
    var renderer: SummaryRenderer
    var logger: Logger
    var now: @Sendable () -> Date = { Date() }

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

    /// One pass: autoclose, then publish. Returns the weeks closed and published.
    @discardableResult
    func runOnce() async throws -> (closed: [ISOWeek], published: [ISOWeek]) {
        var closed: [ISOWeek] = []
        if let minutes = configuration.summaries.autocloseAfterMinutes {
            let deadline = now().addingTimeInterval(-Double(minutes) * 60)
            for meeting in try await database.openMeetings() where meeting.endsAt <= deadline {
                let closure: MeetingClosure
                do {
                    closure = try await database.closeMeeting(week: meeting.week, actor: "system:autoclose", now: now())
                } catch let error as TyndauError where error.code == "meeting-closed" {
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
        return (closed, published)
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
/// (for endpoints without a language; default `[kk, ru]`).
struct SummariesSettings: Sendable, Decodable {
    var autocloseAfterMinutes: Int?
    var templates: String?
    var digestTags: Set<String> = ["public", "internal"]
    var noticeTags: Set<String> = ["residents"]
    var digestLanguages: [UILanguage] = [.kk, .ru]

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case autocloseAfterMinutes = "autoclose_after_minutes"
        case templates
        case digestTags = "digest_tags"
        case noticeTags = "notice_tags"
        case digestLanguages = "digest_languages"
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
    }
}
