import Foundation

/// One request for the libcurl client: an HTTP call or an SMTP submission. Value type, so targets build
/// them without touching curl.
public struct TransferRequest: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
    }

    /// The envelope of an SMTP submission; `url` is then `smtp://host:port` or `smtps://host:port`.
    public struct Mail: Sendable, Hashable {
        public var from: String
        public var recipients: [String]
        public var username: String?
        public var password: String?
        /// STARTTLS is required (`CURLUSESSL_ALL`) unless the endpoint is marked local.
        public var requireTLS: Bool

        public init(from: String, recipients: [String], username: String? = nil, password: String? = nil, requireTLS: Bool) {
            self.from = from
            self.recipients = recipients
            self.username = username
            self.password = password
            self.requireTLS = requireTLS
        }
    }

    public var method: Method
    public var url: String
    /// Header lines, `Name: value`.
    public var headers: [String]
    public var body: [UInt8]
    /// Endpoint marked `local: true`: plain http and loopback/private addresses are allowed.
    public var allowLocal: Bool
    public var mail: Mail?

    public init(method: Method, url: String, headers: [String] = [], body: [UInt8] = [], allowLocal: Bool = false, mail: Mail? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.allowLocal = allowLocal
        self.mail = mail
    }

    /// A JSON POST (or PUT) with the body encoded from `object`.
    public static func json(_ method: Method = .post, url: String, body: [UInt8], headers: [String] = [], allowLocal: Bool) -> TransferRequest {
        TransferRequest(
            method: method, url: url, headers: ["Content-Type: application/json; charset=utf-8"] + headers,
            body: body, allowLocal: allowLocal
        )
    }
}

/// What came back: status, a bounded copy of the body, selected headers, and curl's own verdict.
public struct TransferResponse: Sendable, Hashable {
    /// HTTP status, or the last SMTP reply code; 0 when nothing was received.
    public var status: Int
    /// The first 64 KB of the body.
    public var body: [UInt8]
    /// Response headers, names lowercased (the last value wins).
    public var headers: [String: String]
    /// `Retry-After` in seconds as libcurl parsed it (`CURLINFO_RETRY_AFTER`), clamped to 0…86,400.
    public var retryAfter: Int?
    /// `CURLcode`; 0 when the transfer itself succeeded (whatever the status).
    public var curlCode: Int
    /// curl's error buffer, when the transfer failed.
    public var errorMessage: String?
    public var latencyMs: Int
    /// Set when the SSRF guard refused to connect to this address.
    public var refusedAddress: String?
    /// The transfer was cancelled before it finished (worker stopping).
    public var cancelled: Bool

    public init(status: Int = 0, body: [UInt8] = [], headers: [String: String] = [:], retryAfter: Int? = nil, curlCode: Int = 0, errorMessage: String? = nil, latencyMs: Int = 0, refusedAddress: String? = nil, cancelled: Bool = false) {
        self.status = status
        self.body = body
        self.headers = headers
        self.retryAfter = retryAfter
        self.curlCode = curlCode
        self.errorMessage = errorMessage
        self.latencyMs = latencyMs
        self.refusedAddress = refusedAddress
        self.cancelled = cancelled
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Parsed JSON body, when it is a JSON object.
    public var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// True when the transfer completed at the transport level.
    public var transferred: Bool { curlCode == 0 && !cancelled }
}
