import Foundation
import GRDB
import Testing
import TyndauCore
@testable import TyndauSQLite

/// Issue 17, faults on purpose: SQLite's answer to a full disk (`SQLITE_FULL`) reaches callers as
/// `database-unavailable` — 503 with `Retry-After` from the server — and the file stays intact.
/// `PRAGMA max_page_count` makes the file "full" without a small filesystem (the fault script
/// Tests/Faults does it with a real full tmpfs against a real `tyndau serve`).
@Suite struct FullDiskTests {
    @Test func aFullDatabaseIsUnavailableNotAFaultAndStaysIntact() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-full-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try SQLiteStore.open(path: path, durability: .full)
        let pages = try await database.writer.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try await database.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
        let text = String(repeating: "Во дворе нет света, просим починить фонари. ", count: 40)
        var refusal: (any Error)?
        for index in 0..<50 {
            do {
                _ = try await database.insert(NewQuestion(question: Question(
                    text: text + "\(index)", language: .ru, channel: .web, submittedAt: Date(timeIntervalSince1970: 1_800_000_000))))
            } catch {
                refusal = error
                break
            }
        }
        let error = try #require(refusal, "the file never filled up")
        let known = try #require(TyndauError.known(error), "\(error)")
        #expect(known.code == .databaseUnavailable)
        #expect(known.description.contains("disk is full"))
        #expect(!known.description.contains("Во дворе"), "no resident's text in the reason")
        let check = try await database.writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(check == ["ok"])
    }
}
