import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// An Open311 GeoReport v2 adapter, in XML (the specification's required format) and JSON, under
/// `/open311/v2`: `GET services.{xml,json}`, `GET services/{code}.{xml,json}` (a definition without
/// attributes: every service has `metadata: false`), `POST requests.{xml,json}` (form or JSON body),
/// `GET requests.{xml,json}` (the public list, see ``Open311RequestFilter`` and ``PublicRequests``) and
/// `GET requests/{id}.{xml,json}`; plus `GET /open311/discovery.{xml,json}`.
///
/// Service codes are our categories (``Open311Catalog``). Extensions: `consent=true` is required
/// when `email`, `phone` or a name is given (personal data needs consent on every channel), and
/// the answer to a POST carries `status_url`, the resident's private status link. Without `token=` a
/// request shows only what ``PublicRequests`` allows; with the asker's token, everything. A
/// `jurisdiction_id` other than `open311.jurisdiction_id` (when configured) is refused.
struct Open311Controller: Sendable {
    let endpoint: IntakeEndpoint
    let store: any PublicRequestStore
    let settings: Open311Settings
    /// The series in effect, for the receipt's candidate meeting and written-answer deadline.
    let series: SeriesInEffect
    let now: @Sendable () -> Date

    /// The date the service list last changed: discovery's `changeset`, for clients that cache it.
    static let changeset = "2026-12-01T00:00:00Z"
    static let specification = "http://wiki.open311.org/GeoReport_v2"

    /// The GeoReport fields we read as strings; `lat`, `long`, `media_url` and the rest are ignored.
    static let requestFields: Set<String> = [
        "service_code", "description", "address_string", "email", "phone", "first_name", "last_name", "jurisdiction_id",
    ]

    var endpoints: RouteCollection<TyndauRequestContext> {
        let routes = RouteCollection(context: TyndauRequestContext.self)
        for format in GeoReportFormat.allCases {
            let suffix = "." + format.rawValue
            routes.get(RouterPath("services" + suffix)) { request, context in try await services(request: request, context: context, format: format) }
            routes.get(RouterPath("services/{code}" + suffix)) { request, context in try await definition(request: request, context: context, format: format) }
            routes.post(RouterPath("requests" + suffix)) { request, context in try await create(request: request, context: context, format: format) }
            routes.get(RouterPath("requests" + suffix)) { request, context in try await list(request: request, context: context, format: format) }
            routes.get(RouterPath("requests/{id}" + suffix)) { request, context in try await show(request: request, context: context, format: format) }
        }
        return routes
    }

    /// `GET /open311/discovery.{xml,json}`, added at `/open311`.
    var discoveryEndpoints: RouteCollection<TyndauRequestContext> {
        let routes = RouteCollection(context: TyndauRequestContext.self)
        for format in GeoReportFormat.allCases {
            routes.get(RouterPath("discovery." + format.rawValue)) { request, context in try await discovery(request: request, context: context, format: format) }
        }
        return routes
    }

    /// Refuses a `jurisdiction_id` (query or body) that is not the configured one.
    func checkJurisdiction(_ request: Request, body: String? = nil) throws {
        guard let configured = settings.jurisdictionID else { return }
        let given = body ?? request.uri.queryParameters["jurisdiction_id"].map(String.init)
        if let given, !given.isEmpty, given != configured {
            throw TyndauError.validation(["jurisdiction_id": "field.unknown-jurisdiction"])
        }
    }

    func discovery(request: Request, context: TyndauRequestContext, format: GeoReportFormat) async throws -> Response {
        let language = LanguageChoice(request).language
        var endpointRecord = GeoReportRecord()
        endpointRecord.add("specification", Self.specification)
        endpointRecord.add("url", (endpoint.publicURL ?? "") + "/open311/v2")
        endpointRecord.add("changeset", Self.changeset)
        endpointRecord.add("type", "production")
        endpointRecord.add("formats", .list(item: "format", [.text("text/xml"), .text("application/json")]))
        var record = GeoReportRecord()
        record.add("changeset", Self.changeset)
        record.add("contact", settings.contact ?? ServerText.text("open311.discovery.contact", language))
        record.add("key_service", .null)
        record.add("endpoints", .list(item: "endpoint", [.record(endpointRecord)]))
        return GeoReportXML.response(root: "discovery", record, format: format, language: language)
    }

    func services(request: Request, context: TyndauRequestContext, format: GeoReportFormat) async throws -> Response {
        try checkJurisdiction(request)
        let language = LanguageChoice(request).language
        let list = QuestionCategory.allCases.map { category in
            var record = GeoReportRecord()
            record.add("service_code", Open311Catalog.code(for: category))
            record.add("service_name", CoreText.category(category, language))
            record.add("description", ServerText.text("open311.service." + category.rawValue, language))
            record.add("metadata", .bool(false))
            record.add("type", "realtime")
            record.add("keywords", category.rawValue)
            record.add("group", CoreText.block(category.block, language))
            return record
        }
        return GeoReportXML.response(root: "services", item: "service", list, format: format, language: language)
    }

    /// A service definition: our services take no attributes beyond the standard fields, so the list
    /// is empty (and `metadata` is `false` in the service list, consistently).
    func definition(request: Request, context: TyndauRequestContext, format: GeoReportFormat) async throws -> Response {
        try checkJurisdiction(request)
        let code = context.parameters.get("code") ?? ""
        guard let category = Open311Catalog.category(for: code) else { throw TyndauError.notFound(code) }
        var record = GeoReportRecord()
        record.add("service_code", Open311Catalog.code(for: category))
        record.add("attributes", .list(item: "attribute", []))
        return GeoReportXML.response(root: "service_definition", record, format: format)
    }

    func create(request: Request, context: TyndauRequestContext, format: GeoReportFormat) async throws -> Response {
        let language = LanguageChoice(request).language
        let fields = try await RequestFields.read(
            request, limit: endpoint.intake.settings.maxBodyBytes, known: Self.requestFields, booleanFields: ["consent"]
        )
        try fields.checkTypes()
        try checkJurisdiction(request, body: fields["jurisdiction_id"])
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
        var record = GeoReportRecord()
        record.add("service_request_id", ticket)
        let timeframe = await series.timeframe(submittedAt: question.submittedAt, now: now())
        record.add("service_notice", ([ServerText.text("page.receipt.golden-hour", language)] + timeframe.lines(language)).joined(separator: " "))
        record.add("account_id", .null)
        record.add("status_url", endpoint.statusURL(ticket: ticket, token: question.accessToken))
        return GeoReportXML.response(
            root: "service_requests", item: "request", [record], format: format,
            status: receipt.isDuplicate ? .ok : .created, language: language)
    }

    /// The public list: accepted questions only, newest first, one page.
    func list(request: Request, context: TyndauRequestContext, format: GeoReportFormat) async throws -> Response {
        try checkJurisdiction(request)
        let language = LanguageChoice(request).language
        var parameters: [String: String] = [:]
        for (name, value) in request.uri.queryParameters where parameters[String(name)] == nil {
            parameters[String(name)] = String(value)
        }
        let filter = try Open311RequestFilter.parse(parameters, now: now())
        var facts = try await store.publicRequestFacts(filter.query)
        if let tickets = filter.tickets { facts = facts.filter { tickets.contains($0.question.ticket ?? "") } }
        let records = facts.map { Self.record(PublicRequests.view($0, language: language), language: language) }
        return GeoReportXML.response(root: "service_requests", item: "request", records, format: format, language: language)
    }

    func show(request: Request, context: TyndauRequestContext, format: GeoReportFormat) async throws -> Response {
        try checkJurisdiction(request)
        let language = LanguageChoice(request).language
        let ticket = context.parameters.get("id") ?? ""
        let record: GeoReportRecord
        if let token = request.uri.queryParameters["token"].map(String.init) {
            record = Self.ownerRecord(try await endpoint.progress(ticket: ticket, token: token), language: language)
        } else {
            guard let id = Ticket.id(from: ticket),
                let facts = try await store.publicRequestFacts(
                    PublicRequestQuery(questionIDs: [id], statuses: Set(QuestionStatus.allCases), limit: 1)
                ).first,
                facts.question.ticket == ticket.uppercased(),
                PublicRequests.visibility(of: facts.question.status) != .hidden
            else { throw TyndauError.questionNotFound }
            record = Self.record(PublicRequests.view(facts, language: language), language: language)
        }
        return GeoReportXML.response(root: "service_requests", item: "request", [record], format: format, language: language)
    }

    /// A public view as GeoReport's service request, in the specification's field order.
    static func record(_ view: PublicRequestView, language: UILanguage) -> GeoReportRecord {
        var record = GeoReportRecord()
        record.add("service_request_id", view.ticket)
        record.add("status", view.isOpen ? "open" : "closed")
        record.add("status_notes", view.statusNotes)
        record.add("service_name", CoreText.category(view.category, language))
        record.add("service_code", Open311Catalog.code(for: view.category))
        record.add("description", view.description)
        record.add("agency_responsible", view.agencyResponsible)
        record.add("requested_datetime", view.requestedAt)
        record.add("updated_datetime", view.updatedAt)
        record.add("expected_datetime", view.expectedAt)
        record.add("address", view.street)
        return record
    }

    /// The asker's own view (with the status link's token): the full text, the place and the answer.
    static func ownerRecord(_ progress: QuestionProgress, language: UILanguage) -> GeoReportRecord {
        let question = progress.question
        let category = question.category ?? .other
        var notes = CoreText.status(question.status, language)
        if let answer = progress.publishedAnswer { notes += ": " + answer.texts.text(for: language) }
        let place = [question.street, question.house].compactMap { $0 }.joined(separator: ", ")
        var record = GeoReportRecord()
        record.add("service_request_id", question.ticket ?? "")
        record.add("status", question.status.isFinal ? "closed" : "open")
        record.add("status_notes", notes)
        record.add("service_name", CoreText.category(category, language))
        record.add("service_code", Open311Catalog.code(for: category))
        record.add("description", question.text)
        record.add("requested_datetime", question.submittedAt)
        record.add("address", place.isEmpty ? nil : place)
        return record
    }

    /// GeoReport's error shape, one entry per bad field: `[{"code": 400, "description": "…"}]` in JSON,
    /// `<errors><error><code>400</code><description>…</description></error></errors>` in XML.
    static func errorResponse(_ error: TyndauError, language: UILanguage, format: GeoReportFormat = .json) -> Response {
        var status = APIErrorResponse.status(for: error)
        if status == .unprocessableContent { status = .badRequest }
        let reasons = ServerText.fields(error, language)
        let descriptions = reasons.isEmpty
            ? [ServerText.message(error, language)]
            : reasons.keys.sorted().map { "\(Open311Catalog.fieldName($0)): \(reasons[$0] ?? "")" }
        let entries = descriptions.map { description in
            var record = GeoReportRecord()
            record.add("code", .number(status.code))
            record.add("description", description)
            return record
        }
        var response = GeoReportXML.response(root: "errors", item: "error", entries, format: format, status: status, language: language)
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
