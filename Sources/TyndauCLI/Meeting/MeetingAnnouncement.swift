import Foundation
import Publisher
import TyndauCore

/// Before the meeting: the draft agenda for the office's internal endpoints at the cut-off, and the
/// announcement of the published agenda for the public ones — date, time and zone, the link to the
/// broadcast, the topics — in Kazakh and Russian (or the endpoint's own language). Each goes out once
/// per week and endpoint: the outbox sends a message key to an endpoint at most once, ever
/// (`agenda-draft:2026-W49`, `announcement:2026-W49`).
struct MeetingAnnouncement {
    enum Kind: String {
        case draft = "agenda-draft"
        case announcement
    }

    var endpoints: [EndpointDefinition]
    var settings: SummariesSettings
    /// `server.public_url`: links to the live page and the office's agenda page.
    var publicURL: String?

    /// The messages of `kind` for the stored agenda of `meeting`; none when no endpoint is tagged for it.
    func batches(_ kind: Kind, meeting: Meeting, store: any AnswerStore & PublicRecordStore) async throws -> [OutboxBatch] {
        let items = try await store.answeredItems(week: meeting.week)
        let names = try await store.askerNames(topicIDs: items.map(\.item.topicID))
        let scrubber = PersonalDataScrubber()
        // Each topic's title in both languages: each language's message shows its own form.
        let topics = items.map { entry in
            (position: entry.item.position, titles: entry.titles.map { scrubber.scrub($0, names: names[entry.item.topicID] ?? []) })
        }
        let tags = kind == .draft ? settings.draftTags : settings.announcementTags
        let chosen = endpoints.filter { $0.acceptsBroadcasts && !Set($0.tags).isDisjoint(with: tags) }
        var batches: [OutboxBatch] = []
        for (language, group) in Dictionary(grouping: chosen, by: \.language) {
            let languages = language.map { [$0] } ?? settings.digestLanguages
            let body = languages.map { text(kind, meeting: meeting, topics: topics, language: $0) }.joined(separator: "\n\n———\n\n")
            let subjectLanguage = languages.first ?? .kk
            let message = OutgoingMessage(
                messageKey: "\(kind.rawValue):\(meeting.week)",
                subject: CLIText.table.text("announce.\(kind.rawValue)-subject", subjectLanguage, [day(meeting)]),
                body: body, language: language)
            batches.append(OutboxBatch(message: message, endpointNames: group.map(\.name).sorted()))
        }
        return batches
    }

    private func text(
        _ kind: Kind, meeting: Meeting, topics: [(position: Int, titles: BilingualText)], language: UILanguage
    ) -> String {
        let topics = topics.map { "\($0.position). " + $0.titles.text(for: language, as: .name) }
        let base = (publicURL ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        var lines: [String] = []
        switch kind {
        case .draft:
            lines.append(CLIText.table.text("announce.draft-intro", language, [day(meeting), String(topics.count)]))
            lines += topics
            lines.append(CLIText.table.text("announce.draft-review", language, [base + "/office/agenda?week=\(meeting.week)"]))
        case .announcement:
            lines.append(CLIText.table.text("announce.announcement-intro", language, [day(meeting)]))
            if let stream = settings.streamURL { lines.append(CLIText.table.text("announce.stream", language, [stream])) }
            lines += topics
            lines.append(CLIText.table.text("announce.live", language, [base + "/live?lang=\(language.rawValue)"]))
        }
        return lines.joined(separator: "\n")
    }

    /// `10.12.2026 15:00 (Asia/Almaty)`.
    private func day(_ meeting: Meeting) -> String {
        "\(LocalTime(meeting.startsAt, in: TimeZone(identifier: meeting.timeZone) ?? .almaty).dotted) (\(meeting.timeZone))"
    }
}
