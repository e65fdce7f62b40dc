import AgendaScheduler
import Foundation
import Publisher
import Testing
import TyndauCore
import TyndauSQLite
@testable import TyndauCLI

/// Before the meeting: the draft agenda at the cut-off for the office, the announcement of the
/// published agenda for the public, each once, without personal data.
@Suite struct MeetingAnnouncementTests {
    static let week = MeetingAnswersTests.week
    static let start = MeetingAnswersTests.start

    static func configuration(draft: Bool) throws -> TyndauConfiguration {
        var configuration = TyndauConfiguration()
        configuration.summaries.draftAtCutoff = draft
        configuration.summaries.streamURL = "https://stream.example.kz/akim"
        configuration.server.publicURL = "https://tyndau.example.kz"
        configuration.endpoints = [
            try EndpointDefinition(name: "channel", url: "tgram://1:T/-1001", tags: ["public"]),
            try EndpointDefinition(name: "office", url: "slack://T0/B0/TOKEN", tags: ["internal"], language: .ru),
        ]
        return configuration
    }

    @Test func theDraftGoesToTheOfficeOnceBetweenTheCutoffAndTheStart() async throws {
        let fixture = try await MeetingAnswersTests.fixture()
        let database = fixture.database
        let configuration = try Self.configuration(draft: true)
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        var automation = try await MeetingAutomation(database: database, configuration: configuration, logger: .init(label: "test"))
        let cutoff = MeetingCalendar(series: configuration.series).cutoff(of: Self.week)

        automation.now = { cutoff.addingTimeInterval(-60) }
        #expect(try await automation.runOnce().drafted.isEmpty, "before the cut-off residents may still ask")
        automation.now = { cutoff.addingTimeInterval(3600) }
        #expect(try await automation.runOnce().drafted == [Self.week])
        _ = try await automation.runOnce()

        let deliveries = try await database.deliveries(status: nil, limit: 10)
        #expect(deliveries.map(\.endpointName) == ["office"], "once, and only to the internal endpoint")
        let draft = try #require(deliveries.first)
        #expect(draft.messageKey == "agenda-draft:2026-W49")
        #expect(draft.body.contains("1. Когда поставят фонари на Момышулы?") && draft.body.contains("/office/agenda?week=2026-W49"))
        #expect(!draft.body.contains("123 45 67"), "no phone from the question")
    }

    @Test func withoutAStoredAgendaTheCutoffBuildsOne() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-draft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try SQLiteStore.open(path: folder.appendingPathComponent("t.sqlite").path)
        let configuration = try Self.configuration(draft: true)
        let cutoff = MeetingCalendar(series: configuration.series).cutoff(of: Self.week)
        _ = try await database.insert(NewQuestion(question: Question(
            text: "Во дворе дома 5 по Абая не вывозят мусор", language: .ru, category: .utilities, channel: .web,
            submittedAt: cutoff.addingTimeInterval(-86_400))))
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        var automation = try await MeetingAutomation(database: database, configuration: configuration, logger: .init(label: "test"))
        automation.now = { cutoff.addingTimeInterval(60) }
        #expect(try await automation.runOnce().drafted == [Self.week])
        #expect(try await database.agendaItems(week: Self.week).count == 1)
        let events = try await database.auditEvents(subject: "meeting:\(Self.week)", limit: 5)
        #expect(events.contains { $0.actor == "system:cutoff" })
    }

    @Test func theAnnouncementCarriesDateStreamTopicsInBothLanguagesOnce() async throws {
        let fixture = try await MeetingAnswersTests.fixture()
        let database = fixture.database
        let configuration = try Self.configuration(draft: false)
        try await database.syncEndpoints(configuration.endpoints.map(\.endpoint))
        let meeting = try #require(try await database.meeting(week: Self.week))
        let announcement = MeetingAnnouncement(
            endpoints: configuration.endpoints, settings: configuration.summaries, publicURL: configuration.server.publicURL)
        for _ in 0..<2 {
            try await database.enqueue(try await announcement.batches(.announcement, meeting: meeting, store: database), now: Self.start)
        }
        let deliveries = try await database.deliveries(status: nil, limit: 10)
        #expect(deliveries.map(\.endpointName) == ["channel"])
        let body = try #require(deliveries.first?.body)
        #expect(body.contains("03.12.2026 15:00 (Asia/Almaty)"))
        #expect(body.contains("Аудан әкімі тұрғындармен") && body.contains("Аким района встретится с жителями"))
        #expect(body.contains("https://stream.example.kz/akim") && body.contains("https://tyndau.example.kz/live?lang=kk"))
        #expect(body.contains("2. Саялыда су жоқ, қашан береді?"))
        // Without the setting, the automation drafts nothing.
        var automation = try await MeetingAutomation(database: database, configuration: configuration, logger: .init(label: "test"))
        automation.now = { Self.start.addingTimeInterval(-3600) }
        #expect(try await automation.runOnce().drafted.isEmpty)
    }
}
