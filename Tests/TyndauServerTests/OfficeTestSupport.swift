import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// A signed-in browser for console tests: the session cookie and the page's CSRF token.
struct OfficeBrowser {
    let cookie: String
    let csrf: String
    let client: String

    func get(_ client: some TestClientProtocol, _ uri: String, language: String = "en") async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: .get,
            headers: [.cookie: cookie, .acceptLanguage: language, .init("X-Forwarded-For")!: self.client]
        )
    }

    /// Posts a form; the CSRF token is added unless `csrf` is false (or replaced by `token`).
    func post(
        _ client: some TestClientProtocol, _ uri: String, _ fields: [(String, String)] = [], csrf: Bool = true,
        token: String? = nil, language: String = "en"
    ) async throws -> TestResponse {
        let all = csrf ? [("csrf", token ?? self.csrf)] + fields : fields
        return try await client.execute(
            uri: uri, method: .post,
            headers: [
                .cookie: cookie, .contentType: "application/x-www-form-urlencoded", .acceptLanguage: language,
                .init("X-Forwarded-For")!: self.client,
            ],
            body: formBody(all)
        )
    }
}

enum Office {
    static let password = "correct horse battery"

    /// Console settings for tests: a cheap bcrypt cost, the default limits.
    static func settings(publicURL: String? = nil) -> ServerSettings {
        var settings = TestServer.settings()
        settings.publicURL = publicURL
        settings.office.bcryptCost = 4
        settings.office.endpointAddresses = ["chat": "https://hooks.example.kz/***"]
        return settings
    }

    static func application(_ database: SQLiteStore, clock: ManualClock, publicURL: String? = nil) throws -> some ApplicationProtocol {
        try buildApplication(
            settings(publicURL: publicURL), database: database, logger: TestServer.quietLogger, requestLogLevel: .trace,
            now: clock.closure
        )
    }

    @discardableResult
    static func user(_ database: SQLiteStore, _ name: String, _ role: OfficeRole, password: String = password, at now: Date) async throws -> OfficeUser {
        let hash = try await OfficeCredentials.hash(password, cost: 4)
        return try await database.addUser(OfficeUser(name: name, role: role, passwordHash: hash, createdAt: now), actor: "test", now: now)
    }

    /// The value of a `Set-Cookie` named `name` (without attributes), and the whole header.
    static func cookie(_ response: TestResponse, _ name: String) -> (value: String, header: String)? {
        for header in response.headers[values: .setCookie] where header.hasPrefix(name + "=") {
            let value = header.dropFirst(name.count + 1).prefix { $0 != ";" }
            return (String(value), header)
        }
        return nil
    }

    /// The first CSRF token in a page.
    static func csrf(_ html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([0-9a-f]+)""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    /// Opens the sign-in form and posts it; returns the post's response.
    static func postSignIn(
        _ client: some TestClientProtocol, name: String, password: String, ip: String = "10.0.0.9"
    ) async throws -> TestResponse {
        let form = try await client.execute(uri: "/office/sign-in", method: .get, headers: [.init("X-Forwarded-For")!: ip])
        let token = cookie(form, "tyndau_office_signin")?.value ?? ""
        return try await client.execute(
            uri: "/office/sign-in", method: .post,
            headers: [
                .contentType: "application/x-www-form-urlencoded", .cookie: "tyndau_office_signin=\(token)",
                .init("X-Forwarded-For")!: ip, .acceptLanguage: "en",
            ],
            body: formBody([("csrf", csrf(form.text) ?? ""), ("name", name), ("password", password)])
        )
    }

    /// Signs in and reads the CSRF token of the inbox.
    static func signIn(_ client: some TestClientProtocol, _ name: String, password: String = password, ip: String = "10.0.0.9") async throws -> OfficeBrowser {
        let response = try await postSignIn(client, name: name, password: password, ip: ip)
        #expect(response.status == .seeOther)
        let session = try #require(cookie(response, "tyndau_office"))
        let inbox = try await client.execute(
            uri: "/office/inbox", method: .get, headers: [.cookie: "tyndau_office=\(session.value)", .init("X-Forwarded-For")!: ip]
        )
        let token = try #require(csrf(inbox.text))
        return OfficeBrowser(cookie: "tyndau_office=\(session.value)", csrf: token, client: ip)
    }

    /// Stores a question submitted `minutesAgo` before `now`.
    @discardableResult
    static func question(
        _ database: SQLiteStore, _ text: String, minutesAgo: Double, now: Date, category: QuestionCategory? = .improvement,
        street: String? = "Жансугурова", language: TextLanguage = .ru
    ) async throws -> Question {
        try await database.insert(NewQuestion(question: Question(
            text: text, language: language, category: category, street: street, house: "45", channel: .web,
            submittedAt: now.addingTimeInterval(-minutesAgo * 60)
        )))
    }
}
