import Foundation
import HTTPClient
import Logging
import TyndauCore

/// Webhook mode without a web framework: registers the webhook (`setWebhook` with a `secret_token`)
/// and handles one request Telegram makes — the `X-Telegram-Bot-Api-Secret-Token` header checked in
/// constant time on every request, the update handled by the same ``TelegramConversation`` as polling.
///
/// The HTTP route (`POST` ``routePath``) is `tyndau serve`'s, which sees this as a ``BotWebhook``.
/// A repeated delivery of the same update (Telegram retries when it gets no 2xx) stores nothing twice:
/// the question's source key is derived from chat and message.
public struct TelegramWebhookReceiver: BotWebhook {
    let settings: TelegramBotSettings
    let client: CurlClient
    let logger: Logger
    let conversation: TelegramConversation

    public init(
        settings: TelegramBotSettings, store: any BotStore, intake: TelegramQuestionIntake, client: CurlClient,
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.settings = settings
        self.client = client
        self.logger = logger
        conversation = TelegramConversation.make(
            settings: settings, store: store, intake: intake, client: client, clock: clock, now: now, logger: logger
        )
    }

    /// The path of `webhook_url` (default `/telegram/webhook`), which the server routes here.
    public var routePath: String {
        let path = settings.webhookURL.flatMap { URLComponents(string: $0)?.path } ?? ""
        return path.isEmpty ? "/telegram/webhook" : path
    }

    /// The HTTP status to answer Telegram with: 200 when the update was handled (or was malformed and
    /// is skipped, so Telegram stops resending it), 403 when the secret token is missing or wrong,
    /// 500 when handling failed (Telegram retries; nothing is stored twice).
    public func acceptsSecretToken(_ secretToken: String?) -> Bool {
        guard let expected = settings.webhookSecretToken?.value, let given = secretToken else { return false }
        return Self.constantTimeEqual(Array(given.utf8), Array(expected.utf8))
    }

    public func receive(secretToken: String?, body: [UInt8]) async -> Int {
        guard acceptsSecretToken(secretToken) else {
            logger.warning("webhook request without the right secret token refused")
            return 403
        }
        let update: TelegramUpdate
        do {
            update = try TelegramUpdate(json: try JSONSerialization.jsonObject(with: Data(body)))
        } catch let malformed as TelegramUpdate.Malformed {
            logger.warning(
                "malformed update skipped",
                metadata: [
                    "tyndau.telegram.update": "\(malformed.updateID.map(String.init) ?? "none")",
                    "tyndau.reason": "\(malformed.reason)",
                ])
            return 200
        } catch {
            logger.warning(
                "malformed update skipped", metadata: ["tyndau.telegram.update": "none", "tyndau.reason": "not JSON"])
            return 200
        }
        do {
            try await conversation.handle(update)
            return 200
        } catch {
            logger.error(
                "webhook update handling failed; Telegram will resend it: \(settings.redact(String(describing: error)))",
                metadata: ["tyndau.telegram.update": "\(update.updateID)"])
            return 500
        }
    }

    /// `setWebhook` with the configured URL and secret token, for messages and edited messages.
    public func register() async throws {
        guard let url = settings.webhookURL, let secret = settings.webhookSecretToken else {
            throw TyndauError.configuration("telegram_bot.webhook_url", "required in webhook mode")
        }
        let parameters: [String: Any] = [
            "url": url, "secret_token": secret.value, "allowed_updates": ["message", "edited_message"],
            "drop_pending_updates": false,
        ]
        let body = Array((try? JSONSerialization.data(withJSONObject: parameters, options: [.sortedKeys])) ?? Data())
        let response = await client.perform(
            .json(url: settings.methodURL("setWebhook"), body: body, allowLocal: settings.local))
        let json = response.jsonObject
        guard response.transferred, response.status == 200, json?["ok"] as? Bool == true else {
            let reason =
                response.transferred
                ? "HTTP \(response.status): \(settings.redact(json?["description"] as? String ?? ""))"
                : settings.redact(response.errorMessage ?? "transfer failed")
            throw TelegramBotPoller.PollFailure(status: response.status, reason: "setWebhook failed: " + reason)
        }
        logger.info("telegram webhook registered")
    }

    /// Compares without stopping at the first difference, so timing does not reveal the secret.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            difference |= (index < lhs.count ? lhs[index] : 0) ^ (index < rhs.count ? rhs[index] : 0)
        }
        return difference == 0
    }
}
