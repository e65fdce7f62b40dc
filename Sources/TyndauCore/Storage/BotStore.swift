import Foundation

/// What the bot remembers about one Telegram chat. The chat is known by ``chatKey`` (a digest of its
/// id), so nothing here identifies the resident until they consent; the raw chat id is only kept in
/// the asker's contact, after consent.
public struct BotChatState: Sendable, Hashable {
    /// Digest of the chat id (see `TelegramChatKey` in TelegramBot).
    public var chatKey: String
    /// Chosen with `/lang`; `nil` until then (Telegram's `language_code` is used meanwhile).
    public var language: UILanguage?
    /// When the resident agreed (`/agree`) that the chat id is kept to send them answers.
    public var consentAt: Date?
    /// When the bot was blocked (403); cleared when the resident writes again.
    public var unreachableAt: Date?

    public init(chatKey: String, language: UILanguage? = nil, consentAt: Date? = nil, unreachableAt: Date? = nil) {
        self.chatKey = chatKey
        self.language = language
        self.consentAt = consentAt
        self.unreachableAt = unreachableAt
    }
}

/// A question that arrived through the bot: the validated question, where it came from, and the
/// contact to keep when the chat has consented (`nil` otherwise).
public struct BotQuestion: Sendable, Hashable {
    /// `question.sourceKey` must be set: redelivered updates must not store a question twice.
    public var newQuestion: NewQuestion
    public var chatKey: String
    public var messageID: Int64
    /// Photos and voice messages that came with the question (caption as text).
    public var media: [BotMedia]

    public init(newQuestion: NewQuestion, chatKey: String, messageID: Int64, media: [BotMedia] = []) {
        self.newQuestion = newQuestion
        self.chatKey = chatKey
        self.messageID = messageID
        self.media = media
    }
}

/// A photo, voice message or other file a resident sent: kept by its Telegram file id so the office
/// can fetch it later, although the bot only reads text for now.
public struct BotMedia: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case photo, voice, audio, video
        case videoNote = "video-note"
        case document
    }

    public var kind: Kind
    public var fileID: String
    /// Stable across bots; the same file sent twice has the same unique id.
    public var fileUniqueID: String
    public var messageID: Int64

    public init(kind: Kind, fileID: String, fileUniqueID: String, messageID: Int64) {
        self.kind = kind
        self.fileID = fileID
        self.fileUniqueID = fileUniqueID
        self.messageID = messageID
    }
}

/// What storing a bot question did.
public enum BotQuestionOutcome: Sendable, Hashable {
    /// Stored now.
    case stored(Question)
    /// The same update was already handled (a redelivery after a restart): nothing new stored.
    case alreadyStored(Question)
}

/// What an edited message did to its question.
public enum BotEditOutcome: Sendable, Hashable {
    case updated(Question)
    /// The office has already triaged the question: the text stays as it was.
    case locked(Question)
    /// The edited message never became a question (it was rejected, or predates the bot).
    case unknown
}

/// Where a media message ended up.
public enum BotMediaOutcome: Sendable, Hashable {
    /// Attached to this question (the chat's latest open one).
    case attached(Question)
    /// Kept for the chat's next question.
    case keptForNextQuestion
}

/// Storage the Telegram bot needs, apart from ``QuestionStore``: the update offset, per-chat state,
/// the link from questions to their chat, media file ids, consent and reachability, and "me too"
/// (`/same`, ``TopicJoinStore``). Every method is one transaction and durable when it returns.
public protocol BotStore: TopicJoinStore {
    /// The next update id to ask Telegram for (`getUpdates?offset=`); `nil` before the first batch.
    func botOffset(bot: String) async throws -> Int64?

    /// Stores the offset after a batch's questions are committed, so a restart neither loses nor
    /// repeats an update.
    func saveBotOffset(_ offset: Int64, bot: String, now: Date) async throws

    /// Telegram serves one `getUpdates` caller per bot, so one process polls at a time: takes or renews
    /// the polling lease for `holder` until `until`; `false` while another holder's lease runs.
    func claimBotPolling(bot: String, holder: String, until: Date, now: Date) async throws -> Bool

    /// Gives the lease up (a process stopping), so another can poll at once.
    func releaseBotPolling(bot: String, holder: String) async throws

    func botChat(chatKey: String) async throws -> BotChatState?

    /// Sets the chat's language (and clears an unreachable mark: the resident is writing).
    func setBotChatLanguage(_ language: UILanguage, chatKey: String, now: Date) async throws

    /// Clears the unreachable mark of a chat that writes again (it unblocked the bot).
    func markBotChatReachable(chatKey: String, chatID: Int64) async throws

    /// Stores a question from the bot, with its media and chat link; a redelivered update (same
    /// source key) returns the stored question instead. Media kept earlier for the chat's next
    /// question are attached to this one.
    func storeBotQuestion(_ question: BotQuestion, now: Date) async throws -> BotQuestionOutcome

    /// The receipt reached the resident: a `received` question moves to `acknowledged` (audited);
    /// any other status is left alone.
    func acknowledgeBotQuestion(_ id: Question.ID, now: Date) async throws

    /// Replaces the text of the question made from `sourceKey` while the office has not triaged it.
    func editBotQuestion(sourceKey: String, text: String, language: TextLanguage, actor: String, now: Date) async throws
        -> BotEditOutcome

    /// Keeps media sent without usable text: on the chat's latest question that is not final, or for
    /// its next question.
    func keepBotMedia(_ media: [BotMedia], chatKey: String, now: Date) async throws -> BotMediaOutcome

    /// The chat agreed to keep its id as a contact: records consent and adds the contact (chat id,
    /// language, consent time) to the chat's questions that are not final yet. Returns how many.
    @discardableResult
    func recordBotConsent(chatKey: String, chatID: Int64, language: UILanguage, now: Date) async throws -> Int

    /// The chat withdrew consent: the chat id is erased from every contact and consent is cleared.
    /// Returns how many contacts were erased.
    @discardableResult
    func withdrawBotConsent(chatKey: String, chatID: Int64, now: Date) async throws -> Int

    /// Telegram answered 403 (the resident blocked the bot): the chat and its contacts are marked
    /// unreachable, and personal notices stop being addressed to it.
    func markBotChatUnreachable(chatKey: String, chatID: Int64, now: Date) async throws

    /// The chat's questions, newest first.
    func botQuestions(chatKey: String, limit: Int) async throws -> [Question]

    /// Media kept for a question.
    func botMedia(questionID: Question.ID) async throws -> [BotMedia]
}

extension BotQuestion {
    /// A bot question is stored once per Telegram message: it must carry the message's source key.
    public func requiredSourceKey() throws -> String {
        guard let sourceKey = newQuestion.sourceKey else { throw TyndauError.validation(["source_key": "field.required"]) }
        return sourceKey
    }
}
