import Foundation
import TyndauCore

/// Pinning a topic to a week's agenda, keeping it off with a reason, or removing either: the one
/// workflow the CLI (`tyndau agenda pin|skip|unmark`) and the console's agenda page both call, so the
/// same mistake gets the same error everywhere.
public struct AgendaMarking: Sendable {
    public enum Action: Sendable, Equatable {
        case pin
        case skip(reason: String)
        case unmark
    }

    /// The longest reason for a skip, in characters.
    public static let maximumReasonLength = 300

    public var calendar: MeetingCalendar

    public init(calendar: MeetingCalendar) {
        self.calendar = calendar
    }

    /// Checks and applies `action`. Returns `false` only when unmarking a topic that had no mark.
    ///
    /// Errors: ``TyndauError/agendaFrozen(_:)`` once the week's meeting has started or is not planned;
    /// `not-found` for an unknown topic; `conflict` (`error.agenda-topic-not-open`) for a topic that is
    /// not waiting for a meeting; `validation` on `reason` for an empty or too long skip reason.
    @discardableResult
    public func apply(
        _ action: Action, topicID: Topic.ID, week: ISOWeek, actor: String, store: any AgendaStore, now: Date
    ) async throws -> Bool {
        try calendar.requireAgendaOpen(week: week, meeting: try await store.meeting(week: week), now: now)
        guard let topic = try await store.agendaTopic(id: topicID) else { throw TyndauError.notFound("topic \(topicID)") }
        guard [.open, .scheduled, .written].contains(topic.state) else {
            throw TyndauError(code: .conflict, messageKey: "error.agenda-topic-not-open", arguments: [String(topicID), topic.state.rawValue])
        }
        switch action {
        case .pin:
            try await store.setAgendaMark(AgendaMark(week: week, topicID: topicID, kind: .pin, actor: actor, at: now))
        case .skip(let reason):
            let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty else { throw TyndauError.validation(["reason": "field.required"]) }
            guard reason.count <= Self.maximumReasonLength else { throw TyndauError.validation(["reason": "field.too-long"]) }
            try await store.setAgendaMark(AgendaMark(week: week, topicID: topicID, kind: .skip, reason: reason, actor: actor, at: now))
        case .unmark:
            return try await store.removeAgendaMark(week: week, topicID: topicID, actor: actor, now: now)
        }
        return true
    }
}
