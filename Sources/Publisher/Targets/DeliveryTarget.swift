import Foundation
import HTTPClient
import TyndauCore

/// One part of a message as a target sends it: plain text, already cut to fit the target's limit.
public struct MessagePart: Sendable, Hashable {
    public var index: Int
    public var count: Int
    /// Only the first part carries the subject.
    public var subject: String?
    public var text: String

    public init(index: Int, count: Int, subject: String?, text: String) {
        self.index = index
        self.count = count
        self.subject = subject
        self.text = text
    }
}

/// What a target needs to know about the delivery it sends for.
public struct SendContext: Sendable, Hashable {
    public var deliveryID: Int64
    public var messageKey: String
    public var endpointName: String
    public var language: UILanguage?
    public var now: Date
    /// A personal notice's addressee (e-mail address, Telegram chat id), replacing the endpoint's own
    /// destination; `nil` for messages to the endpoint's configured channel or list.
    public var recipient: String?

    public init(deliveryID: Int64, messageKey: String, endpointName: String, language: UILanguage?, now: Date, recipient: String? = nil) {
        self.deliveryID = deliveryID
        self.messageKey = messageKey
        self.endpointName = endpointName
        self.language = language
        self.now = now
        self.recipient = recipient
    }
}

/// How a service answered one part, in the terms the outbox acts on.
public enum PartOutcome: Sendable, Hashable {
    /// Accepted; `remoteID` is the service's id of the post; `cooldown` is a wait the service announced
    /// for the next request (Discord's rate-limit headers).
    case sent(remoteID: String?, cooldown: TimeInterval?)
    /// Transient: try again later, after `wait` when the server named one. `pauseEndpoint` when the wait
    /// applies to everything sent to the endpoint (429).
    case retry(wait: TimeInterval?, reason: String, pauseEndpoint: Bool)
    /// Refused for good.
    case failed(reason: String)
    /// The destination is gone (410, archived): disable the endpoint.
    case gone(reason: String)
    /// The service could not parse our markup: send this part once more as plain text.
    case resendPlain(reason: String)
    /// The transfer was cancelled (worker stopping).
    case cancelled
}

/// A chat service or webhook flavour: how a message is split, rendered, sent and how the answer reads.
///
/// Implementations are pure values over an ``EndpointDefinition``; the worker owns the I/O.
public protocol DeliveryTarget: Sendable {
    var definition: EndpointDefinition { get }

    /// The message cut into parts within the service's limit (or truncated, per the endpoint's overflow mode).
    func parts(subject: String?, body: String) -> [MessagePart]

    /// The request for one part; `plain` asks for no markup (the resend after a markup error).
    func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest

    /// Reads the service's answer.
    func classify(_ response: TransferResponse) -> PartOutcome

    /// Rules the worker's rate limiter enforces before each request.
    var rateRules: [RateRule] { get }

    /// The rules for a personal notice to `recipient` (which replaces the endpoint's destination, so
    /// per-destination limits apply to it); ``rateRules`` when `nil`.
    func rateRules(recipient: String?) -> [RateRule]
}

extension DeliveryTarget {
    public var rateRules: [RateRule] { [] }

    public func rateRules(recipient: String?) -> [RateRule] { rateRules }

    /// Splits `body` so that each part's rendered size (plus the subject's on the first) fits `limit`
    /// measured by `cost`; honours the endpoint's overflow mode.
    func splitParts(subject: String?, body: String, limit: Int, subjectCost: Int, cost: (Character) -> Int) -> [MessagePart] {
        let room = max(16, limit - subjectCost)
        var slices = TextSplitter.split(body, limit: room, cost: cost).map(String.init)
        if slices.isEmpty { slices = [""] }
        if definition.overflow == .truncate, slices.count > 1 {
            let ellipsisRoom = max(1, room - cost("…"))
            let first = TextSplitter.split(body, limit: ellipsisRoom, cost: cost).first.map(String.init) ?? ""
            slices = [trimmedTrailing(first) + "…"]
        }
        return slices.enumerated().map { index, text in
            MessagePart(index: index, count: slices.count, subject: index == 0 ? subject : nil, text: text)
        }
    }

    func trimmedTrailing(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }

    /// The shared reading of HTTP answers: 2xx sent; 408, 425, 429, 5xx and network errors retry
    /// (429 pauses the endpoint); 410 gone; other 4xx fail; an SSRF refusal or a forbidden protocol fails.
    func classifyHTTP(_ response: TransferResponse, remoteID: String? = nil) -> PartOutcome {
        if response.cancelled { return .cancelled }
        if response.refusedAddress != nil || response.curlCode == 1 || response.curlCode == 3 {
            return .failed(reason: response.errorMessage ?? "refused")
        }
        if response.curlCode != 0 {
            return .retry(wait: nil, reason: "transfer failed: \(response.errorMessage ?? "curl \(response.curlCode)")", pauseEndpoint: false)
        }
        let status = response.status
        let wait = response.retryAfter.map(TimeInterval.init)
        switch status {
        case 200..<300:
            return .sent(remoteID: remoteID, cooldown: nil)
        case 429:
            return .retry(wait: wait, reason: "HTTP 429: \(snippet(response))", pauseEndpoint: true)
        case 408, 425, 500..<600:
            return .retry(wait: wait, reason: "HTTP \(status): \(snippet(response))", pauseEndpoint: false)
        case 410:
            return .gone(reason: "HTTP 410: \(snippet(response))")
        default:
            if response.bodyText.localizedCaseInsensitiveContains("archived") {
                return .gone(reason: "HTTP \(status): \(snippet(response))")
            }
            return .failed(reason: "HTTP \(status): \(snippet(response))")
        }
    }

    func snippet(_ response: TransferResponse) -> String {
        DeliveryAttempt.clip(response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines), bytes: 300)
    }

    /// Builds the service URL from the endpoint's base URL (or `fallback`) and `path`.
    func serviceURL(fallback: String, path: String) -> String {
        var base = definition.baseURL ?? fallback
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }
}

/// Percent-encoding of one path segment.
func percentEncodedSegment(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}
