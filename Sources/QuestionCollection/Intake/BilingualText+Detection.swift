import TyndauCore

extension BilingualText {
    /// The office's texts as a form, the API or the command line gives them: `kk` and `ru` as written,
    /// and a `single` text (the one-text option kept from before both languages were stored) put in
    /// the place of `language` when said, else of the language ``LanguageDetector`` finds (Kazakh for
    /// Kazakh in either alphabet, Russian otherwise). A single text whose place is already filled is
    /// ``TyndauError/validation(_:)`` naming `field` (`field.language-taken`).
    public static func fromOffice(
        kk: String?, ru: String?, single: String?, language: UILanguage? = nil, field: String
    ) throws -> BilingualText {
        var texts = BilingualText(kk: kk, ru: ru)
        guard let single = BilingualText(ru: single).ru else { return texts }
        let place = language.map { $0 == .kk ? UILanguage.kk : .ru } ?? LanguageDetector.detect(single).replyLanguage
        guard texts[place] == nil else { throw TyndauError.validation([field: "field.language-taken"]) }
        texts[place] = single
        return texts
    }
}
