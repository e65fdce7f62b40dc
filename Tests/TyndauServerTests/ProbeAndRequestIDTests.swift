import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TyndauCore
import TyndauSQLite

@testable import TyndauServer

/// Keeps every log line (label, message, merged metadata) a logger writes, for assertions.
final class CapturedLog: @unchecked Sendable {
    struct Line {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var stored: [Line] = []

    var lines: [Line] { lock.withLock { stored } }

    func append(_ line: Line) { lock.withLock { stored.append(line) } }

    var logger: Logger {
        var logger = Logger(label: "tyndau-test") { _ in CapturingHandler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            merged.merge(event.metadata ?? [:]) { $1 }
            log.append(Line(level: event.level, message: event.message.description, metadata: merged))
        }
    }
}

struct ProbeAndRequestIDTests {
    func temporaryDatabase() throws -> (URL, SQLiteStore) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-probe-\(UUID().uuidString).sqlite")
        return (path, try SQLiteStore.open(path: path.path))
    }

    @Test func healthReportsTheVersionAndTouchesNothing() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
            #expect(response.object["status"] as? String == "ok")
            #expect(response.object["version"] as? String == TyndauBuild.version)
            #expect(response.object["commit"] as? String == (TyndauBuild.commit ?? "unknown"))
        }
    }

    @Test func readyAnswers200WhenTheDatabaseHoldsEveryMigration() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/ready", method: .get)
            #expect(response.status == .ok)
            #expect(response.object["status"] as? String == "ready")
            #expect(response.object["version"] as? String == TyndauBuild.version)
            #expect(response.object["migrations"] as? Int == SQLiteStore.knownMigrations.count)
        }
    }

    @Test(arguments: [("ru", "Схема базы данных"), ("kk", "Дерекқор сызбасы"), ("en", "The database schema is behind")])
    func readyAnswers503NamingMissingMigrationsInTheRequestsLanguage(language: String, opening: String) async throws {
        let (path, database) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: path) }
        let app = try TestServer.application(database)
        let queue = try DatabaseQueue(path: path.path)
        try await queue.write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [SQLiteStore.knownMigrations.last!])
        }
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/ready", method: .get, headers: [.acceptLanguage: language])
            #expect(response.status == .serviceUnavailable)
            #expect(response.object["status"] as? String == "not-ready")
            let error = try #require(response.object["error"] as? [String: Any])
            #expect(error["code"] as? String == "migrations-pending")
            #expect((error["message"] as? String)?.hasPrefix(opening) == true, "\(error)")
            // Liveness is not readiness: the process is alive.
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    @Test func readyAnswers503WhenANewerTyndauMigratedTheDatabase() async throws {
        let (path, database) = try temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: path) }
        let app = try TestServer.application(database)
        let queue = try DatabaseQueue(path: path.path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')") }
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/ready", method: .get, headers: [.acceptLanguage: "en"])
            #expect(response.status == .serviceUnavailable)
            let error = try #require(response.object["error"] as? [String: Any])
            #expect(error["code"] as? String == "database-too-new")
        }
    }

    @Test func aGivenRequestIDComesBackAndIsOnEveryLogLineOfTheRequest() async throws {
        let log = CapturedLog()
        let app = try buildApplication(TestServer.settings(), database: try SQLiteStore.inMemory(), logger: log.logger, now: { Date() })
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/questions/TRK-2026-000404?token=x", method: .get, headers: [RequestIDMiddleware<TyndauRequestContext>.headerName: "nginx-4f2a.9:b_c"])
            #expect(response.status == .notFound)
            #expect(response.headers[RequestIDMiddleware<TyndauRequestContext>.headerName] == "nginx-4f2a.9:b_c")
        }
        let requestLines = log.lines.filter { $0.message == "request" }
        #expect(requestLines.count == 1)
        #expect(requestLines.allSatisfy { $0.metadata["request_id"]?.description == "nginx-4f2a.9:b_c" })
    }

    @Test func passingProbesAreLoggedAtDebugSoTheyDoNotBuryTraffic() async throws {
        let log = CapturedLog()
        let app = try buildApplication(TestServer.settings(), database: try SQLiteStore.inMemory(), logger: log.logger, now: { Date() })
        try await app.test(.router) { client in
            for path in ["/health", "/ready", "/api/v1/sla"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok)
            }
        }
        let levels = Dictionary(
            log.lines.filter { $0.message == "request" }.map { ($0.metadata["http.path"]?.description ?? "", $0.level) },
            uniquingKeysWith: { first, _ in first })
        #expect(levels == ["/health": .debug, "/ready": .debug, "/api/v1/sla": .info])
    }

    @Test(arguments: ["", String(repeating: "a", count: 129), "id with spaces", "ид-кириллица", "a\"b", "x;y"])
    func anUnsafeRequestIDIsReplacedByAFreshOne(given: String) async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let name = RequestIDMiddleware<TyndauRequestContext>.headerName
            let response = try await client.execute(uri: "/health", method: .get, headers: [name: given])
            let returned = try #require(response.headers[name])
            #expect(returned != given)
            #expect(returned.count == 32 && returned.allSatisfy(\.isHexDigit))
        }
    }

    @Test func eachRequestWithoutAnIDGetsItsOwn() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let name = RequestIDMiddleware<TyndauRequestContext>.headerName
            let first = try await client.execute(uri: "/health", method: .get).headers[name]
            let second = try await client.execute(uri: "/nowhere", method: .get).headers[name]
            #expect(first != nil && second != nil && first != second)
        }
    }
}
