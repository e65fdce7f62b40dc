import Foundation

/// A resident's question as the office sees it. Personal data lives apart in ``AskerContact``.
public struct Question: Sendable, Codable, Hashable {
    public typealias ID = Int64

    /// Database identity; `nil` until stored.
    public var id: ID?
    /// Public ticket number, e.g. `TRK-2026-000123`; assigned when stored.
    public var ticket: String?
    /// The normalised text (NFC, no control characters, collapsed whitespace).
    public var text: String
    public var language: TextLanguage
    public var category: QuestionCategory?
    /// Street or place the question is about, as the resident gave it.
    public var street: String?
    public var house: String?
    public var channel: Channel
    /// Identifier in the source system (import row id, Open311 token, Telegram message id).
    public var externalID: String?
    public var submittedAt: Date
    public var status: QuestionStatus
    /// Why the question was rejected or where it was redirected.
    public var statusReason: String?
    /// The topic this question is grouped into, if any.
    public var topicID: Topic.ID?
    /// Unguessable token that lets the asker follow the question without an account.
    public var accessToken: String

    public init(
        id: ID? = nil,
        ticket: String? = nil,
        text: String,
        language: TextLanguage,
        category: QuestionCategory? = nil,
        street: String? = nil,
        house: String? = nil,
        channel: Channel,
        externalID: String? = nil,
        submittedAt: Date,
        status: QuestionStatus = .received,
        statusReason: String? = nil,
        topicID: Topic.ID? = nil,
        accessToken: String = AccessToken.generate()
    ) {
        self.id = id
        self.ticket = ticket
        self.text = text
        self.language = language
        self.category = category
        self.street = street
        self.house = house
        self.channel = channel
        self.externalID = externalID
        self.submittedAt = submittedAt
        self.status = status
        self.statusReason = statusReason
        self.topicID = topicID
        self.accessToken = accessToken
    }
}

/// The public ticket number of a question: `TRK-<year>-<six digits>`; gap-tolerant, unique.
public enum Ticket {
    public static func make(id: Question.ID, submittedAt: Date, timeZone: TimeZone = .almaty) -> String {
        // Building a Calendar costs more than the rest of an insert; live intake makes tickets in the
        // write transaction, so the Almaty calendar is built once.
        var calendar = almatyCalendar
        if timeZone != .almaty { calendar.timeZone = timeZone }
        let year = calendar.component(.year, from: submittedAt)
        let digits = String(id)
        return "TRK-\(year)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    private static let almatyCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .almaty
        return calendar
    }()

    /// The question id inside a ticket, or `nil` when the string is not a ticket.
    public static func id(from ticket: String) -> Question.ID? {
        let parts = ticket.uppercased().split(separator: "-")
        guard parts.count == 3, parts[0] == "TRK", parts[1].count == 4, Int(parts[1]) != nil else { return nil }
        return Question.ID(parts[2])
    }
}

/// Random tokens for status links: 128 bits from the system's secure generator, hex encoded.
public enum AccessToken {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let value = generator.next() as UInt32
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }
}

extension TimeZone {
    /// Almaty: UTC+5 all year since 1 March 2024, no daylight saving.
    public static let almaty = TimeZone(identifier: "Asia/Almaty") ?? TimeZone(secondsFromGMT: 5 * 3600)!
}
