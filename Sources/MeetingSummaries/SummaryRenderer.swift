import Foundation
import Mustache
import TyndauCore

/// Renders meeting digests and personal notices from Mustache templates, in Russian, Kazakh or
/// English. Templates ship in the package (`Resources/templates/digest.ru.mustache`, …); an office
/// overrides any of them by putting a file with the same name in its own templates folder.
///
/// The output is plain text: each publisher target escapes it for its own markup.
public struct SummaryRenderer: Sendable {
    private let library: MustacheLibrary
    private let scrubber: PersonalDataScrubber

    /// Loads the bundled templates, then `overrideDirectory`'s (which win on the same name).
    public init(overrideDirectory: String? = nil, scrubber: PersonalDataScrubber = PersonalDataScrubber()) async throws {
        var library = try await Self.loadBundled()
        if let overrideDirectory, FileManager.default.fileExists(atPath: overrideDirectory) {
            let overrides = try await MustacheLibrary(directory: overrideDirectory)
            for name in Self.templateNames {
                if let template = overrides.getTemplate(named: name) { library.register(template, named: name) }
            }
        }
        self.library = library
        self.scrubber = scrubber
    }

    static let templateNames = UILanguage.allCases.flatMap { ["digest.\($0.rawValue)", "notice.\($0.rawValue)"] }

    /// SwiftPM flattens processed resources, so templates are found by name wherever they landed.
    private static func loadBundled() async throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for name in templateNames {
            guard let path = Bundle.module.path(forResource: name, ofType: "mustache") else {
                throw TyndauError.notFound("template \(name).mustache")
            }
            try library.register(try String(contentsOfFile: path, encoding: .utf8), named: name)
        }
        return library
    }

    /// The public digest: question text scrubbed of personal data before it is rendered.
    public func digest(_ digest: MeetingDigest, language: UILanguage) -> String {
        let format = DateText(language: language, timeZone: digest.timeZone)
        let context: [String: Any] = [
            "week": digest.week.description,
            "date": format.day(digest.startsAt),
            "topicCount": digest.topics.count,
            "residentsHeard": digest.residentsHeard,
            "topics": digest.topics.enumerated().map { index, entry in
                entryContext(entry, number: index + 1, format: format, language: language)
            },
        ]
        return Self.tidy(library.render(context, withTemplate: "digest.\(language.rawValue)") ?? "")
    }

    /// A message to one asker, in the language they wrote in.
    public func notice(_ notice: PersonalNotice, language: UILanguage) -> String {
        let format = DateText(language: language, timeZone: notice.timeZone)
        let context: [String: Any] = [
            "ticket": notice.ticket,
            "question": notice.question,
            "date": format.day(notice.meetingStartsAt),
            // The asker's language's text, or the other one after a note saying so ("never silently").
            "answer": notice.answer.text(for: language),
            "isCommitment": notice.kind == .commitment,
            "isRedirected": notice.kind == .redirected,
            "isWritten": notice.kind == .written,
            "responsible": notice.responsible?.text(for: language, as: .name) ?? "",
            "due": notice.dueDate.map(format.isoDay) ?? "",
            "redirectedTo": notice.redirectedTo ?? "",
            "statusURL": notice.statusURL ?? "",
        ]
        return Self.tidy(library.render(context, withTemplate: "notice.\(language.rawValue)") ?? "")
    }

    /// The entry's texts in `language`; one missing in it comes in the other language with a note
    /// (inside `question`/`answer`, so an office's own template cannot drop it).
    private func entryContext(_ entry: MeetingDigest.Entry, number: Int, format: DateText, language: UILanguage) -> [String: Any] {
        [
            "number": number,
            "question": scrubber.scrub(entry.question.text(for: language, as: .name), names: entry.askerNames),
            "askers": entry.askers,
            "answer": scrubber.scrub(entry.answer.text(for: language), names: entry.askerNames),
            "isCommitment": entry.kind == .commitment,
            "isRedirected": entry.kind == .redirected,
            "responsible": entry.responsible?.text(for: language, as: .name) ?? "",
            "due": entry.dueDate.map(format.isoDay) ?? "",
            "redirectedTo": entry.redirectedTo ?? "",
        ]
    }

    /// Collapses the blank lines that empty sections leave behind.
    static func tidy(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(trimmed.isEmpty ? "" : line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

/// Dates as people read them: "3 декабря 2026", "2026 жылғы 3 желтоқсан", "3 December 2026".
struct DateText {
    var language: UILanguage
    var timeZone: TimeZone

    private static let months: [UILanguage: [String]] = [
        .ru: ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"],
        .kk: ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"],
        .en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    ]

    func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return render(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    /// A `yyyy-MM-dd` date in words; unparseable input is shown as written.
    func isoDay(_ iso: String) -> String {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return iso }
        return render(year: parts[0], month: parts[1], day: parts[2])
    }

    private func render(year: Int, month: Int, day: Int) -> String {
        let name = Self.months[language]![month - 1]
        switch language {
        case .ru: return "\(day) \(name) \(year)"
        case .kk: return "\(year) жылғы \(day) \(name)"
        case .en: return "\(day) \(name) \(year)"
        }
    }
}
