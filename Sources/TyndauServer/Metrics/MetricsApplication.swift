import Hummingbird
import Logging
import NIOCore
import TyndauCore

/// The `/metrics` listener of `tyndau serve` and `tyndau worker` (`metrics.port`, `--metrics-port`): a
/// separate socket, bound to loopback unless configured otherwise, so the numbers are for the local
/// Prometheus (or an SSH tunnel, or a reverse proxy that adds its own access control) and never for
/// the residents' port. Each scrape first refreshes the database gauges through `sampler`, then
/// answers the Prometheus text format that `exposition` renders.
///
/// Runs as a plain service: cancelling the task that runs it, or graceful shutdown, stops it.
public func buildMetricsApplication(
    host: String, port: Int, sampler: DatabaseMetricsSampler?, exposition: @escaping @Sendable () -> [UInt8],
    logger: Logger, serverName: String
) -> some ApplicationProtocol {
    let router = Router(context: TyndauRequestContext.self)
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(RequestLogMiddleware(logLevel: .debug))
    router.get("/metrics") { _, _ in
        await sampler?.sample()
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: exposition()))
        )
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: serverName),
        logger: logger
    )
}
