import Foundation
import Hummingbird
import TyndauCore

/// `GET /api/v1/sla?since=…` (the golden-hour report); `/health` and `/ready` are ``ProbeController``'s.
///
/// Anyone sees the counts; the oldest untriaged tickets with their times only with the office token.
struct OperationsController: Sendable {
    let store: any IntakeStore
    let goldenHourMinutes: Int
    let gate: OfficeTokenGate
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/api/v1/sla", use: sla)
    }

    @Sendable func sla(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        var since: Date?
        if let raw = request.uri.queryParameters["since"], !raw.isEmpty {
            guard let date = SinceParser.parse(String(raw), now: now()) else { throw TyndauError.badParameter("since") }
            since = date
        }
        // Without the office token (none configured, or none given) only the counts; a wrong one is 401.
        let authorized: Bool
        if request.headers[.authorization] == nil || gate.token == nil {
            authorized = false
        } else if try await gate.check(request, context) {
            authorized = true
        } else {
            throw TyndauError.unauthorized
        }
        let report = try await store.goldenHour(
            since: since, now: now(), window: TimeInterval(goldenHourMinutes * 60), oldestLimit: authorized ? 10 : 0
        )
        var body = GoldenHourBody(report)
        if !authorized { body.oldestUntriaged = nil }
        return JSONBody.response(body, language: choice.language)
    }
}

/// The SLA report in JSON (snake_case keys).
struct GoldenHourBody: Encodable {
    struct Waiting: Encodable {
        var ticket: String
        var submittedAt: Date
        var waitingMinutes: Int
        enum CodingKeys: String, CodingKey { case ticket, submittedAt = "submitted_at", waitingMinutes = "waiting_minutes" }
    }

    var since: Date?
    var now: Date
    var windowMinutes: Int
    var total: Int
    var triagedWithin: Int
    var triagedLate: Int
    var pendingWithin: Int
    var pendingOverdue: Int
    var pastWindow: Int
    /// Only for the office (with its token): tickets and times are not public.
    var oldestUntriaged: [Waiting]?

    enum CodingKeys: String, CodingKey {
        case since, now, windowMinutes = "window_minutes", total, triagedWithin = "triaged_within"
        case triagedLate = "triaged_late", pendingWithin = "pending_within", pendingOverdue = "pending_overdue"
        case pastWindow = "past_window", oldestUntriaged = "oldest_untriaged"
    }

    init(_ report: GoldenHourReport) {
        since = report.since
        now = report.now
        windowMinutes = report.windowMinutes
        total = report.total
        triagedWithin = report.triagedWithin
        triagedLate = report.triagedLate
        pendingWithin = report.pendingWithin
        pendingOverdue = report.pendingOverdue
        pastWindow = report.pastWindow
        oldestUntriaged = report.oldestUntriaged.map {
            Waiting(ticket: $0.ticket, submittedAt: $0.submittedAt, waitingMinutes: $0.waitingMinutes)
        }
    }
}

/// `--since` / `?since=`: an ISO 8601 instant, a date (midnight in Almaty), or a duration back from
/// now (`24h`, `7d`, `90m`).
public enum SinceParser {
    public static func parse(_ raw: String, now: Date) -> Date? {
        let trimmed = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if let unit = trimmed.last, "mhd".contains(unit), let amount = Int(trimmed.dropLast()), amount >= 0 {
            let seconds = switch unit { case "m": 60.0; case "h": 3600.0; default: 86_400.0 }
            return now.addingTimeInterval(-Double(amount) * seconds)
        }
        return ISODate.parse(raw)
    }
}
