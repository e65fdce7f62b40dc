import Foundation
import PostgresNIO
import Testing
import TyndauCore

@testable import TyndauPostgres

@Suite(.enabled(if: TestServer.available, "TYNDAU_TEST_POSTGRES_URL is not set"))
struct PostgresReadinessTests {
    @Test func aMigratedDatabaseIsReadyAndOneMigratedByANewerBuildIsNot() async throws {
        try await TestServer.withStore { database in
            let ready = await database.readiness()
            #expect(ready.isReady)
            #expect(ready.appliedMigrations == PostgresStore.knownMigrations.count)
            try await database.write { connection in
                try await connection.run(#"INSERT INTO "tyndau_migrations" ("identifier", "position") VALUES ('v999-from-the-future', 999)"#)
            }
            #expect(await database.readiness().problem == .unknownMigrations(["v999-from-the-future"]))
        }
    }
}
