import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// What the three intake channels share at the HTTP edge: who the client is, the status links, and
/// the resident's view of a ticket after checking its token.
struct IntakeEndpoint: Sendable {
    let intake: QuestionIntake
    let store: any IntakeStore
    /// `server.public_url` without a trailing slash, or `nil` for relative links.
    let publicURL: String?

    func client(_ request: Request, _ context: TyndauRequestContext) -> ClientIdentity {
        if intake.settings.trustForwardedFor,
            let forwarded = ClientIdentity.forwardedAddress(
                request.headers.first { $0.name.canonicalName == "x-forwarded-for" }?.value
            )
        {
            return ClientIdentity(address: forwarded, secret: intake.settings.clientKeySecret)
        }
        return ClientIdentity(address: context.remoteAddress?.ipAddress, secret: intake.settings.clientKeySecret)
    }

    /// The resident's status page for `ticket`; carries the token, so only the asker has it. The same
    /// shape as the links in published notices (`server.public_url` + `/questions/…`).
    func statusPath(ticket: String, token: String) -> String {
        "/questions/\(ticket)?token=\(token)"
    }

    func statusURL(ticket: String, token: String) -> String {
        (publicURL ?? "") + statusPath(ticket: ticket, token: token)
    }

    func apiURL(ticket: String, token: String) -> String {
        (publicURL ?? "") + "/api/v1/questions/\(ticket)?token=\(token)"
    }

    /// The question behind `ticket` when `token` is its access token (compared in constant time);
    /// a wrong token and an unknown ticket give the same `not-found`.
    func progress(ticket: String, token: String?) async throws -> QuestionProgress {
        guard Ticket.id(from: ticket) != nil, let token, !token.isEmpty,
            let progress = try await store.progress(ticket: ticket),
            ConstantTime.equals(progress.question.accessToken, token)
        else { throw TyndauError.questionNotFound }
        return progress
    }
}

/// The resident's view of a question in JSON (API), without personal data.
struct QuestionStatusBody: Encodable {
    struct TopicBody: Encodable { var title: String }
    struct AgendaBody: Encodable {
        var week: String
        var startsAt: Date
        var position: Int
        enum CodingKeys: String, CodingKey { case week, startsAt = "starts_at", position }
    }
    struct AnswerBody: Encodable {
        var text: String
        var kind: String
        var redirectedTo: String?
        var recordedAt: Date
        enum CodingKeys: String, CodingKey { case text, kind, redirectedTo = "redirected_to", recordedAt = "recorded_at" }
    }

    var ticket: String
    var status: String
    var statusLabel: String
    var statusReason: String?
    var submittedAt: Date
    var text: String
    var language: String
    var category: String?
    var street: String?
    var house: String?
    var topic: TopicBody?
    var agenda: AgendaBody?
    var answer: AnswerBody?

    enum CodingKeys: String, CodingKey {
        case ticket, status, statusLabel = "status_label", statusReason = "status_reason", submittedAt = "submitted_at"
        case text, language, category, street, house, topic, agenda, answer
    }

    init(_ progress: QuestionProgress, language: UILanguage) {
        let question = progress.question
        ticket = question.ticket ?? ""
        status = question.status.rawValue
        statusLabel = CoreText.status(question.status, language)
        statusReason = question.statusReason
        submittedAt = question.submittedAt
        text = question.text
        self.language = question.language.rawValue
        category = question.category?.rawValue
        street = question.street
        house = question.house
        topic = progress.topicTitle.map { TopicBody(title: $0) }
        if let meeting = progress.meeting, let item = progress.agendaItem {
            agenda = AgendaBody(week: meeting.week.description, startsAt: meeting.startsAt.addingTimeInterval(Double(item.startOffsetMinutes) * 60), position: item.position)
        }
        answer = progress.publishedAnswer.map {
            AnswerBody(text: $0.text, kind: $0.kind.rawValue, redirectedTo: $0.redirectedTo, recordedAt: $0.recordedAt)
        }
    }
}
