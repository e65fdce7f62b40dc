import Foundation

/// The library's error: one readable line for people (``localizedMessage(in:)``), structured fields
/// for programs (``code``, ``fields``). New cases are new static members, so callers never break.
public struct TyndauError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A machine-readable error code, stable across releases: its raw value (`validation`,
    /// `not-found`, …) is what the API's `error.code` and the logs carry. Programs switch on the
    /// static members; a new code is a new member here, in one list.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let agendaFrozen = Code("agenda-frozen")
        public static let agendaPinnedDoNotFit = Code("agenda-pinned-do-not-fit")
        public static let backupDamaged = Code("backup-damaged")
        public static let backupTargetExists = Code("backup-target-exists")
        public static let backupUsePgDump = Code("backup-use-pg-dump")
        public static let badParameter = Code("bad-parameter")
        public static let configuration = Code("configuration")
        public static let conflict = Code("conflict")
        public static let databaseFailed = Code("database-failed")
        public static let databaseMissing = Code("database-missing")
        public static let databaseTooNew = Code("database-too-new")
        public static let databaseUnavailable = Code("database-unavailable")
        public static let databaseUnreachable = Code("database-unreachable")
        public static let databaseUrl = Code("database-url")
        public static let forbidden = Code("forbidden")
        public static let illegalTransition = Code("illegal-transition")
        public static let `internal` = Code("internal")
        public static let malformed = Code("malformed")
        public static let malformedRow = Code("malformed-row")
        public static let meetingClosed = Code("meeting-closed")
        public static let meetingNotStarted = Code("meeting-not-started")
        public static let migrationsPending = Code("migrations-pending")
        public static let notFound = Code("not-found")
        public static let rateLimited = Code("rate-limited")
        public static let tooLarge = Code("too-large")
        public static let transferCycle = Code("transfer-cycle")
        public static let transferSchemaMismatch = Code("transfer-schema-mismatch")
        public static let transferTargetNotEmpty = Code("transfer-target-not-empty")
        public static let transferVerificationFailed = Code("transfer-verification-failed")
        public static let unauthorized = Code("unauthorized")
        public static let unsupportedMediaType = Code("unsupported-media-type")
        public static let validation = Code("validation")
        public static let workingCalendarMalformed = Code("working-calendar-malformed")
        public static let workingCalendarMissing = Code("working-calendar-missing")
    }

    /// Machine-readable error code, stable across releases.
    public let code: Code
    /// Localisation key of the message, with its arguments.
    public let messageKey: String
    public let arguments: [String]
    /// Per-field reasons for validation errors: field name → localisation key.
    public let fields: [String: String]

    public init(code: Code, messageKey: String, arguments: [String] = [], fields: [String: String] = [:]) {
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
        TyndauError(code: .illegalTransition, messageKey: "error.illegal-transition", arguments: [from.rawValue, to.rawValue])
    }

    public static func notFound(_ what: String) -> TyndauError {
        TyndauError(code: .notFound, messageKey: "error.not-found", arguments: [what])
    }

    /// Validation failed; `fields` maps each field to the localisation key of its reason.
    public static func validation(_ fields: [String: String]) -> TyndauError {
        TyndauError(code: .validation, messageKey: "error.validation", fields: fields)
    }

    public static func databaseTooNew(_ path: String) -> TyndauError {
        TyndauError(code: .databaseTooNew, messageKey: "error.database-too-new", arguments: [path])
    }

    public static func conflict(_ what: String) -> TyndauError {
        TyndauError(code: .conflict, messageKey: "error.conflict", arguments: [what])
    }

    /// A question from a channel whose source key (an import's external id, a bot message) is already
    /// stored: each source item becomes one question. The engines detect it; the refusal is this one.
    public static func sourceKeyTaken(_ sourceKey: String?) -> TyndauError {
        conflict("source key \(sourceKey ?? "")")
    }

    /// An office account name is unique.
    public static func userNameTaken(_ name: String) -> TyndauError {
        conflict("user \(name)")
    }

    public static func configuration(_ path: String, _ reason: String) -> TyndauError {
        TyndauError(code: .configuration, messageKey: "error.configuration", arguments: [path, reason])
    }
}
