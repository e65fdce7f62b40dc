import Foundation
import HTTPClient
import Logging
import Metrics
import TyndauCore

/// Question validation as the bot needs it, handed in by the caller: the rules live in
/// `QuestionCollection` (``QuestionValidator``), a sibling module the bot may not import.
public struct TelegramQuestionIntake: Sendable {
    /// Validates `text` as a question from the bot (`channel = .telegram`, `externalID = sourceKey`),
    /// throwing ``TyndauError/validation(_:)`` with the field reasons when it is rejected.
    public var validate: @Sendable (_ text: String, _ sourceKey: String, _ now: Date) throws -> Question
    /// Text limits named in rejection replies.
    public var minimumLength: Int
    public var maximumLength: Int
    /// The receipt's lines about time for a question submitted at a moment, in a language: the meeting it
    /// is a candidate for and the written-answer deadline (the scheduler's, a sibling module). Empty: none.
    public var timeframe: @Sendable (_ submittedAt: Date, _ language: UILanguage) async -> [String]
    /// Unanswered topics like a text, best first, scrubbed for residents (the grouping engine's): the
    /// reply's "N residents already asked this — /same" and the topic `/same` joins. Empty: none.
    public var similarTopics: @Sendable (_ text: String) async -> [JoinableTopic]
    /// New questions one chat may send per sliding window (`intake.rate_limit_per_hour`, as one client
    /// address on the web form), counted from the chat's stored questions, so it holds across restarts
    /// and several bot processes. `limit` 0: off.
    public var rateLimit: IntakeRateLimit

    public init(
        minimumLength: Int, maximumLength: Int, rateLimit: IntakeRateLimit = IntakeRateLimit(limit: 0),
        timeframe: @escaping @Sendable (Date, UILanguage) async -> [String] = { _, _ in [] },
        similarTopics: @escaping @Sendable (String) async -> [JoinableTopic] = { _ in [] },
        validate: @escaping @Sendable (String, String, Date) throws -> Question
    ) {
        self.validate = validate
        self.rateLimit = rateLimit
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.timeframe = timeframe
        self.similarTopics = similarTopics
    }
}

/// What the bot says and stores for one update: commands (`/start`, `/status`, `/lang`, `/agree`,
/// `/forget`, `/same`), questions (validated, stored once, answered with ticket, status link, the
/// candidate meeting and written-answer deadline, and an open topic like it to join), edits of
/// unanswered questions, and media kept by file id. Replies are in the resident's language: the one
/// chosen with `/lang`, else the language the question is written in, else Telegram's interface
/// language, else Russian.
struct TelegramConversation: Sendable {
    let settings: TelegramBotSettings
    let store: any BotStore
    let intake: TelegramQuestionIntake
    let sender: TelegramReplySender
    let now: @Sendable () -> Date
    let logger: Logger

    private var texts: LocalizationTable { CoreText.table }

    /// The conversation with its reply sender (one rate limiter per bot process).
    static func make(
        settings: TelegramBotSettings, store: any BotStore, intake: TelegramQuestionIntake, client: CurlClient,
        clock: any Clock<Duration>, now: @escaping @Sendable () -> Date, logger: Logger
    ) -> TelegramConversation {
        let sender = TelegramReplySender(
            settings: settings, client: client, store: store, limiter: RateLimiter(now: now), clock: clock, now: now,
            logger: logger
        )
        return TelegramConversation(
            settings: settings, store: store, intake: intake, sender: sender, now: now, logger: logger)
    }

    func handle(_ update: TelegramUpdate) async throws {
        switch update.content {
        case .ignored:
            logger.debug("update of a kind the bot ignores", metadata: ["tyndau.telegram.update": "\(update.updateID)"])
        case .message(let message):
            guard message.chatType == "private" else { return }
            try await handleMessage(message, update: update.updateID)
            // From the resident's sending to the bot's reply, whether it polls or receives a webhook.
            if let sent = message.date {
                Recorder(label: TyndauMetrics.botUpdateLag).record(max(0, now().timeIntervalSince(sent)))
            }
        case .edited(let message):
            guard message.chatType == "private" else { return }
            try await handleEdit(message, update: update.updateID)
        }
    }

    // MARK: - Messages

    private func handleMessage(_ message: TelegramIncomingMessage, update: Int64) async throws {
        let chatKey = TelegramChatKey.chat(message.chatID)
        let chat = try await store.botChat(chatKey: chatKey)
        if chat?.unreachableAt != nil {
            try await store.markBotChatReachable(chatKey: chatKey, chatID: message.chatID)
        }
        if let text = message.text, text.hasPrefix("/") {
            try await handleCommand(text, message: message, chat: chat, update: update)
            return
        }
        guard let text = message.writtenText else {
            var answer = texts.text("bot.text-only", language(chat, message, text: nil))
            if !message.media.isEmpty {
                let outcome = try await store.keepBotMedia(message.media, chatKey: chatKey, now: now())
                switch outcome {
                case .attached(let question):
                    answer +=
                        "\n\n"
                        + texts.text("bot.media-attached", language(chat, message, text: nil), [question.ticket ?? ""])
                case .keptForNextQuestion:
                    answer += "\n\n" + texts.text("bot.media-kept-next", language(chat, message, text: nil))
                }
            }
            logger.info(
                "non-text message answered",
                metadata: ["tyndau.telegram.update": "\(update)", "tyndau.telegram.media": "\(message.media.count)"])
            try await reply(answer, to: message, update: update)
            return
        }
        try await storeQuestion(text, message: message, chat: chat, update: update)
    }

    /// The bot's questions in ``TyndauMetrics/intakeRequests`` (channel `telegram`), as the server counts its channels.
    static func count(_ outcome: TyndauMetrics.IntakeOutcome) {
        Counter(
            label: TyndauMetrics.intakeRequests,
            dimensions: [(TyndauMetrics.Label.channel, Channel.telegram.rawValue), (TyndauMetrics.Label.outcome, outcome.rawValue)]
        ).increment()
    }

    private func storeQuestion(_ text: String, message: TelegramIncomingMessage, chat: BotChatState?, update: Int64)
        async throws
    {
        let chatKey = TelegramChatKey.chat(message.chatID)
        let sourceKey = TelegramChatKey.message(chatID: message.chatID, messageID: message.messageID)
        let question: Question
        do {
            question = try intake.validate(text, sourceKey, now())
        } catch let error as TyndauError where error.code == .validation {
            Self.count(.invalid)
            let language = self.language(chat, message, text: nil)
            if !message.media.isEmpty { _ = try await store.keepBotMedia(message.media, chatKey: chatKey, now: now()) }
            logger.info(
                "question rejected by validation",
                metadata: [
                    "tyndau.telegram.update": "\(update)",
                    "tyndau.reason": "\(error.fields.values.sorted().joined(separator: ","))",
                ])
            try await reply(
                texts.text("bot.rejected", language, [reason(error, language)]), to: message, update: update)
            return
        }
        let language = self.language(chat, message, text: question.language)
        if let retryAfter = try await rateLimited(chatKey: chatKey, sourceKey: sourceKey) {
            Self.count(.rateLimited)
            logger.notice("question refused by the rate limit", metadata: ["tyndau.telegram.update": "\(update)"])
            let minutes = String(max(1, (retryAfter + 59) / 60))
            try await reply(texts.text("bot.rate-limited", language, [minutes]), to: message, update: update)
            return
        }
        let contact = chat?.consentAt.map { consentAt in
            AskerContact(
                telegramChatID: message.chatID, consent: true, consentAt: consentAt,
                language: chat?.language ?? language)
        }
        let outcome = try await store.storeBotQuestion(
            BotQuestion(
                newQuestion: NewQuestion(question: question, contact: contact, sourceKey: sourceKey),
                chatKey: chatKey, messageID: message.messageID, media: message.media
            ),
            now: now()
        )
        let stored: Question
        switch outcome {
        case .stored(let question):
            stored = question
            Self.count(.accepted)
            logger.info(
                "question stored",
                metadata: ["tyndau.telegram.update": "\(update)", "tyndau.question.id": "\(question.id ?? 0)"])
        case .alreadyStored(let question):
            stored = question
            Self.count(.duplicate)
            logger.info(
                "redelivered update: question already stored",
                metadata: [
                    "tyndau.telegram.update": "\(update)", "tyndau.question.id": "\(question.id ?? 0)",
                ])
        }
        // The receipt is the acknowledgement: once it is delivered the question is `acknowledged`.
        let shown = stored.status == .received ? QuestionStatus.acknowledged : stored.status
        var lines = [texts.text("bot.receipt", language, [stored.ticket ?? "", CoreText.status(shown, language)])]
        lines += await intake.timeframe(stored.submittedAt, language)
        if let link = statusLink(stored) { lines.append(texts.text("bot.status-link", language, [link])) }
        if !stored.status.isTriaged, let topic = await intake.similarTopics(stored.text).first(where: { $0.topicID != stored.topicID }) {
            lines.append("\n" + texts.text("bot.similar", language, [String(topic.askers), topic.publicTitle]))
        }
        if contact == nil { lines.append("\n" + texts.text("bot.consent-hint", language)) }
        let delivered = try await reply(lines.joined(separator: "\n"), to: message, update: update)
        if delivered == .sent, stored.status == .received, let id = stored.id {
            try await store.acknowledgeBotQuestion(id, now: now())
        }
    }

    /// Seconds until the chat may send a new question, or `nil` when it may now: its questions stored
    /// within the window, newest first, are counted; a redelivered message (already stored) is not new.
    private func rateLimited(chatKey: String, sourceKey: String) async throws -> Int? {
        let limit = intake.rateLimit
        guard limit.isActive else { return nil }
        let moment = now()
        let since = limit.windowStart(now: moment)
        let newest = try await store.botQuestions(chatKey: chatKey, limit: limit.limit + 1)
        guard !newest.contains(where: { $0.externalID == sourceKey }) else { return nil }
        let recent = newest.filter { $0.submittedAt > since }.prefix(limit.limit)
        return limit.retryAfter(storedInWindow: recent.count, oldest: recent.map(\.submittedAt).min(), now: moment)
    }

    private func handleEdit(_ message: TelegramIncomingMessage, update: Int64) async throws {
        guard let text = message.writtenText, !(message.text?.hasPrefix("/") ?? false) else { return }
        let chat = try await store.botChat(chatKey: TelegramChatKey.chat(message.chatID))
        let sourceKey = TelegramChatKey.message(chatID: message.chatID, messageID: message.messageID)
        let question: Question
        do {
            question = try intake.validate(text, sourceKey, now())
        } catch let error as TyndauError where error.code == .validation {
            let language = self.language(chat, message, text: nil)
            try await reply(
                texts.text("bot.rejected", language, [reason(error, language)]), to: message, update: update)
            return
        }
        let language = self.language(chat, message, text: question.language)
        switch try await store.editBotQuestion(
            sourceKey: sourceKey, text: question.text, language: question.language, actor: "resident:telegram",
            now: now())
        {
        case .updated(let stored):
            logger.info(
                "question edited",
                metadata: ["tyndau.telegram.update": "\(update)", "tyndau.question.id": "\(stored.id ?? 0)"])
            try await reply(
                texts.text("bot.edit-updated", language, [stored.ticket ?? ""]), to: message, update: update)
        case .locked(let stored):
            try await reply(texts.text("bot.edit-locked", language, [stored.ticket ?? ""]), to: message, update: update)
        case .unknown:
            // The original was rejected (too short, …): the corrected text is a new question.
            try await storeQuestion(text, message: message, chat: chat, update: update)
        }
    }

    // MARK: - Commands

    private func handleCommand(_ text: String, message: TelegramIncomingMessage, chat: BotChatState?, update: Int64)
        async throws
    {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        let command =
            words.first.map { $0.dropFirst().split(separator: "@").first.map(String.init) ?? "" }?.lowercased() ?? ""
        let arguments = Array(words.dropFirst())
        let chatKey = TelegramChatKey.chat(message.chatID)
        var language = self.language(chat, message, text: nil)
        // Only known command names are logged: anything else the resident typed stays out of the log.
        let known: Set<String> = [
            "start", "help", "lang", "language", "til", "тіл", "язык", "status", "agree", "consent", "forget", "revoke",
            "same",
        ]
        logger.info(
            "command",
            metadata: [
                "tyndau.telegram.update": "\(update)",
                "tyndau.telegram.command": "\(known.contains(command) ? command : "unknown")",
            ])
        let reply: String
        switch command {
        case "start", "help":
            let order: [UILanguage] = language == .en ? [.en] : language == .kk ? [.kk, .ru] : [.ru, .kk]
            reply = order.map { texts.text("bot.start", $0) }.joined(separator: "\n\n———\n\n")
        case "lang", "language", "til", "тіл", "язык":
            if let choice = arguments.first.flatMap({ UILanguage(rawValue: $0.lowercased()) }) {
                try await store.setBotChatLanguage(choice, chatKey: chatKey, now: now())
                language = choice
                reply = texts.text("bot.lang-set", choice)
            } else {
                reply = texts.text("bot.lang-usage", language)
            }
        case "status":
            reply = try await status(arguments.first, chatKey: chatKey, language: language)
        case "agree", "consent":
            try await store.recordBotConsent(
                chatKey: chatKey, chatID: message.chatID, language: chat?.language ?? language, now: now())
            reply = texts.text("bot.consent-recorded", language)
        case "same":
            reply = try await same(chatKey: chatKey, consented: chat?.consentAt != nil, language: language)
        case "forget", "revoke":
            try await store.withdrawBotConsent(chatKey: chatKey, chatID: message.chatID, now: now())
            reply = texts.text("bot.consent-withdrawn", language)
        default:
            reply = texts.text("bot.unknown-command", language)
        }
        try await self.reply(reply, to: message, update: update)
    }

    private func status(_ ticket: String?, chatKey: String, language: UILanguage) async throws -> String {
        let questions = try await store.botQuestions(chatKey: chatKey, limit: ticket == nil ? 5 : 500)
        guard let ticket else {
            guard !questions.isEmpty else { return texts.text("bot.status-none", language) }
            return questions.map { line($0, language) }.joined(separator: "\n")
        }
        guard let question = questions.first(where: { $0.ticket?.caseInsensitiveCompare(ticket) == .orderedSame })
        else {
            return Ticket.id(from: ticket) == nil
                ? texts.text("bot.status-usage", language)
                : texts.text("bot.status-not-found", language, [ticket.uppercased()])
        }
        return line(question, language)
            + (statusLink(question).map { "\n" + texts.text("bot.status-link", language, [$0]) } ?? "")
    }

    /// `/same`: the chat's latest question joins the open topic most like it (``TopicJoin``'s rules:
    /// counted once, only before the office triages it).
    private func same(chatKey: String, consented: Bool, language: UILanguage) async throws -> String {
        guard let question = try await store.botQuestions(chatKey: chatKey, limit: 1).first, let id = question.id else {
            return texts.text("bot.same-none", language)
        }
        // The question's own topic counts only when others share it (a topic of its own is no "me too").
        guard
            let topic = await intake.similarTopics(question.text).first(where: {
                $0.topicID != question.topicID || $0.askers > 1
            })
        else { return texts.text("bot.same-nothing", language) }
        do {
            let outcome = try await store.joinTopic(topic.topicID, questionID: id, actor: "resident:telegram", now: now())
            logger.info(
                "joined", metadata: ["tyndau.question.id": "\(id)", "tyndau.topic.id": "\(topic.topicID)", "tyndau.join.decision": "\(outcome.decision.rawValue)"])
            guard outcome.decision == .join else { return texts.text("bot.same-already", language, [topic.publicTitle]) }
            // The answer reaches the chat only with consent: say so, as the receipt does.
            return texts.text("bot.same-joined", language, [topic.publicTitle, String(outcome.askers)])
                + (consented ? "" : "\n\n" + texts.text("bot.consent-hint", language))
        } catch let error as TyndauError where error.code == .conflict {
            return error.localizedMessage(in: language)
        }
    }

    private func line(_ question: Question, _ language: UILanguage) -> String {
        texts.text("bot.status-line", language, [question.ticket ?? "", CoreText.status(question.status, language)])
    }

    // MARK: - Helpers

    /// The reply language: `/lang` choice, else the question's language (Russian or Kazakh when the
    /// text clearly is one), else Telegram's interface language, else Russian.
    func language(_ chat: BotChatState?, _ message: TelegramIncomingMessage, text: TextLanguage?) -> UILanguage {
        if let chosen = chat?.language { return chosen }
        switch text {
        case .ru: return .ru
        case .kk, .kkLatn: return .kk
        default: break
        }
        if let code = message.languageCode?.prefix(2).lowercased(), let interface = UILanguage(rawValue: code) {
            return interface
        }
        return .ru
    }

    private func reason(_ error: TyndauError, _ language: UILanguage) -> String {
        let key = error.fields["text"] ?? error.fields.values.sorted().first ?? "field.required"
        let limit = key == "field.too-long" ? intake.maximumLength : intake.minimumLength
        return texts.contains("bot.reason." + key)
            ? texts.text("bot.reason." + key, language, [String(limit)])
            : CoreText.table.text(key, language)
    }

    private func statusLink(_ question: Question) -> String? {
        guard var base = settings.statusBaseURL, let ticket = question.ticket else { return nil }
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/questions/\(ticket)?token=\(question.accessToken)"
    }

    @discardableResult
    private func reply(_ text: String, to message: TelegramIncomingMessage, update: Int64) async throws
        -> TelegramReplySender.Result
    {
        try await sender.send(text, chatID: message.chatID, chatKey: TelegramChatKey.chat(message.chatID), update: update)
    }
}
