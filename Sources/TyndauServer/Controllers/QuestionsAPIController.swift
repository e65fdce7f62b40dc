import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// `/api/v1/questions`: submit a question as JSON (or a form) and follow it with its token.
struct QuestionsAPIController: Sendable {
    let endpoint: IntakeEndpoint
    let series: SeriesInEffect
    let now: @Sendable () -> Date

    static let textFields = ["text", "category", "street", "house", "name", "phone", "email", "telegram", "website", "language"]

    var endpoints: RouteCollection<TyndauRequestContext> {
        let routes = RouteCollection(context: TyndauRequestContext.self)
        routes.post(use: create)
        routes.get("{ticket}", use: show)
        return routes
    }

    /// The answer to a successful POST.
    struct Created: Encodable {
        var ticket: String
        var status: String
        var statusLabel: String
        var token: String
        var statusURL: String
        var apiURL: String
        var language: String
        var duplicate: Bool
        var submittedAt: Date
        /// The meeting the question is a candidate for, given the cut-off.
        var meeting: Meeting
        /// The latest day of a written answer (`yyyy-MM-dd`, local), when the working calendar covers it.
        var writtenAnswerDue: String?

        struct Meeting: Encodable {
            var week: String
            var startsAt: Date
            var cutoff: Date
            var timeZone: String

            enum CodingKeys: String, CodingKey {
                case week, startsAt = "starts_at", cutoff, timeZone = "time_zone"
            }
        }

        enum CodingKeys: String, CodingKey {
            case ticket, status, statusLabel = "status_label", token, statusURL = "status_url", apiURL = "api_url"
            case language, duplicate, submittedAt = "submitted_at", meeting, writtenAnswerDue = "written_answer_due"
        }

        /// The bytes ``JSONBody/encode(_:)`` gives for this value (tested against it), written directly:
        /// every accepted question is answered with one.
        var json: ByteBuffer {
            var writer = JSONBody.Writer()
            writer.beginObject()
            writer.key("api_url"); writer.string(apiURL)
            writer.key("duplicate"); writer.bool(duplicate)
            writer.key("language"); writer.string(language)
            writer.key("meeting")
            writer.beginObject()
            writer.key("cutoff"); writer.date(meeting.cutoff)
            writer.key("starts_at"); writer.date(meeting.startsAt)
            writer.key("time_zone"); writer.string(meeting.timeZone)
            writer.key("week"); writer.string(meeting.week)
            writer.endObject()
            writer.key("status"); writer.string(status)
            writer.key("status_label"); writer.string(statusLabel)
            writer.key("status_url"); writer.string(statusURL)
            writer.key("submitted_at"); writer.date(submittedAt)
            writer.key("ticket"); writer.string(ticket)
            writer.key("token"); writer.string(token)
            if let writtenAnswerDue { writer.key("written_answer_due"); writer.string(writtenAnswerDue) }
            writer.endObject()
            return writer.buffer
        }
    }

    /// `POST /api/v1/questions` → 201 with ticket, token and status URL; 200 with the first ticket for
    /// a duplicate; 400/413/415/422/429 as our error shape.
    @Sendable func create(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let fields = try await RequestFields.read(
            request, limit: endpoint.intake.settings.maxBodyBytes, known: Set(Self.textFields), booleanFields: ["consent"]
        )
        try fields.checkTypes()
        var uiLanguage: UILanguage?
        if let raw = fields["language"], !raw.isEmpty {
            guard let language = UILanguage(rawValue: raw.lowercased()) else {
                throw TyndauError.validation(["language": "field.unknown-language"])
            }
            uiLanguage = language
        }
        let submission = Submission(
            text: fields["text"], category: fields["category"], street: fields["street"], house: fields["house"],
            name: fields["name"], phone: fields["phone"], email: fields["email"], telegram: fields["telegram"],
            consent: fields.flags["consent"] ?? false, channel: .api, language: uiLanguage ?? choice.language
        )
        let receipt = try await endpoint.intake.submit(
            submission, honeypot: fields["website"], client: endpoint.client(request, context), logger: context.logger
        )
        let question = receipt.question
        let ticket = question.ticket ?? ""
        let timeframe = await series.timeframe(submittedAt: question.submittedAt, now: now())
        let body = Created(
            ticket: ticket,
            status: question.status.rawValue,
            statusLabel: CoreText.status(question.status, choice.language),
            token: question.accessToken,
            statusURL: endpoint.statusURL(ticket: ticket, token: question.accessToken),
            apiURL: endpoint.apiURL(ticket: ticket, token: question.accessToken),
            language: question.language.rawValue,
            duplicate: receipt.isDuplicate,
            submittedAt: question.submittedAt,
            meeting: .init(
                week: timeframe.meetingWeek.description, startsAt: timeframe.meetingStart, cutoff: timeframe.cutoff,
                timeZone: timeframe.timeZone.identifier),
            writtenAnswerDue: timeframe.writtenAnswerDue?.description
        )
        var response = JSONBody.response(bytes: body.json, status: receipt.isDuplicate ? .ok : .created, language: choice.language)
        response.headers[.location] = "/api/v1/questions/\(ticket)"
        return response
    }

    /// `GET /api/v1/questions/{ticket}?token=…` → where the question stands; 404 for an unknown
    /// ticket and for a wrong token alike.
    @Sendable func show(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let ticket = context.parameters.get("ticket") ?? ""
        let progress = try await endpoint.progress(ticket: ticket, token: request.uri.queryParameters["token"].map(String.init))
        return JSONBody.response(QuestionStatusBody(progress, language: choice.language), language: choice.language)
    }
}
