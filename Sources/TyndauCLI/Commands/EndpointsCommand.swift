import ArgumentParser
import Foundation
import Publisher
import TyndauCore
import TyndauSQLite

struct EndpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints",
        abstract: "List configured endpoints, check one, re-enable a disabled one.",
        subcommands: [List.self, Check.self, Enable.self]
    )
}

/// An endpoint as `endpoints list` shows it: the URL with every secret masked.
struct EndpointListing: Encodable {
    var name: String
    var kind: String
    var tags: [String]
    var url: String
    var local: Bool
    var disabledReason: String?
    var pausedUntil: Date?
}

extension EndpointsCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List configured endpoints and their state (secrets masked).")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let (database, configuration) = try await PublishingSetup.open(options)
            let states = Dictionary(uniqueKeysWithValues: try await database.endpointStates().map { ($0.endpoint.name, $0) })
            let listings = configuration.endpoints.map { definition in
                EndpointListing(
                    name: definition.name, kind: definition.kind.rawValue, tags: definition.tags, url: definition.redactedURL,
                    local: definition.local, disabledReason: states[definition.name]?.endpoint.disabledReason,
                    pausedUntil: states[definition.name]?.pausedUntil.flatMap { $0 > WallClock.now() ? $0 : nil }
                )
            }
            if json {
                print(try Console.json(listings))
                return
            }
            if listings.isEmpty { print(CLIText.text("endpoints.none")) }
            for listing in listings {
                let state = listing.disabledReason.map { CLIText.text("endpoints.state.disabled", $0) }
                    ?? listing.pausedUntil.map { CLIText.text("endpoints.state.paused", ISO8601DateFormatter().string(from: $0)) }
                    ?? CLIText.text("endpoints.state.ok")
                print([
                    listing.name.padding(toLength: 16, withPad: " ", startingAt: 0),
                    listing.kind.padding(toLength: 11, withPad: " ", startingAt: 0),
                    ("[" + listing.tags.joined(separator: ",") + "]").padding(toLength: 20, withPad: " ", startingAt: 0),
                    state, listing.url,
                ].joined(separator: " "))
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test message to one endpoint now (not through the outbox) and show the answer."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The endpoint's name.")
        var name: String

        @Option(help: "Text to send instead of the standard check message.")
        var text: String?

        func run() async throws {
            let configuration = try options.configuration()
            let definition = try PublishingSetup.definition(named: name, in: configuration)
            let target = definition.makeTarget()
            let language = definition.language ?? CLIText.language
            let parts = target.parts(
                subject: CLIText.table.text("endpoints.check.subject", language),
                body: text ?? CLIText.table.text("endpoints.check.text", language)
            )
            var failed = false
            for part in parts {
                let context = SendContext(deliveryID: 0, messageKey: "check", endpointName: name, language: language, now: WallClock.now())
                let response = await PublishingSetup.client.perform(target.request(for: part, context: context, plain: false))
                let verdict: String
                switch target.classify(response) {
                case .sent: verdict = CLIText.text("endpoints.check.ok")
                case .retry(_, let reason, _), .failed(let reason), .gone(let reason), .resendPlain(let reason):
                    verdict = CLIText.text("endpoints.check.failed", definition.redact(reason))
                    failed = true
                case .cancelled:
                    verdict = CLIText.text("endpoints.check.failed", "cancelled")
                    failed = true
                }
                print(CLIText.text("endpoints.check.result", name, part.index + 1, part.count, verdict, response.status, response.latencyMs))
                if failed { throw ExitCode.failure }
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-enable an endpoint a service had disabled (410, archived).")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The endpoint's name.")
        var name: String

        func run() async throws {
            let (database, _) = try await PublishingSetup.open(options)
            try await database.enableEndpoint(name: name)
            print(CLIText.text("endpoints.enabled", name))
        }
    }
}
