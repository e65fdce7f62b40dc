import Foundation
import HTTPClient

/// Slack incoming webhook: mrkdwn with `& < >` escaped, sections of at most 3,000 characters, at most
/// 50 blocks per message. URL: `slack://T…/B…/XXXX` → `https://hooks.slack.com/services/T…/B…/XXXX`.
/// Answers are plain text (`ok`, `invalid_payload`, `channel_is_archived`, `no_service`); 1 message/s.
public struct SlackTarget: DeliveryTarget {
    public static let sectionLimit = 3000
    /// Blocks per message, keeping room for the header block and sections that end early at a boundary.
    static let sectionsPerPart = 24

    public let definition: EndpointDefinition

    public init(definition: EndpointDefinition) {
        self.definition = definition
    }

    public func parts(subject: String?, body: String) -> [MessagePart] {
        splitParts(subject: subject, body: body, limit: Self.sectionLimit * Self.sectionsPerPart, subjectCost: 0, cost: Markup.slackCost)
    }

    /// The sections of one part, each within 3,000 characters once escaped.
    public func sections(of part: MessagePart) -> [String] {
        TextSplitter.split(trimmedTrailing(part.text), limit: Self.sectionLimit, cost: Markup.slackCost)
            .map { Markup.slack(trimmedTrailing(String($0))) }
            .filter { !$0.isEmpty }
    }

    public func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest {
        var blocks: [[String: AnyEncodable]] = []
        if let subject = part.subject {
            let title = String(subject.prefix(150))
            blocks.append(["type": "header", "text": AnyEncodable(["type": "plain_text", "text": title])])
        }
        for section in sections(of: part) {
            blocks.append(["type": "section", "text": AnyEncodable(["type": "mrkdwn", "text": section])])
        }
        let fallback = Markup.slack((part.subject ?? String(part.text.prefix(150))))
        let body: [String: AnyEncodable] = ["text": AnyEncodable(fallback), "blocks": AnyEncodable(blocks)]
        let url = serviceURL(fallback: "https://hooks.slack.com", path: "/services/" + tokens.map(percentEncodedSegment).joined(separator: "/"))
        return .json(url: url, body: JSONRequestBody.encode(body), allowLocal: definition.local)
    }

    /// The webhook's three tokens: Apprise writes the first where a host would be.
    var tokens: [String] { [definition.host] + definition.path }

    public func classify(_ response: TransferResponse) -> PartOutcome {
        let text = response.bodyText
        if response.transferred, ["no_service", "channel_is_archived", "no_active_hooks"].contains(where: text.contains) {
            return .gone(reason: "HTTP \(response.status): \(snippet(response))")
        }
        return classifyHTTP(response)
    }

    public var rateRules: [RateRule] {
        [RateRule(key: "slack:" + tokens.joined(separator: "/"), limit: 1, interval: 1)]
    }
}

/// Discord webhook: `discord://WEBHOOK_ID/WEBHOOK_TOKEN`, posted with `?wait=true` so the answer carries
/// the message id. 2,000 characters; Markdown escaped; mentions disabled (`allowed_mentions` empty).
/// 429 carries a JSON `retry_after` in seconds; `X-RateLimit-Remaining: 0` with
/// `X-RateLimit-Reset-After` holds the next request.
public struct DiscordTarget: DeliveryTarget {
    public static let limit = 2000

    public let definition: EndpointDefinition

    public init(definition: EndpointDefinition) {
        self.definition = definition
    }

    public func parts(subject: String?, body: String) -> [MessagePart] {
        let subjectCost = subject.map { TextSplitter.measure($0) { Markup.chatMarkdownCost($0, unit: .utf16) } + 5 } ?? 0
        return splitParts(subject: subject, body: body, limit: Self.limit, subjectCost: subjectCost) {
            Markup.chatMarkdownCost($0, unit: .utf16)
        }
    }

    public func render(_ part: MessagePart) -> String {
        (part.subject.map { "**\(Markup.chatMarkdown($0))**\n" } ?? "") + Markup.chatMarkdown(trimmedTrailing(part.text))
    }

    struct Payload: Encodable {
        var content: String
        var allowed_mentions: [String: [String]]
    }

    public func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest {
        let payload = Payload(content: render(part), allowed_mentions: ["parse": []])
        let path = "/api/webhooks/" + ([definition.host] + definition.path.prefix(1)).map(percentEncodedSegment).joined(separator: "/") + "?wait=true"
        return .json(url: serviceURL(fallback: "https://discord.com", path: path), body: JSONRequestBody.encode(payload), allowLocal: definition.local)
    }

    public func classify(_ response: TransferResponse) -> PartOutcome {
        let json = response.jsonObject
        if response.transferred, response.status == 429 {
            let wait = (json?["retry_after"] as? Double) ?? response.retryAfter.map(Double.init)
            return .retry(wait: wait, reason: "HTTP 429: \(json?["message"] as? String ?? "rate limited")", pauseEndpoint: true)
        }
        if response.transferred, response.status == 404, (json?["code"] as? Int) == 10015 {
            return .gone(reason: "HTTP 404: unknown webhook")
        }
        var cooldown: TimeInterval?
        if response.headers["x-ratelimit-remaining"] == "0" {
            cooldown = response.headers["x-ratelimit-reset-after"].flatMap(Double.init)
        }
        if case .sent = classifyHTTP(response) {
            return .sent(remoteID: json?["id"] as? String, cooldown: cooldown)
        }
        return classifyHTTP(response)
    }

    public var rateRules: [RateRule] {
        [RateRule(key: "discord:" + definition.host, limit: 5, interval: 2)]
    }
}

/// Mattermost incoming webhook: `mmost://HOST[:PORT]/HOOK_TOKEN` (`mmosts://` for https), optional
/// `?channel=…&username=…`. Markdown escaped; 16,383 characters counted as Unicode scalars.
public struct MattermostTarget: DeliveryTarget {
    public static let limit = 16_383

    public let definition: EndpointDefinition

    public init(definition: EndpointDefinition) {
        self.definition = definition
    }

    public func parts(subject: String?, body: String) -> [MessagePart] {
        let subjectCost = subject.map { TextSplitter.measure($0) { Markup.chatMarkdownCost($0, unit: .scalars) } + 6 } ?? 0
        return splitParts(subject: subject, body: body, limit: Self.limit, subjectCost: subjectCost) {
            Markup.chatMarkdownCost($0, unit: .scalars)
        }
    }

    public func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest {
        var payload: [String: String] = [
            "text": (part.subject.map { "**\(Markup.chatMarkdown($0))**\n\n" } ?? "") + Markup.chatMarkdown(trimmedTrailing(part.text)),
        ]
        if let channel = definition.options["channel"] { payload["channel"] = channel }
        if let username = definition.options["username"] { payload["username"] = username }
        let fallback = (definition.secure ? "https://" : "http://") + definition.host
        let url = serviceURL(fallback: fallback, path: "/hooks/" + percentEncodedSegment(definition.path.last ?? ""))
        return .json(url: url, body: JSONRequestBody.encode(payload), allowLocal: definition.local)
    }

    public func classify(_ response: TransferResponse) -> PartOutcome { classifyHTTP(response) }
}

/// Matrix client-server API: `matrix://ACCESS_TOKEN@HOST[:PORT]/ROOM_ID` (`matrixs://` for https; a room
/// alias may be written as the fragment `#room:server`). Sent with
/// `PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}`, the txnId derived from the delivery
/// and part, so a retry after a lost answer is deduplicated by the homeserver. Event size is bounded
/// in bytes (65,536), so parts are measured in UTF-8 bytes of plain and HTML bodies together.
public struct MatrixTarget: DeliveryTarget {
    /// Bytes of plain + HTML body per event, leaving room for the JSON envelope.
    public static let limit = 60_000

    public let definition: EndpointDefinition

    public init(definition: EndpointDefinition) {
        self.definition = definition
    }

    var accessToken: String { definition.password?.value ?? definition.user ?? "" }

    var room: String { definition.fragment ?? definition.path.joined(separator: "/") }

    static func cost(_ character: Character) -> Int {
        let plain = character.utf8.count + JSONRequestBody.escapeCost(character)
        let html: Int
        switch character {
        case "&": html = 5
        case "<", ">": html = 4
        case "\"": html = 7
        case "\n": html = 4
        default: html = plain
        }
        return plain + html
    }

    public func parts(subject: String?, body: String) -> [MessagePart] {
        let subjectCost = subject.map { TextSplitter.measure($0, cost: Self.cost) + 20 } ?? 0
        return splitParts(subject: subject, body: body, limit: Self.limit, subjectCost: subjectCost, cost: Self.cost)
    }

    /// The transaction id: the same for every retry of the same part.
    public static func transactionID(deliveryID: Int64, part: Int) -> String {
        "tyndau.\(deliveryID).\(part)"
    }

    public func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest {
        let text = trimmedTrailing(part.text)
        let plainBody = (part.subject.map { $0 + "\n\n" } ?? "") + text
        let html = (part.subject.map { "<b>\(Markup.html($0))</b><br><br>" } ?? "")
            + Markup.html(text).replacingOccurrences(of: "\n", with: "<br>")
        var payload = ["msgtype": "m.text", "body": plainBody]
        if !plain {
            payload["format"] = "org.matrix.custom.html"
            payload["formatted_body"] = html
        }
        let fallback = (definition.secure ? "https://" : "http://") + definition.host
        let txn = Self.transactionID(deliveryID: context.deliveryID, part: part.index)
        let path = "/_matrix/client/v3/rooms/\(percentEncodedSegment(room))/send/m.room.message/\(txn)"
        return .json(.put, url: serviceURL(fallback: fallback, path: path), body: JSONRequestBody.encode(payload),
                     headers: ["Authorization: Bearer \(accessToken)"], allowLocal: definition.local)
    }

    public func classify(_ response: TransferResponse) -> PartOutcome {
        let json = response.jsonObject
        if response.transferred, response.status == 429 || (json?["errcode"] as? String) == "M_LIMIT_EXCEEDED" {
            let wait = (json?["retry_after_ms"] as? Double).map { $0 / 1000 } ?? response.retryAfter.map(Double.init)
            return .retry(wait: wait, reason: "HTTP \(response.status): M_LIMIT_EXCEEDED", pauseEndpoint: true)
        }
        if case .sent = classifyHTTP(response) {
            return .sent(remoteID: json?["event_id"] as? String, cooldown: nil)
        }
        return classifyHTTP(response)
    }
}

/// Microsoft Teams through a Power Automate Workflows webhook, as an Adaptive Card.
/// URL: `workflows://HOST[:PORT]/WORKFLOW_ID/SIGNATURE` (Apprise's form) → the workflow's
/// `…/workflows/{id}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=…&sv=1.0&sig=…`.
/// Card payloads are bounded at about 28 KB, so parts are measured in UTF-8 bytes; at most 4 posts/s.
public struct TeamsWorkflowTarget: DeliveryTarget {
    public static let limit = 20_000

    public let definition: EndpointDefinition

    public init(definition: EndpointDefinition) {
        self.definition = definition
    }

    static func cost(_ character: Character) -> Int { character.utf8.count + JSONRequestBody.escapeCost(character) }

    public func parts(subject: String?, body: String) -> [MessagePart] {
        splitParts(subject: subject, body: body, limit: Self.limit, subjectCost: subject.map { TextSplitter.measure($0, cost: Self.cost) } ?? 0, cost: Self.cost)
    }

    public func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest {
        var blocks: [[String: AnyEncodable]] = []
        if let subject = part.subject {
            blocks.append(["type": "TextBlock", "text": AnyEncodable(subject), "weight": "Bolder", "size": "Medium", "wrap": AnyEncodable(true)])
        }
        blocks.append(["type": "TextBlock", "text": AnyEncodable(trimmedTrailing(part.text)), "wrap": AnyEncodable(true)])
        let card: [String: AnyEncodable] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": AnyEncodable(blocks),
        ]
        let payload: [String: AnyEncodable] = [
            "type": "message",
            "attachments": AnyEncodable([["contentType": AnyEncodable("application/vnd.microsoft.card.adaptive"), "content": AnyEncodable(card)]]),
        ]
        let workflow = percentEncodedSegment(definition.path[0])
        let signature = percentEncodedSegment(definition.path[1])
        let path = "/workflows/\(workflow)/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=\(signature)"
        return .json(url: serviceURL(fallback: "https://" + definition.host, path: path), body: JSONRequestBody.encode(payload), allowLocal: definition.local)
    }

    public func classify(_ response: TransferResponse) -> PartOutcome { classifyHTTP(response) }

    public var rateRules: [RateRule] {
        [RateRule(key: "teams:" + definition.host + "/" + (definition.path.first ?? ""), limit: 4, interval: 1)]
    }
}

/// A JSON value of mixed types, for payloads whose shape is fixed by a service's documentation.
struct AnyEncodable: Encodable, Sendable, ExpressibleByStringLiteral {
    private let encodeValue: @Sendable (any Encoder) throws -> Void

    init<T: Encodable & Sendable>(_ value: T) {
        encodeValue = { try value.encode(to: $0) }
    }

    init(stringLiteral value: String) {
        self.init(value)
    }

    func encode(to encoder: any Encoder) throws {
        try encodeValue(encoder)
    }
}
