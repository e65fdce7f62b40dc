import Foundation

/// A public text in both state languages — Kazakh and Russian — either of which may be missing.
///
/// The one place that decides what a reader of a language sees: their language's text when there is
/// one, otherwise the other language's text *with a note saying so in the reader's language* (an
/// answer: "Жауаптың қазақша мәтіні әлі жоқ; орысша: …"; a title or a body: "… (орысша)"), never
/// the other language silently. English readers get Russian, else Kazakh, marked likewise. Digests,
/// notices, agenda files, public pages and the console all call ``text(for:as:)``; storage engines
/// only keep and read the two texts.
public struct BilingualText: Sendable, Codable, Hashable {
    public var kk: String?
    public var ru: String?

    /// Blank texts are kept as missing.
    public init(kk: String? = nil, ru: String? = nil) {
        self.kk = Self.clean(kk)
        self.ru = Self.clean(ru)
    }

    /// One text in `language` (English counts as Russian: the office writes in the state languages).
    public init(_ text: String?, in language: UILanguage) {
        self = language == .kk ? BilingualText(kk: text) : BilingualText(ru: text)
    }

    /// The languages a text is kept in, Kazakh first as the state language.
    public static let languages: [UILanguage] = [.kk, .ru]

    /// The stored text in `language` (`nil` for English, which is never stored).
    public subscript(language: UILanguage) -> String? {
        get {
            switch language {
            case .kk: kk
            case .ru: ru
            case .en: nil
            }
        }
        set {
            switch language {
            case .kk: kk = Self.clean(newValue)
            case .ru: ru = Self.clean(newValue)
            case .en: break
            }
        }
    }

    public var isEmpty: Bool { kk == nil && ru == nil }

    /// The Kazakh text, else the Russian one: what a single-text column keeps.
    public var primary: String? { kk ?? ru }

    /// Of Kazakh and Russian, those without a text (empty when both are there, or when neither is).
    public var missingLanguages: [UILanguage] { isEmpty ? [] : Self.languages.filter { self[$0] == nil } }

    /// Each language's text, or `fallback`'s where this one has none.
    public func filled(from fallback: BilingualText) -> BilingualText {
        BilingualText(kk: kk ?? fallback.kk, ru: ru ?? fallback.ru)
    }

    /// Both texts passed through `transform` (scrubbing personal data, escaping).
    public func map(_ transform: (String) -> String) -> BilingualText {
        BilingualText(kk: kk.map(transform), ru: ru.map(transform))
    }

    /// What kind of text this is: an answer's missing language is announced before it, a name's after.
    public enum Role: String, Sendable, Hashable {
        /// An answer or a promise: "Жауаптың қазақша мәтіні әлі жоқ; орысша: <text>".
        case answer
        /// A topic title or a responsible body: "<text> (орысша)".
        case name
    }

    /// What a reader of a language sees.
    public struct Choice: Sendable, Hashable {
        /// The text as stored.
        public var text: String
        /// The language of `text`.
        public var language: UILanguage
        /// Set when `text` is not in the reader's language: the note that says so, in the reader's language.
        public var note: String?
    }

    /// The text for a reader of `language`, or `nil` when there is none in either language.
    public func choice(for language: UILanguage, as role: Role = .answer) -> Choice? {
        let order: [UILanguage] = language == .kk ? [.kk, .ru] : [.ru, .kk]
        guard let shown = order.first(where: { self[$0] != nil }), let text = self[shown] else { return nil }
        guard shown != language else { return Choice(text: text, language: shown, note: nil) }
        let note = CoreText.table.text("bilingual.\(role.rawValue).in-\(shown.rawValue)", language)
        return Choice(text: text, language: shown, note: note)
    }

    /// The text for a reader of `language` with its note when it is in the other language; `""` when
    /// there is none.
    public func text(for language: UILanguage, as role: Role = .answer) -> String {
        guard let choice = choice(for: language, as: role) else { return "" }
        guard let note = choice.note else { return choice.text }
        switch role {
        case .answer: return note + " " + choice.text
        case .name: return choice.text + " " + note
        }
    }

    /// For documents read in both languages (agenda files): both texts, Russian then Kazakh, when
    /// they differ; the one there is, marked for readers of the other, when one is missing.
    public func bothLanguages(as role: Role = .name, separator: String = " / ") -> String {
        switch (ru, kk) {
        case let (ru?, kk?): return ru == kk ? ru : ru + separator + kk
        case (_?, nil): return text(for: .kk, as: role)
        case (nil, _?): return text(for: .ru, as: role)
        case (nil, nil): return ""
        }
    }

    private static func clean(_ text: String?) -> String? {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Two stored language columns; a row written before both were kept has neither and reads as its
    /// one `single` text (filed under Russian, as the migration files a text without Kazakh letters).
    public static func stored(kk: String?, ru: String?, single: String) -> BilingualText {
        kk == nil && ru == nil ? BilingualText(ru: single) : BilingualText(kk: kk, ru: ru)
    }
}

/// A member question of a topic as a title candidate: its text and the language it was written in.
public struct MemberQuestionText: Sendable, Hashable, Codable {
    public var text: String
    public var language: TextLanguage

    public init(text: String, language: TextLanguage) {
        self.text = text
        self.language = language
    }
}

extension Topic {
    /// The longest title form the office may set.
    public static let titleLimit = 200
    /// The longest title made from a question's text (a grouping run, a split).
    public static let derivedTitleLength = 120

    /// The forms the office set (either may be missing).
    public var officeTitles: BilingualText { BilingualText(kk: titleKk, ru: titleRu) }

    /// The topic's title in both languages: the office's form where it set one; else, in the language
    /// of the representative (`members` lead with it), the topic's title, and in the other language
    /// the first member question written in it (a Russian–Kazakh mixture counts as neither); else —
    /// only mixtures, or no members — the single title in the slot of the representative's reply
    /// language, or of `fallbackLanguage`. A language still missing is marked as such by
    /// ``BilingualText/text(for:as:)``.
    public func titles(members: [MemberQuestionText], fallbackLanguage: UILanguage = .ru) -> BilingualText {
        // A Russian–Kazakh mixture (or an unknown language) is a form of neither language.
        func place(_ language: TextLanguage) -> UILanguage? {
            switch language {
            case .kk, .kkLatn: .kk
            case .ru: .ru
            case .mixed, .unknown: nil
            }
        }
        var defaults = BilingualText()
        if let representative = members.first, let language = place(representative.language) { defaults[language] = title }
        for member in members {
            guard let language = place(member.language), defaults[language] == nil else { continue }
            // Shortened as a grouping run shortens the representative's text into the title.
            defaults[language] = TopicEdits.derivedTitle(member.text)
        }
        let titles = officeTitles.filled(from: defaults)
        guard titles.isEmpty else { return titles }
        // Only mixtures: the title itself, in the representative's reply language.
        return BilingualText(title, in: members.first?.language.replyLanguage ?? fallbackLanguage)
    }

    /// Title forms trimmed, or ``TyndauError/validation(_:)`` naming `title_kk`/`title_ru` when too long.
    public static func validatedTitles(_ titles: BilingualText) throws -> BilingualText {
        var problems: [String: String] = [:]
        for language in BilingualText.languages where (titles[language]?.count ?? 0) > titleLimit {
            problems["title_\(language.rawValue)"] = "field.too-long"
        }
        guard problems.isEmpty else { throw TyndauError.validation(problems) }
        return titles
    }
}
