import Foundation
import TyndauCore

/// `agendas/YYYY-Www.json`: the agenda for programs, schema `tyndau.agenda/1` (documented in the
/// README). Keys come in a fixed, documented order (not alphabetical), numbers are exact decimals,
/// times carry their offset: the same agenda is always the same bytes. Written as a stream, with no
/// intermediate tree, because the not-selected list can hold thousands of topics.
public struct AgendaJSONRenderer: Sendable {
    public static let schema = "tyndau.agenda/1"

    public init() {}

    public func render(_ agenda: Agenda) -> String {
        var json = JSONStream()
        json.object { json in
            json.field("schema", Self.schema)
            json.field("week", agenda.week.description)
            meeting(agenda, &json)
            timeline(agenda, &json)
            selection(agenda, &json)
            opening(agenda, &json)
            blocks(agenda, &json)
            notSelected(agenda, &json)
            writtenAnswers(agenda, &json)
        }
        json.bytes.append(0x0A)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    // MARK: Sections

    /// When and how long, in the series' zone.
    private func meeting(_ agenda: Agenda, _ json: inout JSONStream) {
        let zone = agenda.series.zone
        json.key("meeting")
        json.object { json in
            json.field("start", AgendaFormat.timestamp(agenda.start, zone))
            json.field("end", AgendaFormat.timestamp(agenda.end, zone))
            json.field("timeZone", agenda.series.timeZone)
            json.field("durationMinutes", agenda.series.durationMinutes)
            json.field("submissionCutoff", AgendaFormat.timestamp(agenda.cutoff, zone))
        }
        json.field("revisedAt", AgendaFormat.timestamp(agenda.revisedAt, zone))
    }

    /// The minutes of each part of the meeting.
    private func timeline(_ agenda: Agenda, _ json: inout JSONStream) {
        json.key("timeline")
        json.object { json in
            json.field("introMinutes", agenda.introMinutes)
            json.field("openingMinutes", agenda.openingMinutes)
            json.field("topicMinutes", agenda.topicMinutes)
            json.field("usedMinutes", agenda.usedMinutes)
            json.field("reserveMinutes", agenda.reserveMinutes)
            json.field("closingMinutes", agenda.closingMinutes)
            json.field("closingStart", time(agenda, agenda.closingOffset))
            json.field("maxTopics", agenda.maxTopics)
        }
    }

    /// How the topics were chosen, and what the planner had to bend.
    private func selection(_ agenda: Agenda, _ json: inout JSONStream) {
        json.key("selection")
        json.object { json in
            json.field("method", "exact-knapsack-dp")
            json.field("candidates", agenda.candidateCount)
            json.field("chosen", agenda.topics.count)
            json.key("totalPriority")
            json.raw(AgendaFormat.points(agenda.totalPriority))
            json.key("notes")
            json.array { json in
                for note in agenda.notes {
                    json.object { json in
                        json.field("code", note.code)
                        switch note {
                        case .blockShort(let block, let required, let available):
                            json.field("block", block.rawValue)
                            json.field("requiredMinutes", required)
                            json.field("availableMinutes", available)
                        case .blockMinimumsLifted:
                            break
                        case .meetingOnDayOff(let names):
                            json.field("dayOff", names["en"] ?? "")
                        }
                        Self.texts(&json, "text") { AgendaText.note(note, $0) }
                    }
                }
            }
        }
    }

    /// The opening report: the promises due.
    private func opening(_ agenda: Agenda, _ json: inout JSONStream) {
        json.key("opening")
        json.object { json in
            json.field("start", time(agenda, agenda.openingOffset))
            json.key("commitmentsDue")
            json.array { json in
                for commitment in agenda.commitmentsDue {
                    json.object { json in
                        json.field("topicId", Int(commitment.topicID))
                        json.field("text", commitment.text)
                        json.field("textKk", commitment.texts.kk)
                        json.field("textRu", commitment.texts.ru)
                        json.field("responsible", commitment.responsible)
                        json.field("responsibleKk", commitment.responsibleTexts.kk)
                        json.field("responsibleRu", commitment.responsibleTexts.ru)
                        json.field("dueDate", commitment.dueDate)
                        json.field("done", commitment.done)
                    }
                }
            }
        }
    }

    /// Each block with its topics, in the order they are discussed.
    private func blocks(_ agenda: Agenda, _ json: inout JSONStream) {
        json.key("blocks")
        json.array { json in
            for plan in agenda.blocks {
                json.object { json in
                    json.field("block", plan.block.rawValue)
                    Self.texts(&json, "name") { CoreText.block(plan.block, $0) }
                    json.field("minimumMinutes", plan.minimumMinutes)
                    json.field("minutes", plan.minutes)
                    json.key("topics")
                    json.array { json in
                        for topic in plan.topics {
                            json.object { json in
                                json.field("position", topic.position)
                                Self.topicFields(&json, id: topic.topicID, title: topic.title, titles: topic.titles)
                                json.field("place", topic.place)
                                json.field("responsible", topic.responsible)
                                json.field("start", time(agenda, topic.startOffsetMinutes))
                                json.field("startOffsetMinutes", topic.startOffsetMinutes)
                                json.field("minutes", topic.minutes)
                                Self.reasons(&json, topic.reasons)
                                Self.texts(&json, "why") { AgendaText.why(topic.reasons, $0) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The topics left out: the reasons' texts once, then one row each.
    private func notSelected(_ agenda: Agenda, _ json: inout JSONStream) {
        // The reasons' texts once, not on each of possibly thousands of rows.
        json.key("reasons")
        json.object { json in
            for code in Agenda.OmissionReason.codes {
                Self.texts(&json, code) { AgendaText.reasonLabel(code, $0) }
            }
        }
        json.key("notSelected")
        json.array { json in
            for omission in agenda.notSelected {
                json.object { json in
                    Self.topicFields(&json, id: omission.topicID, title: omission.title, titles: omission.titles)
                    json.field("block", omission.block.rawValue)
                    Self.reasons(&json, omission.reasons)
                    json.field("reason", omission.reason.code)
                    if case .skipped(let why) = omission.reason { json.field("skipReason", why) }
                }
            }
        }
    }

    /// The topics that go to a written answer, with their deadlines.
    private func writtenAnswers(_ agenda: Agenda, _ json: inout JSONStream) {
        json.key("writtenAnswers")
        json.array { json in
            for entry in agenda.writtenAnswers {
                json.object { json in
                    Self.topicFields(&json, id: entry.topicID, title: entry.title, titles: entry.titles)
                    json.field("block", entry.block.rawValue)
                    Self.reasons(&json, entry.reasons)
                    json.field("firstSubmitted", entry.firstSubmitted.description)
                    json.field("deadline", entry.deadline.description)
                    json.field("workingDays", agenda.writtenAnswerWorkingDays)
                    json.field("overdue", entry.overdue)
                    json.field("skipReason", entry.skipReason)
                }
            }
        }
    }

    // MARK: Shared pieces

    /// The timestamp `offset` minutes into the meeting.
    private func time(_ agenda: Agenda, _ offset: Int) -> String {
        AgendaFormat.timestamp(agenda.start.addingTimeInterval(Double(offset) * 60), agenda.series.zone)
    }

    /// An object with one text per interface language.
    private static func texts(_ json: inout JSONStream, _ key: String, _ make: (UILanguage) -> String) {
        json.key(key)
        json.object { json in
            for language in UILanguage.allCases { json.field(language.rawValue, make(language)) }
        }
    }

    /// A topic's id and its title, single and in each language.
    private static func topicFields(_ json: inout JSONStream, id: Topic.ID, title: String, titles: BilingualText) {
        json.field("topicId", Int(id))
        json.field("title", title)
        json.field("titleKk", titles.kk)
        json.field("titleRu", titles.ru)
    }

    /// Why a topic ranks where it does.
    private static func reasons(_ json: inout JSONStream, _ r: Agenda.Reasons) {
        json.field("askers", r.askers)
        json.field("weeksWaited", r.weeksWaited)
        json.key("urgency")
        json.array { json in for word in r.urgency { json.value(word) } }
        json.field("pinned", r.pinned)
        json.key("priority")
        json.raw(AgendaFormat.points(r.priority))
    }
}

/// Writes JSON straight into UTF-8 bytes, two-space indented, keys in the order they are written.
/// Nested values are written by closures that receive the stream `inout`.
struct JSONStream {
    var bytes: [UInt8] = []
    /// For each open container: whether it still has no element.
    private var empty: [Bool] = []
    /// A key was just written: the next value follows it on the same line.
    private var afterKey = false

    init() {
        bytes.reserveCapacity(1 << 16)
    }

    /// Separator and indentation before an element (a key in an object, a value in an array).
    private mutating func beginElement() {
        if afterKey {
            afterKey = false
            return
        }
        guard !empty.isEmpty else { return }
        bytes.append(contentsOf: empty[empty.count - 1] ? [0x0A] : [0x2C, 0x0A])
        empty[empty.count - 1] = false
        bytes.append(contentsOf: repeatElement(0x20, count: empty.count * 2))
    }

    private mutating func close(_ bracket: UInt8) {
        let wasEmpty = empty.removeLast()
        if !wasEmpty {
            bytes.append(0x0A)
            bytes.append(contentsOf: repeatElement(0x20, count: empty.count * 2))
        }
        bytes.append(bracket)
    }

    mutating func object(_ body: (inout JSONStream) -> Void) {
        beginElement()
        bytes.append(0x7B)
        empty.append(true)
        body(&self)
        close(0x7D)
    }

    mutating func array(_ body: (inout JSONStream) -> Void) {
        beginElement()
        bytes.append(0x5B)
        empty.append(true)
        body(&self)
        close(0x5D)
    }

    mutating func key(_ name: String) {
        beginElement()
        Self.quote(name, into: &bytes)
        bytes.append(contentsOf: [0x3A, 0x20])
        afterKey = true
    }

    mutating func value(_ text: String) {
        beginElement()
        Self.quote(text, into: &bytes)
    }

    /// A number or literal already in JSON form.
    mutating func raw(_ text: String) {
        beginElement()
        bytes.append(contentsOf: text.utf8)
    }

    mutating func field(_ name: String, _ text: String) {
        key(name)
        value(text)
    }

    mutating func field(_ name: String, _ text: String?) {
        key(name)
        if let text { value(text) } else { raw("null") }
    }

    mutating func field(_ name: String, _ number: Int) {
        key(name)
        raw(String(number))
    }

    mutating func field(_ name: String, _ flag: Bool) {
        key(name)
        raw(flag ? "true" : "false")
    }

    /// RFC 8259 string: quotes, backslash and control characters escaped; everything else as UTF-8.
    /// Runs of plain bytes are copied whole, which is what keeps thousands of titles cheap.
    static func quote(_ text: String, into out: inout [UInt8]) {
        out.append(0x22)
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(0x22)
    }
}
