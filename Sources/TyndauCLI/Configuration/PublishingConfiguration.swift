import Foundation
import Publisher
import TyndauCore

/// The `endpoints:` list: where messages are published, each an Apprise-style URL plus options.
///
/// Keys of one entry: `name` (required; letters, digits, `-`, `_`), `url` (required; `${ENV}` expanded,
/// e.g. `tgram://${TELEGRAM_TOKEN}/-1001234567890`), `tags` (`public`, `internal`, `residents`, …),
/// `language` (`ru` | `kk` | `en`), `overflow` (`split` | `truncate`), `base_url` (the service's address,
/// for a self-hosted Bot API server, Mattermost, homeserver or a test server), `local` (allow http and
/// loopback/private addresses), `secrets` (Standard Webhooks `whsec_…` keys, newest first).
struct EndpointEntry: Decodable {
    var definition: EndpointDefinition

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, url, tags, language, overflow
        case baseURL = "base_url"
        case local, secrets
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func path(_ key: CodingKeys) -> String { ConfigurationPath.render(decoder.codingPath + [key]) }
        let name = try container.decode(String.self, forKey: .name)
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw TyndauError.configuration(path(.name), "use letters, digits, - and _")
        }
        // Every value a `${NAME}` brings into the URL is a secret, whatever the kind and position.
        let url = try EndpointDefinition.expanding(
            try container.decode(String.self, forKey: .url), environment: Secret.environment(of: decoder),
            path: decoder.codingPath + [CodingKeys.url])
        let tags = try container.decodeIfPresent([String].self, forKey: .tags) ?? []
        let language = try container.decodeIfPresent(String.self, forKey: .language)
        if let language, UILanguage(rawValue: language) == nil {
            throw TyndauError.configuration(path(.language), "must be ru, kk or en")
        }
        let overflow = try container.decodeIfPresent(String.self, forKey: .overflow)
        if let overflow, OverflowMode(rawValue: overflow) == nil {
            throw TyndauError.configuration(path(.overflow), "must be split or truncate")
        }
        let secrets = try container.decodeIfPresent([Secret].self, forKey: .secrets) ?? []
        if !secrets.isEmpty, (try? StandardWebhookSigner(secrets: secrets.map(\.value))) == nil {
            throw TyndauError.configuration(path(.secrets), "a signing secret must be whsec_ followed by base64")
        }
        definition = try EndpointDefinition(
            name: name, url: url.url, tags: tags, language: language.flatMap(UILanguage.init(rawValue:)),
            overflow: overflow.flatMap(OverflowMode.init(rawValue:)) ?? .split,
            baseURL: try container.decodeIfPresent(String.self, forKey: .baseURL),
            local: try container.decodeIfPresent(Bool.self, forKey: .local) ?? false,
            signingSecrets: secrets, fieldPath: path(.url), urlTemplate: url.template, interpolatedValues: url.values
        )
    }
}

/// The `endpoints:` list, checked as a whole (names unique).
struct EndpointsSection: Decodable {
    var definitions: [EndpointDefinition] = []

    init() {}

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var seen: Set<String> = []
        while !container.isAtEnd {
            let index = container.currentIndex
            let entry = try container.decode(EndpointEntry.self)
            guard seen.insert(entry.definition.name).inserted else {
                throw TyndauError.configuration(
                    ConfigurationPath.render(decoder.codingPath + [AnyCodingKey(intValue: index), AnyCodingKey(stringValue: "name")]),
                    "duplicate endpoint name")
            }
            definitions.append(entry.definition)
        }
    }
}

/// The `publisher:` section: the delivery worker's settings.
///
/// Keys: `retry_schedule` (list of waits such as `5s`, `5m`, `2h`; default 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h, 14 h, 20 h, 24 h), `lease_seconds` (120), `batch_size` (256), `concurrency` (128),
/// `poll_seconds` (1).
struct PublisherSection: Decodable {
    var settings = DeliveryWorker.Settings()

    init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case retrySchedule = "retry_schedule"
        case leaseSeconds = "lease_seconds"
        case batchSize = "batch_size"
        case concurrency
        case pollSeconds = "poll_seconds"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func fail(_ key: CodingKeys, _ reason: String) -> TyndauError {
            .configuration(ConfigurationPath.render(decoder.codingPath + [key]), reason)
        }
        if let schedule = try container.decodeIfPresent([String].self, forKey: .retrySchedule) {
            let waits = schedule.map(DurationText.seconds)
            guard !waits.isEmpty, waits.allSatisfy({ $0 != nil }) else {
                throw fail(.retrySchedule, "expected a list of durations such as 5s, 5m, 2h")
            }
            settings.retry.schedule = waits.compactMap { $0 }
        }
        if let lease = try container.decodeIfPresent(Int.self, forKey: .leaseSeconds) {
            guard (1...3600).contains(lease) else { throw fail(.leaseSeconds, "must be 1–3600") }
            settings.lease = TimeInterval(lease)
        }
        if let size = try container.decodeIfPresent(Int.self, forKey: .batchSize) {
            guard (1...10_000).contains(size) else { throw fail(.batchSize, "must be 1–10000") }
            settings.batchSize = size
        }
        if let concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency) {
            guard (1...1000).contains(concurrency) else { throw fail(.concurrency, "must be 1–1000") }
            settings.concurrency = concurrency
        }
        if let poll = try container.decodeIfPresent(Double.self, forKey: .pollSeconds) {
            guard poll > 0, poll <= 60 else { throw fail(.pollSeconds, "must be more than 0 and at most 60") }
            settings.pollInterval = .milliseconds(Int(poll * 1000))
        }
    }
}
