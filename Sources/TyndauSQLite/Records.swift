import Foundation
import GRDB
import TyndauCore

// Domain values are stored as they are: their Codable property names are the column names.
// These conformances stay inside this module's users; no GRDB type appears in Core.

extension Question: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "question"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Topic: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "topic"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Meeting: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "meeting"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension AgendaItem: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "agendaItem"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Answer: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "answer"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Commitment: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "commitment"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Delivery: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "delivery"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Endpoint: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "endpoint"
}

extension AuditEvent: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "auditEvent"

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// The `asker` row: an ``AskerContact`` keyed by its question.
struct AskerRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "asker"

    var questionID: Int64
    var name: String?
    var phone: String?
    var email: String?
    var telegramChatID: Int64?
    var telegramUsername: String?
    var consent: Bool
    var consentAt: Date?
    var language: UILanguage?
    var personKey: String?

    init(questionID: Int64, contact: AskerContact) {
        self.questionID = questionID
        self.name = contact.name
        self.phone = contact.phone
        self.email = contact.email
        self.telegramChatID = contact.telegramChatID
        self.telegramUsername = contact.telegramUsername
        self.consent = contact.consent
        self.consentAt = contact.consentAt
        self.language = contact.language
        self.personKey = contact.personKey
    }

    var contact: AskerContact {
        AskerContact(
            name: name, phone: phone, email: email, telegramChatID: telegramChatID,
            telegramUsername: telegramUsername, consent: consent, consentAt: consentAt, language: language
        )
    }
}
