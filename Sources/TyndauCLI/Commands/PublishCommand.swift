import ArgumentParser
import Foundation
import Publisher
import TyndauCore
import TyndauSQLite

/// `tyndau publish`: puts a message in the outbox for every endpoint with one of the tags (or names);
/// the worker sends it. Publishing the same text again enqueues nothing new.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Queue a message for the endpoints with the given tags or names."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "The message text (plain; each endpoint escapes and splits it).")
    var text: String

    @Option(help: "Title shown above the text (e-mail subject).")
    var subject: String?

    @Option(help: "Endpoints with this tag (repeatable): public, internal, residents, …")
    var tag: [String] = []

    @Option(help: "This endpoint by name (repeatable).")
    var endpoint: [String] = []

    @Option(help: "Identity of the message; the same key is never sent twice to an endpoint (default: from the text).")
    var key: String?

    @Option(help: "Language of the message: ru, kk or en.")
    var language: String?

    func validate() throws {
        if tag.isEmpty && endpoint.isEmpty { throw ValidationError(CLIText.text("publish.need-target")) }
        if let language, UILanguage(rawValue: language) == nil { throw ValidationError("--language: ru, kk, en") }
    }

    func run() async throws {
        let (database, configuration) = try await PublishingSetup.open(options)
        let messageLanguage = language.flatMap(UILanguage.init(rawValue:))
        let chosen = Self.select(configuration.endpoints, tags: tag, names: endpoint, language: messageLanguage)
        for name in endpoint where !configuration.endpoints.contains(where: { $0.name == name }) {
            throw TyndauError.notFound("endpoint \(name)")
        }
        guard !chosen.isEmpty else { throw TyndauError.notFound(CLIText.text("publish.no-match")) }
        let disabled = Set(try await database.endpointStates().filter { $0.endpoint.disabledReason != nil }.map(\.endpoint.name))
        let names = chosen.map(\.name).filter { !disabled.contains($0) }
        let message = OutgoingMessage(
            messageKey: key ?? MessageKey.content(subject: subject, body: text), subject: subject, body: text,
            language: messageLanguage
        )
        let inserted = try await database.enqueue(message, endpointNames: names, now: WallClock.now())
        print(CLIText.text("publish.enqueued", inserted.count, message.messageKey, names.count - inserted.count, chosen.count - names.count))
    }

    /// Endpoints named, or carrying one of the tags; a message in a language goes only to endpoints of
    /// that language or of none (a Kazakh channel does not get the Russian text). Named endpoints are
    /// always included. Endpoints that only carry personal notices never get a broadcast.
    static func select(_ endpoints: [EndpointDefinition], tags: [String], names: [String], language: UILanguage?) -> [EndpointDefinition] {
        endpoints.filter { definition in
            guard definition.acceptsBroadcasts else { return false }
            if names.contains(definition.name) { return true }
            guard definition.tags.contains(where: tags.contains) else { return false }
            guard let language, let own = definition.language else { return true }
            return own == language
        }
    }
}
