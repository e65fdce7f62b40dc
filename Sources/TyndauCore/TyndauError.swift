import Foundation

/// The library's error: one readable line for people (``localizedMessage(in:)``), structured fields
/// for programs (``code``, ``fields``). New cases are new static members, so callers never break.
public struct TyndauError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Machine-readable error code, stable across releases (`validation`, `not-found`, …).
    public let code: String
    /// Localisation key of the message, with its arguments.
    public let messageKey: String
    public let arguments: [String]
    /// Per-field reasons for validation errors: field name → localisation key.
    public let fields: [String: String]

    public init(code: String, messageKey: String, arguments: [String] = [], fields: [String: String] = [:]) {
        self.code = code
        self.messageKey = messageKey
        self.arguments = arguments
        self.fields = fields
    }

    public func localizedMessage(in language: UILanguage) -> String {
        CoreText.table.text(messageKey, language, arguments)
    }

    /// Field reasons in `language`, keyed by field name.
    public func localizedFields(in language: UILanguage) -> [String: String] {
        fields.mapValues { CoreText.table.text($0, language) }
    }

    public var description: String {
        let message = localizedMessage(in: .en)
        guard !fields.isEmpty else { return message }
        let details = localizedFields(in: .en).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        return message + " (" + details.joined(separator: "; ") + ")"
    }

    public static func illegalTransition(from: QuestionStatus, to: QuestionStatus) -> TyndauError {
        TyndauError(code: "illegal-transition", messageKey: "error.illegal-transition", arguments: [from.rawValue, to.rawValue])
    }

    public static func notFound(_ what: String) -> TyndauError {
        TyndauError(code: "not-found", messageKey: "error.not-found", arguments: [what])
    }

    /// Validation failed; `fields` maps each field to the localisation key of its reason.
    public static func validation(_ fields: [String: String]) -> TyndauError {
        TyndauError(code: "validation", messageKey: "error.validation", fields: fields)
    }

    public static func databaseTooNew(_ path: String) -> TyndauError {
        TyndauError(code: "database-too-new", messageKey: "error.database-too-new", arguments: [path])
    }

    public static func conflict(_ what: String) -> TyndauError {
        TyndauError(code: "conflict", messageKey: "error.conflict", arguments: [what])
    }

    public static func configuration(_ path: String, _ reason: String) -> TyndauError {
        TyndauError(code: "configuration", messageKey: "error.configuration", arguments: [path, reason])
    }
}
