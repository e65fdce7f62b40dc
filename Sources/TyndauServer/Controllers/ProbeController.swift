import Foundation
import Hummingbird
import Logging
import TyndauCore

/// `GET /health` and `GET /ready`, the same on `tyndau serve` and on `tyndau worker`'s probe listener.
///
/// `/health` is liveness: the process answers, nothing else is touched (it is also the benchmark's
/// ceiling), so its body is built once. `/ready` asks the database for its migrations: 200 when it
/// answers and holds exactly this build's, else 503 with the reason in our JSON error shape and the
/// request's language. Both carry the version and the commit the binary was built from.
struct ProbeController: Sendable {
    let store: any TyndauStore
    let logger: Logger

    /// The process's kind (`serve`, `worker`) in the answers, so a probe knows what it reached.
    let role: String

    func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let health = JSONBody.encode(HealthBody(status: "ok", role: role, version: TyndauBuild.version, commit: TyndauBuild.commit ?? "unknown"))
        router.get("/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: health))
        }
        router.get("/ready") { request, _ in await ready(request) }
    }

    func ready(_ request: Request) async -> Response {
        let report = await store.readiness()
        var body = ReadyBody(
            status: report.isReady ? "ready" : "not-ready", role: role, version: TyndauBuild.version,
            commit: TyndauBuild.commit ?? "unknown", migrations: report.appliedMigrations, error: nil
        )
        guard let problem = report.problem else { return JSONBody.response(body) }
        let language = LanguageChoice(request).language
        let error = Self.error(for: problem)
        body.error = APIErrorResponse.Body(code: error.code.rawValue, message: ServerText.message(error, language), fields: [:])
        logger.warning("probe.not-ready", metadata: [
            "tyndau.ready.reason": "\(problem.code)",
            "tyndau.ready.detail": "\(report.detail ?? "")",
        ])
        return JSONBody.response(body, status: .serviceUnavailable, language: language)
    }

    static func error(for problem: ReadinessReport.Problem) -> TyndauError {
        switch problem {
        case .unreachable:
            TyndauError(code: problem.code, messageKey: "error.not-ready.database-unreachable")
        case .migrationsPending(let missing):
            TyndauError(code: problem.code, messageKey: "error.not-ready.migrations-pending", arguments: [String(missing.count)])
        case .unknownMigrations(let unknown):
            TyndauError(code: problem.code, messageKey: "error.not-ready.database-too-new", arguments: [String(unknown.count)])
        }
    }
}

/// `/health`'s answer.
struct HealthBody: Encodable {
    var status: String
    var role: String
    var version: String
    var commit: String
}

/// `/ready`'s answer; `error` is our usual error object when not ready.
struct ReadyBody: Encodable {
    var status: String
    var role: String
    var version: String
    var commit: String
    var migrations: Int
    var error: APIErrorResponse.Body?
}

/// The small listener of `tyndau worker` (`--health-port`): `/health` and `/ready` only, with the
/// request-id and request-log middlewares. It binds to loopback unless told otherwise, since a
/// worker serves nobody but the probe.
///
/// Runs as a plain service: cancelling the task that runs it stops it.
public func buildProbeApplication(
    host: String, port: Int, store: any TyndauStore, logger: Logger, requestLogLevel: Logger.Level = .debug
) -> some ApplicationProtocol {
    let router = Router(context: TyndauRequestContext.self)
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(RequestLogMiddleware(logLevel: requestLogLevel))
    ProbeController(store: store, logger: logger, role: "worker").addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: "tyndau-worker"),
        logger: logger
    )
}
