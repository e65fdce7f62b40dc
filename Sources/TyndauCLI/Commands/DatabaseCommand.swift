import ArgumentParser
import TyndauSQLite

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the database.",
        subcommands: [Migrate.self, Backup.self, Copy.self]
    )
}

extension DatabaseCommand {
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the database or bring it up to this version's schema."
        )

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (database, configuration) = try await options.openDatabase()
            let applied = try await database.appliedMigrations()
            print(CLIText.text("db.migrated", configuration.database.display, applied.joined(separator: ", ")))
        }
    }
}
