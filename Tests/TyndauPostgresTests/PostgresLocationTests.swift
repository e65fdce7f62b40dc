import Foundation
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauPostgres

@Suite struct PostgresLocationTests {
    @Test func parsesEveryPartOfAPostgresURL() throws {
        let location = try PostgresLocation(
            url: "postgres://tyndau:s%40cret@db.example.kz:6543/tyndau_almaty?sslmode=verify-full&sslrootcert=/etc/ca.pem&pool_max=8&intake_transactions=6")
        #expect(location.host == "db.example.kz")
        #expect(location.port == 6543)
        #expect(location.username == "tyndau")
        #expect(location.password?.value == "s@cret")
        #expect(location.database == "tyndau_almaty")
        #expect(location.tlsMode == .verifyFull)
        #expect(location.rootCertificatePath == "/etc/ca.pem")
        #expect(location.maximumConnections == 8)
        #expect(location.intakeTransactions == 6)
    }

    @Test func defaultsFollowLibpq() throws {
        let location = try PostgresLocation(url: "postgresql://office@localhost/tyndau")
        #expect(location.port == 5432)
        #expect(location.password == nil)
        #expect(location.tlsMode == .prefer)
        #expect(location.intakeTransactions == 2)
        let bare = try PostgresLocation(url: "postgres://office@[::1]:5433")
        #expect(bare.host == "::1")
        #expect(bare.port == 5433)
        #expect(bare.database == "office")
    }

    @Test(arguments: PostgresLocation.TLSMode.allCases)
    func everySSLModeIsAccepted(mode: PostgresLocation.TLSMode) throws {
        let location = try PostgresLocation(url: "postgres://u:p@h/d?sslmode=\(mode.rawValue)")
        #expect(location.tlsMode == mode)
        // The configuration postgres-nio receives is built for every mode.
        _ = PostgresStore.configuration(location)
    }

    @Test func unknownParametersAndModesAreRefusedWithoutThePassword() {
        for url in [
            "postgres://u:hunter2@h/d?sslmode=allow", "postgres://u:hunter2@h/d?sslmod=require",
            "postgres://u:hunter2@h:99999/d", "mysql://u:hunter2@h/d",
            "postgres://u:hunter2@h/d?intake_transactions=0", "postgres://u:hunter2@h/d?intake_transactions=many",
        ] {
            do {
                _ = try PostgresLocation(url: url)
                Issue.record("accepted \(url)")
            } catch {
                #expect(!"\(error)".contains("hunter2"))
                #expect(!String(reflecting: error).contains("hunter2"))
                #expect((error as? TyndauError)?.arguments.joined().contains("hunter2") == false)
            }
        }
    }

    @Test func thePasswordNeverAppearsInDescriptions() throws {
        let location = try PostgresLocation(url: "postgres://tyndau:hunter2@db:5432/tyndau?sslmode=require")
        #expect(location.description == "postgres://tyndau:***@db:5432/tyndau?sslmode=require")
        #expect(!String(reflecting: location).contains("hunter2"))
        #expect(!"\(location)".contains("hunter2"))
        #expect(!"\(location.password as Any)".contains("hunter2"))
        #expect(PostgresLocation.redact("postgres://a:hunter2@h/d?x=1") == "postgres://a:***@h/d?x=1")
        #expect(PostgresLocation.redact("./tyndau.sqlite") == "./tyndau.sqlite")
    }

    @Test func migrationNamesAreTheSameAsSQLite() {
        #expect(PostgresStore.knownMigrations == SQLiteStore.knownMigrations)
    }
}
