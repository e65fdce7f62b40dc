import ArgumentParser
import Foundation
import QuestionCollection
import TelegramBot
import TyndauCore

/// `tyndau residents forget|export`: residents' rights over their personal data. The person is named by
/// one key — a ticket, an e-mail, a phone or a Telegram chat id (or username); every identifier found
/// with it widens the search (see `PersonalDataRights`).
struct ResidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residents",
        abstract: "Residents' personal data: erase it on request (forget) or print all that is held (export).",
        subcommands: [Forget.self, Export.self]
    )
}

/// The one key a request names, validated.
struct ResidentKeyOptions: ParsableArguments {
    @Argument(help: "A ticket (TRK-2026-000123): the person who asked it.")
    var ticket: String?

    @Option(help: "The person's e-mail address.")
    var email: String?

    @Option(help: "The person's phone number (any usual Kazakhstan notation).")
    var phone: String?

    @Option(help: "The person's Telegram chat id (or the @username they gave on the web form).")
    var telegram: String?

    func validate() throws {
        let given = [ticket, email, phone, telegram].compactMap { $0 }
        guard given.count == 1 else { throw ValidationError(CLIText.text("residents.one-key")) }
        _ = try key()
    }

    /// The key, normalised the way intake stores it (``ResidentKey/init(_:_:field:)``).
    func key() throws -> ResidentKey {
        let named: [(ResidentKey.Kind, String?, String)] = [
            (.ticket, ticket, "residents.bad-ticket"), (.email, email, "residents.bad-email"),
            (.phone, phone, "residents.bad-phone"), (.telegram, telegram, "residents.bad-telegram"),
        ]
        guard let (kind, value, problem) = named.first(where: { $0.1 != nil }), let value else {
            throw ValidationError(CLIText.text("residents.one-key"))
        }
        do {
            return try ResidentKey(kind, value)
        } catch is TyndauError {
            throw ValidationError(kind == .ticket ? CLIText.text(problem, value) : CLIText.text(problem))
        }
    }
}

extension ResidentsCommand {
    /// The rule over the configured store, with the bot's chat keys.
    static func rights(_ store: any TyndauStore) -> PersonalDataRights {
        PersonalDataRights(store: store, chatKey: { TelegramChatKey.chat($0) })
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a resident's personal data everywhere; their questions stay, anonymous.",
            discussion: """
                Erases the contact rows (name, phone, e-mail, Telegram chat id and username, consent), the \
                notices addressed to them in the outbox, the bot's links, files and chat state. The questions \
                keep their text, place, status and answer. The audit log records kinds and counts, never a value.
                """
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var person: ResidentKeyOptions

        @Flag(help: "Print the counts as JSON.")
        var json = false

        func run() async throws {
            let key = try person.key()
            let (database, _) = try await options.openDatabase()
            let forgotten = try await ResidentsCommand.rights(database).forget(key, actor: GlobalOptions.actor, now: WallClock.now())
            let erased = forgotten.erased
            if json {
                struct Output: Encodable {
                    var contacts, notices, botLinks, botMedia, botChats, questionsKept: Int
                    enum CodingKeys: String, CodingKey {
                        case contacts, notices, botLinks = "bot_links", botMedia = "bot_media", botChats = "bot_chats"
                        case questionsKept = "questions_kept"
                    }
                }
                print(try Console.json(Output(
                    contacts: erased.contacts, notices: erased.notices, botLinks: erased.botLinks, botMedia: erased.botMedia,
                    botChats: erased.botChats, questionsKept: erased.total == 0 ? 0 : forgotten.questionsKept)))
            } else if erased.total == 0 {
                print(CLIText.text("residents.nothing-held"))
            } else {
                print(CLIText.text(
                    "residents.forgotten", erased.contacts, erased.notices, erased.botLinks, erased.botMedia, erased.botChats,
                    forgotten.questionsKept))
            }
            try await database.close()
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print as JSON everything held about a resident.",
            discussion: """
                Their questions (text, place, status), contacts and consents, the bot's chat state, messages and \
                files, and the notices addressed to them (queued, sent or failed). Contains personal data: hand \
                it to the person only.
                """
        )

        @OptionGroup var options: GlobalOptions
        @OptionGroup var person: ResidentKeyOptions

        func run() async throws {
            let key = try person.key()
            let (database, _) = try await options.openDatabase()
            let export = try await ResidentsCommand.rights(database).export(key, now: WallClock.now())
            print(try Console.json(export))
            try await database.close()
        }
    }
}
