import Foundation
import HTTPClient
import Logging
import TyndauCore

/// Sends the bot's replies straight to `sendMessage`, within Telegram's limits: one message per second
/// per chat and 30 per second per bot (reserved on a ``RateLimiter`` before each request), a 429's
/// `parameters.retry_after` honoured for the whole bot, server errors retried a few times, and a 403
/// ("bot was blocked by the user") marking the chat unreachable instead of retrying.
///
/// Replies do not go through the outbox: most go to chats that have not consented, and the outbox
/// never holds personal data such as a chat id (see README, "Telegram bot").
struct TelegramReplySender: Sendable {
    enum Result: Sendable, Hashable {
        case sent
        /// 403: the resident blocked the bot; the chat is marked unreachable.
        case blocked
        /// Refused (other 4xx) or still failing after the last attempt.
        case gaveUp
    }

    let settings: TelegramBotSettings
    let client: CurlClient
    let store: any BotStore
    let limiter: RateLimiter
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    let logger: Logger

    private struct Payload: Encodable {
        var chat_id: Int64
        var text: String
        var link_preview_options: [String: Bool]
    }

    func send(_ text: String, chatID: Int64, chatKey: String, update: Int64) async throws -> Result {
        let bot = "telegram:" + settings.botID
        let rules = [
            RateRule(key: bot + ":chat:" + chatKey, limit: 1, interval: 1), RateRule(key: bot, limit: 30, interval: 1),
        ]
        let body = JSONRequestBody.encode(Payload(chat_id: chatID, text: text, link_preview_options: ["is_disabled": true]))
        let metadata: Logger.Metadata = ["tyndau.telegram.update": "\(update)"]
        var attempt = 0
        while true {
            attempt += 1
            guard let slot = await limiter.reserve(rules, maxWait: settings.maxReplyWait) else {
                logger.error(
                    "reply dropped: its slot is more than \(Int(settings.maxReplyWait)) s away", metadata: metadata)
                return .gaveUp
            }
            if slot > 0 { try await clock.sleep(for: .milliseconds(Int((slot * 1000).rounded(.up)))) }
            try Task.checkCancellation()
            let response = await client.perform(
                .json(url: settings.methodURL("sendMessage"), body: body, allowLocal: settings.local))
            if response.cancelled { throw CancellationError() }
            let json = response.jsonObject
            let description = settings.redact(json?["description"] as? String ?? "")
            if response.transferred, response.status == 200, json?["ok"] as? Bool == true {
                return .sent
            }
            if response.transferred, response.status == 403 {
                logger.notice("the resident blocked the bot; chat marked unreachable", metadata: metadata)
                try await store.markBotChatUnreachable(chatKey: chatKey, chatID: chatID, now: now())
                return .blocked
            }
            var wait: TimeInterval
            if response.transferred, response.status == 429 {
                let parameters = json?["parameters"] as? [String: Any]
                wait =
                    (parameters?["retry_after"] as? NSNumber)?.doubleValue ?? response.retryAfter.map(Double.init) ?? 1
                let until = now().addingTimeInterval(wait)
                for rule in rules { await limiter.hold(key: rule.key, until: until) }
                logger.notice(
                    "Telegram asked to wait before the next reply",
                    metadata: metadata.merging(["tyndau.retry_after": "\(wait)"]) { $1 })
                wait = 0  // the limiter now holds the slot
            } else if !response.transferred || response.status >= 500 || response.status == 408 {
                wait = min(60, pow(2, Double(attempt - 1)))
                let reason =
                    response.transferred
                    ? "HTTP \(response.status)" : settings.redact(response.errorMessage ?? "transfer failed")
                logger.warning("reply failed, will retry: \(reason)", metadata: metadata)
            } else {
                logger.error("reply refused: HTTP \(response.status) \(description)", metadata: metadata)
                return .gaveUp
            }
            guard attempt < settings.maxReplyAttempts else {
                logger.error("reply given up after \(attempt) tries", metadata: metadata)
                return .gaveUp
            }
            if wait > 0 { try await clock.sleep(for: .milliseconds(Int(wait * 1000))) }
        }
    }
}
