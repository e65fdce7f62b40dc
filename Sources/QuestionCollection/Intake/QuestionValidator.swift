import Foundation
import TyndauCore

/// Checks and normalises a ``Submission`` into a question ready to store.
///
/// Text: Unicode NFC, control characters removed, whitespace collapsed, 10–2000 characters.
/// Phones become E.164 (`+7…`), e-mails are checked, and personal data needs consent. An IIN is
/// never required; one typed into the text is masked (``NationalID``).
/// Every rejection names the field and a localisation key for the reason, all at once.
public struct QuestionValidator: Sendable {
    public var minimumLength: Int
    public var maximumLength: Int
    /// Limit for the short optional fields (street, house, name).
    public var maximumFieldLength: Int

    public init(minimumLength: Int = 10, maximumLength: Int = 2000, maximumFieldLength: Int = 200) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.maximumFieldLength = maximumFieldLength
    }

    /// The stored question and contact, or ``TyndauError/validation(_:)`` naming each bad field.
    public func validate(_ submission: Submission, now: Date) throws -> NewQuestion {
        var problems: [String: String] = [:]

        // An IIN typed into the text is masked: it is never stored, shown back or published.
        let text = NationalID.maskingIINs(in: TextCleaner.clean(submission.text ?? ""))
        if text.isEmpty {
            problems["text"] = "field.required"
        } else if text.count < minimumLength {
            problems["text"] = "field.too-short"
        } else if text.count > maximumLength {
            problems["text"] = "field.too-long"
        }

        var category: QuestionCategory?
        if let raw = Self.optional(submission.category) {
            category = QuestionCategory(rawValue: raw.lowercased())
            if category == nil { problems["category"] = "field.unknown-category" }
        }

        let street = shortField(submission.street, "street", &problems)
        let house = shortField(submission.house, "house", &problems)
        let name = shortField(submission.name, "name", &problems)

        var phone: String?
        if let raw = Self.optional(submission.phone) {
            phone = PhoneNumber.e164(raw)
            if phone == nil { problems["phone"] = "field.invalid-phone" }
        }
        var email: String?
        if let raw = Self.optional(submission.email) {
            email = EmailAddress.isValid(raw) ? raw : nil
            if email == nil { problems["email"] = "field.invalid-email" }
        }
        var telegram: String?
        if let raw = Self.optional(submission.telegram) {
            telegram = TelegramUsername.normalised(raw)
            if telegram == nil { problems["telegram"] = "field.invalid-telegram" }
        }

        var submittedAt = now
        if let raw = Self.optional(submission.submittedAt) {
            if let date = ISODate.parse(raw) {
                submittedAt = date
            } else {
                problems["submitted_at"] = "field.invalid-date"
            }
        }

        let contact = AskerContact(
            name: name, phone: phone, email: email, telegramUsername: telegram,
            consent: submission.consent, consentAt: submission.consent ? now : nil,
            language: submission.language
        )
        let givesPersonalData = [submission.name, submission.phone, submission.email, submission.telegram]
            .contains { Self.optional($0) != nil }
        if givesPersonalData && !submission.consent {
            problems["consent"] = "field.consent-required"
        }

        guard problems.isEmpty else { throw TyndauError.validation(problems) }

        let question = Question(
            text: text,
            language: LanguageDetector.detect(text),
            category: category,
            street: street,
            house: house,
            channel: submission.channel,
            externalID: Self.optional(submission.externalID),
            submittedAt: submittedAt
        )
        return NewQuestion(question: question, contact: contact.isEmpty ? nil : contact)
    }

    private func shortField(_ raw: String?, _ field: String, _ problems: inout [String: String]) -> String? {
        guard let value = Self.optional(raw) else { return nil }
        if value.count > maximumFieldLength {
            problems[field] = "field.too-long"
            return nil
        }
        return value
    }

    /// A cleaned field, or `nil` when it is empty after cleaning.
    static func optional(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let cleaned = TextCleaner.clean(raw)
        return cleaned.isEmpty ? nil : cleaned
    }

}

/// Text hygiene shared by every field: NFC, no control or invisible formatting characters,
/// runs of whitespace collapsed to one space, trimmed.
public enum TextCleaner {
    public static func clean(_ raw: String) -> String {
        // Foundation's NFC and the Unicode property tables cost more than the rest of the intake's text
        // work; a text made only of scalars ``ScalarClass`` covers needs neither.
        guard raw.unicodeScalars.allSatisfy(ScalarClass.isCovered) else {
            return cleanNormalised(raw.precomposedStringWithCanonicalMapping)
        }
        // Already NFC, and the whitespace and category tests answered by range.
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in raw.unicodeScalars {
            if ScalarClass.isWhitespace(scalar.value) {
                pendingSpace = !output.isEmpty
                continue
            }
            if ScalarClass.isControlOrFormat(scalar.value) { continue }
            if pendingSpace {
                output.append(" ")
                pendingSpace = false
            }
            output.append(scalar)
        }
        return String(output)
    }

    /// The first version, which always asks Foundation for NFC: the reference ``clean(_:)`` is tested against.
    static func referenceClean(_ raw: String) -> String {
        cleanNormalised(raw.precomposedStringWithCanonicalMapping)
    }

    private static func cleanNormalised(_ normalised: String) -> String {
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in normalised.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !output.isEmpty
                continue
            }
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned:
                continue
            default:
                break
            }
            if pendingSpace {
                output.append(" ")
                pendingSpace = false
            }
            output.append(scalar)
        }
        return String(output)
    }
}

/// Phone numbers as residents type them in Kazakhstan: `8 701 123 45 67`, `+7 (727) 2-50-50-50`,
/// `87011234567`, `7011234567`. Normalised to E.164.
public enum PhoneNumber {
    public static func e164(_ raw: String) -> String? {
        let allowedPunctuation: Set<Character> = [" ", "-", "(", ")", ".", "\u{00A0}"]
        var digits = ""
        var plus = false
        for (index, character) in raw.enumerated() {
            if character == "+" && index == 0 {
                plus = true
            } else if character.isASCII, character.isNumber {
                digits.append(character)
            } else if !allowedPunctuation.contains(character) {
                return nil
            }
        }
        if plus {
            if digits.hasPrefix("7") { return digits.count == 11 ? "+" + digits : nil }
            return (8...15).contains(digits.count) ? "+" + digits : nil
        }
        if digits.count == 11, digits.hasPrefix("8") || digits.hasPrefix("7") {
            return "+7" + digits.dropFirst()
        }
        if digits.count == 10, digits.hasPrefix("7") {
            return "+7" + digits
        }
        return nil
    }
}

/// A deliberately plain e-mail check: one `@`, a local part, a dotted domain, no spaces.
public enum EmailAddress {
    public static func isValid(_ raw: String) -> Bool {
        guard raw.count <= 254, !raw.contains(where: \.isWhitespace) else { return false }
        let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        } && !parts[0].contains(where: { "<>()[]\\,;:\"".contains($0) })
    }
}

/// Telegram usernames: 5–32 characters of `A–Z a–z 0–9 _`, given with or without `@` or a t.me link.
public enum TelegramUsername {
    public static func normalised(_ raw: String) -> String? {
        var name = Substring(raw)
        for prefix in ["https://t.me/", "http://t.me/", "t.me/", "@"] where name.hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
        }
        guard (5...32).contains(name.count),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { return nil }
        return String(name)
    }
}
