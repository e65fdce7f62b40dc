import ArgumentParser
import Foundation
import TyndauCore
import TyndauSQLite

extension DatabaseCommand {
    /// `tyndau db copy --from sqlite:./tyndau.sqlite --to postgres://…`: moving house between engines
    /// (or files). Everything is read in one snapshot, written in dependency order with ids kept, and
    /// checked table by table (row count and checksum); a non-empty target is refused.
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every table from one database into an empty one, then verify counts and checksums."
        )

        @Option(help: "Source database: sqlite:PATH, a file path, or postgres://user@host:port/name.")
        var from: String

        @Option(help: "Target database (must be empty; a missing SQLite file is created).")
        var to: String

        @Option(help: "Rows per insert transaction.")
        var batchSize = 1000

        @Flag(help: "No progress line on a terminal.")
        var quiet = false

        func validate() throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        }

        func run() async throws {
            let source = try DatabaseLocation(setting: from, name: "--from")
            let target = try DatabaseLocation(setting: to, name: "--to")
            // PostgreSQL pools join this command's registry and close when it returns, failed or not.
            let reading = try await source.openForCopy(mustExist: true)
            let writing = try await target.openForCopy(mustExist: false)
            print(CLIText.text("db.copy.start", source, target))
            let progress = ProgressLine(CLIText.text("progress.copy"), quiet: quiet)
            let batchSize = self.batchSize
            // SIGTERM and SIGINT cancel the copy: it stops between batches and empties the target again,
            // so a stopped copy leaves nothing half-written (all or nothing).
            let copy = Task {
                try await StoreCopy(batchSize: batchSize).run(
                    from: reading, to: writing,
                    progress: { table in
                        // The table's line replaces the progress line; the next batch draws it again below.
                        progress.clear()
                        let name = table.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                        print("  " + CLIText.text("db.copy.table", name, table.rows, table.checksum))
                        fflush(nil)
                    },
                    rowsCopied: progress.isEnabled ? progress.update : nil)
            }
            let stop = SignalCancellation([SIGINT, SIGTERM]) { copy.cancel() }
            defer { stop.cancel() }
            let report: StoreCopyReport
            do {
                report = try await copy.value
            } catch {
                progress.clear()
                if copy.isCancelled {
                    try? await reading.close()
                    try? await writing.close()
                    FileHandle.standardError.write(Data((CLIText.text("db.copy.interrupted", target) + "\n").utf8))
                    throw ExitCode(143)
                }
                throw error
            }
            progress.finish()
            // Closing checkpoints a SQLite target, so the copied file is complete on its own.
            try await reading.close()
            try await writing.close()
            print(CLIText.text("db.copy.done", report.totalRows, report.tables.count, target))
        }
    }
}

/// Runs `action` when one of `signals` arrives, instead of the default (immediate termination), until
/// ``cancel()``: a long command can then stop cleanly.
final class SignalCancellation {
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32], action: @escaping @Sendable () -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }

    func cancel() {
        sources.forEach { $0.cancel() }
    }
}
