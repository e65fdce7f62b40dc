import Foundation
import TyndauCore

/// `agendas/YYYY-Www.ics`: the meeting as an RFC 5545 event for calendar apps — VCALENDAR with one
/// VEVENT (UID, DTSTAMP, DTSTART with TZID, DURATION, SUMMARY, DESCRIPTION holding the agenda) and
/// a VTIMEZONE for the series' zone. Lines end in CRLF and are folded at 75 octets without
/// splitting a UTF-8 character; text values escape backslash, semicolon, comma and newline.
///
/// A zone with daylight saving (not Almaty, which has kept UTC+5 all year since 1 March 2024) is
/// written as UTC times without a VTIMEZONE, which every client reads correctly.
public struct AgendaICalendarRenderer: Sendable {
    public init() {}

    public func render(_ agenda: Agenda) -> String {
        let zone = agenda.series.zone
        var lines: [String] = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Tyndau//Agenda 1//RU",
            "CALSCALE:GREGORIAN",
        ]
        let fixedOffset = Self.hasFixedOffset(zone, around: agenda.start)
        if fixedOffset {
            lines += Self.timeZoneComponent(zone, identifier: agenda.series.timeZone, before: agenda.start)
        }
        lines += [
            "BEGIN:VEVENT",
            "UID:tyndau-agenda-\(agenda.week)",
            "DTSTAMP:" + Self.utc(agenda.revisedAt),
            fixedOffset
                ? "DTSTART;TZID=\(Self.paramValue(agenda.series.timeZone)):" + Self.local(agenda.start, zone)
                : "DTSTART:" + Self.utc(agenda.start),
            "DURATION:PT\(agenda.series.durationMinutes)M",
            "SUMMARY:" + Self.escape(AgendaText.text("ics.summary", .ru, [agenda.week.description])
                + " · " + AgendaText.text("ics.summary", .kk, [agenda.week.description])),
            "DESCRIPTION:" + Self.escape(description(agenda)),
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// The agenda as plain text: the timeline, then each topic with its minutes and reason.
    func description(_ agenda: Agenda) -> String {
        let zone = agenda.series.zone
        func at(_ offset: Int) -> String { AgendaFormat.clock(agenda.start.addingTimeInterval(Double(offset) * 60), zone) }
        let t = AgendaText.bilingual
        var out: [String] = []
        out.append("\(at(0)) \(t("md.intro", [])) (\(agenda.introMinutes))")
        out.append("\(at(agenda.openingOffset)) \(t("md.opening", [])) (\(agenda.openingMinutes))")
        for plan in agenda.blocks where !plan.topics.isEmpty {
            out.append("")
            out.append(CoreText.block(plan.block, .ru) + " · " + CoreText.block(plan.block, .kk))
            for topic in plan.topics {
                out.append("\(topic.position). \(at(topic.startOffsetMinutes)) (\(topic.minutes)) \(topic.titles.bothLanguages())")
                out.append("   " + AgendaText.why(topic.reasons, .ru))
            }
        }
        out.append("")
        if agenda.reserveMinutes > 0 {
            out.append("\(at(agenda.topicsOffset + agenda.usedMinutes)) \(t("md.reserve", [])) (\(agenda.reserveMinutes))")
        }
        out.append("\(at(agenda.closingOffset)) \(t("md.closing", [])) (\(agenda.closingMinutes))")
        return out.joined(separator: "\n")
    }

    /// TEXT escaping (RFC 5545 §3.3.11): `\` `;` `,` and line breaks.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r\n", "\n", "\r": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// Folds a content line (RFC 5545 §3.1): at most 75 octets per line, continuation lines start
    /// with one space, and a multi-octet UTF-8 character is never cut.
    public static func fold(_ line: String) -> String {
        var result = ""
        var lineOctets = 0
        var limit = 75
        for scalar in line.unicodeScalars {
            let octets = String(scalar).utf8.count
            if lineOctets + octets > limit {
                result += "\r\n "
                lineOctets = 1
                limit = 75
            }
            result.unicodeScalars.append(scalar)
            lineOctets += octets
        }
        return result
    }

    /// `20261203T100000Z`: an instant in UTC, iCalendar's basic form.
    public static func utc(_ date: Date) -> String { LocalTime(date, in: .gmt).basic + "Z" }

    static func local(_ date: Date, _ zone: TimeZone) -> String { LocalTime(date, in: zone).basic }

    /// A parameter value is quoted when it holds `:`, `;` or `,`.
    static func paramValue(_ value: String) -> String {
        value.contains(where: { ":;,".contains($0) }) ? "\"\(value)\"" : value
    }

    /// Whether the zone keeps one offset for the year around `date` (no daylight saving).
    static func hasFixedOffset(_ zone: TimeZone, around date: Date) -> Bool {
        let offset = zone.secondsFromGMT(for: date)
        return stride(from: -183, through: 183, by: 7).allSatisfy {
            zone.secondsFromGMT(for: date.addingTimeInterval(Double($0) * 86_400)) == offset
        }
    }

    /// VTIMEZONE with one STANDARD component starting at the zone's last offset change before `date`
    /// (for Almaty: 1 March 2024, +06 → +05).
    static func timeZoneComponent(_ zone: TimeZone, identifier: String, before date: Date) -> [String] {
        let offset = zone.secondsFromGMT(for: date)
        var from = offset
        var changeAt: Date?
        // Walk back a day at a time (up to 40 years) to the last day with another offset, then narrow
        // to the second.
        var probe = date
        for _ in 0..<(40 * 366) {
            let earlier = probe.addingTimeInterval(-86_400)
            let earlierOffset = zone.secondsFromGMT(for: earlier)
            if earlierOffset != offset {
                var low = earlier
                var high = probe
                while high.timeIntervalSince(low) > 1 {
                    let middle = low.addingTimeInterval(high.timeIntervalSince(low) / 2)
                    if zone.secondsFromGMT(for: middle) == offset { high = middle } else { low = middle }
                }
                // Offsets change on a whole second: the first one after `low`.
                changeAt = Date(timeIntervalSince1970: low.timeIntervalSince1970.rounded(.down) + 1)
                from = earlierOffset
                break
            }
            probe = earlier
        }
        let start = changeAt.map { local($0, TimeZone(secondsFromGMT: from)!) } ?? "19700101T000000"
        func format(_ seconds: Int) -> String {
            (seconds < 0 ? "-" : "+") + String(format: "%02d%02d", abs(seconds) / 3600, abs(seconds) % 3600 / 60)
        }
        let name = format(offset)
        return [
            "BEGIN:VTIMEZONE",
            "TZID:" + identifier,
            "BEGIN:STANDARD",
            "DTSTART:" + start,
            "TZOFFSETFROM:" + format(from),
            "TZOFFSETTO:" + format(offset),
            "TZNAME:" + String(name.prefix(3)),
            "END:STANDARD",
            "END:VTIMEZONE",
        ]
    }
}
