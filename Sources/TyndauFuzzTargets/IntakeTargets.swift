import Foundation
import QuestionCollection
import TyndauCore
import TyndauServer

extension FuzzTargets {
    /// The fields the JSON API (`POST /api/v1/questions`) and Open311 (`POST /requests.json`) read.
    static let apiFields: Set<String> = ["text", "category", "street", "house", "name", "phone", "email", "telegram", "website", "language"]
    static let open311Fields: Set<String> = [
        "service_code", "description", "address_string", "email", "phone", "first_name", "last_name", "jurisdiction_id",
    ]

    /// A submission body as the web form, the JSON API and Open311 read it, then the validator; and the
    /// same bytes as a `Content-Type` value and as a stored `Submission` (Codable JSON).
    @Sendable static func intake(_ data: Data) {
        let bytes = [UInt8](data)
        let validator = QuestionValidator()
        for decoded in [
            try? RequestFields.json(bytes, known: apiFields, booleanFields: ["consent"]),
            try? RequestFields.json(bytes, known: open311Fields, booleanFields: ["consent"]),
            try? RequestFields.form(bytes, booleanFields: ["consent"]),
        ] {
            guard let fields = decoded else { continue }
            _ = try? fields.checkTypes()
            let submission = Submission(
                text: fields["text"] ?? fields["description"], category: fields["category"],
                street: fields["street"] ?? fields["address_string"], house: fields["house"], name: fields["name"],
                phone: fields["phone"], email: fields["email"], telegram: fields["telegram"],
                consent: fields.flags["consent"] ?? false, channel: .api
            )
            validate(submission, validator)
        }
        _ = RequestFields.mediaType(text(data))
        if let stored = try? JSONDecoder().decode(Submission.self, from: data) {
            validate(stored, validator)
        }
    }

    /// Validation either names fields or gives a question whose text obeys the rules it checked.
    static func validate(_ submission: Submission, _ validator: QuestionValidator) {
        do {
            let accepted = try validator.validate(submission, now: now)
            let text = accepted.question.text
            require(
                (validator.minimumLength...validator.maximumLength).contains(text.count),
                "accepted text of \(text.count) characters")
            require(!text.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control character kept")
            if let phone = accepted.contact?.phone { require(phone.hasPrefix("+"), "phone not E.164: \(phone)") }
        } catch let error as TyndauError {
            require(error.code == "validation", "validator threw \(error.code)")
        } catch {
            require(false, "validator threw \(error)")
        }
    }

    /// An import file as CSV and as JSON Lines; every row read is validated.
    @Sendable static func importReader(_ data: Data) {
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
