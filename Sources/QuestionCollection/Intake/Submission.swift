import Foundation
import TyndauCore

/// A question as a resident or an import file hands it in: raw strings, nothing checked yet.
/// The web form, the JSON API, Open311, the Telegram bot and `tyndau questions import` all build
/// one of these and pass it through ``QuestionValidator``.
public struct Submission: Sendable, Hashable, Codable {
    public var text: String?
    public var category: String?
    public var street: String?
    public var house: String?
    public var name: String?
    public var phone: String?
    public var email: String?
    public var telegram: String?
    public var consent: Bool
    public var channel: Channel
    public var externalID: String?
    /// ISO 8601; the time of receipt when absent.
    public var submittedAt: String?
    /// The interface language the resident used, if known.
    public var language: UILanguage?

    public init(
        text: String?,
        category: String? = nil,
        street: String? = nil,
        house: String? = nil,
        name: String? = nil,
        phone: String? = nil,
        email: String? = nil,
        telegram: String? = nil,
        consent: Bool = false,
        channel: Channel,
        externalID: String? = nil,
        submittedAt: String? = nil,
        language: UILanguage? = nil
    ) {
        self.text = text
        self.category = category
        self.street = street
        self.house = house
        self.name = name
        self.phone = phone
        self.email = email
        self.telegram = telegram
        self.consent = consent
        self.channel = channel
        self.externalID = externalID
        self.submittedAt = submittedAt
        self.language = language
    }
}
