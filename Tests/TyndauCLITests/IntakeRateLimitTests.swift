import Foundation
import HTTPClient
import LoopbackServers
import Testing
import TyndauCore
import TyndauPostgres
import TyndauTestSupport

@testable import TyndauCLI

/// The probe that found the rate limit counted after the commit: a burst of simultaneous
/// `POST /api/v1/questions` from one address, each with its own text, against real `tyndau serve`
/// processes. Exactly the limit is answered 201, every other request 429 with `Retry-After`.
enum RateLimitBurst {
    static func config(in folder: URL, limit: Int) throws -> String {
        let config = folder.appendingPathComponent("tyndau.yaml").path
        try "intake: {rate_limit_per_hour: \(limit), client_key_secret: \"shared-by-every-server-0123456789\"}\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    static func startServers(ports: [Int], config: String, database: String) async throws -> [Process] {
        let servers = try ports.map { port in
            try TyndauProcess.start(
                ["serve", "--without-worker", "--without-arrival-grouping", "--port", "\(port)", "--log-level", "error",
                 "--config", config, "--db", database]).0
        }
        for port in ports {
            let up = try await EndToEndTests.eventually(30) {
                await EndToEndTests.request(.get, "http://127.0.0.1:\(port)/health").status == 200
            }
            #expect(up)
        }
        return servers
    }

    static func stop(_ servers: [Process]) {
        for process in servers where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Sends `count` submissions at once, spread over `ports`; returns the answers.
    static func burst(_ count: Int, ports: [Int]) async -> [TransferResponse] {
        await withTaskGroup(of: TransferResponse.self) { group in
            for index in 0..<count {
                group.addTask {
                    await EndToEndTests.request(
                        .post, "http://127.0.0.1:\(ports[index % ports.count])/api/v1/questions",
                        json: ["text": "Одновременный вопрос номер \(index) про освещение во дворе дома"])
                }
            }
            return await group.reduce(into: [TransferResponse]()) { $0.append($1) }
        }
    }

    static func expectExactlyTheLimit(_ responses: [TransferResponse], limit: Int) {
        let created = responses.filter { $0.status == 201 }
        let limited = responses.filter { $0.status == 429 }
        #expect(created.count == limit, "statuses: \(responses.map(\.status).sorted())")
        #expect(limited.count == responses.count - limit)
        #expect(limited.allSatisfy { ($0.retryAfter ?? 0) > 0 && ($0.retryAfter ?? 0) <= 3600 })
    }
}

@Suite struct IntakeRateLimitTests {
    @Test func aBurstFromOneAddressGetsExactlyTheLimitOnSQLite() async throws {
        let folder = try ArrivalGroupingTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop()
        let config = try RateLimitBurst.config(in: folder, limit: 10)
        let servers = try await RateLimitBurst.startServers(
            ports: [port], config: config, database: folder.appendingPathComponent("tyndau.sqlite").path)
        defer { RateLimitBurst.stop(servers) }
        let responses = await RateLimitBurst.burst(25, ports: [port])
        RateLimitBurst.expectExactlyTheLimit(responses, limit: 10)
    }
}

/// Two servers on one PostgreSQL database share one limit: a burst split over both still gets exactly
/// the limit.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"].map { !$0.isEmpty } ?? false))
struct IntakeRateLimitPostgresTests {
    @Test func aBurstSplitOverTwoServersGetsExactlyTheLimit() async throws {
        let server = try PostgresLocation(url: ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"] ?? "")
        var generator = SystemRandomNumberGenerator()
        let name = "t_ratelimit_" + String(generator.next() as UInt32, radix: 36)
        try await PostgresStore.createDatabase(name, on: server)
        do {
            let folder = try ArrivalGroupingTests.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let ports = [
                try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop(),
                try LoopbackHTTPServer { _ in .init(status: 404) }.portThenStop(),
            ]
            let config = try RateLimitBurst.config(in: folder, limit: 10)
            let servers = try await RateLimitBurst.startServers(
                ports: ports, config: config, database: server.with(database: name).urlForTests)
            defer { RateLimitBurst.stop(servers) }
            let responses = await RateLimitBurst.burst(30, ports: ports)
            RateLimitBurst.expectExactlyTheLimit(responses, limit: 10)
        } catch {
            try? await PostgresStore.dropDatabase(name, on: server)
            throw error
        }
        try await PostgresStore.dropDatabase(name, on: server)
    }
}
