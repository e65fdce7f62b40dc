import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// An Open311 GeoReport v2 adapter, so existing city tools can submit questions:
/// `GET /open311/v2/services.json`, `POST /open311/v2/requests.json` (form or JSON body),
/// `GET /open311/v2/requests/{id}.json`.
///
/// Service codes are our categories (``Open311Catalog``). Extensions: `consent=true` is required
/// when `email`, `phone` or a name is given (personal data needs consent on every channel), and
/// the answer carries `status_url`, the resident's private status link. Without `token=` a request
/// lookup shows status only (no text, no address). JSON only; no XML.
struct Open311Controller: Sendable {
    let endpoint: IntakeEndpoint

    /// The GeoReport fields we read as strings; `lat`, `long`, `media_url` and the rest are ignored.
    static let requestFields: Set<String> = [
        "service_code", "description", "address_string", "email", "phone", "first_name", "last_name",
    ]

    var endpoints: RouteCollection<TyndauRequestContext> {
        let routes = RouteCollection(context: TyndauRequestContext.self)
        routes.get("services.json", use: services)
        routes.post("requests.json", use: create)
        routes.get("requests/{id}.json", use: show)
        return routes
    }

    struct Service: Encodable {
        var serviceCode: String
        var serviceName: String
        var description: String
        var metadata = false
        var type = "realtime"
        var keywords: String
        var group: String
        enum CodingKeys: String, CodingKey {
            case serviceCode = "service_code", serviceName = "service_name", description, metadata, type, keywords, group
        }
    }

    @Sendable func services(request: Request, context: TyndauRequestContext) async throws -> Response {
        let language = LanguageChoice(request).language
        let list = QuestionCategory.allCases.map { category in
            Service(
                serviceCode: Open311Catalog.code(for: category),
                serviceName: CoreText.category(category, language),
                description: ServerText.text("open311.service." + category.rawValue, language),
                keywords: category.rawValue,
                group: CoreText.block(category.block, language)
            )
        }
        return JSONBody.response(list, language: language)
    }

    struct Created: Encodable {
        var serviceRequestID: String
        var serviceNotice: String
        var accountID: String?
        var statusURL: String
        enum CodingKeys: String, CodingKey {
            case serviceRequestID = "service_request_id", serviceNotice = "service_notice", accountID = "account_id"
            case statusURL = "status_url"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(serviceRequestID, forKey: .serviceRequestID)
            try container.encode(serviceNotice, forKey: .serviceNotice)
            try container.encode(accountID, forKey: .accountID)
            try container.encode(statusURL, forKey: .statusURL)
        }
    }

    @Sendable func create(request: Request, context: TyndauRequestContext) async throws -> Response {
        let language = LanguageChoice(request).language
        let fields = try await RequestFields.read(
            request, limit: endpoint.intake.settings.maxBodyBytes, known: Self.requestFields, booleanFields: ["consent"]
        )
        try fields.checkTypes()
        guard let code = fields["service_code"], !code.isEmpty else {
            throw TyndauError.validation(["service_code": "field.required"])
        }
        guard let category = Open311Catalog.category(for: code) else {
            throw TyndauError.validation(["service_code": "field.invalid-service-code"])
        }
        let name = [fields["first_name"], fields["last_name"]].compactMap { $0 }.joined(separator: " ")
        let submission = Submission(
            text: fields["description"], category: category.rawValue, street: fields["address_string"],
            name: name.isEmpty ? nil : name, phone: fields["phone"], email: fields["email"],
            consent: fields.flags["consent"] ?? false, channel: .open311, language: language
        )
        let receipt = try await endpoint.intake.submit(
            submission, honeypot: nil, client: endpoint.client(request, context), logger: context.logger
        )
        let question = receipt.question
        let ticket = question.ticket ?? ""
        let body = [Created(
            serviceRequestID: ticket,
            serviceNotice: ServerText.text("page.receipt.golden-hour", language),
            accountID: nil,
            statusURL: endpoint.statusURL(ticket: ticket, token: question.accessToken)
        )]
        return JSONBody.response(body, status: receipt.isDuplicate ? .ok : .created, language: language)
    }

    struct ServiceRequest: Encodable {
        var serviceRequestID: String
        var status: String
        var statusNotes: String
        var serviceName: String
        var serviceCode: String
        var description: String?
        var requestedDatetime: Date
        var address: String?
        enum CodingKeys: String, CodingKey {
            case serviceRequestID = "service_request_id", status, statusNotes = "status_notes", serviceName = "service_name"
            case serviceCode = "service_code", description, requestedDatetime = "requested_datetime", address
        }
    }

    @Sendable func show(request: Request, context: TyndauRequestContext) async throws -> Response {
        let language = LanguageChoice(request).language
        let ticket = context.parameters.get("id") ?? ""
        let token = request.uri.queryParameters["token"].map(String.init)
        let progress = if token != nil {
            try await endpoint.progress(ticket: ticket, token: token)
        } else {
            try await endpoint.publicProgress(ticket: ticket)
        }
        let question = progress.question
        let category = question.category ?? .other
        var notes = CoreText.status(question.status, language)
        if token != nil, let answer = progress.answer { notes += ": " + answer.text }
        let place = [question.street, question.house].compactMap { $0 }.joined(separator: ", ")
        let body = [ServiceRequest(
            serviceRequestID: question.ticket ?? ticket,
            status: question.status.isFinal ? "closed" : "open",
            statusNotes: notes,
            serviceName: CoreText.category(category, language),
            serviceCode: Open311Catalog.code(for: category),
            description: token != nil ? question.text : nil,
            requestedDatetime: question.submittedAt,
            address: token != nil && !place.isEmpty ? place : nil
        )]
        return JSONBody.response(body, language: language)
    }

    /// GeoReport's error shape: `[{"code": 400, "description": "…"}]`, one entry per bad field.
    static func errorResponse(_ error: TyndauError, language: UILanguage) -> Response {
        struct Entry: Encodable {
            var code: Int
            var description: String
        }
        var status = APIErrorResponse.status(for: error)
        if status == .unprocessableContent { status = .badRequest }
        let reasons = ServerText.fields(error, language)
        let entries = reasons.isEmpty
            ? [Entry(code: status.code, description: ServerText.message(error, language))]
            : reasons.keys.sorted().map { Entry(code: status.code, description: "\(Open311Catalog.fieldName($0)): \(reasons[$0] ?? "")") }
        var response = JSONBody.response(entries, status: status, language: language)
        if let retryAfter = error.retryAfterSeconds { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// Open311 service codes ↔ our categories. The codes are the category names, so a city tool's
/// configuration reads the same as ours; a few common GeoReport codes are accepted as aliases.
enum Open311Catalog {
    static let aliases: [String: QuestionCategory] = [
        "pothole": .transport, "road": .transport, "traffic": .transport, "parking": .transport,
        "streetlight": .safety, "street-light": .safety, "lighting": .safety, "animals": .safety,
        "water": .utilities, "heating": .utilities, "sewer": .utilities, "gas": .utilities,
        "graffiti": .improvement, "trash": .improvement, "litter": .improvement, "playground": .improvement,
        "school": .socialInfrastructure, "kindergarten": .socialInfrastructure, "clinic": .socialInfrastructure,
        "benefits": .socialProtection,
    ]

    static func code(for category: QuestionCategory) -> String { category.rawValue }

    static func category(for code: String) -> QuestionCategory? {
        let key = code.trimmingCharacters(in: .whitespaces).lowercased()
        return QuestionCategory(rawValue: key) ?? aliases[key]
    }

    /// Our field names back in GeoReport's words, for error descriptions.
    static func fieldName(_ field: String) -> String {
        switch field {
        case "text": "description"
        case "street": "address_string"
        case "name": "first_name"
        default: field
        }
    }
}
