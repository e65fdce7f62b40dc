import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TyndauCore
import TyndauServer

/// The metrics flags `tyndau serve` and `tyndau worker` share: `--metrics-port` and `--metrics-host`
/// override `metrics.port` (serve) or `metrics.worker_port` (worker) and `metrics.host`.
struct MetricsOptions: ParsableArguments {
    @Option(help: "Port of the /metrics listener (Prometheus text format; overrides metrics.port or metrics.worker_port; default: none).")
    var metricsPort: Int?

    @Option(help: "Address of the /metrics listener (overrides metrics.host; default 127.0.0.1 — keep it off the public network).")
    var metricsHost: String?

    func validate() throws {
        if let metricsPort, !(1...65_535).contains(metricsPort) {
            throw ValidationError(CLIText.text("metrics.bad-port"))
        }
    }

    /// Which process asks: `serve` reads `metrics.port`, `worker` reads `metrics.worker_port`.
    enum Role: String {
        case serve, worker
    }

    /// The listener's address, or `nil` when no port is configured for `role`.
    func address(_ section: TyndauConfiguration.MetricsSection, role: Role) -> (host: String, port: Int)? {
        guard let port = metricsPort ?? (role == .serve ? section.port : section.workerPort) else { return nil }
        return (metricsHost ?? section.host, port)
    }

    /// The `/metrics` listener for `role`, refreshing the database gauges from `store` at each scrape
    /// (with the wall clock: this is the edge), or `nil` when none is configured. Prints its address.
    func listener(
        _ configuration: TyndauConfiguration, role: Role, store: any TyndauStore, logger: Logger
    ) -> (any Service)? {
        guard let (host, port) = address(configuration.metrics, role: role) else { return nil }
        let sampler = DatabaseMetricsSampler(
            store: store, goldenHourMinutes: configuration.intake.settings.goldenHourMinutes, now: WallClock.now, logger: logger)
        print(CLIText.text("metrics.listening", host, port))
        fflush(nil)
        return buildMetricsApplication(
            host: host, port: port, sampler: sampler, exposition: { MetricsExposition.render() }, logger: logger,
            serverName: "tyndau-\(role.rawValue)-metrics"
        )
    }
}
