import Foundation
import Testing
import TyndauCore
import TyndauPostgres
@testable import TyndauCLI

/// `--db`, `TYNDAU_DB` and `database:` choose the engine: a path or `sqlite:PATH` is SQLite, a
/// `postgres://` or `postgresql://` URL is PostgreSQL; a password never reaches the output.
@Suite struct DatabaseSelectionTests {
    @Test func pathsAndSqliteURLsSelectSQLite() throws {
        #expect(try DatabaseLocation(setting: "./tyndau.sqlite") == .sqlite(path: "./tyndau.sqlite"))
        #expect(try DatabaseLocation(setting: "sqlite:/var/lib/tyndau/t.sqlite") == .sqlite(path: "/var/lib/tyndau/t.sqlite"))
        #expect(try DatabaseLocation(setting: "sqlite:///var/lib/t.sqlite") == .sqlite(path: "/var/lib/t.sqlite"))
        #expect(throws: TyndauError.self) { try DatabaseLocation(setting: "sqlite:") }
    }

    @Test func postgresURLsSelectPostgreSQL() throws {
        for setting in ["postgres://tyndau:pw@db:5432/tyndau", "postgresql://tyndau:pw@db/tyndau?sslmode=require"] {
            guard case .postgres(let location) = try DatabaseLocation(setting: setting) else {
                Issue.record("\(setting) did not select PostgreSQL")
                continue
            }
            #expect(location.host == "db")
            #expect(location.database == "tyndau")
        }
    }

    @Test func theConfigurationFileTakesAURLWithThePasswordFromTheEnvironment() throws {
        let configuration = try TyndauConfiguration.parse("""
            database:
              url: postgres://tyndau:${TYNDAU_TEST_DB_PASSWORD}@db.internal:5432/tyndau?sslmode=verify-full
            """, environment: ["TYNDAU_TEST_DB_PASSWORD": "from-env-secret"])
        guard case .postgres(let location) = try configuration.database.location else {
            Issue.record("not PostgreSQL")
            return
        }
        #expect(location.password?.value == "from-env-secret")
        #expect(location.tlsMode == .verifyFull)
        #expect(configuration.database.display == "postgres://tyndau:***@db.internal:5432/tyndau?sslmode=verify-full")
        let scalar = try TyndauConfiguration.parse("database: postgresql://office@db/tyndau\n")
        #expect(scalar.database.display == "postgres://office@db:5432/tyndau")
        #expect(throws: TyndauError.self) {
            try TyndauConfiguration.parse("database:\n  path: a.sqlite\n  url: postgres://x@y/z\n")
        }
    }

    @Test func theFlagSelectsPostgreSQLAndDisplaysNoPassword() throws {
        let options = try GlobalOptions.parse(["--db", "postgres://tyndau:hunter2@127.0.0.1:5432/tyndau"])
        let configuration = try options.configuration(environment: ["TYNDAU_DB": "env.sqlite"])
        #expect(configuration.database.display == "postgres://tyndau:***@127.0.0.1:5432/tyndau")
        #expect(DatabaseLocation.display("postgres://tyndau:hunter2@h/d?sslmode=nonsense") == "postgres://tyndau:***@h/d?sslmode=nonsense")
    }
}

@Suite struct SharedIntakeKeyConfigurationTests {
    @Test func theClientKeySecretComesFromTheEnvironmentAndMustBeLongEnough() throws {
        let configuration = try TyndauConfiguration.parse(
            "intake:\n  client_key_secret: ${TYNDAU_TEST_INTAKE_KEY}\n", environment: ["TYNDAU_TEST_INTAKE_KEY": "0123456789abcdef0123"]
        )
        #expect(configuration.serverSettings.intake.clientKeySecret?.value == "0123456789abcdef0123")
        #expect(throws: TyndauError.self) { try TyndauConfiguration.parse("intake:\n  client_key_secret: short\n") }
    }
}
