import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TyndauCore

@testable import TyndauServer

/// A failure on the server's side reaches the client as the documented 503 or 500 — never with the
/// database's address or the engine's message, which go to the log instead.
@Suite("Server-side failures in the error shape")
struct ServerFailureShapeTests {
    /// The real request-id and error-shaping middlewares in front of routes that fail as a store does.
    func application(log: CapturedLog) throws -> some ApplicationProtocol {
        let router = Router(context: TyndauRequestContext.self)
        router.middlewares.add(RequestIDMiddleware())
        router.middlewares.add(ErrorShapeMiddleware(pages: try PageRenderer()))
        let unreachable = TyndauError.databaseUnavailable("postgres://tyndau@db-secret-host:5432/tyndau", "connection refused")
        let refused = TyndauError.databaseFailed("23505 duplicate key value violates unique constraint")
        for prefix in ["/api/v1", "/open311/v2", ""] {
            router.get(RouterPath(prefix + "/disk-full.json")) { _, _ -> Response in throw DiskFull() }
            router.get(RouterPath(prefix + "/unreachable.json")) { _, _ -> Response in throw unreachable }
            router.get(RouterPath(prefix + "/refused.json")) { _, _ -> Response in throw refused }
        }
        return Application(router: router, logger: log.logger)
    }

    @Test(arguments: ["/api/v1", "/open311/v2", ""])
    func unreachableDatabaseIs503WithRetryAfterAndNoAddress(prefix: String) async throws {
        let log = CapturedLog()
        try await application(log: log).test(.router) { client in
            let response = try await client.execute(uri: prefix + "/unreachable.json?lang=en", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == String(TyndauError.unavailableRetrySeconds))
            #expect(response.headers[RequestIDMiddleware<TyndauRequestContext>.headerName] != nil)
            #expect(!response.text.contains("db-secret-host"))
            #expect(!response.text.contains("connection refused"))
            if prefix == "/api/v1" {
                #expect(response.apiError["code"] as? String == "database-unavailable")
                #expect((response.apiError["message"] as? String)?.contains("temporarily unavailable") == true)
            } else if prefix == "/open311/v2" {
                #expect(response.array.first?["code"] as? Int == 503)
            }
        }
        let failure = try #require(log.lines.first { $0.message == "request.failed" })
        #expect(failure.level == .error)
        #expect(failure.metadata["error.code"] == "database-unavailable")
        #expect(failure.metadata["error"]?.description.contains("db-secret-host") == true, "the operator sees where")
    }

    @Test(arguments: ["/api/v1", "/open311/v2", ""])
    func refusedStatementIs500WithoutTheEnginesMessage(prefix: String) async throws {
        let log = CapturedLog()
        try await application(log: log).test(.router) { client in
            let response = try await client.execute(uri: prefix + "/refused.json?lang=en", method: .get)
            #expect(response.status == .internalServerError)
            #expect(response.headers[.retryAfter] == nil)
            #expect(!response.text.contains("23505"))
            #expect(!response.text.contains("unique constraint"))
            if prefix == "/api/v1" { #expect(response.apiError["code"] as? String == "internal") }
        }
        #expect(log.lines.contains { $0.message == "request.failed" && $0.metadata["error.code"] == "database-failed" })
    }

    /// An engine's own error naming a condition, as SQLite's `DatabaseError` does for SQLITE_FULL.
    struct DiskFull: EngineError {
        var tyndauError: TyndauError? { .databaseUnavailable("SQLite", "SQLITE_FULL: database or disk is full") }
    }

    /// Issue 17, faults on purpose: a full disk under the SQLite file was answered 500 `internal`.
    @Test(arguments: ["/api/v1", "/open311/v2", ""])
    func anEngineErrorNamingAConditionIs503NotA500(prefix: String) async throws {
        let log = CapturedLog()
        try await application(log: log).test(.router) { client in
            let response = try await client.execute(uri: prefix + "/disk-full.json?lang=en", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == String(TyndauError.unavailableRetrySeconds))
            #expect(!response.text.contains("SQLITE_FULL"))
            if prefix == "/api/v1" { #expect(response.apiError["code"] as? String == "database-unavailable") }
        }
        #expect(log.lines.contains { $0.message == "request.failed" && $0.metadata["error"]?.description.contains("SQLITE_FULL") == true })
    }
}
