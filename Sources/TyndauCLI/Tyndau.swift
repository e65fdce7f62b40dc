import ArgumentParser
import Foundation
import TyndauCore

/// The `tyndau` command: the weekly meeting's questions, topics, agenda and publishing.
///
/// Exit codes: 0 ok, 1 runtime failure, 2 usage error. Errors are one readable line.
public struct Tyndau: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tyndau",
        abstract: "Weekly online-meeting Q&A for the akimat: questions, topics, agenda, answers, publishing.",
        version: TyndauBuild.description,
        subcommands: [
            DatabaseCommand.self,
            QuestionsCommand.self,
            ConfigCommand.self,
            EndpointsCommand.self,
            PublishCommand.self,
            WorkerCommand.self,
            DeliveriesCommand.self,
            TopicsCommand.self,
            DemoCommand.self,
            AgendaCommand.self,
            SeriesCommand.self,
            AnswerCommand.self,
            MeetingCommand.self,
            CommitmentsCommand.self,
            ServeCommand.self,
            SlaCommand.self,
            UsersCommand.self,
            ResidentsCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line, mapping failures to the documented exit codes.
    public static func main(arguments: [String]? = nil) async -> Int32 {
        // A PostgreSQL pool opened by this command closes when it returns, whatever it did; the registry
        // is this call's own, so commands running side by side in one process keep their pools.
        await OpenStores.scoped { await run(arguments: arguments) }
    }

    private static func run(arguments: [String]?) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as TyndauError {
            Console.error(CLIText.text("cli.error", error.localizedMessage(in: CLIText.language))
                + Self.fieldList(error))
            return 1
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            if code == .validationFailure {
                Console.error(fullMessage(for: error))
                return 2
            }
            Console.error(CLIText.text("cli.error", String(describing: error).split(separator: "\n").first ?? ""))
            return 1
        }
    }

    private static func fieldList(_ error: TyndauError) -> String {
        let fields = error.localizedFields(in: CLIText.language)
        guard !fields.isEmpty else { return "" }
        return ": " + fields.sorted { $0.key < $1.key }.map { "\($0.key) — \($0.value)" }.joined(separator: "; ")
    }
}
