import Foundation

/// Who a personal-data request is about, as the office or the resident names them.
public enum ResidentKey: Sendable, Hashable {
    /// A ticket (`TRK-2026-000123`): the person who asked it.
    case ticket(String)
    case email(String)
    /// E.164.
    case phone(String)
    /// A Telegram chat id (the bot's residents).
    case telegramChat(Int64)
    /// A Telegram username given on the web form, without `@`.
    case telegramUsername(String)

    /// The kind of key, for audit text: never the value.
    public var kind: String {
        switch self {
        case .ticket: "ticket"
        case .email: "e-mail"
        case .phone: "phone"
        case .telegramChat: "telegram chat"
        case .telegramUsername: "telegram username"
        }
    }
}

/// Residents' rights over their personal data (the Law of the Republic of Kazakhstan "On personal data
/// and their protection"): erasure on request, export, withdrawal from the status page, and a retention
/// limit. The rule lives here, once, over ``PersonalDataStore``'s primitives:
///
/// - **Erased**: the `asker` row (name, phone, e-mail, Telegram chat id and username, consent, language),
///   notices in the outbox addressed to the asker (queued or sent, with their attempts), the bot's link
///   from the question to the chat, the photos and files the chat sent, and — when the request names the
///   person — the bot's state for their chat.
/// - **Kept**: the question itself (text, place, status, topic, answer), anonymous; its ticket and
///   status-page token still work.
/// - **Audited**: one `asker.erase` event per question and one summary event, naming kinds and counts,
///   never a value.
public struct PersonalDataRights: Sendable {
    public let store: any TyndauStore
    /// The bot's key for a chat id (`TelegramChatKey.chat` in TelegramBot): lets a chat id found in a
    /// contact reach the bot's tables. `nil` where the caller cannot compute it (the status page, which
    /// only ever withdraws one question).
    public let chatKey: (@Sendable (Int64) -> String)?

    public init(store: any TyndauStore, chatKey: (@Sendable (Int64) -> String)? = nil) {
        self.store = store
        self.chatKey = chatKey
    }

    /// Why personal data is erased: the audit log's words.
    public enum Reason: Sendable, Hashable {
        /// `tyndau residents forget`, by the kind of key the person was named by.
        case request(keyKind: String)
        /// The resident withdrew from the status page with their token.
        case statusPage
        /// `privacy.retention_days` elapsed since the question was closed.
        case retention(days: Int)
        /// The office erased one question's contact.
        case office

        var details: String {
            switch self {
            case .request(let kind): "erased on the resident's request (named by \(kind))"
            case .statusPage: "withdrawn by the resident on the status page"
            case .retention(let days): "retention period of \(days) days elapsed"
            case .office: "personal data erased"
            }
        }
    }

    /// Everything held about one person: the keys they were found by, the rows, their questions and
    /// the notices addressed to them.
    public struct Footprint: Sendable {
        public var keys: PersonalDataKeys
        public var rows: PersonalDataRows
        public var questions: [Question]
        public var notices: [Delivery]

        /// What erasing this person removes.
        public var erasure: PersonalDataErasure {
            PersonalDataErasure(questionIDs: Set(questions.compactMap(\.id)), chatKeys: keys.chatKeys)
        }
    }

    /// What ``forget(_:actor:now:)`` did.
    public struct Forgotten: Sendable, Hashable {
        public var erased: PersonalDataErasureCount
        /// Questions of this person that stay, anonymous.
        public var questionsKept: Int
    }

    // MARK: Finding a person

    /// The person named by `key` and every identifier found with them: a ticket's contact brings its
    /// e-mail, phone and chat; a chat brings the questions it sent; those bring their contacts. Throws
    /// `not-found` for an unknown ticket; an unknown e-mail, phone or chat is an empty footprint.
    public func footprint(of key: ResidentKey) async throws -> Footprint {
        var keys = PersonalDataKeys()
        switch key {
        case .ticket(let ticket):
            guard let question = try await store.question(ticket: ticket), let id = question.id else {
                throw TyndauError.notFound("ticket \(ticket)")
            }
            keys.questionIDs = [id]
        case .email(let email): keys.emails = [email.lowercased()]
        case .phone(let phone): keys.phones = [phone]
        case .telegramChat(let id):
            keys.telegramChatIDs = [id]
            if let chatKey { keys.chatKeys = [chatKey(id)] }
        case .telegramUsername(let name): keys.telegramUsernames = [name.lowercased()]
        }
        var rows = PersonalDataRows()
        // Identifiers found with the person's rows lead to more rows; a few rounds reach every one in practice.
        for _ in 0..<6 {
            rows = try await store.personalDataRows(matching: keys)
            let widened = widen(keys, by: rows)
            if widened == keys { break }
            keys = widened
        }
        var questions: [Question] = []
        for id in keys.questionIDs.sorted() {
            if let question = try await store.question(id: id) { questions.append(question) }
        }
        let notices = try await store.deliveries(recipientQuestionIDs: keys.questionIDs)
        return Footprint(keys: keys, rows: rows, questions: questions, notices: notices)
    }

    private func widen(_ keys: PersonalDataKeys, by rows: PersonalDataRows) -> PersonalDataKeys {
        var widened = keys
        for held in rows.contacts {
            widened.questionIDs.insert(held.questionID)
            if let email = held.contact.email { widened.emails.insert(email.lowercased()) }
            if let phone = held.contact.phone { widened.phones.insert(phone) }
            if let name = held.contact.telegramUsername { widened.telegramUsernames.insert(name.lowercased()) }
            if let id = held.contact.telegramChatID {
                widened.telegramChatIDs.insert(id)
                if let chatKey { widened.chatKeys.insert(chatKey(id)) }
            }
        }
        for link in rows.botLinks {
            widened.questionIDs.insert(link.questionID)
            widened.chatKeys.insert(link.chatKey)
        }
        for media in rows.botMedia {
            widened.chatKeys.insert(media.chatKey)
            if let id = media.questionID { widened.questionIDs.insert(id) }
        }
        return widened
    }

    // MARK: Rights

    /// Everything held about the person, for `tyndau residents export`.
    public func export(_ key: ResidentKey, now: Date) async throws -> PersonalDataExport {
        PersonalDataExport(footprint: try await footprint(of: key), request: key.kind, generatedAt: now)
    }

    /// Erases the person's personal data everywhere and keeps their questions, anonymous.
    public func forget(_ key: ResidentKey, actor: String, now: Date) async throws -> Forgotten {
        let footprint = try await footprint(of: key)
        let erasure = footprint.erasure
        guard !erasure.isEmpty else { return Forgotten(erased: PersonalDataErasureCount(), questionsKept: 0) }
        let erased = try await erase(erasure, reason: .request(keyKind: key.kind), actor: actor, now: now)
        return Forgotten(erased: erased, questionsKept: footprint.questions.count)
    }

    /// Erases one question's personal data (its contact, the notices addressed to it, the bot's link and
    /// media): the resident's withdrawal on the status page, or the office's erasure of one contact.
    @discardableResult
    public func withdraw(questionID: Question.ID, reason: Reason, actor: String, now: Date) async throws
        -> PersonalDataErasureCount
    {
        try await erase(PersonalDataErasure(questionIDs: [questionID]), reason: reason, actor: actor, now: now)
    }

    /// Whether the question still holds personal data the resident could withdraw.
    public func holdsPersonalData(questionID: Question.ID) async throws -> Bool {
        let rows = try await store.personalDataRows(matching: PersonalDataKeys(questionIDs: [questionID]))
        return !rows.contacts.isEmpty || !rows.botLinks.isEmpty || !rows.botMedia.isEmpty
    }

    /// Erases the personal data of questions closed more than `retentionDays` before `now`, in batches
    /// of `batchSize` (each one transaction). Returns how many questions were purged and the rows erased.
    public func purgeExpired(retentionDays: Int, now: Date, batchSize: Int = 200) async throws
        -> (questions: Int, erased: PersonalDataErasureCount)
    {
        let cutoff = now.addingTimeInterval(-Double(retentionDays) * 86_400)
        var questions = 0
        var erased = PersonalDataErasureCount()
        while true {
            let ids = try await store.closedQuestionsHoldingPersonalData(closedBefore: cutoff, limit: batchSize)
            guard !ids.isEmpty else { break }
            let count = try await erase(
                PersonalDataErasure(questionIDs: Set(ids)), reason: .retention(days: retentionDays), actor: "system:retention",
                now: now)
            questions += ids.count
            erased = erased + count
            // A batch that erased nothing would be found again: stop rather than spin.
            if count.total == 0 || ids.count < batchSize { break }
        }
        return (questions, erased)
    }

    /// The one place rows are erased and the audit events written.
    private func erase(_ erasure: PersonalDataErasure, reason: Reason, actor: String, now: Date) async throws
        -> PersonalDataErasureCount
    {
        let questionIDs = erasure.questionIDs.sorted()
        return try await store.erasePersonalData(erasure) { count in
            guard count.total > 0 else { return [] }
            var events = questionIDs.map { id in
                AuditEvent(
                    at: now, actor: actor, action: "asker.erase", subject: "question:\(id)",
                    details: questionIDs.count == 1 ? reason.details + "; " + Self.summary(count) : reason.details)
            }
            if questionIDs.count != 1 {
                events.append(AuditEvent(
                    at: now, actor: actor, action: "personal-data.erase", subject: "personal-data",
                    details: "\(reason.details); questions: \(questionIDs.count); " + Self.summary(count)))
            }
            return events
        }
    }

    /// `contacts 1, notices 2, bot links 1, media 0, bot chats 1`: counts only.
    public static func summary(_ count: PersonalDataErasureCount) -> String {
        "contacts \(count.contacts), notices \(count.notices), bot links \(count.botLinks), media \(count.botMedia), "
            + "bot chats \(count.botChats)"
    }
}

extension TyndauStore {
    /// Erases one question's personal data on the office's word (see ``PersonalDataRights``).
    public func eraseContact(questionID: Question.ID, actor: String, now: Date) async throws {
        try await PersonalDataRights(store: self).withdraw(questionID: questionID, reason: .office, actor: actor, now: now)
    }
}

/// Everything held about one person, as `tyndau residents export` prints it (JSON, snake_case keys).
public struct PersonalDataExport: Sendable, Encodable {
    public struct QuestionEntry: Sendable, Encodable {
        public var ticket: String
        public var status: String
        public var statusReason: String?
        public var submittedAt: Date
        public var text: String
        public var language: String
        public var category: String?
        public var street: String?
        public var house: String?
        public var channel: String

        enum CodingKeys: String, CodingKey {
            case ticket, status, statusReason = "status_reason", submittedAt = "submitted_at", text, language, category
            case street, house, channel
        }
    }

    public struct ContactEntry: Sendable, Encodable {
        public var ticket: String
        public var name: String?
        public var phone: String?
        public var email: String?
        public var telegramChatID: Int64?
        public var telegramUsername: String?
        public var consent: Bool
        public var consentAt: Date?
        public var language: String?

        enum CodingKeys: String, CodingKey {
            case ticket, name, phone, email, telegramChatID = "telegram_chat_id", telegramUsername = "telegram_username"
            case consent, consentAt = "consent_at", language
        }
    }

    public struct ChatEntry: Sendable, Encodable {
        public var language: String?
        public var consentAt: Date?
        public var unreachableAt: Date?

        enum CodingKeys: String, CodingKey { case language, consentAt = "consent_at", unreachableAt = "unreachable_at" }
    }

    public struct MessageEntry: Sendable, Encodable {
        public var ticket: String
        public var messageID: Int64

        enum CodingKeys: String, CodingKey { case ticket, messageID = "message_id" }
    }

    public struct MediaEntry: Sendable, Encodable {
        public var ticket: String?
        public var kind: String
        public var fileID: String
        public var messageID: Int64
        public var receivedAt: Date

        enum CodingKeys: String, CodingKey {
            case ticket, kind, fileID = "file_id", messageID = "message_id", receivedAt = "received_at"
        }
    }

    public struct NoticeEntry: Sendable, Encodable {
        public var ticket: String
        public var endpoint: String
        public var status: String
        public var subject: String?
        public var body: String
        public var language: String?
        public var createdAt: Date
        public var sentAt: Date?

        enum CodingKeys: String, CodingKey {
            case ticket, endpoint, status, subject, body, language, createdAt = "created_at", sentAt = "sent_at"
        }
    }

    public var generatedAt: Date
    /// The kind of key the person was named by.
    public var request: String
    public var questions: [QuestionEntry]
    /// Contacts and consents, one per question that has one.
    public var contacts: [ContactEntry]
    public var telegramChats: [ChatEntry]
    public var telegramMessages: [MessageEntry]
    public var telegramMedia: [MediaEntry]
    /// Notices addressed to the person: queued, sent or failed.
    public var notices: [NoticeEntry]

    enum CodingKeys: String, CodingKey {
        case generatedAt = "generated_at", request, questions, contacts, telegramChats = "telegram_chats"
        case telegramMessages = "telegram_messages", telegramMedia = "telegram_media", notices
    }

    public var isEmpty: Bool {
        questions.isEmpty && contacts.isEmpty && telegramChats.isEmpty && telegramMedia.isEmpty && notices.isEmpty
    }

    init(footprint: PersonalDataRights.Footprint, request: String, generatedAt: Date) {
        self.generatedAt = generatedAt
        self.request = request
        let tickets = Dictionary(
            footprint.questions.compactMap { question in question.id.map { ($0, question.ticket ?? "") } },
            uniquingKeysWith: { first, _ in first })
        // A ticket named alone with nothing personal held is not "about" anyone: nothing to report.
        let holds =
            !footprint.rows.contacts.isEmpty || !footprint.rows.botLinks.isEmpty || !footprint.rows.botMedia.isEmpty
            || !footprint.rows.botChats.isEmpty || !footprint.notices.isEmpty
        questions = (holds ? footprint.questions : []).map { question in
            QuestionEntry(
                ticket: question.ticket ?? "", status: question.status.rawValue, statusReason: question.statusReason,
                submittedAt: question.submittedAt, text: question.text, language: question.language.rawValue,
                category: question.category?.rawValue, street: question.street, house: question.house,
                channel: question.channel.rawValue)
        }
        contacts = footprint.rows.contacts.sorted { $0.questionID < $1.questionID }.map { held in
            let contact = held.contact
            return ContactEntry(
                ticket: tickets[held.questionID] ?? "", name: contact.name, phone: contact.phone, email: contact.email,
                telegramChatID: contact.telegramChatID, telegramUsername: contact.telegramUsername,
                consent: contact.consent, consentAt: contact.consentAt, language: contact.language?.rawValue)
        }
        telegramChats = footprint.rows.botChats.map { chat in
            ChatEntry(language: chat.language?.rawValue, consentAt: chat.consentAt, unreachableAt: chat.unreachableAt)
        }
        telegramMessages = footprint.rows.botLinks.sorted { $0.questionID < $1.questionID }.map { link in
            MessageEntry(ticket: tickets[link.questionID] ?? "", messageID: link.messageID)
        }
        telegramMedia = footprint.rows.botMedia.map { held in
            MediaEntry(
                ticket: held.questionID.flatMap { tickets[$0] }, kind: held.media.kind.rawValue, fileID: held.media.fileID,
                messageID: held.media.messageID, receivedAt: held.receivedAt)
        }
        notices = footprint.notices.map { delivery in
            NoticeEntry(
                ticket: delivery.recipientQuestionID.flatMap { tickets[$0] } ?? "", endpoint: delivery.endpointName,
                status: delivery.status.rawValue, subject: delivery.subject, body: delivery.body,
                language: delivery.language?.rawValue, createdAt: delivery.createdAt, sentAt: delivery.sentAt)
        }
    }
}
