import Foundation
import TyndauCore

/// The server's texts (pages, API errors, Open311 service names) merged over the core table, so
/// `TyndauError`s from any module render in the resident's language.
public enum ServerText {
    public static let table = CoreText.table.merging(LocalizationTable(resourcesWithPrefix: "server", bundle: .module))

    public static func text(_ key: String, _ language: UILanguage, _ arguments: [String] = []) -> String {
        table.text(key, language, arguments)
    }

    /// The error's one-line message in `language`.
    public static func message(_ error: TyndauError, _ language: UILanguage) -> String {
        table.text(error.messageKey, language, error.arguments)
    }

    /// The error's field reasons in `language`, keyed by field name.
    public static func fields(_ error: TyndauError, _ language: UILanguage) -> [String: String] {
        error.fields.mapValues { table.text($0, language) }
    }

    /// Every `page.*` text in `language` with `.` and `-` turned into `_` (`page_form_title`), the
    /// shape Mustache's dotted names can reach.
    static func pageTexts(_ language: UILanguage) -> [String: String] {
        var texts: [String: String] = [:]
        for key in table.keys where key.hasPrefix("page.") {
            let name = key.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "_")
            texts[name] = table.text(key, language)
        }
        return texts
    }
}

/// Constant-time comparison for secrets such as status tokens: the time taken does not depend on
/// where the first difference is, so a token cannot be guessed byte by byte from response times.
public enum ConstantTime {
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0 && left.count == right.count
    }
}
