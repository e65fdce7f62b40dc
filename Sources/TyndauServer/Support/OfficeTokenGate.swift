import Foundation
import Hummingbird
import TyndauCore

/// The office bearer token (`server.office_token`) for the office API and the SLA report's details:
/// compared in constant time, with wrong tokens limited per client address (sliding window), so the
/// token cannot be guessed at the speed of the network. A refusal carries `WWW-Authenticate: Bearer`
/// (the error shape adds it), a limited address gets 429 with `Retry-After`.
struct OfficeTokenGate: Sendable {
    let token: String?
    let trustForwardedFor: Bool
    let failures: SubmissionRateLimiter

    /// Wrong tokens allowed per address within `window` seconds.
    init(token: String?, trustForwardedFor: Bool, attempts: Int = 10, window: TimeInterval = 900, now: @escaping @Sendable () -> Date) {
        self.token = token
        self.trustForwardedFor = trustForwardedFor
        failures = SubmissionRateLimiter(limit: attempts, window: window, now: now)
    }

    /// Whether the request carries the right token. Throws `rate-limited` for an address over its wrong
    /// tokens, `office-api-off` without a configured token; a wrong or missing token is `false` (and
    /// counted when one was given).
    func check(_ request: Request, _ context: TyndauRequestContext) async throws -> Bool {
        guard let token else { throw TyndauError.officeAPIOff }
        let header = request.headers[.authorization] ?? ""
        guard !header.isEmpty else { return false }
        let address = clientKey(request, context)
        if case .limited(let retryAfter) = await failures.check(address) {
            throw TyndauError(code: .rateLimited, messageKey: "error.office-token-limited", arguments: [String(retryAfter)])
        }
        guard header.hasPrefix("Bearer "), ConstantTime.equals(String(header.dropFirst(7)), token) else {
            await failures.record(address)
            return false
        }
        return true
    }

    /// As ``check(_:_:)``, throwing `unauthorized` (401 with `WWW-Authenticate`) for a wrong or missing token.
    func authorize(_ request: Request, _ context: TyndauRequestContext) async throws {
        guard try await check(request, context) else { throw TyndauError.unauthorized }
    }

    private func clientKey(_ request: Request, _ context: TyndauRequestContext) -> String {
        if trustForwardedFor,
            let forwarded = ClientIdentity.forwardedAddress(request.headers.first { $0.name.canonicalName == "x-forwarded-for" }?.value)
        {
            return forwarded
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}
