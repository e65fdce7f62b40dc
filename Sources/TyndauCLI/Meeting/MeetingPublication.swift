import Foundation
import MeetingSummaries
import Publisher
import TyndauCore

/// Turns a closed meeting into outbox messages: the digest for endpoints tagged for the public and
/// the office, and a personal notice for each asker who left a contact, in the language they wrote in.
///
/// Message keys make every message unique per endpoint (`digest:2026-W49`, `notice:2026-W49:q42`,
/// `commitment-done:7:q42`), so enqueuing twice — two processes racing, a restart — sends once.
struct MeetingPublication: CommitmentNotices {
    var renderer: SummaryRenderer
    var endpoints: [EndpointDefinition]
    var settings: SummariesSettings
    /// `server.public_url`: the base of the status links in notices (none when unset).
    var publicURL: String?

    /// The batches for `week`: the digest per endpoint language, one notice per reachable asker.
    func batches(meeting: Meeting, items: [AnsweredItem], recipients: [NoticeRecipient]) -> [OutboxBatch] {
        let answered = items.filter { $0.answer != nil }
        let zone = TimeZone(identifier: meeting.timeZone) ?? .almaty
        let names = Dictionary(grouping: recipients, by: \.topicID).mapValues { $0.compactMap(\.name) }
        let digest = MeetingDigest(
            week: meeting.week, startsAt: meeting.startsAt, timeZone: zone,
            topics: answered.map { entry in
                let answer = entry.answer!
                return MeetingDigest.Entry(
                    question: entry.question, askers: entry.askers, answer: answer.text, kind: answer.kind,
                    responsible: entry.commitment?.responsible, dueDate: entry.commitment?.dueDate,
                    redirectedTo: answer.redirectedTo, askerNames: names[entry.item.topicID] ?? []
                )
            }
        )
        var batches: [OutboxBatch] = []
        let digestEndpoints = endpoints.filter { $0.acceptsBroadcasts && !Set($0.tags).isDisjoint(with: settings.digestTags) }
        for (language, group) in Dictionary(grouping: digestEndpoints, by: \.language) {
            let body: String
            if let language {
                body = renderer.digest(digest, language: language)
            } else {
                // An endpoint of no particular language gets both, Kazakh first as the state language.
                body = settings.digestLanguages.map { renderer.digest(digest, language: $0) }.joined(separator: "\n\n———\n\n")
            }
            let subjectLanguage = language ?? settings.digestLanguages.first ?? .ru
            let message = OutgoingMessage(
                messageKey: "digest:\(meeting.week)",
                subject: CLIText.table.text("summaries.digest-subject", subjectLanguage, [meeting.week.description]),
                body: body, language: language
            )
            batches.append(OutboxBatch(message: message, endpointNames: group.map(\.name).sorted()))
        }
        let answers = Dictionary(uniqueKeysWithValues: answered.map { ($0.item.topicID, $0) })
        for recipient in recipients {
            guard let entry = answers[recipient.topicID], let answer = entry.answer else { continue }
            let notice = PersonalNotice(
                ticket: recipient.ticket, question: recipient.question, meetingStartsAt: meeting.startsAt, timeZone: zone,
                answer: answer.text, kind: answer.kind, responsible: entry.commitment?.responsible,
                dueDate: entry.commitment?.dueDate, redirectedTo: answer.redirectedTo,
                statusURL: statusURL(recipient)
            )
            let message = OutgoingMessage(
                messageKey: "notice:\(meeting.week):q\(recipient.questionID)",
                subject: CLIText.table.text("summaries.notice-subject", recipient.language, [recipient.ticket]),
                body: renderer.notice(notice, language: recipient.language), language: recipient.language,
                recipientQuestionID: recipient.questionID
            )
            let names = noticeEndpoints(for: recipient)
            if !names.isEmpty { batches.append(OutboxBatch(message: message, endpointNames: names)) }
        }
        return batches
    }

    /// Messages telling each asker of the topic that a promise made to them was kept.
    func commitmentDoneBatches(_ view: CommitmentView, recipients: [NoticeRecipient]) -> [OutboxBatch] {
        recipients.compactMap { recipient in
            let text = CLIText.table.text(
                "summaries.commitment-done", recipient.language,
                [recipient.ticket, view.commitment.responsible, view.commitment.text]
            ) + (statusURL(recipient).map { "\n" + $0 } ?? "")
            let message = OutgoingMessage(
                messageKey: "commitment-done:\(view.commitment.id ?? 0):q\(recipient.questionID)",
                subject: CLIText.table.text("summaries.commitment-done-subject", recipient.language, [recipient.ticket]),
                body: text, language: recipient.language, recipientQuestionID: recipient.questionID
            )
            let names = noticeEndpoints(for: recipient)
            return names.isEmpty ? nil : OutboxBatch(message: message, endpointNames: names)
        }
    }

    /// Personal notices go through endpoints tagged for residents that can reach this asker:
    /// e-mail endpoints when they left an address, Telegram endpoints when they wrote to the bot.
    private func noticeEndpoints(for recipient: NoticeRecipient) -> [String] {
        endpoints.filter { definition in
            guard !Set(definition.tags).isDisjoint(with: settings.noticeTags) else { return false }
            switch definition.kind {
            case .email: return recipient.hasEmail
            case .telegram: return recipient.hasTelegram
            default: return false
            }
        }.map(\.name).sorted()
    }

    private func statusURL(_ recipient: NoticeRecipient) -> String? {
        guard var base = publicURL else { return nil }
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/questions/\(recipient.ticket)?token=\(recipient.accessToken)"
    }
}
