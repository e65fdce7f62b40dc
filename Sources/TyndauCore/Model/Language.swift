import Foundation

/// The language a resident wrote in, as detected from the text.
///
/// Kazakh in the 2021 Latin alphabet is kept apart from Cyrillic Kazakh because it needs
/// transliteration before matching; `mixed` is a Russian–Kazakh mixture, common in speech.
public enum TextLanguage: String, Sendable, Codable, CaseIterable, Hashable {
    case ru
    case kk
    case kkLatn = "kk-latn"
    case mixed
    case unknown

    /// The interface language to answer a resident in: Russian for Russian and unknown, Kazakh otherwise.
    public var replyLanguage: UILanguage {
        switch self {
        case .kk, .kkLatn: .kk
        case .ru, .mixed, .unknown: .ru
        }
    }
}

/// A language the product speaks to people in: pages, messages, CLI output, summaries.
public enum UILanguage: String, Sendable, Codable, CaseIterable, Hashable {
    case ru
    case kk
    case en

    /// Picks a language from a POSIX locale string such as `ru_RU.UTF-8` or `kk_KZ`; English otherwise.
    public init(posixLocale: String?) {
        let prefix = (posixLocale ?? "").lowercased().prefix(2)
        self = UILanguage(rawValue: String(prefix)) ?? .en
    }

    /// Picks the best supported language from an HTTP `Accept-Language` header, honouring q-values.
    public init(acceptLanguage: String?, fallback: UILanguage = .ru) {
        guard let header = acceptLanguage, !header.isEmpty else {
            self = fallback
            return
        }
        var best: (UILanguage, Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased() else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0, let language = UILanguage(rawValue: String(tag.prefix(2))) else { continue }
            if best == nil || quality > best!.1 { best = (language, quality) }
        }
        self = best?.0 ?? fallback
    }
}
