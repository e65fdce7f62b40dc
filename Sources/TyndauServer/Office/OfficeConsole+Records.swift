import Foundation
import Hummingbird
import TyndauCore

/// Deliveries (per meeting, each endpoint's state, retry), commitments (due, overdue, done) and
/// the audit log.
extension OfficeConsole {
    func addDeliveryRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/office/deliveries", use: page(.operator, deliveriesPage))
        router.post("/office/deliveries/{id}/retry", use: form(.operator, retryDelivery))
        router.get("/office/commitments", use: page(.operator, commitmentsPage))
        router.post("/office/commitments/{id}/done", use: form(.operator, commitmentDone))
        router.get("/office/audit", use: page(.operator, auditPage))
    }

    @Sendable func deliveriesPage(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let weekFilter = try Self.query(request, "week").map { raw -> ISOWeek in
            guard let week = ISOWeek(raw) else { throw TyndauError.validation(["week": "field.invalid-week"]) }
            return week
        }
        let statusFilter = try Self.query(request, "status").map { raw -> DeliveryStatus in
            guard let status = DeliveryStatus(rawValue: raw) else { throw TyndauError.validation(["status": "field.unknown-value"]) }
            return status
        }
        let moment = now()
        var deliveries = try await store.deliveries(status: statusFilter, limit: 1000)
        if let weekFilter {
            // Message keys name their meeting: `digest:2026-W49`, `notice:2026-W49:q42`.
            let marker = ":" + weekFilter.description
            deliveries = deliveries.filter { $0.messageKey.contains(marker) }
        }
        let rows = deliveries.prefix(300).map { delivery -> [String: Any] in
            var row: [String: Any] = [
                "id": delivery.id ?? 0, "endpoint": delivery.endpointName, "message": delivery.messageKey,
                "status": ServerText.text("page.office.delivery-status." + delivery.status.rawValue, language),
                "statusCode": delivery.status.rawValue, "attempts": delivery.attempts,
                "error": delivery.lastError ?? "", "canRetry": delivery.status == .failed || delivery.status == .dead,
            ]
            if delivery.status == .pending || delivery.status == .sending {
                row["next"] = delivery.nextAttemptAt <= moment
                    ? ServerText.text("page.office.deliveries.due-now", language) : Self.localTime(delivery.nextAttemptAt)
            }
            if let sent = delivery.sentAt { row["sentAt"] = Self.localTime(sent) }
            return row
        }
        // Each endpoint's state over the shown deliveries: how many sent, waiting, failed.
        var perEndpoint: [String: [DeliveryStatus: Int]] = [:]
        for delivery in deliveries { perEndpoint[delivery.endpointName, default: [:]][delivery.status, default: 0] += 1 }
        let states = Dictionary(uniqueKeysWithValues: try await store.endpointStates().map { ($0.endpoint.name, $0) })
        let endpoints = perEndpoint.keys.sorted().map { name -> [String: Any] in
            let counts = perEndpoint[name] ?? [:]
            return [
                "name": name, "sent": counts[.sent] ?? 0, "waiting": (counts[.pending] ?? 0) + (counts[.sending] ?? 0),
                "failed": (counts[.failed] ?? 0) + (counts[.dead] ?? 0),
                "disabled": states[name]?.endpoint.disabledReason ?? "",
            ]
        }
        let values: [String: Any] = [
            "week": weekFilter?.description ?? "", "deliveries": rows, "endpoints": endpoints, "count": deliveries.count,
            "statuses": DeliveryStatus.allCases.map {
                [
                    "value": $0.rawValue, "selected": $0 == statusFilter,
                    "label": ServerText.text("page.office.delivery-status." + $0.rawValue, language),
                ]
            },
        ]
        return render("office-deliveries", values, titleKey: "page.office.deliveries.title", visit: visit, section: "deliveries")
    }

    @Sendable func retryDelivery(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "delivery")
        guard let delivery = try await store.delivery(id: id) else { throw TyndauError.notFound("delivery \(id)") }
        guard delivery.status == .failed || delivery.status == .dead else {
            throw TyndauError.validation(["delivery": "field.delivery-not-failed"])
        }
        let moment = now()
        _ = try await store.retry(id: id, now: moment)
        try await store.record(AuditEvent(
            at: moment, actor: visit.actor, action: "delivery.retry", subject: "delivery:\(id)",
            details: delivery.endpointName + " " + delivery.messageKey
        ))
        return Self.redirect(Self.back(fields, "/office/deliveries"))
    }

    @Sendable func commitmentsPage(request: Request, visit: Visit) async throws -> Response {
        let language = visit.language
        let show = Self.query(request, "show") ?? "open"
        guard ["open", "all"].contains(show) else { throw TyndauError.validation(["show": "field.unknown-value"]) }
        let today = ISODate.day(now())
        let views = try await store.commitments(dueBefore: nil, openOnly: show == "open")
        let rows = views.map { view -> [String: Any] in
            let commitment = view.commitment
            let open = commitment.state == .open
            return [
                "id": commitment.id ?? 0, "topicID": commitment.topicID, "topic": view.topicTitle, "text": commitment.text,
                "responsible": commitment.responsible, "due": commitment.dueDate, "week": view.week?.description ?? "",
                "open": open, "overdue": open && commitment.dueDate < today, "dueToday": open && commitment.dueDate == today,
                "doneAt": commitment.doneAt.map(Self.localTime) ?? "", "publicNote": commitment.publicNote ?? "",
                "state": ServerText.text("page.office.commitment-state." + commitment.state.rawValue, language),
            ].droppingEmpty("week", "doneAt", "publicNote")
        }
        let values: [String: Any] = [
            "commitments": rows, "showAll": show == "all",
            "overdueCount": rows.filter { $0["overdue"] as? Bool == true }.count,
        ]
        return render("office-commitments", values, titleKey: "page.office.commitments.title", visit: visit, section: "commitments")
    }

    @Sendable func commitmentDone(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let id = try visit.id(field: "commitment")
        try await CommitmentCompletion(store: store, notices: commitmentNotices).markDone(
            id: id, note: fields["note"], actor: visit.actor, now: now())
        return Self.redirect(Self.back(fields, "/office/commitments"))
    }

    @Sendable func auditPage(request: Request, visit: Visit) async throws -> Response {
        let filter = AuditFilter(
            actor: Self.query(request, "actor"), actionPrefix: Self.query(request, "action"), subject: Self.query(request, "subject")
        )
        for (name, value) in [("actor", filter.actor), ("action", filter.actionPrefix), ("subject", filter.subject)] {
            guard (value?.count ?? 0) <= 100 else { throw TyndauError.validation([name: "field.too-long"]) }
        }
        let events = try await store.auditEvents(filter, limit: 300)
        let values: [String: Any] = [
            "events": events.map { event -> [String: Any] in
                [
                    "at": Self.localTime(event.at), "actor": event.actor, "action": event.action, "subject": event.subject,
                    "details": event.details,
                ]
            },
            "actor": filter.actor ?? "", "action": filter.actionPrefix ?? "", "subject": filter.subject ?? "",
        ]
        return render("office-audit", values, titleKey: "page.office.audit.title", visit: visit, section: "audit")
    }
}
