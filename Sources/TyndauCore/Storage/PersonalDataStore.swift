import Foundation

/// What to look personal data up by: a request names one key, and ``PersonalDataRights`` widens it to
/// every identifier found with it (the e-mail of a ticket's contact, the chat of a bot question, …).
/// E-mails and Telegram usernames are compared without regard to case.
public struct PersonalDataKeys: Sendable, Hashable {
    public var questionIDs: Set<Question.ID>
    public var emails: Set<String>
    /// E.164, as stored.
    public var phones: Set<String>
    public var telegramChatIDs: Set<Int64>
    /// Telegram usernames given on the web form, without `@`.
    public var telegramUsernames: Set<String>
    /// Digests of chat ids, as the bot's tables key chats (see `TelegramChatKey` in TelegramBot).
    public var chatKeys: Set<String>

    public init(
        questionIDs: Set<Question.ID> = [], emails: Set<String> = [], phones: Set<String> = [],
        telegramChatIDs: Set<Int64> = [], telegramUsernames: Set<String> = [], chatKeys: Set<String> = []
    ) {
        self.questionIDs = questionIDs
        self.emails = Set(emails.map { $0.lowercased() })
        self.phones = phones
        self.telegramChatIDs = telegramChatIDs
        self.telegramUsernames = Set(telegramUsernames.map { $0.lowercased() })
        self.chatKeys = chatKeys
    }

    public var isEmpty: Bool {
        questionIDs.isEmpty && emails.isEmpty && phones.isEmpty && telegramChatIDs.isEmpty && telegramUsernames.isEmpty
            && chatKeys.isEmpty
    }

    /// Adds every key of `other`.
    public mutating func formUnion(_ other: PersonalDataKeys) {
        questionIDs.formUnion(other.questionIDs)
        emails.formUnion(other.emails)
        phones.formUnion(other.phones)
        telegramChatIDs.formUnion(other.telegramChatIDs)
        telegramUsernames.formUnion(other.telegramUsernames)
        chatKeys.formUnion(other.chatKeys)
    }
}

/// One `asker` row: the contact kept for one question.
public struct HeldContact: Sendable, Hashable {
    public var questionID: Question.ID
    public var contact: AskerContact

    public init(questionID: Question.ID, contact: AskerContact) {
        self.questionID = questionID
        self.contact = contact
    }
}

/// The link from a question to the Telegram chat (by its key) and message it came from.
public struct HeldBotLink: Sendable, Hashable {
    public var questionID: Question.ID
    public var chatKey: String
    public var messageID: Int64

    public init(questionID: Question.ID, chatKey: String, messageID: Int64) {
        self.questionID = questionID
        self.chatKey = chatKey
        self.messageID = messageID
    }
}

/// A photo, voice message or file a chat sent, as the bot keeps it.
public struct HeldBotMedia: Sendable, Hashable {
    public var chatKey: String
    public var questionID: Question.ID?
    public var media: BotMedia
    public var receivedAt: Date

    public init(chatKey: String, questionID: Question.ID?, media: BotMedia, receivedAt: Date) {
        self.chatKey = chatKey
        self.questionID = questionID
        self.media = media
        self.receivedAt = receivedAt
    }
}

/// The rows holding personal data that match some ``PersonalDataKeys``, read in one snapshot.
public struct PersonalDataRows: Sendable, Hashable {
    public var contacts: [HeldContact]
    public var botLinks: [HeldBotLink]
    public var botChats: [BotChatState]
    public var botMedia: [HeldBotMedia]

    public init(
        contacts: [HeldContact] = [], botLinks: [HeldBotLink] = [], botChats: [BotChatState] = [],
        botMedia: [HeldBotMedia] = []
    ) {
        self.contacts = contacts
        self.botLinks = botLinks
        self.botChats = botChats
        self.botMedia = botMedia
    }
}

/// Which rows an erasure removes: everything personal tied to `questionIDs` (the asker row, notices
/// addressed to the asker, the bot's link and media) and to `chatKeys` (the bot's chat state, links
/// and media). The questions themselves are never touched.
public struct PersonalDataErasure: Sendable, Hashable {
    public var questionIDs: Set<Question.ID>
    public var chatKeys: Set<String>

    public init(questionIDs: Set<Question.ID> = [], chatKeys: Set<String> = []) {
        self.questionIDs = questionIDs
        self.chatKeys = chatKeys
    }

    public var isEmpty: Bool { questionIDs.isEmpty && chatKeys.isEmpty }
}

/// How many rows of each kind an erasure removed.
public struct PersonalDataErasureCount: Sendable, Hashable, Codable {
    /// `asker` rows.
    public var contacts = 0
    /// Outbox rows addressed to the asker: deleted, or — while a worker holds one — detached from the
    /// asker so that nothing links it to them.
    public var notices = 0
    /// `botQuestion` rows.
    public var botLinks = 0
    /// `botMedia` rows.
    public var botMedia = 0
    /// `botChat` rows.
    public var botChats = 0

    public init(contacts: Int = 0, notices: Int = 0, botLinks: Int = 0, botMedia: Int = 0, botChats: Int = 0) {
        self.contacts = contacts
        self.notices = notices
        self.botLinks = botLinks
        self.botMedia = botMedia
        self.botChats = botChats
    }

    public var total: Int { contacts + notices + botLinks + botMedia + botChats }

    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(
            contacts: lhs.contacts + rhs.contacts, notices: lhs.notices + rhs.notices,
            botLinks: lhs.botLinks + rhs.botLinks, botMedia: lhs.botMedia + rhs.botMedia,
            botChats: lhs.botChats + rhs.botChats)
    }
}

/// The primitives residents' personal-data rights are built on (``PersonalDataRights`` holds the rule:
/// what is erased, what stays, what the audit log says). An engine reads and deletes rows here;
/// it decides nothing.
public protocol PersonalDataStore: Sendable {
    /// Rows holding personal data that match any of `keys`: `asker` rows by question id, e-mail,
    /// phone, chat id or username; the bot's links and media by question id or chat key; its chat
    /// state by chat key. One read transaction.
    func personalDataRows(matching keys: PersonalDataKeys) async throws -> PersonalDataRows

    /// Outbox rows addressed to the askers of `questionIDs` (any status), oldest first.
    func deliveries(recipientQuestionIDs: Set<Question.ID>) async throws -> [Delivery]

    /// Questions in a final status that still hold personal data (an asker row, a bot link or media)
    /// and were closed before `cutoff`. The closing time is the question's latest `question.status`
    /// audit event, or its submission when none is recorded. At most `limit`, oldest first.
    func closedQuestionsHoldingPersonalData(closedBefore cutoff: Date, limit: Int) async throws -> [Question.ID]

    /// Deletes the rows `erasure` names, in one transaction with the audit events `audit` returns for
    /// the counts (nothing is recorded when it returns none). Outbox rows a worker has claimed are
    /// detached instead of deleted, so its lease fence still holds.
    @discardableResult
    func erasePersonalData(
        _ erasure: PersonalDataErasure, audit: @escaping @Sendable (PersonalDataErasureCount) -> [AuditEvent]
    ) async throws -> PersonalDataErasureCount
}
