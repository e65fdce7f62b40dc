import Foundation
import QuestionCollection
import TyndauCore

extension FuzzTargets {
    /// Validation either names fields or gives a question whose text obeys the rules it checked.
    package static func validate(_ submission: Submission, _ validator: QuestionValidator) {
        do {
            let accepted = try validator.validate(submission, now: now)
            let text = accepted.question.text
            require(
                (validator.minimumLength...validator.maximumLength).contains(text.count),
                "accepted text of \(text.count) characters")
            require(!text.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control character kept")
            if let phone = accepted.contact?.phone { require(phone.hasPrefix("+"), "phone not E.164: \(phone)") }
        } catch let error as TyndauError {
            require(error.code == .validation, "validator threw \(error.code)")
        } catch {
            require(false, "validator threw \(error)")
        }
    }

    /// An import file as CSV and as JSON Lines; every row read is validated.
    @Sendable public static func importReader(_ data: Data) {
        let content = text(data)
        _ = ImportReader.format(path: "questions", content: content)
        let validator = QuestionValidator()
        for format in [ImportReader.Format.csv, .jsonl] {
            var lastNumber = 0
            for row in ImportReader.read(content, format: format) {
                require(row.number >= 1, "row number \(row.number)")
                require(row.number >= lastNumber, "row numbers out of order")
                lastNumber = row.number
                if case .success(let submission) = row.result { validate(submission, validator) }
            }
        }
    }
}
