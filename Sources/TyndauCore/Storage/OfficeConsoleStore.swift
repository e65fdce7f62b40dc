import Foundation

/// Which audit events the console's audit page shows; `nil` fields do not filter.
public struct AuditFilter: Sendable, Hashable {
    /// Exact actor, e.g. `office:aigerim`.
    public var actor: String?
    /// Action or its prefix: `topic.` shows every topic decision.
    public var actionPrefix: String?
    /// Exact subject, e.g. `topic:12`.
    public var subject: String?

    public init(actor: String? = nil, actionPrefix: String? = nil, subject: String? = nil) {
        self.actor = actor
        self.actionPrefix = actionPrefix
        self.subject = subject
    }
}

/// The few writes and reads the office console needs beyond the other stores: who answers for a
/// topic, and the audit log filtered the way the audit page asks.
public protocol OfficeConsoleStore: Sendable {
    /// Sets (or clears, with `nil`) the department responsible for a topic's answer. Audited.
    func setTopicResponsible(_ topic: Topic.ID, responsible: String?, actor: String, now: Date) async throws

    /// Changes one item of a stored agenda that has not started: its minutes (`nil` keeps them) and
    /// its place, `move` steps earlier (negative) or later among the items of the same block; the
    /// start times of all items follow. Refused with ``TyndauError/agendaFrozen(_:)`` once the meeting
    /// has started. Audited.
    func adjustAgendaItem(
        week: ISOWeek, itemID: AgendaItem.ID, minutes: Int?, move: Int, actor: String, now: Date
    ) async throws

    /// Newest first, at most `limit`.
    func auditEvents(_ filter: AuditFilter, limit: Int) async throws -> [AuditEvent]
}
