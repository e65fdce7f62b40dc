import Foundation
import HTTPClient

/// E-mail over SMTP through libcurl: `mailto://[USER:PASSWORD@]HOST[:PORT]?to=A@B[,C@D]&from=X@Y[&name=…]`
/// submits on port 587 with STARTTLS required (unless the endpoint is local); `mailtos://` uses
/// implicit TLS on 465. The subject is RFC 2047-encoded, the body is UTF-8 in base64, and the
/// Message-ID is derived from the delivery id, so a resent message is recognisably the same one.
public struct EmailTarget: DeliveryTarget {
    public let definition: EndpointDefinition

    public init(definition: EndpointDefinition) {
        self.definition = definition
    }

    public var recipients: [String] {
        (definition.options["to"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A personal notice goes to its asker alone; anything else to the configured list.
    func recipients(_ context: SendContext) -> [String] {
        context.recipient.map { [$0] } ?? recipients
    }

    public var sender: String {
        definition.options["from"] ?? ((definition.user.map { $0.contains("@") ? $0 : "\($0)@\(hostName)" }) ?? "tyndau@\(hostName)")
    }

    var hostName: String { String(definition.host.split(separator: ":").first ?? "localhost") }

    public func parts(subject: String?, body: String) -> [MessagePart] {
        [MessagePart(index: 0, count: 1, subject: subject, text: body)]
    }

    public static func messageID(deliveryID: Int64, domain: String) -> String {
        "<tyndau.delivery.\(deliveryID)@\(domain)>"
    }

    /// RFC 2047 encoded-words (`=?UTF-8?B?…?=`), each at most 75 characters, split between characters.
    public static func encodedWords(_ text: String) -> String {
        if text.allSatisfy({ $0.isASCII && !$0.isNewline }) && !text.contains("=?") { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 75 - "=?UTF-8?B?".count - "?=".count = 63 base64 characters → at most 45 bytes.
        for character in text where !character.isNewline {
            let bytes = Array(character.utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// The complete RFC 5322 message.
    public func message(for part: MessagePart, context: SendContext) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let domain = String(sender.split(separator: "@").last ?? "localhost")
        let fromName = definition.options["name"].map { Self.encodedWords($0) + " " } ?? ""
        let body = Data(part.text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let headers = [
            "From: \(fromName)<\(sender)>",
            "To: " + recipients(context).map { "<\($0)>" }.joined(separator: ", "),
            "Subject: " + Self.encodedWords(part.subject ?? context.messageKey),
            "Date: " + formatter.string(from: context.now),
            "Message-ID: " + Self.messageID(deliveryID: context.deliveryID, domain: domain),
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }

    public func request(for part: MessagePart, context: SendContext, plain: Bool) -> TransferRequest {
        let scheme = definition.secure ? "smtps" : "smtp"
        let port = definition.host.contains(":") ? "" : (definition.secure ? ":465" : ":587")
        let url = definition.baseURL ?? "\(scheme)://\(definition.host)\(port)"
        let mail = TransferRequest.Mail(
            from: sender, recipients: recipients(context), username: definition.user, password: definition.password?.value,
            requireTLS: !definition.secure && !definition.local
        )
        return TransferRequest(method: .post, url: url, body: Array(message(for: part, context: context).utf8), allowLocal: definition.local, mail: mail)
    }

    public func classify(_ response: TransferResponse) -> PartOutcome {
        if response.cancelled { return .cancelled }
        if response.curlCode == 0 { return .sent(remoteID: nil, cooldown: nil) }
        let reason = "SMTP \(response.status): \(response.errorMessage ?? "curl \(response.curlCode)")"
        if response.refusedAddress != nil || [1, 3, 64, 67].contains(response.curlCode) || (500..<600).contains(response.status) {
            // Refused address, forbidden protocol, no STARTTLS offered, login denied, permanent SMTP reply.
            return .failed(reason: reason)
        }
        return .retry(wait: nil, reason: reason, pauseEndpoint: false)
    }
}
