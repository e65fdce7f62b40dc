import Foundation
import TyndauCore

/// `agendas/YYYY-Www.md`: the agenda for people, with Russian and Kazakh headings and labels,
/// readable in any Markdown viewer (plain tables and lists, resident text escaped).
public struct AgendaMarkdownRenderer: Sendable {
    public init() {}

    public func render(_ agenda: Agenda) -> String {
        var out: [String] = []
        header(agenda, into: &out)
        notes(agenda, into: &out)
        timetable(agenda, into: &out)
        opening(agenda, into: &out)
        topics(agenda, into: &out)
        notSelected(agenda, into: &out)
        writtenAnswers(agenda, into: &out)
        var text = ""
        text.reserveCapacity(out.reduce(0) { $0 + $1.utf8.count + 1 })
        for (index, line) in out.enumerated() {
            if index > 0 { text += "\n" }
            text += line
        }
        return text
    }

    // MARK: Sections

    private static let t = AgendaText.bilingual

    /// The clock time `offset` minutes into the meeting, in the series' zone.
    private func at(_ agenda: Agenda, _ offset: Int) -> String {
        AgendaFormat.clock(agenda.start.addingTimeInterval(Double(offset) * 60), agenda.series.zone)
    }

    /// The title in both languages and the table of when, the cutoff, the candidates and the choice.
    private func header(_ agenda: Agenda, into out: inout [String]) {
        let t = Self.t
        let zone = agenda.series.zone
        out.append("# " + AgendaText.text("md.title", .ru, [agenda.week.description]))
        out.append("# " + AgendaText.text("md.title", .kk, [agenda.week.description]))
        out.append("")
        let weekday = LocalDate(agenda.start, timeZone: zone).weekday
        out.append("| | |")
        out.append("|---|---|")
        out.append("| \(t("md.when", [])) | \(AgendaFormat.day(agenda.start, zone)) (\(t("weekday.\(weekday)", []))), "
            + "\(AgendaFormat.clock(agenda.start, zone))–\(AgendaFormat.clock(agenda.end, zone)) "
            + "(\(agenda.series.timeZone), UTC\(AgendaFormat.offset(agenda.start, zone))) |")
        out.append("| \(t("md.cutoff", [])) | \(AgendaFormat.day(agenda.cutoff, zone)) \(AgendaFormat.clock(agenda.cutoff, zone)) |")
        out.append("| \(t("md.candidates", [])) | \(agenda.candidateCount) |")
        out.append("| \(t("md.selected", [])) | " + [UILanguage.ru, .kk].map {
            AgendaText.text("md.selected-value", $0, [String(agenda.topics.count), String(agenda.usedMinutes), String(agenda.topicMinutes)])
        }.joined(separator: " · ") + " |")
        out.append("| \(t("md.revised", [])) | \(AgendaFormat.day(agenda.revisedAt, zone)) \(AgendaFormat.clock(agenda.revisedAt, zone)) |")
        out.append("")
    }

    /// What the planner had to bend (block minimums, a day off), when anything.
    private func notes(_ agenda: Agenda, into out: inout [String]) {
        let t = Self.t
        if !agenda.notes.isEmpty {
            out.append("## " + t("md.notes", []))
            out.append("")
            for note in agenda.notes {
                out.append("- " + AgendaText.note(note, .ru))
                out.append("  " + AgendaText.note(note, .kk))
            }
            out.append("")
        }
    }

    /// The plan: intro, opening report, each block, reserve and closing, with their clock times.
    private func timetable(_ agenda: Agenda, into out: inout [String]) {
        let t = Self.t
        out.append("## " + t("md.plan", []))
        out.append("")
        out.append("| \(t("md.time", [])) | \(t("md.minutes", [])) | \(t("md.item", [])) |")
        out.append("|---|---:|---|")
        out.append("| \(at(agenda, 0)) | \(agenda.introMinutes) | \(t("md.intro", [])) |")
        out.append("| \(at(agenda, agenda.openingOffset)) | \(agenda.openingMinutes) | \(t("md.opening", [])) |")
        var offset = agenda.topicsOffset
        for plan in agenda.blocks where !plan.topics.isEmpty {
            out.append("| \(at(agenda, offset)) | \(plan.minutes) | \(blockName(plan.block)) (\(t("md.topics-count", [String(plan.topics.count)]))) |")
            offset += plan.minutes
        }
        if agenda.reserveMinutes > 0 {
            out.append("| \(at(agenda, offset)) | \(agenda.reserveMinutes) | \(t("md.reserve", [])) |")
        }
        out.append("| \(at(agenda, agenda.closingOffset)) | \(agenda.closingMinutes) | \(t("md.closing", [])) |")
        out.append("")
    }

    /// The opening report: the promises due, kept or not.
    private func opening(_ agenda: Agenda, into out: inout [String]) {
        let t = Self.t
        out.append("## " + t("md.opening", []))
        out.append("")
        if agenda.commitmentsDue.isEmpty {
            out.append("_" + t("md.opening-none", []) + "_")
        } else {
            for commitment in agenda.commitmentsDue {
                let state = t(commitment.done ? "md.commitment-done" : "md.commitment-open", [])
                let responsible = Self.escape(commitment.responsibleTexts.bothLanguages())
                out.append("- \(commitment.dueDate) · \(responsible) — \(Self.escape(commitment.texts.bothLanguages(as: .answer))) (\(state))")
            }
        }
        out.append("")
    }

    /// Each block with its topics, in the order they are discussed.
    private func topics(_ agenda: Agenda, into out: inout [String]) {
        let t = Self.t
        for (index, plan) in agenda.blocks.enumerated() {
            out.append("## \(index + 1). \(blockName(plan.block))")
            out.append("")
            out.append("_" + [UILanguage.ru, .kk].map {
                AgendaText.text("md.block-heading", $0, [String(plan.minutes), String(plan.minimumMinutes)])
            }.joined(separator: " · ") + "_")
            out.append("")
            if plan.topics.isEmpty {
                out.append(t("md.block-empty", []))
                out.append("")
            }
            for topic in plan.topics {
                out.append("### \(topic.position). \(at(agenda, topic.startOffsetMinutes)) · \(topic.minutes) \(AgendaText.text("md.minutes", .ru).lowercased()) — \(Self.escape(topic.titles.bothLanguages()))")
                out.append("")
                out.append("- \(t("md.askers", [])): \(topic.reasons.askers)")
                if let place = topic.place { out.append("- \(t("md.place", [])): \(Self.escape(place))") }
                if let responsible = topic.responsible { out.append("- \(t("md.responsible", [])): \(Self.escape(responsible))") }
                out.append("- \(t("md.why", [])): \(Self.escape(AgendaText.why(topic.reasons, .ru))) · \(Self.escape(AgendaText.why(topic.reasons, .kk)))")
                out.append("- \(t("md.priority", [])): \(AgendaFormat.points(topic.reasons.priority)) · #\(topic.topicID)")
                out.append("")
            }
        }
    }

    /// The topics left out and why, one table row each.
    private func notSelected(_ agenda: Agenda, into out: inout [String]) {
        let t = Self.t
        out.append("## " + t("md.not-selected", []))
        out.append("")
        if agenda.notSelected.isEmpty {
            out.append(t("md.not-selected-none", []))
        } else {
            out.append("| # | \(t("md.topic", [])) | \(t("md.block", [])) | \(t("md.askers", [])) | \(t("md.priority", [])) | \(t("md.reason", [])) |")
            out.append("|---:|---|---|---:|---:|---|")
            // Thousands of rows share a handful of texts: look each up once.
            var reasons: [Agenda.OmissionReason: String] = [:]
            let blocks = Dictionary(uniqueKeysWithValues: AgendaBlock.allCases.map { ($0, CoreText.block($0, .ru)) })
            for omission in agenda.notSelected {
                let reason = reasons[omission.reason] ?? (Self.cell(AgendaText.reason(omission.reason, .ru)) + " · "
                    + Self.cell(AgendaText.reason(omission.reason, .kk)))
                reasons[omission.reason] = reason
                out.append("| \(omission.topicID) | \(Self.cell(omission.titles.bothLanguages())) | \(blocks[omission.block]!) | "
                    + "\(omission.reasons.askers) | \(AgendaFormat.points(omission.reasons.priority)) | \(reason) |")
            }
        }
        out.append("")
    }

    /// The topics that go to a written answer, with their deadlines.
    private func writtenAnswers(_ agenda: Agenda, into out: inout [String]) {
        let t = Self.t
        out.append("## " + t("md.written", []))
        out.append("")
        out.append([UILanguage.ru, .kk].map {
            AgendaText.text("md.written-about", $0, [String(agenda.maxWaitingWeeks), String(agenda.writtenAnswerWorkingDays)])
        }.joined(separator: " "))
        out.append("")
        if agenda.writtenAnswers.isEmpty {
            out.append(t("md.written-none", []))
        } else {
            out.append("| # | \(t("md.topic", [])) | \(t("md.askers", [])) | \(t("md.submitted", [])) | \(t("md.deadline", [])) |")
            out.append("|---:|---|---:|---|---|")
            for entry in agenda.writtenAnswers {
                let overdue = entry.overdue ? " (\(t("md.overdue", [])))" : ""
                out.append("| \(entry.topicID) | \(Self.cell(entry.titles.bothLanguages())) | \(entry.reasons.askers) | \(entry.firstSubmitted) | \(entry.deadline)\(overdue) |")
            }
        }
        out.append("")
    }

    private func blockName(_ block: AgendaBlock) -> String {
        CoreText.block(block, .ru) + " · " + CoreText.block(block, .kk)
    }

    /// Resident text shown literally: Markdown's punctuation is backslash-escaped, line breaks flattened.
    static func escape(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            // Most titles need nothing: return them as they are.
            guard bytes.contains(where: { Self.needsEscape($0) }) else { return String(decoding: bytes, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 8)
            for byte in bytes {
                switch byte {
                case 0x0A, 0x0D, 0x09: out.append(0x20)
                case _ where Self.needsEscape(byte):
                    out.append(0x5C)
                    out.append(byte)
                default: out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Line breaks and `\ ` * _ [ ] < > # | ~`.
    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x0A, 0x0D, 0x09, 0x5C, 0x60, 0x2A, 0x5F, 0x5B, 0x5D, 0x3C, 0x3E, 0x23, 0x7C, 0x7E: true
        default: false
        }
    }

    /// Escaped text for a table cell.
    static func cell(_ text: String) -> String { escape(text) }
}
