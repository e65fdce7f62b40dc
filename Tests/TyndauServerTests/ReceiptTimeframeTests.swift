import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// Dated receipts: the form names the next meeting and its cut-off, the receipt and the status page
/// the meeting a question is a candidate for and the latest day of a written answer (15 working days
/// on the Kazakhstan calendar, Independence Day on 16 December skipped).
@Suite("Dated receipts")
struct ReceiptTimeframeTests {
    /// Tuesday 1 December 2026, 10:00 Almaty: before the cut-off of Thursday's meeting (Wednesday 15:00).
    static let tuesday = ISODate.parse("2026-12-01T10:00:00+05:00")!

    func submit(_ client: some TestClientProtocol, language: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/questions?lang=\(language)", method: .post, headers: .form(language: language),
            body: formBody([("text", "Во дворе дома 45 по Абая нет детской площадки, когда построят?")]))
    }

    @Test func theFormAndTheReceiptSayWhenBeforeTheCutoff() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory(), clock: ManualClock(Self.tuesday))
        try await app.test(.router) { client in
            let form = try await client.execute(uri: "/?lang=en", method: .get)
            #expect(form.text.contains("next meeting with residents: 03.12.2026 15:00 (Asia/Almaty). Questions sent before 02.12.2026 15:00 are considered for it."))
            let receipt = try await submit(client, language: "en")
            #expect(receipt.status == .created)
            #expect(receipt.text.contains("a candidate for the agenda of the meeting on 03.12.2026 15:00 (Asia/Almaty)"))
            #expect(receipt.text.contains("a written answer comes by 23.12.2026 at the latest"))
        }
    }

    @Test func afterTheCutoffTheNextMeetingIsNamed() async throws {
        let clock = ManualClock(ISODate.parse("2026-12-02T15:00:01+05:00")!)
        let app = try TestServer.application(try SQLiteStore.inMemory(), clock: clock)
        try await app.test(.router) { client in
            let receipt = try await submit(client, language: "ru")
            #expect(receipt.text.contains("кандидат в повестку встречи 10.12.2026 15:00 (Asia/Almaty)"))
            // 15 working days from 2 December: 16 December (Independence Day) is not one.
            #expect(receipt.text.contains("не позднее 24.12.2026"))
            let link = try #require(receipt.text.range(of: #"/questions/TRK-[0-9-]+\?token=[A-Za-z0-9_-]+"#, options: .regularExpression))
            let status = try await client.execute(uri: String(receipt.text[link]) + "&lang=kk", method: .get)
            #expect(status.text.contains("10.12.2026 15:00 (Asia/Almaty) кездесуінің күн тәртібіне ұсынылады"))
        }
    }

    @Test func theAPIReceiptCarriesTheMeetingAndTheDeadline() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory(), clock: ManualClock(Self.tuesday))
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: "/api/v1/questions", method: .post, headers: .json(),
                body: jsonBody(["text": "Во дворе дома 45 по Абая нет детской площадки, когда построят?"]))
            #expect(created.status == .created)
            let meeting = try #require(created.object["meeting"] as? [String: Any])
            #expect(meeting["week"] as? String == "2026-W49")
            #expect(meeting["starts_at"] as? String == "2026-12-03T10:00:00Z")
            #expect(meeting["cutoff"] as? String == "2026-12-02T10:00:00Z")
            #expect(meeting["time_zone"] as? String == "Asia/Almaty")
            #expect(created.object["written_answer_due"] as? String == "2026-12-23")
        }
    }

    @Test func theOpen311NoticeNamesTheMeetingAndTheDeadline() async throws {
        let app = try TestServer.application(try SQLiteStore.inMemory(), clock: ManualClock(Self.tuesday))
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: "/open311/v2/requests.json", method: .post, headers: .form(language: "en"),
                body: formBody([("service_code", "pothole"), ("description", "Яма на дороге у дома 5 по улице Тастак, машины бьют колёса")]))
            #expect(created.status == .created)
            let notice = try #require(created.array.first?["service_notice"] as? String)
            #expect(notice.contains("the meeting on 03.12.2026 15:00 (Asia/Almaty)") && notice.contains("by 23.12.2026"))
        }
    }
}
