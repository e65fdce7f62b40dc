import Crypto
import Foundation
import HTTPClient
import TyndauCore

/// Signs webhook payloads per the Standard Webhooks specification: `webhook-id` (stable across
/// retries), `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature`
/// (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one entry per secret during rotation, separated
/// by spaces). Secrets are `whsec_` followed by base64 key bytes.
public struct StandardWebhookSigner: Sendable {
    public let keys: [[UInt8]]

    /// Fails on a secret that is not `whsec_…` base64 (the error names no secret).
    public init(secrets: [String]) throws {
        keys = try secrets.map { secret in
            let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
            guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else {
                throw TyndauError.configuration("secrets", "a signing secret must be whsec_ followed by base64")
            }
            return Array(bytes)
        }
    }

    /// The `webhook-signature` header value.
    public func signature(id: String, timestamp: Int, body: [UInt8]) -> String {
        let content = Array("\(id).\(timestamp).".utf8) + body
        return keys.map { key in
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: key))
            return "v1," + Data(mac).base64EncodedString()
        }.joined(separator: " ")
    }
}

/// A generic JSON webhook signed per Standard Webhooks: `json://HOST[:PORT]/PATH` (`jsons://` for
/// https), secrets in the endpoint's `secrets:` list. One part per message (no length limit); the
/// body is `{"type":"message.published","timestamp":…,"data":{…}}`.
public struct WebhookTarget: DeliveryTarget {
    public let definition: EndpointDefinition
    let signer: StandardWebhookSigner?

    public init(definition: EndpointDefinition) {
        self.definition = definition
        signer = definition.signingSecrets.isEmpty ? nil : try? StandardWebhookSigner(secrets: definition.signingSecrets.map(\.value))
    }

    public func parts(subject: String?, body: String) -> [MessagePart] {
        [MessagePart(index: 0, count: 1, subject: subject, text: body)]
    }

    static let timestampStyle = Date.ISO8601FormatStyle()

    /// Stable for every retry of the same delivery, so receivers can drop duplicates.
    public static func webhookID(deliveryID: Int64, part: Int) -> String {
        part == 0 ? "msg_tyndau_\(deliveryID)" : "msg_tyndau_\(deliveryID)_\(part)"
    }

    struct Payload: Encodable {
        struct Data: Encodable {
            var endpoint: String
            var message_key: String
            var subject: String?
            var text: String
            var language: String?
        }
        var type = "message.published"
        var timestamp: String
        var data: Data
    }

    public func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest {
        let timestamp = Int(context.now.timeIntervalSince1970)
        let payload = Payload(
            timestamp: context.now.formatted(Self.timestampStyle),
            data: .init(endpoint: context.endpointName, message_key: context.messageKey, subject: part.subject, text: part.text,
                        language: context.language?.rawValue)
        )
        let body = JSONRequestBody.encode(payload)
        let id = Self.webhookID(deliveryID: context.deliveryID, part: part.index)
        var headers = ["webhook-id: \(id)", "webhook-timestamp: \(timestamp)"]
        if let signer {
            headers.append("webhook-signature: " + signer.signature(id: id, timestamp: timestamp, body: body))
        }
        // Credentials in the URL are sent, never dropped: user:password@ as basic authentication, the
        // query (`?key=…`) as written.
        if let user = definition.user {
            let pair = user + ":" + (definition.password?.value ?? "")
            headers.append("Authorization: Basic " + Data(pair.utf8).base64EncodedString())
        }
        let fallback = (definition.secure ? "https://" : "http://") + definition.host
        var path = "/" + definition.path.map(percentEncodedSegment).joined(separator: "/")
        if let query = definition.query { path += "?" + query }
        return .json(url: serviceURL(fallback: fallback, path: path), body: body, headers: headers, allowLocal: definition.local)
    }

    public func classify(_ response: TransferResponse) -> PartOutcome { classifyHTTP(response) }
}
