import Foundation
import GRDB
import HTTPClient
import Logging
import LoopbackServers
import Testing
import TyndauCore
import TyndauSQLite
import TyndauTestSupport

@testable import TyndauCLI

/// Readiness, versions and logs of the real `tyndau serve` and `tyndau worker` processes.
@Suite(.serialized) struct OperationsProbeTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func get(_ url: String, headers: [String] = []) async -> TransferResponse {
        await EndToEndTests.client.perform(TransferRequest(method: .get, url: url, headers: ["Accept-Language: en"] + headers, allowLocal: true))
    }

    static func object(_ response: TransferResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    /// Writes a migration this build does not know into the file, as a newer Tyndau would.
    static func migrateFromTheFuture(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')") }
    }

    @Test func versionNamesTheReleaseAndTheCommit() throws {
        let (status, output) = try TyndauProcess.run(["--version"])
        #expect(status == 0)
        #expect(output.hasPrefix(TyndauBuild.version + " (commit "), "\(output)")
        #expect(output.contains(TyndauBuild.commit ?? "unknown"))
    }

    @Test func serveAnswersHealthAndReadyAndLogsJSONLinesWithTheRequestID() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop()
        let db = folder.appendingPathComponent("t.sqlite").path
        let (server, output) = try TyndauProcess.start(
            ["serve", "--without-worker", "--port", "\(port)", "--db", db], environment: ["TYNDAU_LOG_FORMAT": "json"], errors: true)
        // Read the output as it comes, so a full pipe never blocks the server.
        let collected = CollectedOutput(output)
        let base = "http://127.0.0.1:\(port)"
        let up = try await EndToEndTests.eventually(30) { await Self.get(base + "/health").status == 200 }
        #expect(up)

        let health = await Self.get(base + "/health")
        #expect(Self.object(health)["version"] as? String == TyndauBuild.version)
        #expect(Self.object(health)["role"] as? String == "serve")
        let ready = await Self.get(base + "/ready", headers: ["X-Request-Id: probe-1234"])
        #expect(ready.status == 200)
        #expect(Self.object(ready)["status"] as? String == "ready")
        #expect(ready.headers["x-request-id"] == "probe-1234")
        let sla = await Self.get(base + "/api/v1/sla", headers: ["X-Request-Id: nginx-5f1e"])
        #expect(sla.status == 200)
        #expect(sla.headers["x-request-id"] == "nginx-5f1e")
        let replaced = await Self.get(base + "/api/v1/sla?since=nonsense", headers: ["X-Request-Id: not a safe id"])
        let fresh = try #require(replaced.headers["x-request-id"])
        #expect(fresh != "not a safe id" && fresh.count == 32)

        // A newer Tyndau migrated the database: this process must not take traffic any more.
        try Self.migrateFromTheFuture(db)
        let stale = await Self.get(base + "/ready")
        #expect(stale.status == 503)
        #expect((Self.object(stale)["error"] as? [String: Any])?["code"] as? String == "database-too-new")
        #expect(await Self.get(base + "/health").status == 200)

        server.terminate()
        server.waitUntilExit()
        let lines = collected.finish().split(separator: "\n").filter { $0.hasPrefix("{") }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count, "every JSON log line parses")
        let requestLine = try #require(objects.first { $0["message"] as? String == "request" && $0["request_id"] as? String == "nginx-5f1e" })
        #expect(requestLine["http.path"] as? String == "/api/v1/sla")
        #expect(requestLine["http.status"] as? String == "200")
        #expect(requestLine["level"] as? String == "info")
        #expect(objects.contains { $0["request_id"] as? String == fresh && $0["http.status"] as? String == "400" })
        // A passing probe is logged at debug (below this server's level); the failing one at info.
        #expect(!objects.contains { $0["request_id"] as? String == "probe-1234" })
        #expect(objects.contains { $0["http.path"] as? String == "/ready" && $0["http.status"] as? String == "503" })
        #expect(!lines.contains { $0.contains("not a safe id") }, "a refused id is never logged")
    }

    @Test func workerProbeListenerAnswersHealthAndReady() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop()
        let db = folder.appendingPathComponent("t.sqlite").path
        let (worker, output) = try TyndauProcess.start(["worker", "--health-port", "\(port)", "--log-level", "debug", "--db", db], errors: true)
        let collected = CollectedOutput(output)
        let base = "http://127.0.0.1:\(port)"
        let up = try await EndToEndTests.eventually(30) { await Self.get(base + "/health").status == 200 }
        #expect(up)
        let health = await Self.get(base + "/health")
        #expect(Self.object(health)["role"] as? String == "worker")
        #expect(Self.object(health)["version"] as? String == TyndauBuild.version)
        let ready = await Self.get(base + "/ready")
        #expect(ready.status == 200)
        #expect(Self.object(ready)["migrations"] as? Int == SQLiteStore.knownMigrations.count)

        try Self.migrateFromTheFuture(db)
        let stale = await Self.get(base + "/ready", headers: ["Accept-Language: kk"])
        #expect(stale.status == 503)
        let error = try #require(Self.object(stale)["error"] as? [String: Any])
        #expect(error["code"] as? String == "database-too-new")
        #expect((error["message"] as? String)?.contains("Tyndau") == true)

        worker.terminate()
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0, "SIGTERM stops the worker and its probe listener cleanly")
        #expect(collected.finish().contains("Worker probes: http://127.0.0.1:\(port)/health"))
    }

    @Test func workerRefusesABadHealthPortAndKeepsVerboseAsAnAlias() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("t.sqlite").path
        let (status, output) = try TyndauProcess.run(["worker", "--once", "--health-port", "0", "--db", db], errors: true)
        #expect(status == 2)
        #expect(output.contains("--health-port must be 1–65535"))
        #expect(try TyndauProcess.run(["worker", "--once", "--verbose", "--db", db]).0 == 0)
        let (badFormat, message) = try TyndauProcess.run(["worker", "--once", "--log-format", "xml", "--db", db], errors: true)
        #expect(badFormat == 2)
        #expect(message.contains("invalid log format: xml"))
    }
}

/// Reads a pipe on a background thread until it closes.
final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            let all = handle.readDataToEndOfFile()
            lock.withLock { data = all }
            done.signal()
        }
    }

    /// Everything written, once the writer closed the pipe (the process exited).
    func finish() -> String {
        done.wait()
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}

struct LogConfigurationTests {
    @Test func readsTheLogSectionAndTheEnvironmentOverridesIt() throws {
        var configuration = try TyndauConfiguration.parse("log:\n  format: json\n  level: warning\n")
        #expect(configuration.log.format == .json)
        #expect(configuration.log.level == .warning)
        try configuration.overlay(environment: ["TYNDAU_LOG_FORMAT": "text", "TYNDAU_LOG_LEVEL": "debug"])
        #expect(configuration.log.format == .text)
        #expect(configuration.log.level == .debug)
    }

    @Test func refusesUnknownLogKeysAndValuesNamingThem() {
        #expect(throws: TyndauError.configuration("log.colour", "unknown key")) {
            try TyndauConfiguration.parse("log:\n  colour: true\n")
        }
        #expect(throws: TyndauError.configuration("log.format", "must be text or json")) {
            try TyndauConfiguration.parse("log:\n  format: xml\n")
        }
        #expect(throws: TyndauError.configuration("TYNDAU_LOG_LEVEL", "must be trace, debug, info, notice, warning, error or critical")) {
            var configuration = TyndauConfiguration()
            try configuration.overlay(environment: ["TYNDAU_LOG_LEVEL": "loud"])
        }
    }

    @Test func flagsWinOverTheConfigurationAndVerboseMeansDebug() throws {
        var section = TyndauConfiguration.LogSection()
        section.level = .error
        #expect(try LogOptions.parse([]).resolve(section).level == .error)
        #expect(try LogOptions.parse(["--verbose"]).resolve(section).level == .debug)
        #expect(try LogOptions.parse(["--log-level", "notice", "--log-format", "json"]).resolve(section).format == .json)
        #expect(try LogOptions.parse(["--log-level", "notice"]).resolve(section).level == .notice)
    }

    @Test func aJSONLineCarriesTheDottedMetadataAndTheRequestID() throws {
        let line = TyndauLogHandler.jsonLine(
            time: "2026-12-05T01:33:51.000Z", level: .info, label: "tyndau", message: "request",
            metadata: ["request_id": "abc", "http.path": "/ready", "message": "clash", "tags": .array(["a", "b"])])
        #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["request_id"] as? String == "abc")
        #expect(object["http.path"] as? String == "/ready")
        #expect(object["message"] as? String == "request")
        #expect(object["metadata.message"] as? String == "clash")
        #expect(object["tags"] as? [String] == ["a", "b"])
        #expect(object["logger"] as? String == "tyndau" && object["level"] as? String == "info")
    }
}
