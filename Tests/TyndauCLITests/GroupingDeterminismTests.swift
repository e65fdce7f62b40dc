import Foundation
import Testing

/// Swift seeds its hashing per process, so a grouping that iterated a `Set` or `Dictionary` in
/// hash order would differ between two runs of the program and never within one: only separate
/// processes can catch it.
@Suite struct GroupingDeterminismTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/TyndauCLI/Resources/demo-questions.jsonl")

    /// Imports the sample into a fresh database, regroups it from scratch and lists the topics.
    func groupInItsOwnProcesses() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-determinism-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let db = folder.appendingPathComponent("tyndau.sqlite").path
        let (imported, importOutput) = try TyndauProcess.run(["questions", "import", Self.sample.path, "--db", db], errors: true)
        #expect(imported == 0, "\(importOutput)")
        let (grouped, groupOutput) = try TyndauProcess.run(["topics", "group", "--rebuild", "--db", db], errors: true)
        #expect(grouped == 0, "\(groupOutput)")
        let (listed, listing) = try TyndauProcess.run(["topics", "list", "--all", "--json", "--db", db], errors: true)
        #expect(listed == 0, "\(listing)")
        return listing
    }

    @Test func twoProcessesGroupTheSameQuestionsIntoTheSameTopics() throws {
        let first = try groupInItsOwnProcesses()
        let second = try groupInItsOwnProcesses()
        #expect(first.count > 1000, "the listing has topics")
        #expect(first == second)
    }
}
