import AgendaScheduler
import Foundation
import Publisher
import TelegramBot
import TyndauCore
import Yams

/// Everything Tyndau reads at start-up, from one YAML file overlaid by environment variables and
/// flags (flags win, then the environment, then the file, then defaults).
///
/// Keys (YAML, snake_case):
/// - `language`: `ru` | `kk` | `en` — language of CLI messages (env `TYNDAU_LANG`, else `LANG`).
/// - `database.path` / `database.url`: SQLite file or `postgres://` URL (env `TYNDAU_DB`, flag `--db`),
///   default `./tyndau.sqlite` (see ``DatabaseSection``).
/// - `server.host`, `server.port`: where `tyndau serve` listens (env `TYNDAU_HOST`, `TYNDAU_PORT`);
///   `server.public_url`: the address residents reach it at, for absolute status links.
/// - `intake.*`: rate limit, body size, duplicate window, golden hour (see ``IntakeSection``).
/// - `series.*`: the weekly meeting — `weekday` (1 = Monday … 7), `start` (`"15:00"`),
///   `duration_minutes`, `time_zone`, `cutoff_hours` — and its agenda policy (``AgendaPolicy``:
///   `intro_minutes`, `closing_minutes`, `topic_minutes_*`, `max_topics`, `block_min_share`,
///   `weight_*`, `urgency_keywords`, `max_waiting_weeks`, …). `tyndau series set` overrides them
///   in the database (see ``SeriesSettings``).
/// - `endpoints`: where messages are published (see ``EndpointEntry``); `publisher.*`: the delivery
///   worker's retry schedule and limits (see ``PublisherSection``).
/// - `summaries.*`: autoclose, templates, status links, which tags get digests and notices
///   (see ``SummariesSettings``).
/// - `telegram_bot.*`: the residents' bot — token, base URL, polling or webhook (see ``TelegramBotSection``).
/// - `open311.*`: `jurisdiction_id` checked on GeoReport requests, discovery's `contact` (see ``Open311Section``).
/// - `log.*`: `format` (`text` | `json`) and `level` of `serve` and `worker` (env `TYNDAU_LOG_FORMAT`,
///   `TYNDAU_LOG_LEVEL`; see ``LogSection``).
/// - `metrics.*`: `host`, `port` (serve) and `worker_port` of the Prometheus `/metrics` listeners
///   (see ``MetricsSection``).
/// - `privacy.retention_days`: erase personal data of questions closed longer ago (see ``PrivacySection``).
/// Unknown keys and wrong types are rejected with the key's path.
public struct TyndauConfiguration: Sendable, Decodable {
    public var language: UILanguage?
    public var database: DatabaseSection
    public var server: ServerSection
    public var intake: IntakeSection
    public var series: MeetingSeries
    /// Configured endpoints; they hold secrets, so print them only through `redactedURL`.
    public var endpoints: [EndpointDefinition]
    public var publisher: DeliveryWorker.Settings
    /// How the agenda spends the meeting's time; read from the same `series` section.
    public var agendaPolicy: AgendaPolicy
    /// After the meeting: autoclose, templates, where digests and notices go.
    var summaries: SummariesSettings
    /// The residents' Telegram bot; `nil` when the section is absent. Holds the token: never print it.
    public var telegramBot: TelegramBotSettings?
    /// The Open311 adapter's jurisdiction and discovery contact.
    public var open311: Open311Section
    /// How `serve` and `worker` log: format and level.
    public var log: LogSection
    /// Where `serve` and `worker` expose `/metrics`.
    public var metrics: MetricsSection
    /// How long residents' personal data is kept.
    public var privacy: PrivacySection

    public init() {
        self.language = nil
        self.database = DatabaseSection()
        self.server = ServerSection()
        self.intake = IntakeSection()
        self.series = MeetingSeries()
        self.endpoints = []
        self.publisher = DeliveryWorker.Settings()
        self.agendaPolicy = AgendaPolicy()
        self.summaries = SummariesSettings()
        self.telegramBot = nil
        self.open311 = Open311Section()
        self.log = LogSection()
        self.metrics = MetricsSection()
        self.privacy = PrivacySection()
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case language
        case database
        case server
        case intake
        case series
        case endpoints
        case publisher
        case summaries
        case telegramBot = "telegram_bot"
        case open311
        case log
        case metrics
        case privacy
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TyndauConfiguration()
        language = try container.decodeIfPresent(UILanguage.self, forKey: .language)
        database = try container.decodeIfPresent(DatabaseSection.self, forKey: .database) ?? defaults.database
        server = try container.decodeIfPresent(ServerSection.self, forKey: .server) ?? defaults.server
        intake = try container.decodeIfPresent(IntakeSection.self, forKey: .intake) ?? defaults.intake
        endpoints = try container.decodeIfPresent(EndpointsSection.self, forKey: .endpoints)?.definitions ?? []
        publisher = try container.decodeIfPresent(PublisherSection.self, forKey: .publisher)?.settings ?? defaults.publisher
        let seriesSection = try container.decodeIfPresent(SeriesSection.self, forKey: .series)
        series = seriesSection?.series ?? defaults.series
        agendaPolicy = seriesSection?.policy ?? defaults.agendaPolicy
        summaries = try container.decodeIfPresent(SummariesSettings.self, forKey: .summaries) ?? defaults.summaries
        telegramBot = try container.decodeIfPresent(TelegramBotSection.self, forKey: .telegramBot)?.settings
        open311 = try container.decodeIfPresent(Open311Section.self, forKey: .open311) ?? defaults.open311
        log = try container.decodeIfPresent(LogSection.self, forKey: .log) ?? defaults.log
        metrics = try container.decodeIfPresent(MetricsSection.self, forKey: .metrics) ?? defaults.metrics
        privacy = try container.decodeIfPresent(PrivacySection.self, forKey: .privacy) ?? defaults.privacy
        // Status links in receipts: the same public address as the web receipts and the notices.
        telegramBot?.statusBaseURL = server.publicURL
    }

    /// `database:` — where the data lives: a SQLite file (`path: ./tyndau.sqlite`, the default, or
    /// `sqlite:PATH`) or a PostgreSQL server (`url: postgres://user:${TYNDAU_DB_PASSWORD}@host:5432/name?sslmode=require`).
    /// A plain string (`database: postgres://…`) is accepted too. `${NAME}` is taken from the environment,
    /// so the password need not be written in the file.
    public struct DatabaseSection: Sendable, Decodable {
        /// The setting as given: a file path, `sqlite:PATH`, or a `postgres://` URL. May hold a password:
        /// print ``display`` instead.
        public var path: String = "./tyndau.sqlite"

        init() {}

        enum CodingKeys: String, CodingKey, CaseIterable { case path, url }

        public init(from decoder: any Decoder) throws {
            if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
                path = try Secret.expand(text, environment: Secret.environment(of: decoder), path: decoder.codingPath)
                return
            }
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if container.contains(.path), container.contains(.url) {
                throw TyndauError.configuration(ConfigurationPath.render(decoder.codingPath + [CodingKeys.url]), "give path or url, not both")
            }
            if let raw = try container.decodeIfPresent(String.self, forKey: .url) ?? container.decodeIfPresent(String.self, forKey: .path) {
                path = try Secret.expand(raw, environment: Secret.environment(of: decoder), path: decoder.codingPath)
            }
        }

        /// The engine and its address, parsed.
        public var location: DatabaseLocation {
            get throws { try DatabaseLocation(setting: path, name: "database (--db, TYNDAU_DB)") }
        }

        /// The setting with any password hidden: for output and logs.
        public var display: String { DatabaseLocation.display(path) }
    }

    public struct ServerSection: Sendable, Decodable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        public var publicURL: String?
        /// `server.office_token`: the bearer token the office console's API calls carry
        /// (`${TYNDAU_OFFICE_TOKEN}`); without it the office API is off.
        public var officeToken: Secret?

        init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case host, port
            case publicURL = "public_url"
            case officeToken = "office_token"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            host = try container.decodeIfPresent(String.self, forKey: .host) ?? host
            port = try container.decodeIfPresent(Int.self, forKey: .port) ?? port
            officeToken = try container.decodeIfPresent(Secret.self, forKey: .officeToken)
            if let token = officeToken, token.value.count < 24 {
                throw TyndauError.configuration(ConfigurationPath.render(decoder.codingPath + [CodingKeys.officeToken]), "must be at least 24 characters")
            }
            if let url = try container.decodeIfPresent(String.self, forKey: .publicURL) {
                guard url.hasPrefix("http://") || url.hasPrefix("https://"), URL(string: url)?.host != nil else {
                    throw TyndauError.configuration(ConfigurationPath.render(decoder.codingPath + [CodingKeys.publicURL]), "must be an http(s) URL")
                }
                publicURL = url
            }
            guard (1...65_535).contains(port) else {
                throw TyndauError.configuration(ConfigurationPath.render(decoder.codingPath + [CodingKeys.port]), "must be 1–65535")
            }
        }
    }

    /// The `series` section as written in YAML; becomes a ``MeetingSeries``.
    struct SeriesSection: Decodable {
        var series = MeetingSeries()
        var policy = AgendaPolicy()

        enum CodingKeys: String, CodingKey, CaseIterable {
            case weekday
            case start
            case durationMinutes = "duration_minutes"
            case timeZone = "time_zone"
            case cutoffHours = "cutoff_hours"
            case introMinutes = "intro_minutes"
            case closingMinutes = "closing_minutes"
            case topicMinutesBase = "topic_minutes_base"
            case topicMinutesPerExtraAsker = "topic_minutes_per_extra_asker"
            case topicMinutesMax = "topic_minutes_max"
            case maxTopics = "max_topics"
            case blockMinShare = "block_min_share"
            case weightDemand = "weight_demand"
            case weightWaiting = "weight_waiting"
            case weightUrgency = "weight_urgency"
            case urgencyKeywords = "urgency_keywords"
            case maxWaitingWeeks = "max_waiting_weeks"
            case minutesPerDueCommitment = "minutes_per_due_commitment"
            case writtenAnswerWorkingDays = "written_answer_working_days"
        }

        /// The agenda-policy keys, read through ``SeriesSettings`` so the file and `series set`
        /// accept exactly the same values.
        static let policyKeys: [CodingKeys] = [
            .introMinutes, .closingMinutes, .topicMinutesBase, .topicMinutesPerExtraAsker, .topicMinutesMax, .maxTopics,
            .weightDemand, .weightWaiting, .weightUrgency, .maxWaitingWeeks, .minutesPerDueCommitment,
            .writtenAnswerWorkingDays,
        ]

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func fail(_ key: CodingKeys, _ reason: String) -> TyndauError {
                .configuration(ConfigurationPath.render(decoder.codingPath + [key]), reason)
            }
            if let weekday = try container.decodeIfPresent(Int.self, forKey: .weekday) {
                guard (1...7).contains(weekday) else { throw fail(.weekday, "must be 1 (Monday) … 7 (Sunday)") }
                series.weekday = weekday
            }
            if let start = try container.decodeIfPresent(String.self, forKey: .start) {
                let parts = start.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                    throw fail(.start, "expected a local time like \"15:00\"")
                }
                series.startMinute = parts[0] * 60 + parts[1]
            }
            if let minutes = try container.decodeIfPresent(Int.self, forKey: .durationMinutes) {
                guard (10...600).contains(minutes) else { throw fail(.durationMinutes, "must be 10–600") }
                series.durationMinutes = minutes
            }
            if let zone = try container.decodeIfPresent(String.self, forKey: .timeZone) {
                guard TimeZone(identifier: zone) != nil else { throw fail(.timeZone, "unknown time zone") }
                series.timeZone = zone
            }
            if let hours = try container.decodeIfPresent(Int.self, forKey: .cutoffHours) {
                guard (0...168).contains(hours) else { throw fail(.cutoffHours, "must be 0–168") }
                series.cutoffHours = hours
            }
            var settings = SeriesSettings(series: series, policy: policy)
            do {
                for key in Self.policyKeys {
                    if let value = try container.decodeIfPresent(String.self, forKey: key) {
                        try settings.apply(key: key.rawValue, value: value)
                    }
                }
                if let shares = try container.decodeIfPresent([String: Double].self, forKey: .blockMinShare) {
                    let text = shares.keys.sorted().map { "\($0)=\(shares[$0]!)" }.joined(separator: ",")
                    try settings.apply(key: CodingKeys.blockMinShare.rawValue, value: text)
                }
                if let keywords = try container.decodeIfPresent([String].self, forKey: .urgencyKeywords) {
                    settings.policy.urgencyKeywords = keywords.filter { !$0.isEmpty }
                }
                try settings.validate()
            } catch let problem as SeriesSettings.Problem {
                let key = CodingKeys(rawValue: problem.key) ?? .introMinutes
                throw fail(key, CLIText.table.text(problem.reason, .en))
            }
            policy = settings.policy
        }
    }
}

extension TyndauConfiguration {
    /// Reads the YAML file at `path` (an empty file is the defaults).
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> TyndauConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TyndauError.configuration(path, "cannot read the file")
        }
        return try parse(text, environment: environment)
    }

    /// Decodes YAML; `${NAME}` values are read from `environment`.
    public static func parse(
        _ yaml: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> TyndauConfiguration {
        if yaml.allSatisfy({ $0.isWhitespace }) { return TyndauConfiguration() }
        do {
            return try YAMLDecoder().decode(TyndauConfiguration.self, from: yaml, userInfo: [Secret.environmentKey: environment])
        } catch let error as TyndauError {
            throw error
        } catch let error as DecodingError {
            // Yams wraps errors thrown inside `init(from:)`; ours carry the key's path already.
            if case .dataCorrupted(let context) = error, let inner = context.underlyingError as? TyndauError {
                throw inner
            }
            if case .dataCorrupted(let context) = error, context.underlyingError is DecodingError {
                throw ConfigurationPath.describe(context.underlyingError as! DecodingError)
            }
            throw ConfigurationPath.describe(error)
        } catch {
            throw TyndauError.configuration("(file)", "not valid YAML")
        }
    }

    /// Applies the environment's overrides (`TYNDAU_DB`, `TYNDAU_HOST`, `TYNDAU_PORT`, `TYNDAU_LANG`,
    /// `TYNDAU_LOG_FORMAT`, `TYNDAU_LOG_LEVEL`).
    public mutating func overlay(environment: [String: String]) throws {
        try log.overlay(environment: environment)
        if let path = environment["TYNDAU_DB"], !path.isEmpty { database.path = path }
        if let host = environment["TYNDAU_HOST"], !host.isEmpty { server.host = host }
        if let port = environment["TYNDAU_PORT"], !port.isEmpty {
            guard let value = Int(port), (1...65_535).contains(value) else {
                throw TyndauError.configuration("TYNDAU_PORT", "must be 1–65535")
            }
            server.port = value
        }
        if let raw = environment["TYNDAU_LANG"], !raw.isEmpty {
            guard let value = UILanguage(rawValue: raw) else {
                throw TyndauError.configuration("TYNDAU_LANG", "must be ru, kk or en")
            }
            language = value
        } else if language == nil {
            language = UILanguage(posixLocale: environment["LC_ALL"] ?? environment["LANG"])
        }
    }
}
