import Foundation
import Hummingbird
import TyndauCore

/// `/api/v1/meetings`: what the office console uses during and after the meeting — the agenda with
/// its answers, recording an answer per item, closing the meeting. Every call carries
/// `Authorization: Bearer <server.office_token>`; without a configured token the API is off (404).
struct MeetingsAPIController: Sendable {
    let store: any AnswerStore
    let gate: OfficeTokenGate
    let now: @Sendable () -> Date

    static let answerFields: Set<String> = ["text", "status", "due", "responsible", "redirect_to"]
    static let maxBodyBytes = 64 * 1024

    var endpoints: RouteCollection<TyndauRequestContext> {
        let routes = RouteCollection(context: TyndauRequestContext.self)
        routes.get("{week}", use: show)
        routes.put("{week}/items/{item}/answer", use: answer)
        routes.post("{week}/close", use: close)
        return routes
    }

    /// One agenda item as the API shows it.
    struct Item: Encodable {
        struct AnswerBody: Encodable {
            var text: String
            var status: String
            var due: String?
            var responsible: String?
            var redirectTo: String?
            var recordedBy: String
            var recordedAt: Date
            var final: Bool

            enum CodingKeys: String, CodingKey {
                case text, status, due, responsible, redirectTo = "redirect_to", recordedBy = "recorded_by"
                case recordedAt = "recorded_at", final
            }
        }

        var week: String
        var item: Int
        var topicID: Int64
        var question: String
        var askers: Int
        var minutes: Int
        var answer: AnswerBody?

        enum CodingKeys: String, CodingKey {
            case week, item, topicID = "topic_id", question, askers, minutes, answer
        }

        init(_ entry: AnsweredItem, week: ISOWeek) {
            self.week = week.description
            item = entry.item.position
            topicID = entry.item.topicID
            question = entry.question
            askers = entry.askers
            minutes = entry.item.minutes
            answer = entry.answer.map { answer in
                AnswerBody(
                    text: answer.text, status: answer.kind.rawValue, due: entry.commitment?.dueDate,
                    responsible: entry.commitment?.responsible, redirectTo: answer.redirectedTo,
                    recordedBy: answer.recordedBy, recordedAt: answer.recordedAt, final: answer.isFinal
                )
            }
        }
    }

    /// `GET /api/v1/meetings/{week}`: the agenda in speaking order with the answers so far.
    @Sendable func show(request: Request, context: TyndauRequestContext) async throws -> Response {
        try await gate.authorize(request, context)
        let week = try Self.week(context)
        let items = try await store.answeredItems(week: week)
        guard !items.isEmpty else { throw TyndauError.notFound("meeting \(week)") }
        return JSONBody.response(items.map { Item($0, week: week) }, language: LanguageChoice(request).language)
    }

    /// `PUT /api/v1/meetings/{week}/items/{item}/answer` with `text`, `status`
    /// (`answered|commitment|redirected|written`), `due`, `responsible`, `redirect_to`.
    @Sendable func answer(request: Request, context: TyndauRequestContext) async throws -> Response {
        try await gate.authorize(request, context)
        let week = try Self.week(context)
        guard let position = context.parameters.get("item").flatMap(Int.init) else {
            throw TyndauError.validation(["item": "field.required"])
        }
        let fields = try await RequestFields.read(request, limit: Self.maxBodyBytes, known: Self.answerFields, booleanFields: [])
        try fields.checkTypes()
        guard let kind = AnswerKind(rawValue: fields["status"] ?? "answered") else {
            throw TyndauError.validation(["status": "field.unknown-answer-status"])
        }
        guard let entry = try await store.answeredItems(week: week).first(where: { $0.item.position == position }),
            let itemID = entry.item.id
        else { throw TyndauError.notFound("item \(position) of \(week)") }
        let input = AnswerInput(
            text: fields["text"] ?? "", kind: kind, responsible: fields["responsible"], dueDate: fields["due"],
            redirectedTo: fields["redirect_to"]
        )
        let stored = try await store.recordAnswer(input, week: week, itemID: itemID, actor: "api:office", now: now())
        return JSONBody.response(Item(stored, week: week), language: LanguageChoice(request).language)
    }

    struct Closed: Encodable {
        var week: String
        var answered: Int
        var returnedToQueue: Int

        enum CodingKeys: String, CodingKey {
            case week, answered, returnedToQueue = "returned_to_queue"
        }
    }

    /// `POST /api/v1/meetings/{week}/close`: answers become final; the digest follows.
    @Sendable func close(request: Request, context: TyndauRequestContext) async throws -> Response {
        try await gate.authorize(request, context)
        let week = try Self.week(context)
        let closure = try await store.closeMeeting(week: week, actor: "api:office", now: now())
        return JSONBody.response(
            Closed(week: week.description, answered: closure.answered, returnedToQueue: closure.returnedToQueue),
            language: LanguageChoice(request).language
        )
    }

    private static func week(_ context: TyndauRequestContext) throws -> ISOWeek {
        guard let week = context.parameters.get("week").flatMap(ISOWeek.init) else {
            throw TyndauError.validation(["week": "field.invalid-week"])
        }
        return week
    }
}

extension TyndauError {
    /// The office API needs `server.office_token`; without it the routes answer as if absent.
    static let officeAPIOff = TyndauError(code: .notFound, messageKey: "error.office-api-off")
    static let unauthorized = TyndauError(code: .unauthorized, messageKey: "error.unauthorized")
}
