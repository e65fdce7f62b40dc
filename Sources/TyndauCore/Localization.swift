import Foundation

/// A table of user-facing texts in Russian, Kazakh and English, loaded from a JSON resource
/// (`{"key": {"ru": "…", "kk": "…", "en": "…"}}`). Each module ships its own table; `{0}`, `{1}` …
/// in a text are replaced by arguments. A missing translation falls back to Russian, then English,
/// then the key itself, so a gap shows up instead of crashing.
public struct LocalizationTable: Sendable {
    private let entries: [String: [String: String]]

    public init(entries: [String: [String: String]]) {
        self.entries = entries
    }

    /// Loads `name.json` from `bundle`; an unreadable table is a packaging bug, so it traps early.
    public init(resource name: String, bundle: Bundle) {
        guard
            let url = bundle.url(forResource: name, withExtension: "json"),
            let data = try? Data(contentsOf: url),
            let entries = try? JSONDecoder().decode([String: [String: String]].self, from: data)
        else {
            preconditionFailure("localisation table \(name).json is missing or malformed in \(bundle.bundlePath)")
        }
        self.entries = entries
    }

    /// Merges every `prefix*.json` table in `bundle`, so each feature can ship its own file
    /// (`cli.json`, `cli-topics.json`, …) without editing a shared one.
    public init(resourcesWithPrefix prefix: String, bundle: Bundle) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: bundle.resourcePath ?? bundle.bundlePath)) ?? []
        var merged = LocalizationTable(entries: [:])
        for file in files.sorted() where file.hasPrefix(prefix) && file.hasSuffix(".json") {
            merged = merged.merging(LocalizationTable(resource: String(file.dropLast(5)), bundle: bundle))
        }
        self = merged
    }

    public func text(_ key: String, _ language: UILanguage, _ arguments: [String] = []) -> String {
        let variants = entries[key]
        var text = variants?[language.rawValue] ?? variants?["ru"] ?? variants?["en"] ?? key
        for (index, argument) in arguments.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: argument)
        }
        return text
    }

    public func contains(_ key: String) -> Bool { entries[key] != nil }

    public var keys: [String] { entries.keys.sorted() }

    /// Keys that lack one of the three languages: a test asserts this is empty for every table.
    public var incompleteKeys: [String] {
        entries.filter { _, variants in UILanguage.allCases.contains { variants[$0.rawValue]?.isEmpty ?? true } }
            .map(\.key).sorted()
    }

    /// This table with `other`'s entries added (other's win on the same key).
    public func merging(_ other: LocalizationTable) -> LocalizationTable {
        LocalizationTable(entries: entries.merging(other.entries) { _, new in new })
    }
}

/// The core table: statuses, categories, blocks, errors and field reasons shared by every module,
/// merged from every `core*.json` resource so features add their errors in their own file.
public enum CoreText {
    public static let table = LocalizationTable(resourcesWithPrefix: "core", bundle: .module)

    public static func status(_ status: QuestionStatus, _ language: UILanguage) -> String {
        table.text("status." + status.rawValue, language)
    }

    public static func category(_ category: QuestionCategory, _ language: UILanguage) -> String {
        table.text("category." + category.rawValue, language)
    }

    public static func block(_ block: AgendaBlock, _ language: UILanguage) -> String {
        table.text("block." + block.rawValue, language)
    }
}
