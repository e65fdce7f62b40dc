import Foundation

/// The asker's personal data, stored apart from the question so it can be erased on request
/// without touching the question, and never joined where it is not needed.
public struct AskerContact: Sendable, Codable, Hashable {
    public var name: String?
    /// E.164, e.g. `+77011234567`.
    public var phone: String?
    public var email: String?
    public var telegramChatID: Int64?
    /// A Telegram username given on the web form (without `@`); the bot learns the chat id later.
    public var telegramUsername: String?
    /// The asker agreed to the processing of personal data (required when any is given).
    public var consent: Bool
    public var consentAt: Date?
    /// The interface language the asker used; notices come back in it.
    public var language: UILanguage?

    public init(
        name: String? = nil,
        phone: String? = nil,
        email: String? = nil,
        telegramChatID: Int64? = nil,
        telegramUsername: String? = nil,
        consent: Bool = false,
        consentAt: Date? = nil,
        language: UILanguage? = nil
    ) {
        self.name = name
        self.phone = phone
        self.email = email
        self.telegramChatID = telegramChatID
        self.telegramUsername = telegramUsername
        self.consent = consent
        self.consentAt = consentAt
        self.language = language
    }

    /// Whether the record holds anything personal.
    public var isEmpty: Bool {
        name == nil && phone == nil && email == nil && telegramChatID == nil && telegramUsername == nil
    }

    /// A stable key for "the same person": askers are counted once per person in a topic.
    /// `nil` for anonymous askers, who are counted once per question.
    public var personKey: String? {
        if let phone { return "tel:" + phone }
        if let email { return "mail:" + email.lowercased() }
        if let telegramChatID { return "tg:\(telegramChatID)" }
        if let telegramUsername { return "tgu:" + telegramUsername.lowercased() }
        return nil
    }
}
