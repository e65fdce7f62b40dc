import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// `/api/v1/meetings`: what the office console uses during and after the meeting — the agenda with
/// its answers, recording an answer per item, closing the meeting. Every call carries
/// `Authorization: Bearer <server.office_token>`; without a configured token the API is off (404).
struct MeetingsAPIController: Sendable {
    let store: any AnswerStore
    let gate: OfficeTokenGate
    let now: @Sendable () -> Date

    static let answerFields: Set<String> = [
        "text", "text_kk", "text_ru", "language", "status", "due", "responsible", "responsible_kk", "responsible_ru",
        "redirect_to",
    ]
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
            /// The Kazakh text, else the Russian one (the one-text field kept from before both were stored).
            var text: String
            var textKk: String?
            var textRu: String?
            /// Of `kk` and `ru`, the languages the answer has no text in.
            var missingLanguages: [String]
            var status: String
            var due: String?
            var responsible: String?
            var responsibleKk: String?
            var responsibleRu: String?
            var redirectTo: String?
            var recordedBy: String
            var recordedAt: Date
            var final: Bool

            enum CodingKeys: String, CodingKey {
                case text, textKk = "text_kk", textRu = "text_ru", missingLanguages = "missing_languages", status, due
                case responsible, responsibleKk = "responsible_kk", responsibleRu = "responsible_ru"
                case redirectTo = "redirect_to", recordedBy = "recorded_by", recordedAt = "recorded_at", final
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(text, forKey: .text)
                try container.encode(textKk, forKey: .textKk)
                try container.encode(textRu, forKey: .textRu)
                try container.encode(missingLanguages, forKey: .missingLanguages)
                try container.encode(status, forKey: .status)
                try container.encodeIfPresent(due, forKey: .due)
                try container.encodeIfPresent(responsible, forKey: .responsible)
                try container.encodeIfPresent(responsibleKk, forKey: .responsibleKk)
                try container.encodeIfPresent(responsibleRu, forKey: .responsibleRu)
                try container.encodeIfPresent(redirectTo, forKey: .redirectTo)
                try container.encode(recordedBy, forKey: .recordedBy)
                try container.encode(recordedAt, forKey: .recordedAt)
                try container.encode(final, forKey: .final)
            }
        }

        var week: String
        var item: Int
        var topicID: Int64
        var question: String
        /// The topic's title in Kazakh and Russian as each language's readers see it (marked when in the other).
        var titleKk: String
        var titleRu: String
        var askers: Int
        var minutes: Int
        var answer: AnswerBody?

        enum CodingKeys: String, CodingKey {
            case week, item, topicID = "topic_id", question, titleKk = "title_kk", titleRu = "title_ru", askers, minutes, answer
        }

        init(_ entry: AnsweredItem, week: ISOWeek) {
            self.week = week.description
            item = entry.item.position
            topicID = entry.item.topicID
            question = entry.question
            titleKk = entry.titles.text(for: .kk, as: .name)
            titleRu = entry.titles.text(for: .ru, as: .name)
            askers = entry.askers
            minutes = entry.item.minutes
            answer = entry.answer.map { answer in
                let responsible = entry.commitment?.responsibleTexts
                return AnswerBody(
                    text: answer.text, textKk: answer.texts.kk, textRu: answer.texts.ru,
                    missingLanguages: answer.texts.missingLanguages.map(\.rawValue), status: answer.kind.rawValue,
                    due: entry.commitment?.dueDate, responsible: entry.commitment?.responsible,
                    responsibleKk: responsible?.kk, responsibleRu: responsible?.ru, redirectTo: answer.redirectedTo,
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

    /// `PUT /api/v1/meetings/{week}/items/{item}/answer` with `text_kk` and/or `text_ru` (or one `text`,
    /// in `language` or detected), `status` (`answered|commitment|redirected|written`), `due`,
    /// `responsible_kk`/`responsible_ru` (or `responsible`), `redirect_to`.
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
        var said: UILanguage?
        if let language = fields["language"] {
            guard ["kk", "ru"].contains(language) else { throw TyndauError.validation(["language": "field.unknown-value"]) }
            said = UILanguage(rawValue: language)
        }
        let input = AnswerInput(
            texts: try BilingualText.fromOffice(
                kk: fields["text_kk"], ru: fields["text_ru"], single: fields["text"], language: said, field: "text"),
            kind: kind,
            responsible: try BilingualText.fromOffice(
                kk: fields["responsible_kk"], ru: fields["responsible_ru"], single: fields["responsible"], language: said,
                field: "responsible"),
            dueDate: fields["due"], redirectedTo: fields["redirect_to"]
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
