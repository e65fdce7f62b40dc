import Hummingbird
import Metrics
import TyndauCore

/// Counts every request and records its duration by route pattern, method and status
/// (``TyndauMetrics/httpRequests``, ``TyndauMetrics/httpRequestDuration``). The route is the router's
/// pattern (`/status/{ticket}`), never the raw path, so tickets and tokens stay out of the labels and
/// the number of series stays bounded; a path no route matches is `unmatched`.
///
/// Added outside ``ErrorShapeMiddleware``, it sees the status residents got; the duration runs until
/// the handler has produced the response (our bodies are built in memory, so that is all the work). Hummingbird's own `MetricsMiddleware` records the same under OpenTelemetry
/// names; this one keeps our `tyndau_` names and labels.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    static var knownMethods: Set<String> { ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = Self.knownMethods.contains(request.method.rawValue) ? request.method.rawValue : "other"
        do {
            let response = try await next(request, context)
            Self.record(route: Self.route(context), method: method, status: response.status.code, since: start)
            return response
        } catch let error as any HTTPResponseError {
            Self.record(route: Self.route(context), method: method, status: error.status.code, since: start)
            throw error
        } catch {
            Self.record(route: Self.route(context), method: method, status: 500, since: start)
            throw error
        }
    }

    /// The matched route's pattern; `unmatched` when no route matched (the router then reports a
    /// placeholder that is not a path).
    static func route(_ context: Context) -> String {
        guard let path = context.endpointPath, path.hasPrefix("/") else { return "unmatched" }
        return path
    }

    static func record(route: String, method: String, status: Int, since start: ContinuousClock.Instant) {
        let dimensions = [
            (TyndauMetrics.Label.route, route), (TyndauMetrics.Label.method, method),
            (TyndauMetrics.Label.status, String(status)),
        ]
        Counter(label: TyndauMetrics.httpRequests, dimensions: dimensions).increment()
        Metrics.Timer(label: TyndauMetrics.httpRequestDuration, dimensions: dimensions).record(duration: ContinuousClock.now - start)
    }
}
