import Foundation
import TyndauCore

/// The query of `GET requests.{xml,json}` checked and turned into a ``PublicRequestQuery``: comma
/// lists for `service_request_id`, `service_code` and `status` (`open`, `closed`), the `start_date` /
/// `end_date` range (W3C date-times, at most 90 days, the last 90 days by default), `page_size`
/// (1–200, default 50) and `page`. Every bad parameter is named with its reason, all at once.
///
/// As the specification says, `service_request_id` overrides every other filter.
struct Open311RequestFilter: Sendable, Hashable {
    var query: PublicRequestQuery
    /// The tickets asked for by `service_request_id`, upper-cased: a ticket whose year does not match
    /// the stored one is not the same request.
    var tickets: Set<String>?

    static let maximumValues = 200

    static func parse(_ parameters: [String: String], now: Date) throws -> Open311RequestFilter {
        var problems: [String: String] = [:]
        func list(_ name: String) -> [String]? {
            guard let raw = parameters[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            let values = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if values.count > maximumValues { problems[name] = "field.too-many-values" }
            return values
        }

        // Page size and page apply to every form of the query.
        var pageSize = PublicRequests.defaultPageSize
        if let raw = parameters["page_size"] {
            if let value = Int(raw.trimmingCharacters(in: .whitespaces)), (1...PublicRequests.maximumPageSize).contains(value) {
                pageSize = value
            } else {
                problems["page_size"] = "field.invalid-page-size"
            }
        }
        var page = 1
        if let raw = parameters["page"] {
            if let value = Int(raw.trimmingCharacters(in: .whitespaces)), (1...1_000_000).contains(value) {
                page = value
            } else {
                problems["page"] = "field.invalid-page"
            }
        }

        if let ids = list("service_request_id") {
            var tickets: Set<String> = []
            var questionIDs: [Question.ID] = []
            for id in ids {
                guard let questionID = Ticket.id(from: id), id.range(of: #"^[A-Za-z]{3}-\d{4}-\d{1,12}$"#, options: .regularExpression) != nil else {
                    problems["service_request_id"] = "field.invalid-request-id"
                    continue
                }
                tickets.insert(id.uppercased())
                questionIDs.append(questionID)
            }
            guard problems.isEmpty else { throw TyndauError.validation(problems) }
            return Open311RequestFilter(
                query: PublicRequestQuery(questionIDs: questionIDs, statuses: PublicRequests.listedStatuses, limit: maximumValues),
                tickets: tickets)
        }

        var categories: Set<QuestionCategory>?
        if let codes = list("service_code") {
            var found: Set<QuestionCategory> = []
            for code in codes {
                if let category = Open311Catalog.category(for: code) { found.insert(category) } else { problems["service_code"] = "field.invalid-service-code" }
            }
            categories = found
        }

        var statuses = PublicRequests.listedStatuses
        if let values = list("status") {
            var chosen: Set<QuestionStatus> = []
            for value in values {
                switch value.lowercased() {
                case "open": chosen.formUnion(PublicRequests.openStatuses)
                case "closed": chosen.formUnion(PublicRequests.closedStatuses)
                default: problems["status"] = "field.invalid-request-status"
                }
            }
            statuses = chosen
        }

        let start = parameters["start_date"].flatMap { $0.isEmpty ? nil : $0 }
        let end = parameters["end_date"].flatMap { $0.isEmpty ? nil : $0 }
        let startDate = start.flatMap(W3CDateTime.parse)
        let endDate = end.flatMap(W3CDateTime.parse)
        if start != nil, startDate == nil { problems["start_date"] = "field.invalid-datetime" }
        if end != nil, endDate == nil { problems["end_date"] = "field.invalid-datetime" }
        var from = now.addingTimeInterval(-PublicRequests.maximumRange)
        var to = now
        switch (startDate, endDate) {
        case (let startDate?, let endDate?):
            if endDate < startDate {
                problems["end_date"] = "field.range-reversed"
            } else if endDate.timeIntervalSince(startDate) > PublicRequests.maximumRange {
                problems["end_date"] = "field.range-too-long"
            }
            (from, to) = (startDate, endDate)
        case (let startDate?, nil):
            (from, to) = (startDate, startDate.addingTimeInterval(PublicRequests.maximumRange))
        case (nil, let endDate?):
            (from, to) = (endDate.addingTimeInterval(-PublicRequests.maximumRange), endDate)
        case (nil, nil):
            break
        }

        guard problems.isEmpty else { throw TyndauError.validation(problems) }
        return Open311RequestFilter(
            query: PublicRequestQuery(
                categories: categories, includeUncategorised: categories?.contains(.other) ?? false, statuses: statuses,
                submittedFrom: from, submittedTo: to, limit: pageSize, offset: (page - 1) * pageSize),
            tickets: nil)
    }
}

/// W3C date-times as GeoReport writes them: `2026-12-01T00:00:00Z`, `2026-12-01T05:00:00+05:00`,
/// with optional fractional seconds; a bare date (`2026-12-01`) means midnight in Almaty.
enum W3CDateTime {
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // A `+` in a query string arrives as a space when the client did not encode it.
        let repaired = trimmed.count > 19 ? trimmed.prefix(19) + trimmed.dropFirst(19).replacingOccurrences(of: " ", with: "+") : Substring(trimmed)
        let value = String(repaired)
        if value.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = value.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
            return formatter.date(from: value)
        }
        if value.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            formatter.timeZone = .almaty
            return formatter.date(from: value)
        }
        return nil
    }
}
