import Foundation
import TyndauCore

/// The scheduler's texts (agenda headings, reasons, notes) in Russian, Kazakh and English.
public enum AgendaText {
    public static let table = LocalizationTable(resource: "agenda", bundle: .module).merging(CoreText.table)

    public static func text(_ key: String, _ language: UILanguage, _ arguments: [String] = []) -> String {
        table.text(key, language, arguments)
    }

    /// "Russian · Kazakh" — how the agenda's headings and labels read.
    static func bilingual(_ key: String, _ arguments: [String] = []) -> String {
        let ru = text(key, .ru, arguments)
        let kk = text(key, .kk, arguments)
        return ru == kk ? ru : ru + " · " + kk
    }

    /// The "why it is here" line: askers, weeks waited, urgency words, pin.
    public static func why(_ reasons: Agenda.Reasons, _ language: UILanguage) -> String {
        var parts = [text("why.askers", language, [String(reasons.askers)])]
        if reasons.weeksWaited > 0 { parts.append(text("why.waited", language, [String(reasons.weeksWaited)])) }
        if !reasons.urgency.isEmpty {
            parts.append(text("why.urgent", language, [reasons.urgency.map { "«\($0)»" }.joined(separator: ", ")]))
        }
        if reasons.pinned { parts.append(text("why.pinned", language)) }
        return parts.joined(separator: "; ")
    }

    public static func reason(_ reason: Agenda.OmissionReason, _ language: UILanguage) -> String {
        switch reason {
        case .skipped(let why): text("reason.skipped", language, [why])
        case .outranked: text("reason.carried-over", language)
        }
    }

    /// What a reason code means, without the details of one topic (the JSON's legend).
    public static func reasonLabel(_ code: String, _ language: UILanguage) -> String {
        code == "skipped" ? text("reason.skipped-label", language) : text("reason." + code, language)
    }

    public static func note(_ note: Agenda.Note, _ language: UILanguage) -> String {
        switch note {
        case .blockShort(let block, let required, let available):
            text("note.block-short", language, [CoreText.block(block, language), String(required), String(available)])
        case .blockMinimumsLifted:
            text("note.block-minimums-lifted", language)
        case .meetingOnDayOff(let names):
            text("note.meeting-on-day-off", language, [names[language.rawValue] ?? names["ru"] ?? ""])
        }
    }
}

/// Date and number forms shared by the renderers, computed by hand so output never depends on the
/// machine's locale.
enum AgendaFormat {
    /// `+05:00`
    static func offset(_ date: Date, _ zone: TimeZone, colon: Bool = true) -> String {
        let seconds = zone.secondsFromGMT(for: date)
        let sign = seconds < 0 ? "-" : "+"
        let hours = abs(seconds) / 3600
        let minutes = abs(seconds) % 3600 / 60
        return sign + String(format: colon ? "%02d:%02d" : "%02d%02d", hours, minutes)
    }

    /// `2026-12-03T15:00:00+05:00`
    static func timestamp(_ date: Date, _ zone: TimeZone) -> String {
        LocalTime(date, in: zone).isoSeconds + offset(date, zone)
    }

    /// `2026-12-03`
    static func day(_ date: Date, _ zone: TimeZone) -> String { LocalTime(date, in: zone).date.description }

    /// `15:05`
    static func clock(_ date: Date, _ zone: TimeZone) -> String { LocalTime(date, in: zone).clock }

    /// Thousandths as a decimal without trailing zeros: 12500 → `12.5` (no `String(format:)`,
    /// which is slow enough to matter over thousands of rows).
    static func points(_ thousandths: Int) -> String {
        let value = abs(thousandths)
        var text = (thousandths < 0 ? "-" : "") + String(value / 1000)
        var fraction = value % 1000
        guard fraction != 0 else { return text }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let fractionText = String(fraction)
        text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        return text
    }
}
