import Foundation
import Testing

/// Modules say what they hold, and the imports keep it so (SwiftPM lets a file import a module its
/// target does not declare when that module happens to be built): the server sees no storage engine,
/// curl stays inside `HTTPClient`, the bot is not a publisher, and the loopback stand-ins reach only
/// the demo (`TyndauCLI`), `tyndau-bench` and the tests.
@Suite struct ModuleBoundaryLintTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")
    static let engines: Set<String> = ["TyndauSQLite", "TyndauPostgres", "GRDB", "PostgresNIO"]
    /// Module (folder under `Sources/`) → modules its files may not import.
    static let forbidden: [String: Set<String>] = [
        "TyndauCore": engines.union(["HTTPClient", "CCurl", "LoopbackServers"]),
        "HTTPClient": ["LoopbackServers"],
        "Publisher": ["CCurl", "TelegramBot", "LoopbackServers"],
        "TelegramBot": ["CCurl", "Publisher", "LoopbackServers"],
        "TyndauServer": engines.union(["CCurl", "LoopbackServers"]),
        "QuestionCollection": ["LoopbackServers"],
        "AgendaScheduler": ["LoopbackServers"],
        "MeetingSummaries": ["LoopbackServers"],
        "TyndauSQLite": ["LoopbackServers"],
        "TyndauPostgres": ["LoopbackServers"],
    ]

    @Test func noModuleImportsWhatItMayNot() throws {
        let importLine = try Regex(#"^\s*(?:@\w+\s+)*import\s+(?:(?:struct|class|enum|protocol|func|var|let)\s+)?(\w+)"#)
        let files = try #require(FileManager.default.enumerator(atPath: Self.sources.path)).compactMap { $0 as? String }
        var crossings: [String] = []
        for file in files where file.hasSuffix(".swift") {
            let module = String(file.prefix(while: { $0 != "/" }))
            guard let forbidden = Self.forbidden[module] else { continue }
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                guard let match = try importLine.prefixMatch(in: line), let name = match.output[1].substring else {
                    continue
                }
                if forbidden.contains(String(name)) { crossings.append("\(file):\(number + 1): import \(name)") }
            }
        }
        #expect(files.count > 50, "the scan found the sources")
        #expect(crossings.isEmpty, "imports across a module boundary:\n\(crossings.joined(separator: "\n"))")
    }
}
