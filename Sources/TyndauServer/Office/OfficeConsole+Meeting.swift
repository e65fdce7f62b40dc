import AgendaScheduler
import Foundation
import Hummingbird
import TyndauCore

/// The live meeting: the agenda in speaking order with the clock, an answer form per item saved on
/// every submit (the same ``AnswerStore`` calls as the office API), and "close meeting".
extension OfficeConsole {
    func addMeetingRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/office/meeting", use: page(.operator, meetingPage))
        router.post("/office/meeting/{week}/items/{item}/answer", use: form(.operator, recordAnswer))
        router.post("/office/meeting/{week}/close", use: form(.operator, closeMeeting))
    }

    /// The meeting shown by default: the earliest one not closed, else the next one.
    func defaultMeetingWeek() async throws -> ISOWeek {
        if let open = try await store.openMeetings().first { return open.week }
        return MeetingCalendar(series: try await seriesInEffect().series).nextMeeting(after: now())
    }

    @Sendable func meetingPage(request: Request, visit: Visit) async throws -> Response {
        let week: ISOWeek
        if let raw = Self.query(request, "week") {
            guard let parsed = ISOWeek(raw) else { throw TyndauError.validation(["week": "field.invalid-week"]) }
            week = parsed
        } else {
            week = try await defaultMeetingWeek()
        }
        return try await renderMeeting(week: week, visit: visit, failed: nil)
    }

    /// A rejected answer: the item, what was typed, and why.
    struct FailedAnswer {
        var itemID: AgendaItem.ID
        var fields: OfficeForm
        var error: TyndauError
    }

    func renderMeeting(week: ISOWeek, visit: Visit, failed: FailedAnswer?) async throws -> Response {
        let language = visit.language
        let entries = try await store.answeredItems(week: week)
        let meeting = try await store.meeting(week: week)
        let moment = now()
        var values: [String: Any] = ["week": week.description, "previousWeek": week.adding(weeks: -1).description, "nextWeek": week.adding(weeks: 1).description]
        guard let meeting, !entries.isEmpty else {
            values["empty"] = true
            return render("office-meeting", values, titleKey: "page.office.meeting.title", visit: visit, section: "meeting")
        }
        let zone = TimeZone(identifier: meeting.timeZone) ?? .almaty
        let elapsed = Int(moment.timeIntervalSince(meeting.startsAt) / 60)
        let closed = meeting.state == .closed
        values["start"] = Self.localTime(meeting.startsAt, zone)
        values["closed"] = closed
        values["started"] = moment >= meeting.startsAt
        values["canClose"] = !closed && moment >= meeting.startsAt
        values["clock"] = closed
            ? ServerText.text("page.office.meeting.closed-at", language, [meeting.closedAt.map { Self.localTime($0, zone) } ?? ""])
            : moment < meeting.startsAt
                ? ServerText.text("page.office.meeting.starts-in", language, [String(Int(meeting.startsAt.timeIntervalSince(moment) / 60))])
                : ServerText.text("page.office.meeting.elapsed", language, [String(elapsed), String(meeting.durationMinutes)])
        values["answered"] = entries.filter { $0.answer != nil }.count
        values["total"] = entries.count
        values["items"] = entries.map { entry -> [String: Any] in
            let item = entry.item
            let itemID = item.id ?? 0
            let begins = meeting.startsAt.addingTimeInterval(Double(item.startOffsetMinutes) * 60)
            let ends = begins.addingTimeInterval(Double(item.minutes) * 60)
            var row: [String: Any] = [
                "id": itemID, "position": item.position, "topicID": item.topicID, "title": entry.topic.title,
                "question": entry.question, "askers": entry.askers, "minutes": item.minutes,
                "time": Self.clock(begins, zone), "current": !closed && moment >= begins && moment < ends,
                "overrun": !closed && entry.answer == nil && moment >= ends,
                "editable": !closed,
            ]
            // What the form shows: the rejected input when this item failed, else the stored answer.
            let failure = failed?.itemID == itemID ? failed : nil
            let kind = failure?.fields["status"] ?? entry.answer?.kind.rawValue ?? AnswerKind.answered.rawValue
            row["text"] = failure?.fields.raw("text") ?? entry.answer?.text ?? ""
            row["due"] = failure?.fields["due"] ?? entry.commitment?.dueDate ?? ""
            row["responsible"] = failure?.fields["responsible"] ?? entry.commitment?.responsible ?? entry.topic.responsible ?? ""
            row["redirectTo"] = failure?.fields["redirect_to"] ?? entry.answer?.redirectedTo ?? ""
            row["kinds"] = AnswerKind.allCases.map { answerKind -> [String: Any] in
                [
                    "value": answerKind.rawValue, "selected": answerKind.rawValue == kind,
                    "label": ServerText.text("page.office.answer-kind." + answerKind.rawValue, language),
                ]
            }
            if let answer = entry.answer {
                row["saved"] = ServerText.text("page.office.meeting.saved", language, [answer.recordedBy, Self.localTime(answer.recordedAt, zone)])
                row["final"] = answer.isFinal
            }
            if let failure {
                let reasons = ServerText.fields(failure.error, language)
                row["errors"] = reasons.keys.sorted().map { ["field": Self.fieldLabel($0, language), "reason": reasons[$0] ?? ""] }
                row["message"] = ServerText.message(failure.error, language)
            }
            return row
        }
        let status: HTTPResponse.Status = failed.map { Self.status(for: $0.error) } ?? .ok
        return render("office-meeting", values, titleKey: "page.office.meeting.title", visit: visit, section: "meeting", status: status)
    }

    /// `text`, `status` (answered|commitment|redirected|written), `due`, `responsible`, `redirect_to`:
    /// saved at once; a refused answer comes back in the form with its reasons.
    @Sendable func recordAnswer(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        guard let week = visit.parameters.get("week").flatMap(ISOWeek.init) else {
            throw TyndauError.validation(["week": "field.invalid-week"])
        }
        let itemID = try visit.id("item", field: "item")
        do {
            guard let kind = AnswerKind(rawValue: fields["status"] ?? "answered") else {
                throw TyndauError.validation(["status": "field.unknown-answer-status"])
            }
            let input = AnswerInput(
                text: fields.raw("text") ?? "", kind: kind, responsible: fields["responsible"], dueDate: fields["due"],
                redirectedTo: fields["redirect_to"]
            )
            try await store.recordAnswer(input, week: week, itemID: itemID, actor: visit.actor, now: now())
        } catch let error as TyndauError where error.code == .validation {
            return try await renderMeeting(week: week, visit: visit, failed: FailedAnswer(itemID: itemID, fields: fields, error: error))
        }
        return Self.redirect("/office/meeting?week=\(week)#item-\(itemID)")
    }

    @Sendable func closeMeeting(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        guard let week = visit.parameters.get("week").flatMap(ISOWeek.init) else {
            throw TyndauError.validation(["week": "field.invalid-week"])
        }
        _ = try await store.closeMeeting(week: week, actor: visit.actor, now: now())
        return Self.redirect("/office/deliveries?week=\(week)")
    }
}
