import Foundation
import Hummingbird
import Logging
import TyndauCore

/// One log line per request: method, path WITHOUT the query (status links carry secret tokens),
/// status and duration, plus the `request_id` that ``RequestIDMiddleware`` put on the request's logger.
/// No address, no body, no other header — nothing personal. Successful probes (`/health`, `/ready`),
/// which a load balancer or systemd asks every few seconds, are logged at `debug` so they do not bury
/// the traffic; a failing `/ready` keeps the normal level.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logLevel: Logger.Level

    static func isProbe(_ path: String) -> Bool { path == "/health" || path == "/ready" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, start: start)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context: context, status: error.status.code, start: start)
            throw error
        } catch {
            log(request, context: context, status: 500, start: start)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let level = Self.isProbe(request.uri.path) && status < 400 ? min(logLevel, .debug) : logLevel
        context.logger.log(level: level, "request", metadata: [
            "http.method": "\(request.method.rawValue)",
            "http.path": "\(request.uri.path)",
            "http.status": "\(status)",
            "http.duration_ms": "\(String(format: "%.2f", milliseconds))",
        ])
    }
}

/// Turns whatever a handler throws into the answer its audience reads: our JSON error shape under
/// `/api`, GeoReport's error list under `/open311` (XML for `.xml` paths), an HTML page elsewhere. Unknown errors become a
/// 500 with a generic message, an unreachable database a 503 with `Retry-After`; the error itself goes to the log only.
struct ErrorShapeMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as TyndauError {
            return render(error.publicFacing(logger: context.logger), request)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound, .methodNotAllowed: return render(.routeNotFound, request, status: error.status)
            case .contentTooLarge: return render(.bodyTooLarge(limit: 0), request)
            case .badRequest: return render(.malformedBody, request)
            default:
                context.logger.error("request.failed", metadata: ["error": "\(error.status.code)"])
                return render(.internalFailure, request)
            }
        } catch {
            // An engine's error that names a condition (a full disk, a lock held too long) is answered as such.
            if let known = TyndauError.known(error) { return render(known.publicFacing(logger: context.logger), request) }
            context.logger.error("request.failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            return render(.internalFailure, request)
        }
    }

    private func render(_ error: TyndauError, _ request: Request, status: HTTPResponse.Status? = nil) -> Response {
        let choice = LanguageChoice(request)
        var response: Response
        if request.uri.path.hasPrefix("/api/") {
            response = APIErrorResponse.response(error, language: choice.language)
        } else if request.uri.path.hasPrefix("/open311/") {
            response = Open311Controller.errorResponse(error, language: choice.language, format: GeoReportFormat(path: request.uri.path))
        } else {
            response = pages.errorPage(error, choice: choice, path: "/")
        }
        if let status { response.status = status }
        return response
    }
}
