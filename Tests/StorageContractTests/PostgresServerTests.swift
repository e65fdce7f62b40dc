import Foundation
import Testing

/// The throwaway server `make test` starts (scripts/throwaway-postgres.sh): when the run requires
/// PostgreSQL, it must be there, answer, and hand each test a database of its own.
@Suite struct PostgresServerTests {
    @Test(.enabled(if: PostgresRequirement.required))
    func theRequiredServerAnswersAndGivesEachTestItsOwnDatabase() async throws {
        let url = try #require(PostgresRequirement.serverURL, "TYNDAU_REQUIRE_POSTGRES=1 but TYNDAU_TEST_POSTGRES_URL is not set")
        let first = try await PostgresScratchDatabase.create(serverURL: url)
        let second = try await PostgresScratchDatabase.create(serverURL: url)
        #expect(first.name != second.name)
        #expect(try await PostgresScratchDatabase.psql(first.url, "SELECT current_database()") == first.name)
        let version = try await PostgresScratchDatabase.psql(url, "SHOW server_version_num")
        #expect(version.hasPrefix("15"), "expected PostgreSQL 15, got \(version)")
        try await PostgresScratchDatabase.psql(first.url, "CREATE TABLE probe (id integer)")
        #expect(try await PostgresScratchDatabase.psql(second.url, "SELECT count(*) FROM pg_tables WHERE tablename = 'probe'") == "0")
        try await first.drop()
        try await second.drop()
        let left = try await PostgresScratchDatabase.psql(
            url, "SELECT count(*) FROM pg_database WHERE datname IN ('\(first.name)', '\(second.name)')")
        #expect(left == "0")
    }
}
