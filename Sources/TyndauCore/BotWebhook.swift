/// A chat bot's webhook as the HTTP server sees it: where Telegram posts updates, and what to answer.
///
/// Lets `tyndau serve` (Hummingbird) carry the Telegram bot's webhook without importing `TelegramBot`,
/// which owns the Bot API calls: the server only routes `POST routePath` here.
public protocol BotWebhook: Sendable {
    /// The path Telegram posts to (the path of the configured `webhook_url`).
    var routePath: String { get }

    /// Handles one request: `secretToken` is the `X-Telegram-Bot-Api-Secret-Token` header, `body` the
    /// update. Returns the HTTP status to answer with.
    func receive(secretToken: String?, body: [UInt8]) async -> Int

    /// Whether `secretToken` (the header) is the configured one. The server asks before it reads the
    /// body, so an unauthenticated request never costs a body read (and is 403 whatever its size).
    func acceptsSecretToken(_ secretToken: String?) -> Bool
}
