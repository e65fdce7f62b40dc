import Foundation
import Testing
import TyndauCore
@testable import TyndauPostgres

/// The PostgreSQL server the tests run against: `TYNDAU_TEST_POSTGRES_URL`, a superuser URL to a
/// throwaway server (`make test` starts one). Every test makes its own database and drops it after.
enum TestServer {
    static let url: String? = ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static var available: Bool { url != nil }
    /// `TYNDAU_REQUIRE_POSTGRES=1`: CI must not pass by skipping the PostgreSQL tests.
    static var required: Bool { ProcessInfo.processInfo.environment["TYNDAU_REQUIRE_POSTGRES"] == "1" }

    static var server: PostgresLocation {
        get throws {
            guard let url else { throw TyndauError.notFound("TYNDAU_TEST_POSTGRES_URL") }
            return try PostgresLocation(url: url)
        }
    }

    /// A fresh empty database on the test server, dropped after `body` (also when it throws).
    static func withFreshDatabase(_ body: (PostgresLocation) async throws -> Void) async throws {
        let server = try server
        var generator = SystemRandomNumberGenerator()
        let name = "t_" + String(generator.next() as UInt64, radix: 36)
        try await PostgresStore.createDatabase(name, on: server)
        do {
            try await body(server.with(database: name))
        } catch {
            try? await PostgresStore.dropDatabase(name, on: server)
            throw error
        }
        try await PostgresStore.dropDatabase(name, on: server)
    }

    /// A migrated store on a fresh database, closed and dropped after `body`.
    static func withStore(_ body: (PostgresStore) async throws -> Void) async throws {
        try await withFreshDatabase { location in
            let database = try await PostgresStore.open(location)
            do {
                try await body(database)
            } catch {
                await database.close()
                throw error
            }
            await database.close()
        }
    }
}

@Suite struct PostgresServerRequirementTests {
    @Test func aRequiredServerIsConfigured() {
        if TestServer.required {
            #expect(TestServer.available, "TYNDAU_REQUIRE_POSTGRES=1 but TYNDAU_TEST_POSTGRES_URL is not set")
        }
    }
}
