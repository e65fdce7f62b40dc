import ArgumentParser
import Foundation
import QuestionCollection
import TyndauCore
import TyndauSQLite

/// `tyndau topics`: group questions into topics and let the office correct the grouping. Every
/// correction is stored as a decision and respected by later `topics group` runs.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Group duplicate questions into topics; list, merge, split, move, rename.",
        subcommands: [Group.self, List.self, Explain.self, Merge.self, Split.self, Move.self, Rename.self, Category.self]
    )

    /// `cli:<user>`: who made a decision, for the audit log.
    static var actor: String { GlobalOptions.actor }

    /// The lexicon with the office's extra files, when given.
    static func lexicon(extraFiles: [String]) throws -> DomainLexicon {
        extraFiles.isEmpty ? .bundled : try DomainLexicon.load(extraFiles: extraFiles.map { URL(fileURLWithPath: $0) })
    }

    /// "уличное освещение — Жансугурова" in the operator's language; the title when no concept is known.
    static func subject(_ overview: TopicOverview, lexicon: DomainLexicon, language: UILanguage) -> String {
        guard let concept = overview.conceptKey, !overview.titleOverridden else { return overview.summary.topic.title }
        let about = lexicon.conceptLabel(concept, language)
        guard let place = overview.placeKey else { return about }
        return about + " — " + lexicon.placeLabel(place, language)
    }

    /// "14 residents asked about street lighting — Zhansugurov St".
    static func headline(_ overview: TopicOverview, lexicon: DomainLexicon) -> String {
        CLIText.text(
            "topics.headline", overview.summary.askers, subject(overview, lexicon: lexicon, language: CLIText.language))
    }

    static func parseTopic(_ raw: String) throws -> Topic.ID {
        guard let id = Topic.ID(raw.trimmingCharacters(in: CharacterSet(charactersIn: "#T "))) else {
            throw ValidationError(CLIText.text("topics.bad-topic-id", raw))
        }
        return id
    }

    /// A question by id or ticket (`TRK-2026-000123`).
    static func parseQuestion(_ raw: String) throws -> Question.ID {
        if let id = Question.ID(raw) ?? Ticket.id(from: raw) { return id }
        throw ValidationError(CLIText.text("topics.bad-question-id", raw))
    }
}

extension TopicsCommand {
    struct Group: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attach new questions to topics (or open new ones); --rebuild regroups everything not pinned.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Regroup every question the office has not pinned, from scratch.")
        var rebuild = false

        @Option(name: .customLong("lexicon"), help: "Extra lexicon or gazetteer JSON file (repeatable).")
        var extraFiles: [String] = []

        @Option(help: "How many of the largest topics to print.")
        var top = 10

        @Flag(help: "No progress line on a terminal.")
        var quiet = false

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let lexicon = try TopicsCommand.lexicon(extraFiles: extraFiles)
            let progress = ProgressLine(CLIText.text("progress.group"), quiet: quiet)
            let report: TopicGrouping.Report
            do {
                report = try await TopicGrouping(lexicon: lexicon).run(
                    store: database, rebuild: rebuild, actor: TopicsCommand.actor, now: WallClock.now(), progress: progress.isEnabled ? progress.update : nil)
            } catch {
                progress.clear()
                throw error
            }
            progress.finish()
            print(CLIText.text("topics.grouped", report.questions, report.newlyGrouped, report.topics))
            // The largest few from one bounded page, not every topic's overview.
            for overview in try await database.topicPage(states: [.open], position: nil, side: .after, limit: max(0, top)) {
                print("  #\(overview.summary.topic.id ?? 0)  " + TopicsCommand.headline(overview, lexicon: lexicon))
            }
            try await database.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics, largest first.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "At most this many topics.")
        var limit: Int?

        @Flag(help: "Include scheduled, answered and closed topics.")
        var all = false

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            var overviews = try await database.topicOverviews(states: all ? nil : [.open])
            if let limit { overviews = Array(overviews.prefix(limit)) }
            let lexicon = DomainLexicon.bundled
            if json {
                print(try Console.json(overviews.map { TopicListing($0, lexicon: lexicon) }))
                return
            }
            for overview in overviews {
                let summary = overview.summary
                let category = summary.topic.category.map { CoreText.category($0, CLIText.language) } ?? "—"
                print(
                    CLIText.text(
                        "topics.line", summary.topic.id ?? 0, summary.askers, summary.questionIDs.count, category,
                        summary.languages.map(\.rawValue).joined(separator: ","),
                        TopicsCommand.subject(overview, lexicon: lexicon, language: CLIText.language)))
                print("      " + summary.topic.title)
            }
            print(CLIText.text("topics.count", overviews.count))
        }
    }

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say why a topic's questions are together: shared places, numbers, concepts, and each member's scores.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The topic (id, or #id).") var topic: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() async throws {
            let id = try TopicsCommand.parseTopic(topic)
            let (database, _) = try await options.openDatabase()
            guard try await database.topicOverview(id: id) != nil else { throw TyndauError.notFound("topic \(id)") }
            let members = try await database.topicMembers(id)
            let explanation = TopicExplainer().explain(topic: id, questions: members, language: CLIText.language)
            if json {
                print(try Console.json(explanation))
                return
            }
            for line in Self.lines(explanation, total: members.count) { print(line) }
        }

        /// The explanation as text in the CLI's language.
        static func lines(_ explanation: TopicExplainer.Explanation, total: Int) -> [String] {
            let count = explanation.members.count
            func score(_ value: Double) -> String { String(format: "%.2f", value) }
            func facts(_ key: String, _ facts: [TopicExplainer.SharedFact]) -> String {
                let list = facts.map { CLIText.text("topics.explain.fact", $0.label, $0.members, count) }
                return CLIText.text(key, list.isEmpty ? "—" : list.joined(separator: ", "))
            }
            var lines = [
                CLIText.text(
                    "topics.explain.header", explanation.topicID, total, score(explanation.cohesion),
                    score(explanation.threshold)),
                facts("topics.explain.places", explanation.places),
                facts("topics.explain.numbers", explanation.numbers),
                facts("topics.explain.concepts", explanation.concepts),
            ]
            if count < total { lines.append(CLIText.text("topics.explain.truncated", count, total)) }
            lines.append(CLIText.text("topics.explain.members"))
            for member in explanation.members {
                var notes: [String] = []
                if member.questionID == explanation.medoidID { notes.append(CLIText.text("topics.explain.medoid")) }
                if member.weak { notes.append(CLIText.text("topics.explain.weak")) }
                for veto in member.vetoes.prefix(3) {
                    notes.append(CLIText.text("topics.explain.veto", veto.questionID, CLIText.text("topics.veto." + veto.reason)))
                }
                let text = member.text.count > 100 ? String(member.text.prefix(99)) + "…" : member.text
                lines.append(
                    "  \(member.questionID) \(member.ticket ?? "")  \(score(member.averageScore)) / \(score(member.medoidScore))"
                        + (notes.isEmpty ? "" : "  [" + notes.joined(separator: "; ") + "]"))
                lines.append("      " + text)
            }
            return lines
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Merge topic B into topic A (B disappears).")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The topic that stays.") var target: String
        @Argument(help: "The topic merged into it.") var source: String

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let (a, b) = (try TopicsCommand.parseTopic(target), try TopicsCommand.parseTopic(source))
            try await database.mergeTopics(into: a, from: b, actor: TopicsCommand.actor, now: WallClock.now())
            print(CLIText.text("topics.merged", b, a))
        }
    }

    struct Split: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move some questions of a topic into a new topic.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The topic to split.") var topic: String
        @Option(help: "Questions (ids or tickets, comma-separated) that form the new topic.") var questions: String

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let ids = try questions.split(separator: ",").map { try TopicsCommand.parseQuestion(String($0)) }
            let created = try await database.splitTopic(
                try TopicsCommand.parseTopic(topic), questionIDs: ids, actor: TopicsCommand.actor, now: WallClock.now())
            print(CLIText.text("topics.split", ids.count, created))
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move one question into another topic.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The question (id or ticket).") var question: String
        @Argument(help: "The topic it belongs to.") var topic: String

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let (q, t) = (try TopicsCommand.parseQuestion(question), try TopicsCommand.parseTopic(topic))
            try await database.moveQuestion(q, to: t, actor: TopicsCommand.actor, now: WallClock.now())
            print(CLIText.text("topics.moved", q, t))
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a topic the title the office wants, in Kazakh and Russian.",
            discussion: """
                TITLE renames the topic and becomes the title form of its language (detected); --kk and --ru set \
                each form (an empty value clears it: the form then defaults to a member question in that language, \
                else the other language's title marked as such).
                """)

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The topic.") var topic: String
        @Argument(help: "The new title, in either language.") var title: String?
        @Option(help: "The title in Kazakh.") var kk: String?
        @Option(help: "The title in Russian.") var ru: String?

        func validate() throws {
            if title == nil, kk == nil, ru == nil { throw ValidationError(CLIText.text("topics.rename-nothing")) }
        }

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let id = try TopicsCommand.parseTopic(topic)
            if let title {
                try await database.renameTopic(id, title: title, actor: TopicsCommand.actor, now: WallClock.now())
                print(CLIText.text("topics.renamed", id))
            }
            guard let overview = try await database.topicOverview(id: id) else { throw TyndauError.notFound("topic \(id)") }
            var titles = overview.summary.topic.officeTitles
            if let title {
                // The new title is also the form of its language; --kk/--ru below win over it.
                titles = try BilingualText.fromOffice(kk: nil, ru: nil, single: title, field: "title").filled(from: titles)
            }
            if let kk { titles.kk = BilingualText(kk: kk).kk }
            if let ru { titles.ru = BilingualText(ru: ru).ru }
            try await database.setTopicTitles(id, titles: titles, actor: TopicsCommand.actor, now: WallClock.now())
            print(CLIText.text("topics.titles-set", id, titles.kk ?? "—", titles.ru ?? "—"))
        }
    }

    struct Category: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a topic's category by hand (regrouping keeps it).")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The topic.") var topic: String
        @Argument(help: "Category: \(QuestionCategory.allCases.map(\.rawValue).joined(separator: ", ")).")
        var category: QuestionCategory

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let id = try TopicsCommand.parseTopic(topic)
            try await database.overrideCategory(id, category: category, actor: TopicsCommand.actor, now: WallClock.now())
            print(CLIText.text("topics.category-set", id, CoreText.category(category, CLIText.language)))
        }
    }
}

extension QuestionCategory: ExpressibleByArgument {}

/// A topic as `topics list --json` shows it: no personal data, labels in all three languages.
struct TopicListing: Encodable {
    var id: Int64
    var title: String
    var askers: Int
    var questions: [Int64]
    var languages: [TextLanguage]
    var category: QuestionCategory?
    var categoryOverridden: Bool
    var state: TopicState
    var concept: String?
    var place: String?
    var placeLabel: [String: String]?
    var conceptLabel: [String: String]?
    var reason: String?
    var representativeQuestionID: Int64?
    var firstSubmittedAt: Date

    init(_ overview: TopicOverview, lexicon: DomainLexicon) {
        let topic = overview.summary.topic
        id = topic.id ?? 0
        title = topic.title
        askers = overview.summary.askers
        questions = overview.summary.questionIDs
        languages = overview.summary.languages
        category = topic.category
        categoryOverridden = topic.categoryOverridden
        state = topic.state
        concept = overview.conceptKey
        place = overview.placeKey
        conceptLabel = overview.conceptKey.map { key in
            Dictionary(uniqueKeysWithValues: UILanguage.allCases.map { ($0.rawValue, lexicon.conceptLabel(key, $0)) })
        }
        placeLabel = overview.placeKey.map { key in
            Dictionary(uniqueKeysWithValues: UILanguage.allCases.map { ($0.rawValue, lexicon.placeLabel(key, $0)) })
        }
        reason = topic.reason
        representativeQuestionID = topic.representativeQuestionID
        firstSubmittedAt = overview.summary.firstSubmittedAt
    }
}
