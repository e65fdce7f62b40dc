import Foundation
import Testing
import TyndauCore
@testable import TyndauCLI

@Suite struct IntakeConfigurationTests {
    @Test func readsTheIntakeSectionAndPublicURL() throws {
        let configuration = try TyndauConfiguration.parse("""
            server:
              public_url: https://tyndau.example.kz
            intake:
              rate_limit_per_hour: 0
              max_body_bytes: 65536
              duplicate_window_minutes: 5
              trust_forwarded_for: true
              golden_hour_minutes: 45
            """)
        let settings = configuration.serverSettings
        #expect(settings.publicURL == "https://tyndau.example.kz")
        #expect(settings.intake.rateLimitPerHour == 0)
        #expect(settings.intake.maxBodyBytes == 65536)
        #expect(settings.intake.duplicateWindowMinutes == 5)
        #expect(settings.intake.trustForwardedFor)
        #expect(settings.intake.goldenHourMinutes == 45)
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let settings = try TyndauConfiguration.parse("").serverSettings
        #expect(settings.intake.rateLimitPerHour == 10)
        #expect(settings.intake.maxBodyBytes == 32 * 1024)
        #expect(settings.intake.duplicateWindowMinutes == 10)
        #expect(!settings.intake.trustForwardedFor)
        #expect(settings.intake.goldenHourMinutes == 60)
        #expect(settings.publicURL == nil)
    }

    @Test func rejectsUnknownIntakeKeyAndOutOfRangeValues() {
        #expect(throws: TyndauError.configuration("intake.rate_limit", "unknown key")) {
            try TyndauConfiguration.parse("intake:\n  rate_limit: 5\n")
        }
        #expect(throws: TyndauError.self) {
            try TyndauConfiguration.parse("intake:\n  max_body_bytes: 10\n")
        }
        #expect(throws: TyndauError.self) {
            try TyndauConfiguration.parse("server:\n  public_url: ftp://x\n")
        }
    }
}
