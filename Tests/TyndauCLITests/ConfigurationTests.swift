import Foundation
import Testing
import TyndauCore
@testable import TyndauCLI

@Suite struct ConfigurationTests {
    @Test func readsEveryDocumentedKey() throws {
        let configuration = try TyndauConfiguration.parse("""
            language: kk
            database:
              path: /var/lib/tyndau/tyndau.sqlite
            server:
              host: 0.0.0.0
              port: 9090
            series:
              weekday: 3
              start: "11:30"
              duration_minutes: 90
              time_zone: Asia/Almaty
              cutoff_hours: 12
            """)
        #expect(configuration.language == .kk)
        #expect(configuration.database.path == "/var/lib/tyndau/tyndau.sqlite")
        #expect(configuration.server.port == 9090)
        #expect(configuration.series.weekday == 3)
        #expect(configuration.series.startMinute == 11 * 60 + 30)
        #expect(configuration.series.durationMinutes == 90)
        #expect(configuration.series.cutoffHours == 12)
    }

    @Test func rejectsUnknownKeyWithItsPath() {
        #expect(throws: TyndauError.configuration("series.duration", "unknown key")) {
            try TyndauConfiguration.parse("series:\n  duration: 60\n")
        }
    }

    @Test func readsTheOpen311SectionIntoServerSettings() throws {
        let configuration = try TyndauConfiguration.parse("""
            open311:
              jurisdiction_id: almaty-bostandyq
              contact: "open311@akimat.example, +7 727 000 00 00"
            """)
        #expect(configuration.serverSettings.open311.jurisdictionID == "almaty-bostandyq")
        #expect(configuration.serverSettings.open311.contact == "open311@akimat.example, +7 727 000 00 00")
        #expect(try TyndauConfiguration.parse("language: ru\n").serverSettings.open311.jurisdictionID == nil)
    }

    @Test func rejectsUnknownOrEmptyOpen311Keys() {
        #expect(throws: TyndauError.configuration("open311.jurisdiction", "unknown key")) {
            try TyndauConfiguration.parse("open311:\n  jurisdiction: x\n")
        }
        #expect(throws: TyndauError.configuration("open311.jurisdiction_id", "must be a non-empty line of at most 200 characters")) {
            try TyndauConfiguration.parse("open311:\n  jurisdiction_id: \"  \"\n")
        }
    }

    @Test func rejectsWrongTypeWithItsPath() {
        #expect(throws: TyndauError.configuration("server.port", "expected an integer")) {
            try TyndauConfiguration.parse("server:\n  port: eighty\n")
        }
    }

    @Test func environmentOverridesFile() throws {
        var configuration = try TyndauConfiguration.parse("database:\n  path: a.sqlite\n")
        try configuration.overlay(environment: ["TYNDAU_DB": "b.sqlite", "TYNDAU_PORT": "8181", "TYNDAU_LANG": "en"])
        #expect(configuration.database.path == "b.sqlite")
        #expect(configuration.server.port == 8181)
        #expect(configuration.language == .en)
    }

    @Test func flagOverridesEnvironment() throws {
        let options = try GlobalOptions.parse(["--db", "flag.sqlite"])
        let configuration = try options.configuration(environment: ["TYNDAU_DB": "env.sqlite"])
        #expect(configuration.database.path == "flag.sqlite")
    }

    @Test func cliTableHasEveryLanguage() {
        #expect(CLIText.table.contains("cli.error"))
        #expect(CLIText.table.contains("status.received"))
        #expect(CLIText.table.incompleteKeys.isEmpty)
    }
}
