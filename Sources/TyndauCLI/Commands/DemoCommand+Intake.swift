import Foundation
import Logging
import QuestionCollection
import TyndauCore
import TyndauServer
import TyndauSQLite

extension DemoCommand {
    /// Web/API intake stage: three submissions through the same path `tyndau serve` uses (honeypot,
    /// rate limit, validation, duplicate check, group commit, acknowledgement), then the golden hour.
    static func intakeStage(database: any TyndauStore) async throws {
        print(CLIText.text("demo.intake"))
        var logger = Logger(label: "tyndau-demo")
        logger.logLevel = .warning
        let intake = QuestionIntake(store: database, settings: IntakeSettings(), now: WallClock.now)
        let resident = ClientIdentity(address: "192.0.2.10")
        let submissions = [
            Submission(text: "Когда на Жандосова, 58 поставят светофор у школы? Дети перебегают дорогу.", street: "Жандосова", house: "58", channel: .web, language: .ru),
            Submission(text: "Біздің аулада балалар алаңы сынған, қашан жөндейсіздер?", street: "Саина", channel: .api, language: .kk),
            Submission(text: "Когда на Жандосова, 58  поставят светофор у школы? Дети перебегают дорогу.", channel: .web, language: .ru),
        ]
        for submission in submissions {
            let receipt = try await intake.submit(submission, honeypot: nil, client: resident, logger: logger)
            let question = receipt.question
            print("  " + CLIText.text(
                receipt.isDuplicate ? "demo.intake-duplicate" : "demo.intake-accepted",
                question.ticket ?? "", submission.channel.rawValue, question.language.rawValue,
                CoreText.status(question.status, CLIText.language)
            ))
        }
        let report = try await database.goldenHour(since: nil, now: WallClock.now(), window: 3600, oldestLimit: 3)
        for line in SlaCommand.lines(report) { print("  " + line) }
    }
}
