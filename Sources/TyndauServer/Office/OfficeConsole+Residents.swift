import Foundation
import Hummingbird
import QuestionCollection
import TyndauCore

/// Residents' personal data (admins): find what is held about a person named by a ticket, e-mail,
/// phone or Telegram chat, and erase it on their request — the same rule as `tyndau residents forget`
/// (``PersonalDataRights``). Both steps are form posts, so neither the key nor anything found with it
/// ever lands in a URL, an access log or the browser's history; the page shows tickets and counts, never
/// a contact's value.
extension OfficeConsole {
    func addResidentRoutes(to router: Router<TyndauRequestContext>) {
        router.get("/office/residents", use: page(.admin, residentsPage))
        router.post("/office/residents", use: form(.admin, findResident))
        router.post("/office/residents/forget", use: form(.admin, forgetResident))
    }

    @Sendable func residentsPage(request: Request, visit: Visit) async throws -> Response {
        renderResidents([:], visit: visit)
    }

    @Sendable func findResident(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let (kind, key) = try Self.residentKey(fields)
        let footprint = try await rights.footprint(of: key)
        let rows = footprint.rows
        let erasure = footprint.erasure
        var values: [String: Any] = [
            "person": kind.rawValue, "value": fields["value"] ?? "", "found": true, "holdsData": !erasure.isEmpty,
            "tickets": footprint.questions.compactMap(\.ticket).map { ["ticket": $0] }, "hasTickets": !footprint.questions.isEmpty,
        ]
        values["held"] = ServerText.text(
            "page.office.residents.held", visit.language,
            [
                String(footprint.questions.count), String(rows.contacts.count), String(footprint.notices.count),
                String(rows.botLinks.count), String(rows.botMedia.count), String(rows.botChats.count),
            ])
        return renderResidents(values, visit: visit)
    }

    @Sendable func forgetResident(request: Request, visit: Visit, fields: OfficeForm) async throws -> Response {
        let (_, key) = try Self.residentKey(fields)
        guard fields["confirm"] == "yes" else { throw TyndauError.validation(["confirm": "field.confirm-required"]) }
        let forgotten = try await rights.forget(key, actor: visit.actor, now: now())
        let erased = forgotten.erased
        let message =
            erased.total == 0
            ? ServerText.text("page.office.residents.nothing", visit.language)
            : ServerText.text(
                "page.office.residents.erased", visit.language,
                [
                    String(erased.contacts), String(erased.notices), String(erased.botLinks), String(erased.botMedia),
                    String(erased.botChats), String(forgotten.questionsKept),
                ])
        return renderResidents(["done": message], visit: visit)
    }

    private func renderResidents(_ values: [String: Any], visit: Visit) -> Response {
        var context = values
        let chosen = context["person"] as? String ?? ResidentKey.Kind.ticket.rawValue
        context["kinds"] = ResidentKey.Kind.allCases.map { kind -> [String: Any] in
            [
                "value": kind.rawValue, "label": ServerText.text("page.office.residents.kind." + kind.rawValue, visit.language),
                "selected": kind.rawValue == chosen,
            ]
        }
        return render("office-residents", context, titleKey: "page.office.residents.title", visit: visit, section: "residents")
    }

    /// The form's `person` (the kind of key) and `value` as a key, or `validation` naming the field.
    static func residentKey(_ fields: OfficeForm) throws -> (ResidentKey.Kind, ResidentKey) {
        guard let kind = fields["person"].flatMap(ResidentKey.Kind.init(rawValue:)) else {
            throw TyndauError.validation(["person": "field.unknown-value"])
        }
        return (kind, try ResidentKey(kind, fields["value"] ?? "", field: "value"))
    }
}
