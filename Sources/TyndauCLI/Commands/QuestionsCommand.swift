import ArgumentParser
import Foundation
import QuestionCollection
import TyndauCore
import TyndauSQLite

struct QuestionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "questions",
        abstract: "Add, import and list residents' questions.",
        subcommands: [Add.self, Import.self, List.self]
    )
}

extension QuestionsCommand {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add one question typed by the office.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The question text (10–2000 characters).")
        var text: String

        @Option(help: "Street or place the question is about.")
        var street: String?

        @Option(help: "House number.")
        var house: String?

        @Option(help: "Category: \(QuestionCategory.allCases.map(\.rawValue).joined(separator: ", ")).")
        var category: String?

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let submission = Submission(text: text, category: category, street: street, house: house, channel: .cli)
            let stored = try await database.insert(try QuestionValidator().validate(submission, now: WallClock.now()))
            print(CLIText.text("questions.added", stored.ticket ?? "", stored.language.rawValue))
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import questions from a CSV (with a header row) or JSON Lines file.",
            discussion: """
                Fields: \(ImportReader.fields.joined(separator: ", ")). Bad rows are reported with their \
                row number and skipped; good rows are kept. Re-importing the same file adds nothing. \
                Exits 1 when any row was rejected.
                """
        )

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The file to import.")
        var file: String

        @Flag(help: "No progress line on a terminal.")
        var quiet = false

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let progress = ProgressLine(CLIText.text("progress.import"), quiet: quiet)
            let report: QuestionImport.Report
            do {
                report = try await QuestionImport.run(file: file, into: database, progress: progress)
            } catch {
                progress.clear()
                throw error
            }
            progress.finish()
            for line in report.errorLines { Console.error(line) }
            print(CLIText.text("import.summary", report.added, report.alreadyPresent, report.rejected))
            if report.rejected > 0 { throw ExitCode.failure }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List questions.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Only questions with this status: \(QuestionStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: QuestionStatus?

        @Option(help: "At most this many questions.")
        var limit: Int?

        @Flag(help: "Print JSON instead of a table (no personal data).")
        var json = false

        func run() async throws {
            let (database, _) = try await options.openDatabase()
            let query = QuestionQuery(statuses: status.map { [$0] }, limit: limit)
            let questions = try await database.questions(query)
            if json {
                print(try Console.json(questions.map(QuestionListing.init)))
                return
            }
            for question in questions {
                print(QuestionListing(question).line)
            }
            print(CLIText.text("questions.count", questions.count))
        }
    }
}

extension QuestionStatus: ExpressibleByArgument {}

/// A question as `questions list` shows it: no token, no personal data.
struct QuestionListing: Encodable {
    var ticket: String
    var status: QuestionStatus
    var language: TextLanguage
    var category: QuestionCategory?
    var street: String?
    var submittedAt: Date
    var text: String

    init(_ question: Question) {
        ticket = question.ticket ?? ""
        status = question.status
        language = question.language
        category = question.category
        street = question.street
        submittedAt = question.submittedAt
        text = question.text
    }

    var line: String {
        let shortText = text.count > 70 ? text.prefix(69) + "…" : Substring(text)
        return [
            ticket, status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0),
            language.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0), String(shortText),
        ].joined(separator: "  ")
    }
}

/// `questions import`: reads a file, validates each row, stores the good ones in one transaction.
enum QuestionImport {
    struct Report {
        var added = 0
        var alreadyPresent = 0
        var rejected = 0
        var errorLines: [String] = []
    }

    /// `progress` counts rows read and checked; the good ones are then stored in one transaction.
    static func run(file: String, into store: any QuestionStore, now: Date = WallClock.now(), progress: ProgressLine? = nil) async throws -> Report {
        let content: String
        do {
            content = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TyndauError.notFound(file)
        }
        let rows = ImportReader.read(content, format: ImportReader.format(path: file, content: content))
        let validator = QuestionValidator()
        var report = Report()
        var batch: [NewQuestion] = []
        let language = CLIText.language
        for row in rows {
            progress?.advance()
            do {
                var newQuestion = try validator.validate(try row.result.get(), now: now)
                newQuestion.sourceKey = row.sourceKey
                batch.append(newQuestion)
            } catch let error as TyndauError {
                report.rejected += 1
                let fields = error.localizedFields(in: language).sorted { $0.key < $1.key }
                    .map { "\($0.key) — \($0.value)" }.joined(separator: "; ")
                report.errorLines.append(CLIText.text(
                    "import.row-error", row.number, fields.isEmpty ? error.localizedMessage(in: language) : fields))
            }
        }
        let outcome = try await store.insert(batch: batch)
        report.added = outcome.inserted.count
        report.alreadyPresent = outcome.alreadyPresent
        return report
    }
}
