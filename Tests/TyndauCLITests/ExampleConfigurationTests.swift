import Foundation
import Testing
import TyndauCore

@testable import TyndauCLI

/// `tyndau.example.yaml` documents every key: it must parse, pass `tyndau config check`, and name
/// every key the parser knows, so adding a key without documenting it fails here.
struct ExampleConfigurationTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tyndau.example.yaml")

    static let environment = [
        "TYNDAU_OFFICE_TOKEN": String(repeating: "o", count: 32),
        "TYNDAU_CLIENT_KEY_SECRET": String(repeating: "k", count: 32),
        "TELEGRAM_TOKEN": "7000001:AAH-example",
        "TELEGRAM_BOT_TOKEN": "7000002:AAH-example",
        "CITY_WHSEC": "whsec_" + Data(repeating: 7, count: 32).base64EncodedString(),
    ]

    @Test func theExampleParsesWithItsSecretsFromTheEnvironment() throws {
        let configuration = try TyndauConfiguration.load(path: Self.file.path, environment: Self.environment)
        #expect(configuration.endpoints.count == 4)
        #expect(configuration.log.format == .json)
        #expect(configuration.telegramBot != nil)
        #expect(configuration.open311.settings.jurisdictionID == "almaty-bostandyk.kz")
        #expect(configuration.metrics.host == "127.0.0.1" && configuration.metrics.port == 9464 && configuration.metrics.workerPort == 9465)
        #expect(configuration.privacy.retentionDays == 365)
    }

    @Test func configCheckAcceptsTheExampleAndPrintsNoSecret() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // `config check` does not open the database, so the example's /var/lib path is never touched.
        let (status, output) = try TyndauProcess.run(["config", "check", Self.file.path], environment: Self.environment, errors: true)
        #expect(status == 0, "\(output)")
        #expect(output.contains("endpoint akimat-channel"))
        #expect(output.contains("log: json, info"))
        #expect(output.contains("metrics: 127.0.0.1, serve port 9464, worker port 9465"))
        #expect(output.contains("privacy: retention 365 days after closing"))
        for secret in Self.environment.values { #expect(!output.contains(secret)) }
    }

    @Test func theExampleNamesEveryKeyTheParserKnows() throws {
        let text = try String(contentsOf: Self.file, encoding: .utf8)
        func keys<K: CodingKey & CaseIterable>(_ type: K.Type) -> [String] { K.allCases.map(\.stringValue) }
        let all =
            keys(TyndauConfiguration.CodingKeys.self) + keys(TyndauConfiguration.DatabaseSection.CodingKeys.self)
            + keys(TyndauConfiguration.ServerSection.CodingKeys.self) + keys(TyndauConfiguration.IntakeSection.CodingKeys.self)
            + keys(TyndauConfiguration.SeriesSection.CodingKeys.self) + keys(EndpointEntry.CodingKeys.self)
            + keys(PublisherSection.CodingKeys.self) + keys(SummariesSettings.CodingKeys.self)
            + keys(TelegramBotSection.CodingKeys.self) + keys(TyndauConfiguration.Open311Section.CodingKeys.self)
            + keys(TyndauConfiguration.LogSection.CodingKeys.self) + keys(TyndauConfiguration.PrivacySection.CodingKeys.self)
        let missing = all.filter { key in !text.contains("\(key):") }
        #expect(missing.isEmpty, "keys not documented in tyndau.example.yaml: \(missing)")
    }
}
