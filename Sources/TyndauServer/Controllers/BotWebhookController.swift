import Foundation
import Hummingbird
import TyndauCore

/// `POST <webhook path>`: Telegram's calls to the residents' bot in webhook mode. The server only
/// carries the request; the bot (``BotWebhook``) checks the secret token and handles the update.
struct BotWebhookController: Sendable {
    let webhook: any BotWebhook
    /// Telegram's updates are a few kilobytes; anything far larger is not one.
    static let maxBodyBytes = 1 << 20

    func addRoutes(to router: Router<TyndauRequestContext>) {
        router.post(RouterPath(webhook.routePath), use: receive)
    }

    /// The secret header is checked before the body is read: a request without it is 403 and its body
    /// is never collected; an authenticated body over ``maxBodyBytes`` is 413.
    @Sendable func receive(request: Request, context: TyndauRequestContext) async throws -> Response {
        let secret = request.headers.first { $0.name.canonicalName == "x-telegram-bot-api-secret-token" }?.value
        guard webhook.acceptsSecretToken(secret) else {
            context.logger.warning("webhook request without the right secret token refused")
            return Response(status: .forbidden)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            return Response(status: .contentTooLarge)
        }
        let status = await webhook.receive(secretToken: secret, body: Array(buffer.readableBytesView))
        return Response(status: HTTPResponse.Status(code: status))
    }
}
