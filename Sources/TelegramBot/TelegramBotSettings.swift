import Foundation
import HTTPClient
import TyndauCore

/// How the bot talks to the Bot API (configuration section `telegram_bot`).
///
/// Keys: `token` (`${TELEGRAM_BOT_TOKEN}`: from BotFather, never written in the file), `base_url`
/// (a self-hosted Bot API server or a test server; default `https://api.telegram.org`), `local`
/// (allow http and loopback/private addresses), `poll_timeout_seconds` (long-poll wait, default 25),
/// `mode` (`polling` | `webhook`), `webhook_url`, `webhook_secret_token`.
public struct TelegramBotSettings: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// `getUpdates` long polling, run by `tyndau worker`.
        case polling
        /// Telegram calls us (`setWebhook`); needs the HTTP server (`tyndau serve`).
        case webhook
    }

    public var token: Secret
    public var baseURL: String?
    public var local: Bool
    /// Seconds Telegram holds a `getUpdates` call open when there is nothing new (0–50).
    public var pollTimeout: Int
    public var mode: Mode
    public var webhookURL: String?
    public var webhookSecretToken: Secret?
    /// Base of status links in receipts (`server.public_url`):
    /// `BASE/questions/TICKET?token=…`.
    public var statusBaseURL: String?
    /// Tries per reply (429 waits, server errors) before it is given up and logged.
    public var maxReplyAttempts: Int
    /// Wait after a failed `getUpdates` (network, 5xx) before the next one.
    public var errorBackoff: Duration
    /// Longest wait for a reply's slot (a 429's `retry_after`, a chat sending a burst); a reply that
    /// would wait longer is dropped and logged, so the batch's questions are still stored meanwhile.
    public var maxReplyWait: TimeInterval

    public init(
        token: Secret, baseURL: String? = nil, local: Bool = false, pollTimeout: Int = 25, mode: Mode = .polling,
        webhookURL: String? = nil, webhookSecretToken: Secret? = nil, statusBaseURL: String? = nil,
        maxReplyAttempts: Int = 5, errorBackoff: Duration = .seconds(5), maxReplyWait: TimeInterval = 60
    ) {
        self.token = token
        self.baseURL = baseURL
        self.local = local
        self.pollTimeout = pollTimeout
        self.mode = mode
        self.webhookURL = webhookURL
        self.webhookSecretToken = webhookSecretToken
        self.statusBaseURL = statusBaseURL
        self.maxReplyAttempts = maxReplyAttempts
        self.errorBackoff = errorBackoff
        self.maxReplyWait = maxReplyWait
    }

    /// The bot's numeric id (the token's part before `:`): public, used to key the stored offset.
    public var botID: String { String(token.value.prefix(while: { $0 != ":" })) }

    /// `BASE/bot<token>/<method>`.
    func methodURL(_ method: String) -> String {
        var base = baseURL ?? "https://api.telegram.org"
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/bot\(token.value)/\(method)"
    }

    /// The libcurl profile a long poll needs: the total and low-speed timeouts outlast the poll, since
    /// Telegram sends nothing while it holds the call open.
    public var clientProfile: CurlClient.Profile {
        CurlClient.Profile(
            connectTimeout: .seconds(10), totalTimeout: .seconds(pollTimeout + 20),
            lowSpeedTime: .seconds(pollTimeout + 15),
            maxConnections: 16
        )
    }

    /// `text` with the token (also percent-encoded) replaced by `***`: curl errors can quote the URL.
    /// Control characters are escaped (``LogSafeText``): Telegram's answers go to one log line.
    func redact(_ text: String) -> String {
        var text = LogSafeText.escapingControls(text).replacingOccurrences(of: token.value, with: "***")
        if let encoded = token.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
            text = text.replacingOccurrences(of: encoded, with: "***")
        }
        return text
    }
}
