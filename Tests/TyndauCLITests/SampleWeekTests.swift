import Foundation
import Testing

/// The committed sample week (`agendas/2026-W49.*`) is what `tyndau demo` writes, byte for byte:
/// README says `make demo` rewrites the same files, and a change to grouping or scheduling that
/// changes them must commit them anew.
@Suite struct SampleWeekTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theDemoWritesTheCommittedSampleWeek() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-sample-week-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = TyndauProcess.executable
        process.arguments = ["demo", "--db", folder.appendingPathComponent("demo.sqlite").path]
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(["TYNDAU_LANG": "en"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: printed, as: UTF8.self).suffix(2000))")
        for name in ["2026-W49.md", "2026-W49.json", "2026-W49.ics"] {
            let written = try Data(contentsOf: folder.appendingPathComponent("agendas/\(name)"))
            let committed = try Data(contentsOf: Self.repository.appendingPathComponent("agendas/\(name)"))
            #expect(written == committed, "agendas/\(name) differs from what `tyndau demo` writes: run `make demo` and commit it")
        }
    }
}
