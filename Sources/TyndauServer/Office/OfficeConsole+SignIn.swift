import Foundation
import Hummingbird
import TyndauCore

extension OfficeConsole {
    /// `GET /office/sign-in?next=…`: the form, with a fresh double-submit CSRF cookie.
    @Sendable func signInForm(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        if try await currentSession(request) != nil { return Self.redirect(Self.safeNext(Self.query(request, "next"))) }
        return renderSignIn(choice: choice, name: "", next: Self.query(request, "next"), error: nil, status: .ok)
    }

    /// `POST /office/sign-in` with `name`, `password`, `next`, `csrf`.
    @Sendable func signIn(request: Request, context: TyndauRequestContext) async throws -> Response {
        let choice = LanguageChoice(request)
        let fields: OfficeForm
        do {
            fields = try await OfficeForm.read(request, limit: 8 * 1024)
        } catch let error as TyndauError {
            return renderSignIn(choice: choice, name: "", next: nil, error: error, status: Self.status(for: error))
        }
        let name = fields["name"] ?? ""
        let next = fields["next"]
        let cookieToken = request.cookies[Self.signInCookie]?.value ?? ""
        guard !cookieToken.isEmpty, ConstantTime.equals(fields["csrf"] ?? "", cookieToken) else {
            return renderSignIn(choice: choice, name: name, next: next, error: .officeBadCSRF, status: .forbidden)
        }
        let address = clientAddress(request, context)
        let moment = now()
        if let wait = await throttle.retryAfter(address: address, account: name, now: moment) {
            let error = TyndauError(code: .rateLimited, messageKey: "error.office-sign-in-limited", arguments: [String(wait)])
            var response = renderSignIn(choice: choice, name: name, next: next, error: error, status: .tooManyRequests)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let user = OfficeUser.isValidName(name) ? try await store.officeUser(name: name) : nil
        let password = fields.raw("password") ?? ""
        // Unknown names cost a bcrypt check too, so timing does not tell which accounts exist.
        let matches = try await OfficeCredentials.verify(password, hash: user?.passwordHash ?? OfficeCredentials.decoyHash)
        guard let user, matches, !user.disabled, user.id != nil else {
            await throttle.recordFailure(address: address, account: name, now: moment)
            try await store.record(AuditEvent(
                at: moment, actor: "office:" + (user?.name ?? "unknown"), action: "office.sign-in-failed",
                subject: "user:" + (user?.name ?? "unknown"), details: user?.disabled == true ? "account disabled" : "wrong name or password"
            ))
            return renderSignIn(choice: choice, name: name, next: next, error: .officeSignInFailed, status: .unauthorized)
        }
        await throttle.recordSuccess(account: name, address: address)
        let token = OfficeCredentials.randomToken()
        try await store.createSession(OfficeSession(
            tokenDigest: OfficeCredentials.digest(token), user: user, csrfToken: OfficeCredentials.randomToken(),
            createdAt: moment, lastSeenAt: moment, expiresAt: moment.addingTimeInterval(settings.sessionLifetime)
        ))
        try await store.record(AuditEvent(
            at: moment, actor: "office:" + user.name, action: "office.sign-in", subject: "user:" + user.name, details: ""
        ))
        var response = Self.redirect(Self.safeNext(next))
        response.addCookie(sessionCookie(token, maxAge: Int(settings.sessionLifetime)))
        response.addCookie(cookie(Self.signInCookie, "", maxAge: 0, path: "/office/sign-in"))
        return response
    }

    /// `POST /office/sign-out`: the session row goes, the cookie is cleared.
    @Sendable func signOut(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        try await store.deleteSession(tokenDigest: visit.session.tokenDigest)
        try await store.record(AuditEvent(
            at: now(), actor: visit.actor, action: "office.sign-out", subject: "user:" + visit.session.user.name, details: ""
        ))
        var response = Self.redirect("/office/sign-in")
        response.addCookie(sessionCookie("", maxAge: 0))
        return response
    }

    private func renderSignIn(choice: LanguageChoice, name: String, next: String?, error: TyndauError?, status: HTTPResponse.Status) -> Response {
        let token = OfficeCredentials.randomToken()
        var values: [String: Any] = ["name": name, "next": next ?? "", "csrf": token]
        if let error { values["message"] = ServerText.message(error, choice.language) }
        var response = pages.page(
            "office-sign-in", values, title: ServerText.text("page.office.sign-in-title", choice.language), choice: choice,
            path: "/office/sign-in", status: status
        )
        response.addCookie(cookie(Self.signInCookie, token, maxAge: 3600, path: "/office/sign-in"))
        return response
    }

    /// The session cookie: `HttpOnly`, `SameSite=Lax`, `Secure` over https, only sent to `/office`.
    func sessionCookie(_ token: String, maxAge: Int) -> String {
        cookie(Self.sessionCookie, token, maxAge: maxAge, path: "/office")
    }

    func cookie(_ name: String, _ value: String, maxAge: Int, path: String) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secureCookies ? "; Secure" : "")
    }

    /// Only console paths are followed after sign-in (no open redirect).
    /// Only a same-site console path of safe characters (letters, digits and `/ - _ . ~ ? = & % +`);
    /// anything else — another site, a scheme, tab, space, raw UTF-8, `//`, `\\` — goes to the inbox.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/office/"), !next.hasPrefix("/office/sign-"), !next.contains("//"),
            next.unicodeScalars.allSatisfy({ safeNextCharacters.contains($0) })
        else { return "/office/inbox" }
        return next
    }

    private static let safeNextCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~?=&%+")

    /// The peer's address (or `X-Forwarded-For`'s first entry when trusted), for the sign-in limit.
    func clientAddress(_ request: Request, _ context: TyndauRequestContext) -> String {
        if trustForwardedFor,
            let forwarded = ClientIdentity.forwardedAddress(
                request.headers.first { $0.name.canonicalName == "x-forwarded-for" }?.value
            )
        {
            return forwarded
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}
