import Foundation
import Publisher
import Testing
import TyndauCore
@testable import TyndauCLI

@Suite struct PublishingConfigurationTests {
    /// Given to the parser, never set in the process: setenv races with tests that start processes.
    static let environment = [
        "TYNDAU_TEST_TG_TOKEN": "424242:AAE-very-secret", "TYNDAU_TEST_WHSEC": "whsec_" + Data("signing-key".utf8).base64EncodedString(),
    ]

    func parse(_ yaml: String) throws -> TyndauConfiguration {
        try TyndauConfiguration.parse(yaml, environment: Self.environment)
    }

    @Test func readsEndpointsWithSecretsFromTheEnvironment() throws {
        let configuration = try parse("""
            endpoints:
              - name: channel
                url: tgram://${TYNDAU_TEST_TG_TOKEN}/-1001234567890?thread=5
                tags: [public]
                language: kk
              - name: city
                url: jsons://city.example.kz/hooks/tyndau
                tags: [public, internal]
                secrets: ["${TYNDAU_TEST_WHSEC}"]
                overflow: truncate
              - name: test-bot
                url: tgram://1:X/-1
                base_url: http://127.0.0.1:8081
                local: true
            publisher:
              retry_schedule: [1s, 10s, 1m]
              lease_seconds: 60
              concurrency: 16
            """)
        #expect(configuration.endpoints.map(\.name) == ["channel", "city", "test-bot"])
        let channel = configuration.endpoints[0]
        #expect(channel.host == "424242:AAE-very-secret")
        #expect(channel.language == .kk)
        #expect(channel.redactedURL == "tgram://***/-1001234567890?thread=5")
        #expect(configuration.endpoints[1].overflow == .truncate)
        #expect(configuration.endpoints[1].signingSecrets.count == 1)
        #expect(configuration.endpoints[2].local)
        #expect(configuration.publisher.retry.schedule == [1, 10, 60])
        #expect(configuration.publisher.lease == 60)
        #expect(configuration.publisher.concurrency == 16)
    }

    @Test func namesTheFieldAtFault() {
        #expect(throws: TyndauError.configuration("endpoints[0].colour", "unknown key")) {
            try parse("endpoints:\n  - name: a\n    url: tgram://1:A/-1\n    colour: red\n")
        }
        #expect(throws: TyndauError.configuration("endpoints[1].url", "expected tgram://BOT_TOKEN/CHAT_ID")) {
            try parse("endpoints:\n  - name: a\n    url: tgram://1:A/-1\n  - name: b\n    url: tgram://nochat\n")
        }
        #expect(throws: TyndauError.configuration("endpoints[0].url", "environment variable TYNDAU_TEST_UNSET is not set")) {
            try parse("endpoints:\n  - name: a\n    url: tgram://${TYNDAU_TEST_UNSET}/-1\n")
        }
        #expect(throws: TyndauError.configuration("endpoints[1].name", "duplicate endpoint name")) {
            try parse("endpoints:\n  - name: a\n    url: tgram://1:A/-1\n  - name: a\n    url: tgram://1:A/-2\n")
        }
        #expect(throws: TyndauError.configuration("endpoints[0].overflow", "must be split or truncate")) {
            try parse("endpoints:\n  - name: a\n    url: tgram://1:A/-1\n    overflow: wrap\n")
        }
        #expect(throws: TyndauError.configuration("endpoints[0].url", "webhook over plain http needs local: true (or the s variant of the scheme)")) {
            try parse("endpoints:\n  - name: a\n    url: json://example.kz/hook\n")
        }
        #expect(throws: TyndauError.configuration("publisher.retry_schedule", "expected a list of durations such as 5s, 5m, 2h")) {
            try parse("publisher:\n  retry_schedule: [5s, soon]\n")
        }
    }

    @Test func errorsNeverContainTheSecret() {
        do {
            _ = try parse("endpoints:\n  - name: a\n    url: tgram://${TYNDAU_TEST_TG_TOKEN}\n")
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("AAE-very-secret"))
        }
    }

    @Test func publishingInALanguageSkipsEndpointsOfAnotherLanguage() throws {
        let endpoints = [
            try EndpointDefinition(name: "kk-channel", url: "tgram://1:A/-1", tags: ["public"], language: .kk),
            try EndpointDefinition(name: "ru-channel", url: "tgram://1:A/-2", tags: ["public"], language: .ru),
            try EndpointDefinition(name: "hook", url: "jsons://x.kz/h", tags: ["public"]),
            try EndpointDefinition(name: "office", url: "jsons://x.kz/o", tags: ["internal"], language: .ru),
        ]
        #expect(PublishCommand.select(endpoints, tags: ["public"], names: [], language: .kk).map(\.name) == ["kk-channel", "hook"])
        #expect(PublishCommand.select(endpoints, tags: ["public"], names: [], language: nil).map(\.name) == ["kk-channel", "ru-channel", "hook"])
        #expect(PublishCommand.select(endpoints, tags: [], names: ["office"], language: .kk).map(\.name) == ["office"])
    }
}

@Suite struct BroadcastSelectionTests {
    @Test func personalNoticeOnlyMailEndpointNeverGetsABroadcast() throws {
        let endpoints = [
            try EndpointDefinition(name: "residents-mail", url: "mailtos://smtp.example.kz", tags: ["residents"]),
            try EndpointDefinition(name: "office-mail", url: "mailtos://smtp.example.kz?to=office@example.kz", tags: ["residents"]),
        ]
        let chosen = PublishCommand.select(endpoints, tags: ["residents"], names: ["residents-mail"], language: nil)
        #expect(chosen.map(\.name) == ["office-mail"])
    }
}
