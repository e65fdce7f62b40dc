import Metrics
import Prometheus
import TyndauCore

/// The process's metrics backend: swift-metrics' one bootstrap, into a Prometheus registry that the
/// `/metrics` listeners of `serve` and `worker` render. Libraries only use swift-metrics' API
/// (`Counter`, `Timer`, `Recorder`, `Gauge`, `Meter`) with the names of ``TyndauMetrics``; this type
/// is the only one that knows Prometheus. Without ``bootstrap()`` (tests, library users) every
/// metric is a no-op and ``render()`` answers an empty page.
public enum MetricsExposition {
    /// The registry every metric of this process lands in.
    static let registry = PrometheusCollectorRegistry()

    /// Histogram buckets chosen per metric (Prometheus fixes them for a metric's life).
    static func factory() -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets = [
            TyndauMetrics.intakeCommitBatchSize: [1, 2, 4, 8, 16, 32, 64, 128, 256],
            TyndauMetrics.botUpdateLag: [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
        ]
        factory.durationHistogramBuckets = [
            TyndauMetrics.deliveryAttemptDuration: [
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
            ],
            TyndauMetrics.groupingRunDuration: [
                .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250), .seconds(1),
                .seconds(5), .seconds(30), .seconds(120),
            ],
        ]
        return factory
    }

    /// Bootstraps swift-metrics once per process; the executable calls it beside the logging bootstrap.
    public static func bootstrap() {
        MetricsSystem.bootstrap(factory())
    }

    /// The Prometheus text exposition of everything recorded so far.
    static func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}
