import Foundation
import TyndauFuzzTargets
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
    @Sendable public static func intake(_ data: Data) {
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
}
