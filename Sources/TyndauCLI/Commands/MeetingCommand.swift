import ArgumentParser
import Foundation
import QuestionCollection
import TyndauCore
import TyndauSQLite

/// The meeting itself: record answers while the akim speaks, close the meeting, follow promises.
enum MeetingWorkflow {
    /// `--week`, or the earliest meeting that is not closed yet.
    static func week(_ text: String?, database: any TyndauStore) async throws -> ISOWeek {
        if let text {
            guard let week = ISOWeek(text) else { throw TyndauError.validation(["week": "agenda.bad-week"]) }
            return week
        }
        guard let meeting = try await database.openMeetings().first else {
            throw TyndauError.notFound(CLIText.text("meeting.no-open"))
        }
        return meeting.week
    }

    static var actor: String { GlobalOptions.actor }
}

/// `tyndau answer ITEM --text …`: what was said about one agenda item.
struct AnswerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer",
        abstract: "Record the answer to an agenda item (replaces an earlier one until the meeting is closed).",
        discussion: "ITEM is the agenda item's number in `tyndau meeting show` (its position on the agenda)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "Agenda item number (position on the agenda).")
    var item: Int

    @Option(name: .customLong("text-kk"), help: "What was answered, in Kazakh.")
    var textKk: String?

    @Option(name: .customLong("text-ru"), help: "What was answered, in Russian.")
    var textRu: String?

    @Option(help: "What was answered, in one language: --language, else detected (kk or ru).")
    var text: String?

    @Option(help: "The language of --text and --responsible: kk or ru (default: detected).")
    var language: String?

    @Option(help: "answered | commitment | redirected | written")
    var status: AnswerKind = .answered

    @Option(help: "Due date of a commitment, YYYY-MM-DD.")
    var due: String?

    @Option(help: "Responsible body of a commitment, in one language (--language, else detected).")
    var responsible: String?

    @Option(name: .customLong("responsible-kk"), help: "Responsible body of a commitment, in Kazakh.")
    var responsibleKk: String?

    @Option(name: .customLong("responsible-ru"), help: "Responsible body of a commitment, in Russian.")
    var responsibleRu: String?

    func validate() throws {
        if let language, !["kk", "ru"].contains(language) {
            throw ValidationError(CLIText.text("answer.bad-language", language))
        }
        if text == nil, textKk == nil, textRu == nil {
            throw ValidationError(CLIText.text("answer.no-text"))
        }
    }

    @Option(name: .customLong("redirect-to"), help: "Where a redirected question was sent.")
    var redirectTo: String?

    @Option(help: "ISO week of the meeting (default: the earliest meeting not yet closed).")
    var week: String?

    func run() async throws {
        let (database, _) = try await options.openDatabase()
        let week = try await MeetingWorkflow.week(week, database: database)
        let items = try await database.answeredItems(week: week)
        guard let entry = items.first(where: { $0.item.position == item }), let itemID = entry.item.id else {
            throw TyndauError.notFound(CLIText.text("meeting.no-item", item, week))
        }
        let said = language.flatMap(UILanguage.init(rawValue:))
        let input = AnswerInput(
            texts: try BilingualText.fromOffice(kk: textKk, ru: textRu, single: text, language: said, field: "text"),
            kind: status,
            responsible: try BilingualText.fromOffice(
                kk: responsibleKk, ru: responsibleRu, single: responsible, language: said, field: "responsible"),
            dueDate: due, redirectedTo: redirectTo)
        let stored = try await database.recordAnswer(input, week: week, itemID: itemID, actor: MeetingWorkflow.actor, now: WallClock.now())
        print(CLIText.text("meeting.answered", item, stored.askers, CLIText.text("answer-kind." + status.rawValue)))
        if let missing = stored.answer?.texts.missingLanguages, !missing.isEmpty {
            print(CLIText.text("answer.missing-language", missing.map(\.rawValue).joined(separator: ", ")))
        }
    }
}

extension AnswerKind: ExpressibleByArgument {}

struct MeetingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meeting",
        abstract: "Show the meeting's agenda with answers, and close the meeting.",
        subcommands: [Show.self, Close.self]
    )
}

extension MeetingCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The agenda in speaking order with the answers recorded so far.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "ISO week (default: the earliest meeting not yet closed).")
        var week: String?

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let week = try await MeetingWorkflow.week(week, database: database)
            let items = try await database.answeredItems(week: week)
            print(CLIText.text("meeting.header", week, items.filter { $0.answer != nil }.count, items.count))
            for entry in items {
                let title = entry.question.count > 70 ? entry.question.prefix(69) + "…" : Substring(entry.question)
                print("\(entry.item.position). [\(entry.askers)] \(title)")
                if let answer = entry.answer {
                    let due = entry.commitment.map { " · \($0.responsible), \($0.dueDate)" } ?? ""
                    print("   → \(CLIText.text("answer-kind." + answer.kind.rawValue))\(due):")
                    for language in BilingualText.languages {
                        print("     \(language.rawValue): \(answer.texts[language] ?? "—")")
                    }
                }
            }
            let missing = items.answersMissingALanguage
            if missing > 0 { print(CLIText.text("meeting.missing-language", missing)) }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the answers final; unanswered topics go back to the queue with their waiting time.",
            discussion: "The digest and personal notices are then enqueued by `tyndau worker` or `tyndau serve`."
        )

        @OptionGroup var options: GlobalOptions

        @Option(help: "ISO week (default: the earliest meeting not yet closed).")
        var week: String?

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let week = try await MeetingWorkflow.week(week, database: database)
            let closure = try await database.closeMeeting(week: week, actor: MeetingWorkflow.actor, now: WallClock.now())
            print(CLIText.text("meeting.closed", week, closure.answered, closure.returnedToQueue))
        }
    }
}

/// `tyndau commitments`: promises made at meetings, and marking one kept (which tells its askers).
struct CommitmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitments",
        abstract: "List commitments made at meetings, or mark one done.",
        subcommands: [List.self, Done.self],
        defaultSubcommand: List.self
    )
}

extension CommitmentsCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Commitments, earliest due first.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Only open commitments past their due date.")
        var overdue = false

        @Flag(help: "Include commitments already done.")
        var all = false

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let today = Self.today()
            var views = try await database.commitments(dueBefore: overdue ? today : nil, openOnly: overdue || !all)
            if overdue { views = views.filter { $0.commitment.state == .open } }
            if json {
                print(try Console.json(views))
                return
            }
            for view in views {
                let commitment = view.commitment
                let late = commitment.state == .open && commitment.dueDate < today ? " " + CLIText.text("commitments.overdue") : ""
                print("#\(commitment.id ?? 0)  \(commitment.dueDate)\(late)  \(commitment.responsible) — \(commitment.text)")
            }
            print(CLIText.text("questions.count", views.count))
        }

        static func today() -> String { ISODate.day(WallClock.now()) }
    }

    struct Done: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a commitment done and notify the topic's askers who left a contact."
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Commitment id (from `tyndau commitments`).")
        var id: Int64

        @Option(help: "A short public note on how it was kept (shown on /promises; at most 500 characters).")
        var note: String?

        func run() async throws {
            let (database, configuration) = try await PublishingSetup.open(options)
            let automation = try await MeetingAutomation(
                database: database, configuration: configuration, logger: LogSettings(level: .info).logger("tyndau.cli")
            )
            let (_, queued) = try await CommitmentCompletion(store: database, notices: automation.publication).markDone(
                id: id, note: note, actor: MeetingWorkflow.actor, now: WallClock.now())
            print(CLIText.text("commitments.done", id, queued))
        }
    }
}
