import Foundation
import TyndauCore

extension ResidentKey {
    /// The kinds of key a personal-data request may name, as the console's form and the command line
    /// spell them.
    public enum Kind: String, CaseIterable, Sendable {
        case ticket, email, phone, telegram
    }

    /// The key `value` names, normalised the way intake stores it: an upper-case ticket, a lower-case
    /// e-mail, an E.164 phone, a Telegram chat id or a username without `@`. Throws `validation`
    /// naming `field` with the reason (`field.invalid-ticket`, `-email`, `-phone`, `-telegram`).
    public init(_ kind: Kind, _ value: String, field: String = "value") throws {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .ticket:
            guard Ticket.id(from: trimmed) != nil else { throw TyndauError.validation([field: "field.invalid-ticket"]) }
            self = .ticket(trimmed.uppercased())
        case .email:
            guard EmailAddress.isValid(trimmed) else { throw TyndauError.validation([field: "field.invalid-email"]) }
            self = .email(trimmed.lowercased())
        case .phone:
            guard let e164 = PhoneNumber.e164(trimmed) else { throw TyndauError.validation([field: "field.invalid-phone"]) }
            self = .phone(e164)
        case .telegram:
            if let id = Int64(trimmed) {
                self = .telegramChat(id)
            } else if let name = TelegramUsername.normalised(trimmed) {
                self = .telegramUsername(name)
            } else {
                throw TyndauError.validation([field: "field.invalid-telegram"])
            }
        }
    }
}
