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

    @Sendable func receive(request: Request, context: TyndauRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        let secret = request.headers.first { $0.name.canonicalName == "x-telegram-bot-api-secret-token" }?.value
        let status = await webhook.receive(secretToken: secret, body: Array(buffer.readableBytesView))
        return Response(status: HTTPResponse.Status(code: status))
    }
}
