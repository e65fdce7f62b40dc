import ArgumentParser
import Foundation
import HTTPClient
import Logging
import Publisher
import TelegramBot
import TyndauCore
import TyndauServer
import TyndauSQLite

/// What every publishing command needs: the database with the configured endpoints synced into it,
/// the process's single libcurl client, and a logger.
enum PublishingSetup {
    /// One client (one multi handle and its thread) per process.
    static let client = CurlClient()

    static func open(_ options: GlobalOptions) async throws -> (any TyndauStore, TyndauConfiguration) {
        let (database, configuration) = try await options.openDatabase()
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        return (database, configuration)
    }

    /// The residents' bot loop when `telegram_bot` is configured in polling mode, with its own libcurl
    /// client: a long poll needs timeouts longer than the publisher's. In webhook mode `tyndau serve`
    /// receives the updates instead.
    static func telegramPoller(_ configuration: TyndauConfiguration, database: any TyndauStore, logs: LogSettings) throws -> TelegramBotPoller? {
        guard let settings = configuration.telegramBot, settings.mode == .polling else { return nil }
        return TelegramBotPoller(
            settings: settings, store: database, intake: .configured(configuration, database: database), client: CurlClient(profile: settings.clientProfile),
            now: WallClock.now,
            logger: logs.logger("tyndau.telegram")
        )
    }

    static func definition(named name: String, in configuration: TyndauConfiguration) throws -> EndpointDefinition {
        guard let definition = configuration.endpoints.first(where: { $0.name == name }) else {
            throw TyndauError.notFound("endpoint \(name)")
        }
        return definition
    }
}

/// `tyndau worker`: the delivery loop. Runs until SIGINT/SIGTERM, then returns in-flight rows to the
/// queue; `--once` sends what is due now and exits. `--health-port` opens a small listener
/// (loopback unless `--health-host` says otherwise) answering `/health` and `/ready`, as `serve` does;
/// `--metrics-port` (or `metrics.worker_port`) another one answering `/metrics`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Send queued deliveries to their endpoints (until stopped, or --once)."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Send what is due now, then exit.")
    var once = false

    @OptionGroup var logOptions: LogOptions

    @OptionGroup var metricsOptions: MetricsOptions

    @Option(help: "Port of the probe listener answering /health and /ready (default: none).")
    var healthPort: Int?

    @Option(help: "Address of the probe listener; keep it on loopback unless a monitor elsewhere must reach it.")
    var healthHost = "127.0.0.1"

    @Flag(help: "Do not place the bot's questions in topics on arrival (leave it to `tyndau topics group`).")
    var withoutArrivalGrouping = false

    func validate() throws {
        if let healthPort, !(1...65_535).contains(healthPort) {
            throw ValidationError(CLIText.text("worker.bad-health-port"))
        }
    }

    func run() async throws {
        let (database, configuration) = try await PublishingSetup.open(options)
        let logs = logOptions.apply(configuration.log)
        WallClock.warnIfSet(logs.logger("tyndau.worker"))
        let worker = DeliveryWorker(
            store: database, client: PublishingSetup.client, endpoints: configuration.endpoints,
            settings: configuration.publisher, now: WallClock.now, logger: logs.logger("tyndau.worker")
        )
        let poller = try PublishingSetup.telegramPoller(configuration, database: database, logs: logs)
        // The bot is an intake channel: its questions are placed in topics on arrival, as the server's are.
        let arrivals =
            poller == nil || withoutArrivalGrouping
            ? nil
            : ArrivalGroupingService(
                store: database, logger: logs.logger("tyndau.grouping"), now: WallClock.now)
        if once {
            // Updates waiting at Telegram first (no long poll), so their replies and questions count.
            do {
                _ = try await poller?.pollOnceUnlessPolledElsewhere(timeout: 0)
            } catch {
                logs.logger("tyndau.telegram").error("telegram bot: \(error)")
            }
            await arrivals?.drain()
            try await MeetingAutomation(
                database: database, configuration: configuration, logger: logs.logger("tyndau.meetings")
            ).runOnce()
            let handled = try await worker.drain()
            if let retention = PersonalDataRetention(configuration, database: database, logger: logs.logger("tyndau.privacy")) {
                let purged = try await retention.runOnce()
                if purged.questions > 0 {
                    print(CLIText.text("privacy.purged", purged.questions, PersonalDataRights.summary(purged.erased)))
                }
            }
            print(CLIText.text(
                "worker.drained", handled, try await database.countDeliveries(status: .sent),
                try await database.countDeliveries(status: .pending), try await database.countDeliveries(status: .failed),
                try await database.countDeliveries(status: .dead)))
            return
        }
        let automation = try await MeetingAutomation(
            database: database, configuration: configuration, logger: logs.logger("tyndau.meetings")
        )
        // The probe listener: a dead worker is visible to systemd, a load balancer or monitoring.
        let probe = healthPort.map {
            buildProbeApplication(host: healthHost, port: $0, store: database, logger: logs.logger("tyndau.worker.probe"))
        }
        if let healthPort {
            print(CLIText.text("worker.probe-listening", healthHost, healthPort))
            fflush(nil)
        }
        let retention = PersonalDataRetention(configuration, database: database, logger: logs.logger("tyndau.privacy"))
        let metrics = metricsOptions.listener(configuration, role: .worker, store: database, logger: logs.logger("tyndau.metrics"))
        // The delivery loop, the meeting calendar watch, the residents' bot and the probes run side by
        // side until a signal stops them all.
        let task = Task { () async throws -> Void in
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let probe { group.addTask { try await probe.run() } }
                if let metrics { group.addTask { try await metrics.run() } }
                group.addTask { try await worker.run() }
                group.addTask { await automation.run(interval: configuration.publisher.pollInterval * 5) }
                if let poller { group.addTask { try await poller.run() } }
                if let retention { group.addTask { await retention.run() } }
                if let arrivals { group.addTask { await arrivals.run() } }
                _ = try await group.next()
                group.cancelAll()
            }
        }
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            sources.append(source)
        }
        try await task.value
        sources.forEach { $0.cancel() }
        try await database.close()
    }
}
