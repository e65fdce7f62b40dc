import Foundation
import HTTPClient

/// Telegram Bot API `sendMessage`.
///
/// URL: `tgram://BOT_TOKEN/CHAT_ID[:THREAD_ID][?format=html|markdownv2|text&thread=ID&silent=yes]`.
/// HTML parse mode by default (`& < >` escaped), MarkdownV2 with the full escape table on request. The
/// 4,096 limit is counted after entity parsing — the visible text, in UTF-16 code units — so markup and
/// escapes cost nothing. A 429 carries `parameters.retry_after`; "can't parse entities" is resent once
/// as plain text. Rate: 1 message/s per chat, 20/min in groups and channels, 30/s per bot.
public struct TelegramTarget: DeliveryTarget {
    public static let limit = 4096

    public enum Format: String, Sendable { case html, markdownV2 = "markdownv2", text }

    public let definition: EndpointDefinition
    public let chatID: String
    public let threadID: Int?
    public let format: Format

    public init(definition: EndpointDefinition) {
        self.definition = definition
        let target = definition.path.first ?? ""
        let pieces = target.split(separator: ":", maxSplits: 1)
        chatID = pieces.first.map(String.init) ?? target
        threadID = definition.options["thread"].flatMap(Int.init) ?? (pieces.count > 1 ? Int(pieces[1]) : nil)
        switch definition.options["format"]?.lowercased() {
        case "markdownv2", "markdown": format = .markdownV2
        case "text": format = .text
        default: format = .html
        }
    }

    public func parts(subject: String?, body: String) -> [MessagePart] {
        let subjectCost = subject.map { $0.utf16.count + 2 } ?? 0
        return splitParts(subject: subject, body: body, limit: Self.limit, subjectCost: subjectCost) { $0.utf16.count }
    }

    /// The text of `part` in `format`.
    public func render(_ part: MessagePart, format: Format) -> String {
        let text = trimmedTrailing(part.text)
        switch format {
        case .html:
            return (part.subject.map { "<b>\(Markup.html($0))</b>\n\n" } ?? "") + Markup.html(text)
        case .markdownV2:
            return (part.subject.map { "*\(Markup.telegramMarkdownV2($0))*\n\n" } ?? "") + Markup.telegramMarkdownV2(text)
        case .text:
            return (part.subject.map { $0 + "\n\n" } ?? "") + text
        }
    }

    struct Payload: Encodable {
        var chat_id: String
        var text: String
        var parse_mode: String?
        var message_thread_id: Int?
        var disable_notification: Bool?
        var link_preview_options: [String: Bool]
    }

    public func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest {
        let format = plain ? .text : self.format
        let payload = Payload(
            chat_id: context.recipient ?? chatID, text: render(part, format: format),
            parse_mode: format == .html ? "HTML" : format == .markdownV2 ? "MarkdownV2" : nil,
            message_thread_id: threadID,
            disable_notification: ["yes", "true", "1"].contains(definition.options["silent"]?.lowercased() ?? "") ? true : nil,
            link_preview_options: ["is_disabled": true]
        )
        let url = serviceURL(fallback: "https://api.telegram.org", path: "/bot\(definition.host)/sendMessage")
        return .json(url: url, body: JSONRequestBody.encode(payload), allowLocal: definition.local)
    }

    public func classify(_ response: TransferResponse) -> PartOutcome {
        let json = response.jsonObject
        let description = json?["description"] as? String ?? ""
        if response.transferred, response.status == 200, json?["ok"] as? Bool == true {
            let result = json?["result"] as? [String: Any]
            return .sent(remoteID: (result?["message_id"] as? Int).map(String.init), cooldown: nil)
        }
        if response.transferred, response.status == 429 {
            let parameters = json?["parameters"] as? [String: Any]
            let wait = (parameters?["retry_after"] as? Double) ?? response.retryAfter.map(Double.init)
            return .retry(wait: wait, reason: "HTTP 429: \(description)", pauseEndpoint: true)
        }
        if response.transferred, response.status == 400, description.localizedCaseInsensitiveContains("can't parse entities") {
            return .resendPlain(reason: description)
        }
        if response.transferred, response.status == 403 || description.localizedCaseInsensitiveContains("chat not found")
            || description.localizedCaseInsensitiveContains("upgraded to a supergroup") {
            return .failed(reason: "HTTP \(response.status): \(description)")
        }
        return classifyHTTP(response)
    }

    public var rateRules: [RateRule] { rules(chat: chatID) }

    /// A personal notice goes to the asker's own chat: the per-chat limit is theirs, not the endpoint's,
    /// so notices to many residents flow at the bot's 30/s instead of one per second.
    public func rateRules(recipient: String?) -> [RateRule] { rules(chat: recipient ?? chatID) }

    private func rules(chat: String) -> [RateRule] {
        let bot = "telegram:" + String(definition.host.prefix(while: { $0 != ":" }))
        var rules = [
            RateRule(key: bot + ":chat:" + chat, limit: 1, interval: 1),
            RateRule(key: bot, limit: 30, interval: 1),
        ]
        if chat.hasPrefix("-") || chat.hasPrefix("@") {
            rules.append(RateRule(key: bot + ":group:" + chat, limit: 20, interval: 60))
        }
        return rules
    }
}
