import AgendaScheduler
import ArgumentParser
import Foundation
import HTTPClient
import Hummingbird
import Logging
import Publisher
import ServiceLifecycle
import TelegramBot
import TyndauCore
import TyndauServer
import TyndauSQLite

/// `tyndau serve`: the resident pages, the JSON API and the Open311 adapter over the database (a SQLite
/// file, or a PostgreSQL server shared with other `serve` and `worker` processes).
///
/// Every accepted question is committed (on SQLite with `synchronous = FULL`) before its receipt is sent.
/// SIGINT/SIGTERM stop it gracefully: in-flight requests finish, then the WAL is checkpointed or the
/// PostgreSQL pool closed.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP server (form, status pages, /api/v1, Open311) with the delivery worker and meeting publication.",
        discussion: """
            Listens on server.host:server.port (default 127.0.0.1:8080); /metrics on metrics.host:metrics.port \
            when set (--metrics-port). Abuse protection comes from the \
            intake: section (rate_limit_per_hour, max_body_bytes, duplicate_window_minutes, \
            trust_forwarded_for); the rate limit is kept per process.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Address to listen on (overrides server.host / TYNDAU_HOST).")
    var host: String?

    @Option(help: "Port to listen on (overrides server.port / TYNDAU_PORT).")
    var port: Int?

    @OptionGroup var logOptions: LogOptions

    @OptionGroup var metricsOptions: MetricsOptions

    @Flag(help: "Serve requests only; deliveries and meeting publication are left to `tyndau worker` processes.")
    var withoutWorker = false

    @Flag(help: "Do not place accepted questions in topics on arrival (leave it to `tyndau topics group`).")
    var withoutArrivalGrouping = false

    func validate() throws {
        if let port, !(1...65_535).contains(port) {
            throw ValidationError("--port must be 1–65535")
        }
    }

    func run() async throws {
        var configuration = try options.configuration()
        if let host { configuration.server.host = host }
        if let port { configuration.server.port = port }
        let logs = logOptions.apply(configuration.log)
        let database = try await configuration.database.location.open(durability: .full)
        let logger = logs.logger("tyndau")
        WallClock.warnIfSet(logger)
        var settings = configuration.serverSettings
        // The limit is kept in the database, but client keys only match across servers under one secret.
        if case .postgres = try configuration.database.location, settings.intake.rateLimitPerHour > 0,
            settings.intake.clientKeySecret == nil
        {
            logger.warning(
                "intake.client_key_secret is not set: each server keys clients its own way, so the rate limit and the duplicate check are per server")
        }
        // The console's endpoints page shows addresses with every secret masked, never the configuration itself.
        settings.office.endpointAddresses = Dictionary(
            configuration.endpoints.map { ($0.name, $0.redactedURL) }, uniquingKeysWith: { first, _ in first }
        )
        let series = SeriesSettings(series: configuration.series, policy: configuration.agendaPolicy)
        let acknowledgements = OutboxAcknowledgements(
            endpoints: configuration.endpoints, noticeTags: configuration.summaries.noticeTags, publicURL: settings.publicURL,
            series: SeriesInEffect(configured: series, store: database)
        )
        let botWebhook = await Self.telegramWebhook(configuration, database: database, logger: logger)
        // The meeting watch's publication also builds the "promise kept" messages the console queues.
        let automation = try await MeetingAutomation(database: database, configuration: configuration, logger: logger)
        var background: [any Service] = []
        if !withoutWorker {
            try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
            let worker = DeliveryWorker(
                store: database, client: PublishingSetup.client, endpoints: configuration.endpoints,
                settings: configuration.publisher, now: WallClock.now, logger: logger
            )
            let interval = configuration.publisher.pollInterval * 5
            background = [BackgroundLoop { try await worker.run() }, BackgroundLoop { await automation.run(interval: interval) }]
            // The retention limit runs where the other periodic jobs do.
            if let retention = PersonalDataRetention(configuration, database: database, logger: logger) {
                background.append(BackgroundLoop { await retention.run() })
            }
            // The residents' bot in polling mode runs with the worker's loops (webhook mode needs no loop).
            if let poller = try PublishingSetup.telegramPoller(configuration, database: database, logs: logs) {
                background.append(BackgroundLoop { try await poller.run() })
            }
        }
        // Prometheus metrics on a listener of their own (loopback by default), never on the residents' port.
        if let metrics = metricsOptions.listener(configuration, role: .serve, store: database, logger: logs.logger("tyndau.metrics")) {
            background.append(metrics)
        }
        // Topics on arrival: woken by the intake after each accepted commit, and ticking for the bot's questions.
        let arrivals =
            withoutArrivalGrouping
            ? nil : ArrivalGroupingService(store: database, logger: logger, now: WallClock.now)
        let application = try buildApplication(
            settings, database: database, logger: logger, now: WallClock.now, acknowledgements: acknowledgements,
            commitmentNotices: automation.publication, botWebhook: botWebhook, background: background, series: series,
            arrivals: arrivals, chatKey: { TelegramChatKey.chat($0) }
        )
        print(CLIText.text("serve.listening", configuration.server.host, configuration.server.port, configuration.database.display))
        fflush(nil)
        try await application.runService()
        // SQLite was checkpointed by the application's shutdown service; a PostgreSQL pool closes here.
        try await database.close()
        print(CLIText.text("serve.stopped"))
    }

    /// The residents' bot in webhook mode: registered with Telegram (`setWebhook` with the secret token)
    /// and routed at the path of `webhook_url`. A failed registration is logged, not fatal: the pages and
    /// the API keep serving, and the next start registers again.
    static func telegramWebhook(_ configuration: TyndauConfiguration, database: any TyndauStore, logger: Logger) async -> TelegramWebhookReceiver? {
        guard let settings = configuration.telegramBot, settings.mode == .webhook else { return nil }
        var botLogger = logger
        botLogger[metadataKey: "tyndau.component"] = "telegram"
        let receiver = TelegramWebhookReceiver(
            settings: settings, store: database, intake: .configured(configuration, database: database), client: CurlClient(profile: settings.clientProfile),
            now: WallClock.now,
            logger: botLogger
        )
        do {
            try await receiver.register()
        } catch {
            botLogger.error("telegram webhook not registered: \(error)")
        }
        return receiver
    }
}

/// A long-running loop run by service-lifecycle beside the server; graceful shutdown cancels it,
/// and the loops return in-flight work (the worker puts claimed deliveries back) before exiting.
struct BackgroundLoop: Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await body() }
    }
}
