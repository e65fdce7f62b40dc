import ArgumentParser
import Foundation
import TyndauCore
import TyndauStorage

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

        func validate() throws {
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        }

        func run() async throws {
            let source = try DatabaseAddress(from)
            let target = try DatabaseAddress(to)
            let reading = try await source.openForTransfer(mustExist: true)
            let writing: any TyndauStore & TableTransfer
            do {
                writing = try await target.openForTransfer(mustExist: false)
            } catch {
                try? await reading.close()
                throw error
            }
            print(CLIText.text("db.copy.start", source, target))
            let report: StoreCopyReport
            do {
                report = try await StoreCopy(batchSize: batchSize).run(from: reading, to: writing) { table in
                    let name = table.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                    print("  " + CLIText.text("db.copy.table", name, table.rows, table.checksum))
                }
            } catch {
                try? await reading.close()
                try? await writing.close()
                throw error
            }
            // Closing checkpoints a SQLite target, so the copied file is complete on its own.
            try await reading.close()
            try await writing.close()
            print(CLIText.text("db.copy.done", report.totalRows, report.tables.count, target))
        }
    }
}
