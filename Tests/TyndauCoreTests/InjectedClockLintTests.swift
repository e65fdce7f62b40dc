import Foundation
import Testing

/// Time comes from the edge: no library module reads the wall clock. The executables (`tyndau`,
/// `tyndau-bench`) and `WallClock`, the command line's one clock (settable with `TYNDAU_NOW`), may.
@Suite struct InjectedClockLintTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")
    static let edges: Set<String> = ["tyndau", "tyndau-bench", "TyndauCLI/Support/WallClock.swift"]
    /// `Date()`, `Date.now`, `Date.init` as a value, and `Date(timeIntervalSinceNow:)`.
    static let wallClock = #"\bDate\(\)|\bDate\.now\b|\bDate\.init\b(?!\()|\bDate\(timeIntervalSinceNow:"#

    @Test func noLibraryReadsTheWallClock() throws {
        let wallClock = try Regex(Self.wallClock)
        let files = try #require(FileManager.default.enumerator(atPath: Self.sources.path)).compactMap { $0 as? String }
        var readers: [String] = []
        for file in files where file.hasSuffix(".swift") {
            if Self.edges.contains(where: { file == $0 || file.hasPrefix($0 + "/") }) { continue }
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") && line.contains(wallClock) {
                readers.append("\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(files.count > 50, "the scan found the sources")
        #expect(readers.isEmpty, "library code reads the wall clock; inject `now` instead:\n\(readers.joined(separator: "\n"))")
    }
}
