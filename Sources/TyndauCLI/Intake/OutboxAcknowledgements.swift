import Foundation
import Publisher
import TyndauCore
import TyndauStorage

/// The golden hour's second half: a resident who left an e-mail address (or whose Telegram chat the
/// bot knows) gets "we received your question, ticket …" with the status link, through the outbox
/// and the endpoints tagged for residents (`summaries.notice_tags`, e-mail and Telegram kinds) — the
/// same routing as the personal notices after a meeting.
///
/// The message key `ack:q<id>` makes it one message per question however often it is enqueued. It is
/// enqueued right after the question's own commit, not inside it: a crash between the two loses the
/// message, never the question.
struct OutboxAcknowledgements: AcknowledgementOutbox {
    let database: any TyndauStore
    let endpoints: [EndpointDefinition]
    let noticeTags: Set<String>
    /// Base of the status link; without it the message carries the ticket only.
    let publicURL: String?
    let now: @Sendable () -> Date

    func enqueueAcknowledgement(for question: Question, language: UILanguage) async throws {
        guard let id = question.id, let ticket = question.ticket,
            let contact = try await database.contact(questionID: id)
        else { return }
        let names = endpoints.filter { definition in
            guard !Set(definition.tags).isDisjoint(with: noticeTags) else { return false }
            switch definition.kind {
            case .email: return contact.email != nil
            case .telegram: return contact.telegramChatID != nil
            default: return false
            }
        }.map(\.name).sorted()
        guard !names.isEmpty else { return }
        var body = CLIText.table.text("intake.ack-body", language, [ticket])
        if var base = publicURL {
            while base.hasSuffix("/") { base.removeLast() }
            body += "\n" + CLIText.table.text("intake.ack-link", language, ["\(base)/questions/\(ticket)?token=\(question.accessToken)"])
        }
        let message = OutgoingMessage(
            messageKey: "ack:q\(id)",
            subject: CLIText.table.text("intake.ack-subject", language, [ticket]),
            body: body, language: language, recipientQuestionID: id
        )
        _ = try await database.enqueue(message, endpointNames: names, now: now())
    }
}
