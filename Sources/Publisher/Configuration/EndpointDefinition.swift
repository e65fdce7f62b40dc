import Foundation
import TyndauCore

/// The kinds of endpoint, by their Apprise-style URL scheme (the `s` variant means TLS).
public enum TargetKind: String, Sendable, Hashable, CaseIterable, Codable {
    case telegram
    case slack
    case discord
    case mattermost
    case matrix
    case teams
    case webhook
    case email

    /// Scheme → (kind, secure).
    static let schemes: [String: (TargetKind, Bool)] = [
        "tgram": (.telegram, true), "slack": (.slack, true), "discord": (.discord, true),
        "mmost": (.mattermost, false), "mmosts": (.mattermost, true),
        "matrix": (.matrix, false), "matrixs": (.matrix, true),
        "workflows": (.teams, true), "workflow": (.teams, true),
        "json": (.webhook, false), "jsons": (.webhook, true),
        "mailto": (.email, false), "mailtos": (.email, true),
    ]
}

/// What to do with a message longer than the target's limit.
public enum OverflowMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Several ordered parts, each valid markup.
    case split
    /// The first part only, ending with "…".
    case truncate
}

/// One configured endpoint: its Apprise-style URL taken apart, plus the per-endpoint options.
///
/// Holds secrets (tokens, passwords, signing keys); ``redactedURL`` and ``redact(_:)`` are what may be
/// shown. `description` never includes a secret.
public struct EndpointDefinition: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public let kind: TargetKind
    /// TLS scheme variant (`mmosts`, `matrixs`, `jsons`, `mailtos`).
    public let secure: Bool
    public var tags: [String]
    public var language: UILanguage?
    public var overflow: OverflowMode
    /// Replaces the service's address (self-hosted Bot API, homeserver, test server): `scheme://host[:port]`.
    public var baseURL: String?
    /// Allows plain http/smtp and loopback/private addresses (tests, on-premise).
    public var local: Bool
    /// Standard Webhooks signing secrets (`whsec_…`), newest first; several during rotation.
    public let signingSecrets: [Secret]

    /// Host part of the URL (`host[:port]`), or the token for schemes that put it there.
    public let host: String
    public let user: String?
    public let password: Secret?
    /// Path segments, percent-decoded.
    public let path: [String]
    /// The URL's fragment (Matrix room alias written as `#room:server`).
    public let fragment: String?
    /// Query options (`?thread=12&format=markdownv2`), keys lowercased.
    public let options: [String: String]
    /// The query as written (without `?`): a webhook sends it as is.
    public let query: String?
    /// The URL as written in the configuration, `${NAME}` references unexpanded: what ``redactedURL``
    /// shows (each reference as `***`) when the URL had any.
    let urlTemplate: String?
    /// The values `${NAME}` references expanded to: secrets wherever they appear, whatever the kind.
    let interpolatedValues: [String]

    /// Parses `url`; a malformed URL or a missing part is a configuration error at `fieldPath`.
    ///
    /// `urlTemplate` is the URL as written with its `${NAME}` references, `interpolatedValues` what they
    /// expanded to (``expanding(_:environment:name:…)`` gives both): every such value is masked in every
    /// output, in any kind of URL.
    public init(
        name: String, url: String, tags: [String] = [], language: UILanguage? = nil, overflow: OverflowMode = .split,
        baseURL: String? = nil, local: Bool = false, signingSecrets: [Secret] = [], fieldPath: String = "url",
        urlTemplate: String? = nil, interpolatedValues: [String] = []
    ) throws {
        self.urlTemplate = urlTemplate.flatMap { $0.contains("${") ? $0 : nil }
        self.interpolatedValues = interpolatedValues.filter { !$0.isEmpty }
        func fail(_ reason: String) -> TyndauError { .configuration(fieldPath, reason) }
        guard let schemeEnd = url.range(of: "://") else { throw fail("expected an Apprise-style URL such as tgram://TOKEN/CHAT") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard let (kind, secure) = TargetKind.schemes[scheme] else {
            throw fail("unknown scheme \(scheme)://; known: \(TargetKind.schemes.keys.sorted().map { $0 + "://" }.joined(separator: ", "))")
        }
        self.name = name
        self.kind = kind
        self.secure = secure
        self.tags = tags
        self.language = language
        self.overflow = overflow
        self.local = local
        self.signingSecrets = signingSecrets
        if let baseURL {
            guard baseURL.hasPrefix("https://") || baseURL.hasPrefix("http://") || baseURL.hasPrefix("smtp://") || baseURL.hasPrefix("smtps://") else {
                throw fail("base_url must start with https:// (or http:// for local endpoints)")
            }
            if !local, !(baseURL.hasPrefix("https://") || baseURL.hasPrefix("smtps://")) {
                throw fail("base_url over plain http needs local: true")
            }
        }
        self.baseURL = baseURL

        var rest = Substring(url[schemeEnd.upperBound...])
        var fragment: String?
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...]).removingPercentEncoding
            rest = rest[..<hash]
        }
        self.fragment = fragment.flatMap { $0.isEmpty ? nil : "#" + $0 }
        var options: [String: String] = [:]
        var query: String?
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: question)...])
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(pieces[0]).lowercased()
                guard !key.isEmpty else { throw fail("an option in the query has no name") }
                let value = pieces.count > 1 ? String(pieces[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" : ""
                options[key] = value
            }
            rest = rest[..<question]
        }
        self.options = options
        self.query = query.flatMap { $0.isEmpty ? nil : $0 }
        let firstSlash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<firstSlash]
        if kind != .telegram, let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = String(userInfo[..<colon]).removingPercentEncoding
                password = Secret(String(userInfo[userInfo.index(after: colon)...]).removingPercentEncoding ?? "")
            } else {
                user = String(userInfo).removingPercentEncoding
                password = nil
            }
        } else {
            user = nil
            password = nil
        }
        host = String(authority)
        path = rest[firstSlash...].split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        guard !host.isEmpty else { throw fail("the URL has no host or token") }
        try validate(fail)
        redactions = Self.redactions(of: secretValues)
    }

    /// Every form of every secret to mask, longest first (computed once: redaction runs per attempt).
    private var redactions: [String] = []

    private static func redactions(of secrets: [String]) -> [String] {
        var forms: Set<String> = []
        for secret in secrets {
            forms.insert(secret)
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { forms.insert(encoded) }
        }
        return forms.sorted { ($0.count, $0) > ($1.count, $1) }
    }

    private func validate(_ fail: (String) -> TyndauError) throws {
        switch kind {
        case .telegram:
            guard host.contains(":"), !path.isEmpty else { throw fail("expected tgram://BOT_TOKEN/CHAT_ID") }
            if let format = options["format"], !["html", "markdownv2", "markdown", "text"].contains(format.lowercased()) {
                throw fail("format must be html, markdownv2 or text")
            }
        case .slack:
            guard path.count >= 2 else { throw fail("expected slack://T…/B…/XXXX (the webhook's three tokens)") }
        case .discord:
            guard path.count >= 1 else { throw fail("expected discord://WEBHOOK_ID/WEBHOOK_TOKEN") }
        case .mattermost:
            guard path.count >= 1 else { throw fail("expected mmost://HOST[:PORT]/HOOK_TOKEN") }
        case .matrix:
            guard password != nil || user != nil else { throw fail("expected matrix://ACCESS_TOKEN@HOST/ROOM") }
            guard fragment != nil || !path.isEmpty else { throw fail("the Matrix URL names no room") }
        case .teams:
            guard path.count >= 2 else { throw fail("expected workflows://HOST[:PORT]/WORKFLOW/SIGNATURE") }
        case .webhook:
            // user:password@ is sent as HTTP basic authentication, the query as written.
            break
        case .email:
            // Without `to` the endpoint only carries personal notices, each addressed to its asker.
            if let to = options["to"], !to.contains("@") { throw fail("to must be an e-mail address") }
            if options["to"] == nil, !tags.contains("residents") {
                throw fail("mailto needs ?to=ADDRESS (or the tag residents, for personal notices only)")
            }
            if let from = options["from"], !from.contains("@") { throw fail("from must be an e-mail address") }
        }
        // Credentials the target would not send must not be dropped silently.
        if [.slack, .discord, .mattermost, .teams].contains(kind), user != nil || password != nil {
            throw fail("\(kind.rawValue) URLs take no user:password@ (it would not be sent); remove it")
        }
        if !local, !secure, kind != .email, baseURL == nil {
            throw fail("\(kind.rawValue) over plain http needs local: true (or the s variant of the scheme)")
        }
    }

    /// The secret values this definition holds: redacted from every error, log line and stored answer.
    public var secretValues: [String] {
        var values: [String] = []
        switch kind {
        case .telegram: values.append(host)
        case .slack, .discord, .mattermost: values += path
        case .teams: values += path.dropFirst()
        case .matrix, .webhook, .email: break
        }
        if let password { values.append(password.value) }
        if kind == .matrix, password == nil, let user { values.append(user) }
        if let sig = options["sig"] { values.append(sig) }
        values += signingSecrets.map(\.value)
        values += interpolatedValues
        return values.filter { $0.count >= 4 }
    }

    /// The URL as it may be shown: every secret replaced by `***`.
    ///
    /// When the configuration wrote the URL with `${NAME}` references, that text is shown with each
    /// reference as `***` (whatever the kind and wherever in the URL it stands), and any secret written
    /// inline is masked too.
    public var redactedURL: String {
        guard let urlTemplate else { return structurallyRedactedURL }
        var shown = ""
        var rest = Substring(urlTemplate)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            shown += rest[..<start.lowerBound] + "***"
            rest = rest[rest.index(after: end)...]
        }
        return redact(shown + rest)
    }

    /// Expands the `${NAME}` references of `raw` from `environment` and returns the definition's
    /// parameters that keep those values secret: the expanded URL, the template and the values.
    public static func expanding(
        _ raw: String, environment: [String: String], path: [any CodingKey] = []
    ) throws -> (url: String, template: String, values: [String]) {
        var values: [String] = []
        var rest = Substring(raw)
        while let start = rest.range(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            if let value = environment[String(rest[start.upperBound..<end])] { values.append(value) }
            rest = rest[rest.index(after: end)...]
        }
        return (try Secret.expand(raw, environment: environment, path: path), raw, values)
    }

    /// The URL rebuilt from its parts, every secret the kind puts in a known place replaced by `***`.
    var structurallyRedactedURL: String {
        let scheme = TargetKind.schemes.first { $0.value.0 == kind && $0.value.1 == secure }?.key ?? kind.rawValue
        var authority = host
        if kind == .telegram { authority = "***" }
        if let user {
            let shownUser = kind == .matrix && password == nil ? "***" : user
            authority = shownUser + (password != nil ? ":***" : "") + "@" + authority
        }
        let secrets = Set(secretValues)
        let shownPath = path.map { secrets.contains($0) ? "***" : $0 }
        var url = "\(scheme)://\(authority)" + (shownPath.isEmpty ? "" : "/" + shownPath.joined(separator: "/"))
        if let fragment { url += "/" + fragment }
        let shownOptions = options.keys.sorted().map { key in
            key + "=" + (secrets.contains(options[key] ?? "") ? "***" : options[key] ?? "")
        }
        if !shownOptions.isEmpty { url += "?" + shownOptions.joined(separator: "&") }
        return url
    }

    /// `text` with every secret (also percent-encoded) replaced by `***`.
    /// Control characters are escaped too (``LogSafeText``): what this returns goes to one log line,
    /// a stored error or a stored answer, and a receiver must not forge log lines with it.
    public func redact(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        var text = LogSafeText.escapingControls(text)
        // The standard library's search, not Foundation's `contains`/`replacingOccurrences`: on Linux
        // those trapped ("String index is out of bounds") on some receiver answers (found by `make fuzz`,
        // the input is Fuzz/corpus/endpoint-url/crash-foundation-contains-index).
        for secret in redactions where text.firstRange(of: secret) != nil {
            text = text.replacing(secret, with: "***")
        }
        return text
    }

    public var description: String { "\(name) (\(kind.rawValue)) \(redactedURL)" }

    /// The database's view of the endpoint.
    public var endpoint: Endpoint { Endpoint(name: name, kind: kind.rawValue, tags: tags) }

    /// Whether a message with no addressee of its own can go here: a mail endpoint without `to=`
    /// only carries personal notices, each addressed to its asker.
    public var acceptsBroadcasts: Bool { !(kind == .email && options["to"] == nil) }

    /// The target that sends to this endpoint.
    public func makeTarget() -> any DeliveryTarget {
        switch kind {
        case .telegram: TelegramTarget(definition: self)
        case .slack: SlackTarget(definition: self)
        case .discord: DiscordTarget(definition: self)
        case .mattermost: MattermostTarget(definition: self)
        case .matrix: MatrixTarget(definition: self)
        case .teams: TeamsWorkflowTarget(definition: self)
        case .webhook: WebhookTarget(definition: self)
        case .email: EmailTarget(definition: self)
        }
    }
}
