import AgendaScheduler
import Foundation
import Publisher
import TyndauCore
import TyndauServer

/// The golden hour's second half: a resident who left an e-mail address (or whose Telegram chat the
/// bot knows) gets "we received your question, ticket …" with the status link, through the outbox
/// and the endpoints tagged for residents (`summaries.notice_tags`, e-mail and Telegram kinds) — the
/// same routing as the personal notices after a meeting.
///
/// With the series in effect it also says when the answer comes: the meeting the question is a
/// candidate for and the written-answer deadline (``ReceiptTimeframe/lines(_:)``, the receipt's wording).
///
/// The message key `ack:q<id>` makes it one message per question. The storage engine queues it in the
/// transaction that stores the question: a stored question always has its acknowledgement row.
struct OutboxAcknowledgements: AcknowledgementOutbox {
    let endpoints: [EndpointDefinition]
    let noticeTags: Set<String>
    /// Base of the status link; without it the message carries the ticket only.
    let publicURL: String?
    /// The series in effect for the dates; `nil` leaves them out.
    var series: SeriesInEffect? = nil
    var now: @Sendable () -> Date = WallClock.now

    func acknowledgement(for newQuestion: NewQuestion, language: UILanguage) async -> IntakeAcknowledgement? {
        guard let contact = newQuestion.contact, !contact.isEmpty else { return nil }
        let names = endpoints.filter { definition in
            guard !Set(definition.tags).isDisjoint(with: noticeTags) else { return false }
            switch definition.kind {
            case .email: return contact.email != nil
            case .telegram: return contact.telegramChatID != nil
            default: return false
            }
        }.map(\.name).sorted()
        guard !names.isEmpty else { return nil }
        var base = publicURL
        while base?.hasSuffix("/") == true { base?.removeLast() }
        let timeframe = await series?.timeframe(submittedAt: newQuestion.question.submittedAt, now: now()).lines(language) ?? []
        return IntakeAcknowledgement(endpointNames: names) { [base] question in
            guard let id = question.id, let ticket = question.ticket else { return nil }
            var body = CLIText.table.text("intake.ack-body", language, [ticket])
            if !timeframe.isEmpty { body += "\n" + timeframe.joined(separator: "\n") }
            if let base {
                body += "\n" + CLIText.table.text("intake.ack-link", language, ["\(base)/questions/\(ticket)?token=\(question.accessToken)"])
            }
            return OutgoingMessage(
                messageKey: "ack:q\(id)",
                subject: CLIText.table.text("intake.ack-subject", language, [ticket]),
                body: body, language: language, recipientQuestionID: id
            )
        }
    }
}
