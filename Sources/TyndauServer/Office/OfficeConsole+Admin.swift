import AgendaScheduler
import Foundation
import Hummingbird
import TyndauCore

/// Admin pages: office accounts, the publishing endpoints (secrets masked) and the meeting series.
extension OfficeConsole {
    func addAdminRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/office/users", use: page(.admin, usersPage))
        router.post("/office/users", use: form(.admin, addUser))
        router.post("/office/users/{name}/disable", use: form(.admin, disableUser))
        router.post("/office/users/{name}/enable", use: form(.admin, enableUser))
        router.post("/office/users/{name}/password", use: form(.admin, resetPassword))
        router.get("/office/endpoints", use: page(.admin, endpointsPage))
        router.post("/office/endpoints/{name}/enable", use: form(.admin, enableEndpoint))
        router.get("/office/series", use: page(.admin, seriesPage))
        router.post("/office/series", use: form(.admin, setSeries))
    }

    @Sendable func usersPage(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let users = try await store.officeUsers().map { user -> [String: Any] in
            [
                "name": user.name, "role": ServerText.text("page.office.role." + user.role.rawValue, language),
                "disabled": user.disabled, "self": user.name == visit.session.user.name,
                "createdAt": Self.localTime(user.createdAt),
            ]
        }
        let roles = OfficeRole.allCases.map { ["value": $0.rawValue, "label": ServerText.text("page.office.role." + $0.rawValue, language)] }
        return render("office-users", ["users": users, "roles": roles], titleKey: "page.office.users.title", visit: visit, section: "users")
    }

    @Sendable func addUser(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let name = fields["name"] ?? ""
        var problems: [String: String] = [:]
        if !OfficeUser.isValidName(name) { problems["name"] = "field.invalid-user-name" }
        let role = fields["role"].flatMap(OfficeRole.init(rawValue:))
        if role == nil { problems["role"] = "field.unknown-value" }
        let password = fields.raw("password") ?? ""
        if password.count < OfficeCredentials.minimumPasswordLength { problems["password"] = "field.password-too-short" }
        guard problems.isEmpty, let role else { throw TyndauError.validation(problems) }
        let hash = try await OfficeCredentials.hash(password, cost: settings.bcryptCost)
        try await store.addUser(OfficeUser(name: name, role: role, passwordHash: hash, createdAt: now()), actor: visit.actor, now: now())
        return Self.redirect("/office/users")
    }

    @Sendable func disableUser(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let name = visit.parameters.get("name") ?? ""
        guard name.lowercased() != visit.session.user.name.lowercased() else {
            throw TyndauError.validation(["name": "field.cannot-disable-self"])
        }
        try await store.setUserDisabled(name: name, disabled: true, actor: visit.actor, now: now())
        return Self.redirect("/office/users")
    }

    @Sendable func enableUser(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        try await store.setUserDisabled(name: visit.parameters.get("name") ?? "", disabled: false, actor: visit.actor, now: now())
        return Self.redirect("/office/users")
    }

    /// A new password for an account, set by an admin; the account's sessions end.
    @Sendable func resetPassword(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let name = visit.parameters.get("name") ?? ""
        guard try await store.officeUser(name: name) != nil else { throw TyndauError.notFound("user \(name)") }
        let hash = try await OfficeCredentials.hash(fields.raw("password") ?? "", cost: settings.bcryptCost)
        try await store.setPasswordHash(name: name, passwordHash: hash, actor: visit.actor, now: now())
        // Resetting one's own password ends this session too: sign in again with the new one.
        return Self.redirect(name.lowercased() == visit.session.user.name.lowercased() ? "/office/sign-in" : "/office/users")
    }

    @Sendable func endpointsPage(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let moment = now()
        let states = try await store.endpointStates()
        let rows = states.map { state -> [String: Any] in
            let endpoint = state.endpoint
            let paused = state.pausedUntil.flatMap { $0 > moment ? $0 : nil }
            return [
                "name": endpoint.name, "kind": endpoint.kind, "tags": endpoint.tags.joined(separator: ", "),
                // Only the masked address from configuration is ever shown; tokens never reach a page.
                "address": settings.endpointAddresses[endpoint.name] ?? ServerText.text("page.office.endpoints.not-configured", language),
                "disabled": endpoint.disabledReason ?? "", "isDisabled": endpoint.disabledReason != nil,
                "paused": paused.map(Self.localTime) ?? "",
            ]
        }
        return render("office-endpoints", ["endpoints": rows], titleKey: "page.office.endpoints.title", visit: visit, section: "endpoints")
    }

    @Sendable func enableEndpoint(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let name = visit.parameters.get("name") ?? ""
        guard try await store.endpointStates().contains(where: { $0.endpoint.name == name }) else {
            throw TyndauError.notFound("endpoint \(name)")
        }
        try await store.enableEndpoint(name: name)
        try await store.record(AuditEvent(at: now(), actor: visit.actor, action: "endpoint.enable", subject: "endpoint:\(name)", details: ""))
        return Self.redirect("/office/endpoints")
    }

    @Sendable func seriesPage(request: Request, visit: Visit) async throws -> Response {
        let stored = try await store.seriesSettings()
        let current = try await seriesInEffect()
        let rows = SeriesSettings.keys.map { key -> [String: Any] in
            [
                "key": key, "value": current.value(of: key), "file": series.value(of: key), "overridden": stored[key] != nil,
                "label": ServerText.text("page.office.series.key." + key, visit.language),
            ]
        }
        return render("office-series", ["settings": rows], titleKey: "page.office.series.title", visit: visit, section: "series")
    }

    /// `key` and `value`; an empty value removes the stored override (the file's value applies).
    @Sendable func setSeries(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        guard let key = fields["key"], SeriesSettings.keys.contains(key) else {
            throw TyndauError.validation(["key": "series.reason.unknown-key"])
        }
        let value = fields["value"] ?? ""
        var stored = try await store.seriesSettings()
        stored[key] = value.isEmpty ? nil : value
        let checked: SeriesSettings
        do {
            checked = try series.applying(stored)
        } catch let problem as SeriesSettings.Problem {
            throw TyndauError.validation([problem.key: problem.reason])
        }
        // Stored in the canonical form `series show` prints.
        try await store.setSeriesSettings([key: value.isEmpty ? "" : checked.value(of: key)], actor: visit.actor, now: now())
        return Self.redirect("/office/series")
    }
}
