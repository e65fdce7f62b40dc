import Foundation
import Hummingbird

/// What every answer carries whatever route made it: `X-Content-Type-Options: nosniff`, and
/// `Strict-Transport-Security` when the server is published over https (`server.public_url`).
/// `HEAD` (routed to the `GET` handler by the router's `autoGenerateHeadEndpoints`) is answered like
/// `GET` without the body (RFC 9110 §9.3.2).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// `server.public_url` starts with `https://`.
    let https: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let isHead = request.method == .head
        var response = try await next(request, context)
        if response.headers[.xContentTypeOptions] == nil { response.headers[.xContentTypeOptions] = "nosniff" }
        if https { response.headers[.strictTransportSecurity] = "max-age=31536000" }
        if isHead { response.body = ResponseBody() }
        return response
    }
}
