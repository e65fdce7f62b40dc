import AgendaScheduler
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TyndauCore

/// Builds the `tyndau serve` application: the router below plus, on SQLite, the services that
/// checkpoint the WAL while running and on graceful shutdown (a PostgreSQL store needs neither). Tests build the same application and drive it with
/// HummingbirdTesting, through the router or over a real socket.
///
/// - Parameters:
///   - settings: `server:` and `intake:` configuration.
///   - database: any store; a SQLite one is opened with `.full` durability by `tyndau serve`, so a
///     receipt means an fsynced commit.
///   - requestLogLevel: the level of the one-line-per-request log.
///   - now: the clock of the rate limiter, the duplicate window and the SLA report.
///   - acknowledgements: the publisher's outbox for acknowledgement messages, when it exists.
///   - commitmentNotices: the askers' "promise kept" messages the console queues, when endpoints exist.
///   - botWebhook: the Telegram bot in webhook mode (`telegram_bot.mode: webhook`), when configured.
///   - background: long-running loops (delivery worker, meeting automation) that stop at graceful shutdown.
///   - series: the meeting series and agenda policy of the configuration file, for the console's agenda.
///   - arrivals: topics on arrival; run as a service and woken by the intake after each accepted commit.
///   - chatKey: the bot's key for a Telegram chat id (`TelegramChatKey.chat`), so the console's erasure
///     of a person's personal data reaches the bot's tables too.
public func buildApplication(
    _ settings: ServerSettings,
    database: any TyndauStore,
    logger: Logger,
    requestLogLevel: Logger.Level = .info,
    now: @escaping @Sendable () -> Date,
    acknowledgements: (any AcknowledgementOutbox)? = nil,
    commitmentNotices: (any CommitmentNotices)? = nil,
    botWebhook: (any BotWebhook)? = nil,
    background: [any Service] = [],
    series: SeriesSettings = SeriesSettings(),
    arrivals: ArrivalGroupingService? = nil,
    chatKey: (@Sendable (Int64) -> String)? = nil
) throws -> some ApplicationProtocol {
    let router = try buildRouter(
        settings, store: database, logger: logger, requestLogLevel: requestLogLevel, now: now,
        acknowledgements: acknowledgements, commitmentNotices: commitmentNotices, botWebhook: botWebhook, series: series,
        arrivals: arrivals, chatKey: chatKey
    )
    var application = Application(
        router: router,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "tyndau"),
        logger: logger
    )
    if let logged = database as? any WriteAheadLogStore {
        application.addServices(DatabaseCheckpointService(database: logged, logger: logger))
    }
    // The delivery worker and the meeting calendar watch run beside the server and stop with it.
    application.addServices(background)
    if let arrivals { application.addServices(arrivals) }
    if let logged = database as? any WriteAheadLogStore,
        let checkpointer = try logged.makeBackgroundCheckpointer()
    {
        application.addServices(WALCheckpointService(checkpointer: checkpointer, logger: logger))
    }
    return application
}

/// The routes: pages, the public record (`/meetings`, `/promises`, `/live`, `/stats`, `/open-data`, `/feeds`), the office
/// console (`/office`), `/api/v1` (described by `/api/v1/openapi.yaml`), `/open311/v2` and `/open311/discovery`, `/health`
/// and `/ready`, the Telegram webhook when configured; request log and error shaping around all.
public func buildRouter(
    _ settings: ServerSettings,
    store: any TyndauStore,
    logger: Logger,
    requestLogLevel: Logger.Level = .info,
    now: @escaping @Sendable () -> Date,
    acknowledgements: (any AcknowledgementOutbox)? = nil,
    commitmentNotices: (any CommitmentNotices)? = nil,
    botWebhook: (any BotWebhook)? = nil,
    series: SeriesSettings = SeriesSettings(),
    arrivals: ArrivalGroupingService? = nil,
    chatKey: (@Sendable (Int64) -> String)? = nil
) throws -> Router<TyndauRequestContext> {
    let pages = try PageRenderer()
    var accepted: (@Sendable () -> Void)?
    if let arrivals { accepted = { arrivals.wake() } }
    let intake = QuestionIntake(
        store: store, settings: settings.intake, acknowledgements: acknowledgements, now: now, accepted: accepted)
    var publicURL = settings.publicURL
    while publicURL?.hasSuffix("/") == true { publicURL?.removeLast() }
    let endpoint = IntakeEndpoint(intake: intake, store: store, publicURL: publicURL)

    // HEAD on every GET route, answered without the body (SecurityHeadersMiddleware).
    let router = Router(context: TyndauRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.middlewares.add(SecurityHeadersMiddleware(https: publicURL?.lowercased().hasPrefix("https://") == true))
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(RequestLogMiddleware(logLevel: requestLogLevel))
    router.middlewares.add(HTTPMetricsMiddleware())
    router.middlewares.add(ErrorShapeMiddleware(pages: pages))
    ProbeController(store: store, logger: logger, role: "serve").addRoutes(to: router)
    let officeGate = OfficeTokenGate(token: settings.officeToken, trustForwardedFor: settings.intake.trustForwardedFor, now: now)
    OperationsController(store: store, goldenHourMinutes: settings.intake.goldenHourMinutes, gate: officeGate, now: now)
        .addRoutes(to: router)
    try APIDocumentController().addRoutes(to: router)
    let seriesInEffect = SeriesInEffect(configured: series, store: store)
    PagesController(
        endpoint: endpoint, pages: pages, series: seriesInEffect, rights: PersonalDataRights(store: store),
        similar: SimilarTopics(store: store), joins: store,
        joinLimiter: SubmissionRateLimiter(limit: settings.intake.rateLimitPerHour, now: now), now: now
    ).addRoutes(to: router)
    router.addRoutes(
        QuestionsAPIController(endpoint: endpoint, series: seriesInEffect, now: now).endpoints, atPath: "/api/v1/questions")
    let open311 = Open311Controller(endpoint: endpoint, store: store, settings: settings.open311, series: seriesInEffect, now: now)
    router.addRoutes(open311.endpoints, atPath: "/open311/v2")
    router.addRoutes(open311.discoveryEndpoints, atPath: "/open311")
    if let botWebhook { BotWebhookController(webhook: botWebhook).addRoutes(to: router) }
    router.addRoutes(MeetingsAPIController(store: store, gate: officeGate, now: now).endpoints, atPath: "/api/v1/meetings")
    OfficeConsole(
        store: store, pages: pages, settings: settings, series: series, commitmentNotices: commitmentNotices,
        rights: PersonalDataRights(store: store, chatKey: chatKey), now: now
    ).addRoutes(to: router)
    let record = PublicRecord(store: store)
    let cache = PublicRecordCache(record: record, goldenHourMinutes: settings.intake.goldenHourMinutes)
    PublicRecordController(
        record: record, cache: cache, pages: pages,
        downloads: PublicRecordDownloads(record: record, cache: cache, series: series, seriesStore: store, publicURL: publicURL, now: now),
        now: now
    ).addRoutes(to: router)
    return router
}

/// Waits for graceful shutdown (SIGINT/SIGTERM), which the server honours first by finishing its
/// in-flight requests; then checkpoints the WAL so the database file is complete on its own.
struct DatabaseCheckpointService: Service {
    let database: any WriteAheadLogStore
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try database.checkpoint()
            logger.info("database.checkpointed")
        } catch {
            logger.error("database.checkpoint-failed", metadata: ["error": "\(error)"])
        }
    }
}

/// Runs a passive WAL checkpoint from a second connection twice a second while the server runs, so
/// commits (and the residents waiting on them) do not pay for SQLite's automatic checkpoints.
struct WALCheckpointService: Service {
    let checkpointer: any BackgroundCheckpointer
    let logger: Logger
    var interval: Duration = .milliseconds(500)

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Cancelled at graceful shutdown: stop quietly; the final checkpoint follows.
                guard (try? await Task.sleep(for: interval)) != nil else { return }
                do {
                    try await checkpointer.checkpoint()
                } catch {
                    logger.debug("database.background-checkpoint-skipped", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
