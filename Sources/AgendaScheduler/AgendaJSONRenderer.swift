import Foundation
import TyndauCore

/// `agendas/YYYY-Www.json`: the agenda for programs, schema `tyndau.agenda/1` (documented in the
/// README). Keys come in a fixed, documented order (not alphabetical), numbers are exact decimals,
/// times carry their offset: the same agenda is always the same bytes.
public struct AgendaJSONRenderer: Sendable {
    public static let schema = "tyndau.agenda/1"

    public init() {}

    public func render(_ agenda: Agenda) -> String {
        let zone = agenda.series.zone
        func time(_ offset: Int) -> JSONValue {
            .string(AgendaFormat.timestamp(agenda.start.addingTimeInterval(Double(offset) * 60), zone))
        }
        func texts(_ make: (UILanguage) -> String) -> JSONValue {
            .object(UILanguage.allCases.map { ($0.rawValue, .string(make($0))) })
        }
        func reasons(_ r: Agenda.Reasons) -> [(String, JSONValue)] {
            [
                ("askers", .int(r.askers)),
                ("weeksWaited", .int(r.weeksWaited)),
                ("urgency", .array(r.urgency.map(JSONValue.string))),
                ("pinned", .bool(r.pinned)),
                ("priority", .number(AgendaFormat.points(r.priority))),
            ]
        }

        let blocks: [JSONValue] = agenda.blocks.map { plan in
            .object([
                ("block", .string(plan.block.rawValue)),
                ("name", texts { CoreText.block(plan.block, $0) }),
                ("minimumMinutes", .int(plan.minimumMinutes)),
                ("minutes", .int(plan.minutes)),
                ("topics", .array(plan.topics.map { topic in
                    .object([
                        ("position", .int(topic.position)),
                        ("topicId", .int(Int(topic.topicID))),
                        ("title", .string(topic.title)),
                        ("place", topic.place.map(JSONValue.string) ?? .null),
                        ("responsible", topic.responsible.map(JSONValue.string) ?? .null),
                        ("start", time(topic.startOffsetMinutes)),
                        ("startOffsetMinutes", .int(topic.startOffsetMinutes)),
                        ("minutes", .int(topic.minutes)),
                    ] + reasons(topic.reasons) + [
                        ("why", texts { AgendaText.why(topic.reasons, $0) }),
                    ])
                })),
            ])
        }

        // Thousands of omissions share a handful of reason texts: look each up once.
        var reasonTexts: [Agenda.OmissionReason: JSONValue] = [:]
        let root: JSONValue = .object([
            ("schema", .string(Self.schema)),
            ("week", .string(agenda.week.description)),
            ("meeting", .object([
                ("start", .string(AgendaFormat.timestamp(agenda.start, zone))),
                ("end", .string(AgendaFormat.timestamp(agenda.end, zone))),
                ("timeZone", .string(agenda.series.timeZone)),
                ("durationMinutes", .int(agenda.series.durationMinutes)),
                ("submissionCutoff", .string(AgendaFormat.timestamp(agenda.cutoff, zone))),
            ])),
            ("revisedAt", .string(AgendaFormat.timestamp(agenda.revisedAt, zone))),
            ("timeline", .object([
                ("introMinutes", .int(agenda.introMinutes)),
                ("openingMinutes", .int(agenda.openingMinutes)),
                ("topicMinutes", .int(agenda.topicMinutes)),
                ("usedMinutes", .int(agenda.usedMinutes)),
                ("reserveMinutes", .int(agenda.reserveMinutes)),
                ("closingMinutes", .int(agenda.closingMinutes)),
                ("closingStart", time(agenda.closingOffset)),
                ("maxTopics", .int(agenda.maxTopics)),
            ])),
            ("selection", .object([
                ("method", .string("exact-knapsack-dp")),
                ("candidates", .int(agenda.candidateCount)),
                ("chosen", .int(agenda.topics.count)),
                ("totalPriority", .number(AgendaFormat.points(agenda.totalPriority))),
                ("notes", .array(agenda.notes.map { note in
                    var fields: [(String, JSONValue)] = [("code", .string(note.code))]
                    switch note {
                    case .blockShort(let block, let required, let available):
                        fields += [("block", .string(block.rawValue)), ("requiredMinutes", .int(required)), ("availableMinutes", .int(available))]
                    case .blockMinimumsLifted:
                        break
                    case .meetingOnDayOff(let name):
                        fields.append(("dayOff", .string(name)))
                    }
                    fields.append(("text", texts { AgendaText.note(note, $0) }))
                    return .object(fields)
                })),
            ])),
            ("opening", .object([
                ("start", time(agenda.openingOffset)),
                ("commitmentsDue", .array(agenda.commitmentsDue.map { commitment in
                    .object([
                        ("topicId", .int(Int(commitment.topicID))),
                        ("text", .string(commitment.text)),
                        ("responsible", .string(commitment.responsible)),
                        ("dueDate", .string(commitment.dueDate)),
                        ("done", .bool(commitment.done)),
                    ])
                })),
            ])),
            ("blocks", .array(blocks)),
            ("notSelected", .array(agenda.notSelected.map { omission in
                var fields: [(String, JSONValue)] = [
                    ("topicId", .int(Int(omission.topicID))),
                    ("title", .string(omission.title)),
                    ("block", .string(omission.block.rawValue)),
                ] + reasons(omission.reasons)
                fields.append(("reason", .string(omission.reason.code)))
                if case .skipped(let why) = omission.reason { fields.append(("skipReason", .string(why))) }
                let reasonText = reasonTexts[omission.reason] ?? texts { AgendaText.reason(omission.reason, $0) }
                reasonTexts[omission.reason] = reasonText
                fields.append(("reasonText", reasonText))
                return .object(fields)
            })),
            ("writtenAnswers", .array(agenda.writtenAnswers.map { entry in
                .object([
                    ("topicId", .int(Int(entry.topicID))),
                    ("title", .string(entry.title)),
                    ("block", .string(entry.block.rawValue)),
                ] + reasons(entry.reasons) + [
                    ("firstSubmitted", .string(entry.firstSubmitted.description)),
                    ("deadline", .string(entry.deadline.description)),
                    ("workingDays", .int(agenda.writtenAnswerWorkingDays)),
                    ("overdue", .bool(entry.overdue)),
                    ("skipReason", entry.skipReason.map(JSONValue.string) ?? .null),
                ])
            })),
        ])
        var out = ""
        root.write(to: &out, indent: 0)
        return out + "\n"
    }
}

/// A JSON value whose objects keep their key order, written with two-space indentation.
enum JSONValue {
    case string(String)
    case int(Int)
    /// A number already in JSON form (e.g. `12.5`).
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    func write(to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .string(let text): JSONValue.quote(text, into: &out)
        case .int(let value): out += String(value)
        case .number(let text): out += text
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let values):
            guard !values.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (index, value) in values.enumerated() {
                out += pad
                value.write(to: &out, indent: indent + 1)
                out += index == values.count - 1 ? "\n" : ",\n"
            }
            out += closing + "]"
        case .object(let fields):
            guard !fields.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (index, field) in fields.enumerated() {
                out += pad
                JSONValue.quote(field.0, into: &out)
                out += ": "
                field.1.write(to: &out, indent: indent + 1)
                out += index == fields.count - 1 ? "\n" : ",\n"
            }
            out += closing + "}"
        }
    }

    /// RFC 8259 string: quotes, backslash and control characters escaped; everything else as UTF-8.
    static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
