import Foundation
import Testing
import TyndauCore
import TyndauSQLite

@testable import TyndauCLI

/// Keeps what a progress line wrote.
final class Written: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []
    var all: [String] { lock.withLock { parts } }
    func append(_ text: String) { lock.withLock { parts.append(text) } }
}

struct ProgressLineTests {
    @Test func drawsOneUpdatingLineWithCountAndRateAndEndsIt() {
        let written = Written()
        let progress = ProgressLine("Importing rows", quiet: false, write: written.append)
        #expect(progress.isEnabled)
        progress.update(10)
        progress.update(20)  // within 100 ms of the first drawing: not redrawn
        progress.finish()
        let parts = written.all
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.hasPrefix("\r\u{1B}[K") }, "each drawing returns to the start of the line and clears it")
        #expect(parts[0].contains("10"))
        #expect(parts[1].contains(": 20 (") && parts[1].hasSuffix("/s)\n"), "\(parts[1])")
    }

    @Test func quietWritesNothing() {
        let written = Written()
        let progress = ProgressLine("Importing rows", quiet: true, write: written.append)
        #expect(!progress.isEnabled)
        progress.update(5)
        progress.finish()
        progress.clear()
        #expect(written.all.isEmpty)
    }

    @Test func noTerminalMeansNoLine() {
        let written = Written()
        let progress = ProgressLine("Copying rows", quiet: false, write: nil)
        progress.advance(by: 3)
        progress.finish()
        #expect(!progress.isEnabled && written.all.isEmpty)
    }

    @Test func megabytesReadAsSuch() {
        #expect(ProgressLine.megabytes(12_400_000) == "12.4 MB")
    }

    @Test func importCountsEveryRowItReads() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("q.jsonl")
        try (1...5).map { #"{"text": "Во дворе дома \#($0) по улице Абая не горят фонари уже неделю"}"# }.joined(separator: "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let written = Written()
        let progress = ProgressLine("Importing rows", quiet: false, write: written.append)
        let report = try await QuestionImport.run(
            file: file.path, into: try SQLiteStore.open(path: folder.appendingPathComponent("t.sqlite").path), progress: progress)
        progress.finish()
        #expect(report.added == 5)
        #expect(written.all.last?.contains(": 5 (") == true, "\(written.all)")
    }

    /// Standard error is a pipe here, as under cron or systemd: the commands print what they always did.
    @Test func longCommandsPrintNoProgressWhenStandardErrorIsNotATerminal() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("q.jsonl")
        try (1...20).map { #"{"text": "Во дворе дома \#($0) по улице Абая не горят фонари уже неделю"}"# }.joined(separator: "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("t.sqlite").path
        let runs = [
            ["questions", "import", file.path, "--db", db],
            ["topics", "group", "--rebuild", "--db", db],
            ["db", "backup", folder.appendingPathComponent("b.sqlite").path, "--db", db],
            ["db", "copy", "--from", db, "--to", "sqlite:" + folder.appendingPathComponent("c.sqlite").path],
            ["questions", "import", file.path, "--db", db, "--quiet"],
        ]
        for arguments in runs {
            let (status, output) = try TyndauProcess.run(arguments, errors: true)
            #expect(status == 0, "\(arguments): \(output)")
            #expect(!output.contains("\u{1B}[K") && !output.contains("\r"), "\(arguments)")
        }
    }
}
