import AgendaScheduler
import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// The office console under `/office`: server-rendered pages for triage, topics, the agenda, the
/// live meeting, deliveries, commitments and the audit log, behind office accounts.
///
/// Every page needs a session (cookie `tyndau_office`, `HttpOnly`, `SameSite=Lax`, `Secure` when
/// `server.public_url` is https); every form carries the session's CSRF token and is refused with
/// 403 without it; admin pages (users, endpoints, series, residents' personal data) answer 403 to operators. Every change is
/// written to the audit log as `office:<username>`. Works without JavaScript.
struct OfficeConsole: Sendable {
    let store: any TyndauStore
    let pages: PageRenderer
    let settings: OfficeSettings
    let goldenHourMinutes: Int
    /// Whether cookies get `Secure` (the console is reached over https).
    let secureCookies: Bool
    let trustForwardedFor: Bool
    /// The meeting series from the configuration file; stored overrides apply on top (``seriesInEffect()``).
    let series: SeriesSettings
    let throttle: SignInThrottle
    let suggester = TopicSuggester()
    /// The inbox's suggestions: the same answers as `suggester`, without analysing the same topics' texts
    /// again on every page load.
    let suggestions: TopicSuggestionCache
    let now: @Sendable () -> Date
    /// The askers' "promise kept" messages, when the server has the publisher's endpoints.
    let commitmentNotices: (any CommitmentNotices)?
    /// Residents' rights over their personal data, with the bot's chat keys when the server has them.
    let rights: PersonalDataRights

    static let sessionCookie = "tyndau_office"
    /// Before sign-in there is no session to bind the token to: the sign-in form's CSRF token is a
    /// double-submit cookie instead.
    static let signInCookie = "tyndau_office_signin"
    static let maxFormBytes = 64 * 1024

    init(
        store: any TyndauStore, pages: PageRenderer, settings: ServerSettings, series: SeriesSettings,
        commitmentNotices: (any CommitmentNotices)? = nil, rights: PersonalDataRights? = nil,
        now: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.rights = rights ?? PersonalDataRights(store: store)
        self.pages = pages
        self.settings = settings.office
        self.goldenHourMinutes = settings.intake.goldenHourMinutes
        self.secureCookies = settings.publicURL?.lowercased().hasPrefix("https://") == true
        self.trustForwardedFor = settings.intake.trustForwardedFor
        self.series = series
        self.throttle = SignInThrottle(
            perAddress: settings.office.signInAttemptsPerAddress, perAccount: settings.office.signInAttemptsPerAccount,
            window: settings.office.signInWindow
        )
        self.now = now
        self.commitmentNotices = commitmentNotices
        self.suggestions = TopicSuggestionCache(suggester: suggester)
    }

    func addRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/office") { _, _ in Self.redirect("/office/inbox") }
        router.get("/static/office.js") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: pages.officeScript)
            )
        }
        router.get("/office/sign-in", use: signInForm)
        router.post("/office/sign-in", use: signIn)
        router.post("/office/sign-out", use: form(.operator, signOut))
        addInboxRoutes(to: router)
        addTopicRoutes(to: router)
        addAgendaRoutes(to: router)
        addMeetingRoutes(to: router)
        addDeliveryRoutes(to: router)
        addAdminRoutes(to: router)
        addResidentRoutes(to: router)
    }

    // MARK: - The gate

    /// One signed-in request: who, in which language, on which page.
    struct Visit: Sendable {
        let session: OfficeSession
        let choice: LanguageChoice
        /// The page's path and query without `lang`, for the language switch.
        let path: String
        /// The route's parameters (`{id}`, `{week}` …).
        let parameters: Parameters

        /// A route parameter as a positive id, or a validation error naming `field`.
        func id(_ name: String = "id", field: String) throws -> Int64 {
            try OfficeConsole.id(parameters.get(name), field: field)
        }

        var language: UILanguage { choice.language }
        var actor: String { "office:" + session.user.name }
        var isAdmin: Bool { session.user.role == .admin }
    }

    typealias Handler = @Sendable (Request, TyndauRequestContext) async throws -> Response
    typealias PageHandler = @Sendable (Request, Visit) async throws -> Response
    typealias FormHandler = @Sendable (Request, Visit, OfficeForm) async throws -> Response

    /// A page for `role`: redirects to sign-in without a session, 403 for a role too low, and an
    /// error page (never a 500) for a ``TyndauError``.
    func page(_ role: OfficeRole, _ handler: @escaping PageHandler) -> Handler {
        { request, context in
            let choice = LanguageChoice(request)
            guard let session = try await currentSession(request) else {
                return Self.redirect("/office/sign-in?next=" + Self.queryEscaped(Self.pathWithoutLanguage(request)))
            }
            let visit = Visit(session: session, choice: choice, path: Self.pathWithoutLanguage(request), parameters: context.parameters)
            guard Self.allows(session.user.role, role) else { return errorPage(.officeForbidden, visit) }
            do {
                return try await handler(request, visit)
            } catch let error as TyndauError {
                return errorPage(error, visit)
            }
        }
    }

    /// A form post for `role`: the session and its CSRF token (field `csrf`, compared in constant
    /// time) are required, else 403; then as ``page(_:_:)``.
    func form(_ role: OfficeRole, _ handler: @escaping FormHandler) -> Handler {
        { request, context in
            let choice = LanguageChoice(request)
            guard let session = try await currentSession(request) else {
                return pages.page(
                    "office-error", ["message": ServerText.message(.officeSessionExpired, choice.language), "signInLink": true],
                    title: ServerText.text("page.office.error-title", choice.language), choice: choice, path: "/office/sign-in",
                    status: .forbidden
                )
            }
            let visit = Visit(session: session, choice: choice, path: "/office/inbox", parameters: context.parameters)
            do {
                let fields = try await OfficeForm.read(request, limit: Self.maxFormBytes)
                guard ConstantTime.equals(fields["csrf"] ?? "", session.csrfToken) else {
                    return errorPage(.officeBadCSRF, visit)
                }
                guard Self.allows(session.user.role, role) else { return errorPage(.officeForbidden, visit) }
                return try await handler(request, visit, fields)
            } catch let error as TyndauError {
                return errorPage(error, visit)
            }
        }
    }

    static func allows(_ role: OfficeRole, _ needed: OfficeRole) -> Bool {
        needed == .operator || role == .admin
    }

    /// The session of the request's cookie, when it is live (touching its idle clock).
    func currentSession(_ request: Request) async throws -> OfficeSession? {
        guard let token = request.cookies[Self.sessionCookie]?.value, !token.isEmpty, token.count <= 128 else { return nil }
        return try await store.activeSession(
            tokenDigest: OfficeCredentials.digest(token), now: now(), idleTimeout: settings.idleTimeout
        )
    }

    // MARK: - Rendering

    /// Sections, their paths, whether only admins see them, and the key after "g" that opens them.
    static let navigation: [(key: String, path: String, admin: Bool, shortcut: String)] = [
        ("inbox", "/office/inbox", false, "i"), ("topics", "/office/topics", false, "t"), ("agenda", "/office/agenda", false, "a"),
        ("meeting", "/office/meeting", false, "m"), ("deliveries", "/office/deliveries", false, "d"),
        ("commitments", "/office/commitments", false, "c"), ("audit", "/office/audit", false, "l"),
        ("endpoints", "/office/endpoints", true, "e"), ("users", "/office/users", true, "u"), ("series", "/office/series", true, "s"),
        ("residents", "/office/residents", true, "r"),
    ]

    /// Pages that reload themselves every so many seconds while nobody types (with the script).
    static let refreshSeconds = ["inbox": 60, "deliveries": 30, "commitments": 300]

    /// An office page: the layout's navigation, the user, the CSRF token for every form.
    func render(
        _ template: String, _ values: [String: Any], titleKey: String, visit: Visit, section: String,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var context = values
        let language = visit.language
        context["user"] = visit.session.user.name
        context["role"] = ServerText.text("page.office.role." + visit.session.user.role.rawValue, language)
        context["isAdmin"] = visit.isAdmin
        context["csrf"] = visit.session.csrfToken
        context["back"] = visit.path
        context["nav"] = Self.navigation.filter { !$0.admin || visit.isAdmin }.map { entry -> [String: Any] in
            [
                "label": ServerText.text("page.office.nav." + entry.key, language), "path": entry.path,
                "current": entry.key == section, "shortcut": entry.shortcut,
            ]
        }
        if let seconds = Self.refreshSeconds[section] { context["refresh"] = seconds }
        return pages.page(
            template, context, title: ServerText.text(titleKey, language), choice: visit.choice, path: visit.path, status: status,
            scripts: true
        )
    }

    /// The error page inside the console, with each field's reason in the user's language.
    func errorPage(_ error: TyndauError, _ visit: Visit) -> Response {
        let reasons = ServerText.fields(error, visit.language)
        var response = render(
            "office-error",
            [
                "message": ServerText.message(error, visit.language),
                "fields": reasons.keys.sorted().map { ["field": Self.fieldLabel($0, visit.language), "reason": reasons[$0] ?? ""] },
            ],
            titleKey: "page.office.error-title", visit: visit, section: "", status: Self.status(for: error)
        )
        if let retryAfter = error.retryAfterSeconds { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    static func status(for error: TyndauError) -> HTTPResponse.Status {
        switch error.code {
        case .forbidden: .forbidden
        case .illegalTransition: .conflict
        default: APIErrorResponse.status(for: error)
        }
    }

    static func fieldLabel(_ field: String, _ language: UILanguage) -> String {
        let key = "page.office.field." + field
        return ServerText.table.contains(key) ? ServerText.text(key, language) : field
    }

    /// 303 to `location` (after a form, so reloading does not post again).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// Where a form returns to: its `back` field when it is a console path, else `fallback`.
    static func back(_ fields: OfficeForm, _ fallback: String) -> String {
        guard let back = fields["back"], back.hasPrefix("/office"), !back.hasPrefix("//"), !back.contains("\\"),
            !back.contains("\r"), !back.contains("\n")
        else { return fallback }
        return back
    }

    static func pathWithoutLanguage(_ request: Request) -> String {
        let items = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("lang=") }.map(String.init)
        return request.uri.path + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
    }

    static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A query parameter, trimmed; `nil` when absent or empty.
    static func query(_ request: Request, _ name: String) -> String? {
        guard let raw = request.uri.queryParameters[Substring(name)] else { return nil }
        let value = String(raw).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }

    /// `dd.MM.yyyy HH:mm` in Almaty time.
    static func localTime(_ date: Date) -> String { PagesController.localTime(date) }

    /// `dd.MM.yyyy HH:mm` in `zone` (a meeting's own time zone).
    static func localTime(_ date: Date, _ zone: TimeZone) -> String { LocalTime(date, in: zone).dotted }

    static func id(_ raw: String?, field: String) throws -> Int64 {
        guard let raw, let id = Int64(raw.trimmingCharacters(in: CharacterSet(charactersIn: " #T"))), id > 0 else {
            throw TyndauError.validation([field: "field.invalid-id"])
        }
        return id
    }
}

extension Dictionary where Key == String, Value == Any {
    /// Without the named keys whose value is an empty string: Mustache treats "" as true, and
    /// `{{#place}} · {{place}}{{/place}}` should print nothing for a question without a place.
    func droppingEmpty(_ keys: String...) -> [String: Any] {
        filter { key, value in !(keys.contains(key) && (value as? String)?.isEmpty == true) }
    }
}

extension Response {
    /// Adds a `Set-Cookie` header (a response may carry several).
    mutating func addCookie(_ value: String) {
        headers[values: .setCookie].append(value)
    }
}

extension TyndauError {
    /// The signed-in account's role does not reach this page.
    static let officeForbidden = TyndauError(code: .forbidden, messageKey: "error.office-forbidden")
    /// A form without this session's CSRF token (stale tab, forged post).
    static let officeBadCSRF = TyndauError(code: .forbidden, messageKey: "error.office-bad-csrf")
    static let officeSessionExpired = TyndauError(code: .forbidden, messageKey: "error.office-session-expired")
    static let officeSignInFailed = TyndauError(code: .unauthorized, messageKey: "error.office-sign-in-failed")
}

extension PageRenderer {
    /// The console's templates, loaded with the resident pages'.
    static let officeTemplates = [
        "office-head", "office-foot", "office-sign-in", "office-error", "office-inbox", "office-topics", "office-topic",
        "office-agenda", "office-meeting", "office-deliveries", "office-commitments", "office-audit", "office-users", "office-residents",
        "office-endpoints", "office-series", "office-pager",
    ]
}
