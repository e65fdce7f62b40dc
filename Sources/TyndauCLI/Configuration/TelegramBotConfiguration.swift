import AgendaScheduler
import Foundation
import QuestionCollection
import TelegramBot
import TyndauCore
import TyndauServer

/// The `telegram_bot:` section: the akimat's bot that takes residents' questions.
///
/// Keys: `token` (required; write `${TELEGRAM_BOT_TOKEN}` — a secret from the environment, never the
/// token itself), `base_url` (a self-hosted Bot API server or a test server), `local` (allow http and
/// loopback/private addresses), `poll_timeout_seconds` (0–50, default 25), `mode` (`polling` |
/// `webhook`, default `polling`), `webhook_url` and `webhook_secret_token` (webhook mode;
/// the secret as `${…}`, 1–256 characters of `A–Z a–z 0–9 _ -`). Status links in receipts use
/// `server.public_url`.
struct TelegramBotSection: Decodable {
    var settings: TelegramBotSettings

    enum CodingKeys: String, CodingKey, CaseIterable {
        case token
        case baseURL = "base_url"
        case local
        case pollTimeoutSeconds = "poll_timeout_seconds"
        case mode
        case webhookURL = "webhook_url"
        case webhookSecretToken = "webhook_secret_token"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func fail(_ key: CodingKeys, _ reason: String) -> TyndauError {
            .configuration(ConfigurationPath.render(decoder.codingPath + [key]), reason)
        }
        let token = try container.decode(Secret.self, forKey: .token)
        // BotFather tokens are `<bot id>:<35 characters>`.
        let parts = token.value.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0].allSatisfy(\.isNumber), !parts[1].isEmpty,
            parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { throw fail(.token, "expected a BotFather token (digits:letters), e.g. from ${TELEGRAM_BOT_TOKEN}") }
        settings = TelegramBotSettings(token: token)
        if let base = try container.decodeIfPresent(String.self, forKey: .baseURL) {
            guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
                throw fail(.baseURL, "must start with https://")
            }
            settings.baseURL = base
        }
        settings.local = try container.decodeIfPresent(Bool.self, forKey: .local) ?? false
        if let base = settings.baseURL, base.hasPrefix("http://"), !settings.local {
            throw fail(.baseURL, "plain http needs local: true")
        }
        if let timeout = try container.decodeIfPresent(Int.self, forKey: .pollTimeoutSeconds) {
            guard (0...50).contains(timeout) else { throw fail(.pollTimeoutSeconds, "must be 0–50") }
            settings.pollTimeout = timeout
        }
        if let mode = try container.decodeIfPresent(String.self, forKey: .mode) {
            guard let value = TelegramBotSettings.Mode(rawValue: mode) else {
                throw fail(.mode, "must be polling or webhook")
            }
            settings.mode = value
        }
        if let url = try container.decodeIfPresent(String.self, forKey: .webhookURL) {
            guard url.hasPrefix("https://") else { throw fail(.webhookURL, "Telegram calls webhooks over https only") }
            settings.webhookURL = url
        }
        if let secret = try container.decodeIfPresent(Secret.self, forKey: .webhookSecretToken) {
            guard (1...256).contains(secret.value.count),
                secret.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else { throw fail(.webhookSecretToken, "1–256 characters of A–Z, a–z, 0–9, _ and -") }
            settings.webhookSecretToken = secret
        }
        if settings.mode == .webhook {
            guard settings.webhookURL != nil else { throw fail(.webhookURL, "required in webhook mode") }
            guard settings.webhookSecretToken != nil else {
                throw fail(.webhookSecretToken, "required in webhook mode")
            }
        }
    }
}

extension TelegramQuestionIntake {
    /// The bot's questions go through the same ``QuestionValidator`` as the web form and imports.
    /// With `series`, replies name the candidate meeting and the written-answer deadline (the receipt's
    /// wording, ``ReceiptTimeframe/lines(_:)``); with `similar`, an open topic like the question to join.
    static func validator(
        _ validator: QuestionValidator = QuestionValidator(), series: SeriesInEffect? = nil, similar: SimilarTopics? = nil,
        rateLimit: IntakeRateLimit = IntakeRateLimit(limit: 0), now: @escaping @Sendable () -> Date = WallClock.now
    ) -> TelegramQuestionIntake {
        TelegramQuestionIntake(
            minimumLength: validator.minimumLength, maximumLength: validator.maximumLength, rateLimit: rateLimit,
            timeframe: { submittedAt, language in
                await series?.timeframe(submittedAt: submittedAt, now: now()).lines(language) ?? []
            },
            similarTopics: { text in await similar?.similar(to: text, now: now()) ?? [] }
        ) {
            text, sourceKey, now in
            try validator.validate(Submission(text: text, channel: .telegram, externalID: sourceKey), now: now).question
        }
    }

    /// The configured bot's intake: the series in effect and the open topics, read from `database`, and
    /// `intake.rate_limit_per_hour` per chat.
    static func configured(_ configuration: TyndauConfiguration, database: any TyndauStore) -> TelegramQuestionIntake {
        .validator(
            series: SeriesInEffect(
                configured: SeriesSettings(series: configuration.series, policy: configuration.agendaPolicy), store: database),
            similar: SimilarTopics(store: database),
            rateLimit: IntakeRateLimit(limit: configuration.intake.settings.rateLimitPerHour))
    }
}
