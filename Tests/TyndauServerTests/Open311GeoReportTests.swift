import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
@testable import TyndauServer
import TyndauSQLite

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A week of questions in every public and non-public state, with generated askers whose names,
/// phones and e-mails appear both in the texts and in the contacts.
struct GeoReportWeek {
    struct Asker {
        var name: String
        var phone: String
        var typedPhone: String
        var email: String
    }

    /// Monday 2026-11-30 15:00 Almaty: the meeting of 2026-W48 (Thursday 26th) is closed, 2026-W49's
    /// (Thursday 3 December) is planned.
    static let now = Date(timeIntervalSince1970: 1_796_292_000 - 3 * 86_400)
    static let lastWeek = ISOWeek("2026-W48")!
    static let lastMeeting = Date(timeIntervalSince1970: 1_796_292_000 - 7 * 86_400)
    static let thisWeek = ISOWeek("2026-W49")!
    static let nextMeeting = Date(timeIntervalSince1970: 1_796_292_000)

    let database: SQLiteStore
    /// By role: answered (commitment), returned (grouped after the meeting), written, scheduled,
    /// grouped, pending (acknowledged), rejected, redirected, old (grouped, 100 days ago).
    var tickets: [String: String] = [:]
    var askers: [Asker] = []

    static func askers(count: Int, seed: UInt64) -> [Asker] {
        var random = SplitMix64(seed: seed)
        let first = ["Айгуль", "Нурлан", "Бахытжан", "Светлана", "Ерлан", "Динара", "Мурат", "Гульнара", "Тимур", "Асель"]
        let last = ["Серикова", "Жумабаев", "Ахметова", "Калиев", "Оспанова", "Тулегенов", "Исмаилова", "Нуртазин"]
        let latin = ["aigul", "nurlan", "bakhyt", "sveta", "erlan", "dinara", "murat", "gulnara", "timur", "asel"]
        return (0..<count).map { index in
            let f = Int(random.next() % UInt64(first.count))
            let l = Int(random.next() % UInt64(last.count))
            let operatorCode = ["701", "705", "707", "747", "777"][Int(random.next() % 5)]
            let digits = String(format: "%07d", Int(random.next() % 10_000_000))
            let typed = index % 2 == 0
                ? "8 \(operatorCode) \(digits.prefix(3)) \(digits.dropFirst(3).prefix(2)) \(digits.suffix(2))"
                : "+7\(operatorCode)\(digits)"
            return Asker(
                name: "\(first[f]) \(last[l])", phone: "+7\(operatorCode)\(digits)", typedPhone: typed,
                email: "\(latin[f]).\(index)\(random.next() % 1000)@example.kz")
        }
    }

    static func make() async throws -> GeoReportWeek {
        var week = GeoReportWeek(database: try SQLiteStore.inMemory())
        week.askers = askers(count: 9, seed: 311)
        let store = week.database
        let roles = ["answered", "returned", "written", "scheduled", "grouped", "rejected", "redirected", "old"]
        var ids: [String: Question.ID] = [:]
        for (index, role) in roles.enumerated() {
            let asker = week.askers[index]
            let submittedAt = role == "old" ? now.addingTimeInterval(-100 * 86_400) : now.addingTimeInterval(Double(index - 20) * 3600 * 6)
            let text = "\(asker.name) просит: на улице Саина, дом 1\(index), не горят фонари (\(role)). "
                + "Звоните \(asker.typedPhone) или пишите \(asker.email)"
            let question = try await store.insert(NewQuestion(
                question: Question(
                    text: text, language: .ru, category: index == 4 ? nil : (index % 2 == 0 ? .utilities : .transport),
                    street: "Саина", house: "1\(index)", channel: .open311, submittedAt: submittedAt),
                contact: AskerContact(name: asker.name, phone: asker.phone, email: asker.email, consent: true)))
            ids[role] = question.id!
            week.tickets[role] = question.ticket!
        }
        try await store.updateStatus(questionID: ids["rejected"]!, to: .rejected, reason: "спам от \(week.askers[5].name)", actor: "office", now: Date())
        try await store.updateStatus(questionID: ids["redirected"]!, to: .redirected, reason: "в акимат города", actor: "office", now: Date())
        _ = try await store.makeSingleQuestionTopics(actor: "test", now: lastMeeting.addingTimeInterval(-2 * 86_400))
        func topic(_ role: String) async throws -> Topic.ID {
            let question = try await store.question(id: ids[role]!)
            guard let topicID = question?.topicID else { throw TyndauError.notFound("topic of \(role)") }
            return topicID
        }

        let items = [try await topic("answered"), try await topic("returned")]
        try await store.saveAgenda(
            AgendaRecord(
                meeting: Meeting(week: lastWeek, startsAt: lastMeeting, durationMinutes: 60, timeZone: "Asia/Almaty"),
                items: items.enumerated().map { index, id in
                    AgendaItem(meetingID: 0, topicID: id, position: index + 1, block: .landscapingUtilities,
                               startOffsetMinutes: 5 + 4 * index, minutes: 4, why: "askers=1")
                },
                writtenAnswers: [WrittenAnswerEntry(topicID: try await topic("written"), week: lastWeek, deadline: "2026-12-21", weeksWaited: 3)]),
            actor: "test", now: lastMeeting.addingTimeInterval(-86_400))
        let item = try #require(try await store.agendaItems(week: lastWeek).first { $0.topicID == items[0] })
        try await store.recordAnswer(
            AnswerInput(text: "Фонари заменят", kind: .commitment, responsible: "ЖКХ района", dueDate: "2026-12-20"),
            week: lastWeek, itemID: item.id!, actor: "office", now: lastMeeting.addingTimeInterval(600))
        _ = try await store.closeMeeting(week: lastWeek, actor: "office", now: lastMeeting.addingTimeInterval(3600))

        try await store.saveAgenda(
            AgendaRecord(
                meeting: Meeting(week: thisWeek, startsAt: nextMeeting, durationMinutes: 60, timeZone: "Asia/Almaty"),
                items: [AgendaItem(meetingID: 0, topicID: try await topic("scheduled"), position: 1, block: .landscapingUtilities,
                                   startOffsetMinutes: 5, minutes: 4, why: "askers=1")],
                writtenAnswers: []),
            actor: "test", now: now)

        let pendingAsker = week.askers[8]
        let pending = try await store.insert(NewQuestion(
            question: Question(
                text: "\(pendingAsker.name): яма у остановки, звоните \(pendingAsker.typedPhone)", language: .ru, category: .transport,
                street: "Тастак", channel: .open311, submittedAt: now.addingTimeInterval(-3600), status: .acknowledged),
            contact: AskerContact(name: pendingAsker.name, phone: pendingAsker.phone, email: pendingAsker.email, consent: true)))
        week.tickets["pending"] = pending.ticket!
        return week
    }

    func application(settings: ServerSettings = TestServer.settings()) throws -> some ApplicationProtocol {
        try TestServer.application(database, settings: settings, clock: ManualClock(Self.now))
    }

    /// Fails when `body` holds any asker's personal data.
    func expectNoPersonalData(_ body: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for asker in askers {
            for part in asker.name.split(separator: " ") {
                #expect(!body.contains(part), "name \(part) leaked", sourceLocation: sourceLocation)
            }
            for secret in [asker.phone, asker.typedPhone, asker.email, String(asker.phone.suffix(7))] {
                #expect(!body.contains(secret), "contact \(secret) leaked", sourceLocation: sourceLocation)
            }
        }
        #expect(!body.contains("@"), sourceLocation: sourceLocation)
        #expect(!body.contains("spam") && !body.contains("спам") && !body.contains("акимат города"), sourceLocation: sourceLocation)
    }
}

/// An XML answer read with Foundation's parser, for checking the specification's structure.
struct ParsedXML {
    let root: XMLElement

    init(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(text.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#), sourceLocation: sourceLocation)
        let document = try XMLDocument(data: Data(text.utf8), options: [])
        root = try #require(document.rootElement(), sourceLocation: sourceLocation)
    }

    var children: [XMLElement] { root.children?.compactMap { $0 as? XMLElement } ?? [] }

    static func names(_ element: XMLElement) -> [String] {
        element.children?.compactMap { ($0 as? XMLElement)?.name } ?? []
    }

    static func value(_ element: XMLElement, _ name: String) -> String? {
        element.elements(forName: name).first?.stringValue
    }
}

@Suite("Open311 GeoReport v2: XML, the public request list, discovery")
struct Open311GeoReportTests {
    /// The elements of a service request, in the specification's order.
    static let requestElements = [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible",
        "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
        "lat", "long", "media_url",
    ]

    /// Checks one `<request>`: only the specification's elements, in its order, the required ones present.
    static func checkRequest(_ element: XMLElement, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(element.name == "request", sourceLocation: sourceLocation)
        let names = ParsedXML.names(element)
        let positions = names.compactMap { requestElements.firstIndex(of: $0) }
        #expect(positions.count == names.count, "unknown elements in \(names)", sourceLocation: sourceLocation)
        #expect(positions == positions.sorted(), "order \(names)", sourceLocation: sourceLocation)
        for required in ["service_request_id", "status", "service_code", "requested_datetime"] {
            #expect(names.contains(required), sourceLocation: sourceLocation)
        }
        #expect(["open", "closed"].contains(ParsedXML.value(element, "status") ?? ""), sourceLocation: sourceLocation)
    }

    @Test func listShowsOnlyAcceptedQuestionsNewestFirstWithPublicWording() async throws {
        let week = try await GeoReportWeek.make()
        try await week.application().test(.router) { client in
            let response = try await client.execute(uri: "/open311/v2/requests.json?lang=en", method: .get)
            #expect(response.status == .ok)
            let list = response.array
            #expect(list.compactMap { $0["service_request_id"] as? String }
                == ["grouped", "scheduled", "written", "returned", "answered"].map { week.tickets[$0]! })
            week.expectNoPersonalData(response.text)
            let byRole = Dictionary(uniqueKeysWithValues: list.map { ($0["service_request_id"] as? String ?? "", $0) })
            let answered = try #require(byRole[week.tickets["answered"]!])
            #expect(answered["status"] as? String == "closed")
            #expect(answered["status_notes"] as? String == "answered at the meeting of 2026-11-26")
            #expect(answered["agency_responsible"] as? String == "ЖКХ района")
            #expect(answered["expected_datetime"] as? String == "2026-12-20T18:59:59Z")
            #expect(answered["address"] as? String == "Саина")
            #expect((answered["description"] as? String)?.contains("[***] [***] просит: на улице Саина, дом 10") == true)
            let scheduled = try #require(byRole[week.tickets["scheduled"]!])
            #expect(scheduled["status"] as? String == "open")
            #expect(scheduled["status_notes"] as? String == "on the agenda of the meeting of 2026-12-03")
            #expect(scheduled["expected_datetime"] as? String == "2026-12-03T10:00:00Z")
            let written = try #require(byRole[week.tickets["written"]!])
            #expect(written["status"] as? String == "open" && written["status_notes"] as? String == "written answer due 2026-12-21")
            #expect(written["expected_datetime"] as? String == "2026-12-21T18:59:59Z")
            let grouped = try #require(byRole[week.tickets["grouped"]!])
            #expect(grouped["status_notes"] == nil && grouped["service_code"] as? String == "other")
            #expect(byRole[week.tickets["returned"]!]?["status"] as? String == "open")

            let russian = try await client.execute(uri: "/open311/v2/requests.json", method: .get, headers: [.acceptLanguage: "ru"])
            #expect(russian.text.contains("ответ дан на встрече 2026-11-26") && russian.text.contains("письменный ответ до 2026-12-21"))
            let kazakh = try await client.execute(uri: "/open311/v2/requests.json", method: .get, headers: [.acceptLanguage: "kk"])
            #expect(kazakh.text.contains("2026-12-03 кездесуінің күн тәртібінде"))
        }
    }

    @Test func everyAnswerIsAlsoServedAsGeoReportXML() async throws {
        let week = try await GeoReportWeek.make()
        try await week.application().test(.router) { client in
            let list = try await client.execute(uri: "/open311/v2/requests.xml", method: .get)
            #expect(list.status == .ok)
            #expect(list.headers[.contentType] == "text/xml; charset=utf-8")
            let parsed = try ParsedXML(list.text)
            #expect(parsed.root.name == "service_requests")
            #expect(parsed.children.count == 5)
            for request in parsed.children { Self.checkRequest(request) }
            week.expectNoPersonalData(list.text)
            #expect(parsed.children.compactMap { ParsedXML.value($0, "service_request_id") }.first == week.tickets["grouped"])

            let services = try ParsedXML(try await client.execute(uri: "/open311/v2/services.xml", method: .get).text)
            #expect(services.root.name == "services")
            #expect(services.children.map(\.name) == Array(repeating: "service", count: QuestionCategory.allCases.count))
            for service in services.children {
                #expect(ParsedXML.names(service) == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"])
                #expect(ParsedXML.value(service, "metadata") == "false" && ParsedXML.value(service, "type") == "realtime")
            }

            for format in ["xml", "json"] {
                let definition = try await client.execute(uri: "/open311/v2/services/pothole.\(format)", method: .get)
                #expect(definition.status == .ok)
                if format == "xml" {
                    let parsed = try ParsedXML(definition.text)
                    #expect(parsed.root.name == "service_definition" && ParsedXML.names(parsed.root) == ["service_code", "attributes"])
                    #expect(ParsedXML.value(parsed.root, "service_code") == "transport")
                } else {
                    #expect(definition.object["service_code"] as? String == "transport" && (definition.object["attributes"] as? [Any])?.isEmpty == true)
                }
                let unknown = try await client.execute(uri: "/open311/v2/services/weather.\(format)", method: .get)
                #expect(unknown.status == .notFound)
            }

            let one = try await client.execute(uri: "/open311/v2/requests/\(week.tickets["answered"]!).xml", method: .get)
            let single = try ParsedXML(one.text)
            #expect(single.root.name == "service_requests" && single.children.count == 1)
            Self.checkRequest(single.children[0])
            #expect(ParsedXML.value(single.children[0], "agency_responsible") == "ЖКХ района")
            week.expectNoPersonalData(one.text)

            let created = try await client.execute(
                uri: "/open311/v2/requests.xml", method: .post, headers: .form(),
                body: formBody([("service_code", "pothole"), ("description", "Яма на дороге <у остановки> & лужа \"по колено\""), ("consent", "true")]))
            #expect(created.status == .created)
            let receipt = try ParsedXML(created.text)
            #expect(receipt.root.name == "service_requests")
            #expect(ParsedXML.names(receipt.children[0]) == ["service_request_id", "service_notice", "account_id", "status_url"])
            let ticket = try #require(ParsedXML.value(receipt.children[0], "service_request_id"))
            let statusURL = try #require(ParsedXML.value(receipt.children[0], "status_url"))
            // The owner's view, escaped and parsed back to the same text.
            let token = String(statusURL.split(separator: "=").last ?? "")
            let owner = try ParsedXML(try await client.execute(uri: "/open311/v2/requests/\(ticket).xml?token=\(token)", method: .get).text)
            #expect(ParsedXML.value(owner.children[0], "description") == "Яма на дороге <у остановки> & лужа \"по колено\"")
        }
    }

    @Test func singleLookupFollowsThePublicRule() async throws {
        let week = try await GeoReportWeek.make()
        try await week.application().test(.router) { client in
            for role in ["rejected", "redirected"] {
                for format in ["json", "xml"] {
                    let hidden = try await client.execute(uri: "/open311/v2/requests/\(week.tickets[role]!).\(format)", method: .get)
                    #expect(hidden.status == .notFound)
                    #expect(!hidden.text.contains("rejected") && !hidden.text.contains("redirected") && !hidden.text.contains("отклон"))
                }
            }
            let pending = try await client.execute(uri: "/open311/v2/requests/\(week.tickets["pending"]!).json", method: .get)
            #expect(pending.status == .ok)
            let view = try #require(pending.array.first)
            #expect(view["status"] as? String == "open" && view["description"] == nil && view["address"] == nil && view["status_notes"] == nil)
            week.expectNoPersonalData(pending.text)
            // A ticket of another year is not the same request.
            let wrongYear = week.tickets["answered"]!.replacingOccurrences(of: "TRK-2026", with: "TRK-2025")
            #expect(try await client.execute(uri: "/open311/v2/requests/\(wrongYear).json", method: .get).status == .notFound)
        }
    }

    @Test func filtersSelectByIdCodeStatusDatesAndPage() async throws {
        let week = try await GeoReportWeek.make()
        try await week.application().test(.router) { client in
            func ids(_ query: String) async throws -> [String] {
                let response = try await client.execute(uri: "/open311/v2/requests.json?\(query)", method: .get)
                #expect(response.status == .ok, "\(query): \(response.text)")
                return response.array.compactMap { $0["service_request_id"] as? String }
            }
            func roles(_ names: String...) -> [String] { names.map { week.tickets[$0]! } }
            let idList = [week.tickets["answered"]!, week.tickets["rejected"]!, week.tickets["old"]!, "TRK-2026-999999"].joined(separator: ",")
            let cases: [(String, [String])] = [
                ("status=open", roles("grouped", "scheduled", "written", "returned")),
                ("status=closed", roles("answered")),
                ("status=open,closed", roles("grouped", "scheduled", "written", "returned", "answered")),
                ("service_code=utilities", roles("written", "answered")),
                ("service_code=other,pothole", roles("grouped", "scheduled", "returned")),
                ("service_code=transport&status=open", roles("scheduled", "returned")),
                // Ids override the other filters; rejected and unknown ids are simply absent.
                ("service_request_id=\(idList)&status=open", roles("answered", "old")),
                ("start_date=2026-08-01T00:00:00Z&end_date=2026-10-01T00:00:00%2B05:00", roles("old")),
                ("end_date=2026-09-30T00:00:00Z", roles("old")),
                ("start_date=2026-11-26", roles("grouped", "scheduled", "written")),
                ("start_date=2026-11-25T12:00:00Z", roles("grouped", "scheduled", "written", "returned")),
                ("page_size=2", roles("grouped", "scheduled")),
                ("page_size=2&page=2", roles("written", "returned")),
                ("page_size=2&page=9", []),
            ]
            for (query, expected) in cases {
                let found = try await ids(query)
                #expect(found == expected, "\(query)")
            }
        }
    }

    @Test(arguments: [
        ("status=pending", "status", "must be open or closed (comma separated)"),
        ("status=open,rejected", "status", "must be open or closed (comma separated)"),
        ("service_code=weather", "service_code", "is not a known service code"),
        ("start_date=yesterday", "start_date", "is not a W3C date-time such as 2026-12-01T00:00:00+05:00"),
        ("end_date=2026-13-45T00:00:00Z", "end_date", "is not a W3C date-time such as 2026-12-01T00:00:00+05:00"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date", "spans more than 90 days from start_date to end_date"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", "end_date", "is before start_date"),
        ("service_request_id=42", "service_request_id", "is not a request id like TRK-2026-000123"),
        ("page_size=0", "page_size", "must be a whole number from 1 to 200"),
        ("page_size=201", "page_size", "must be a whole number from 1 to 200"),
        ("page=-1", "page", "must be a whole number from 1"),
    ])
    func badFiltersAreGeoReportErrorsNamingTheField(query: String, field: String, reason: String) async throws {
        let week = try await GeoReportWeek.make()
        try await week.application().test(.router) { client in
            let json = try await client.execute(uri: "/open311/v2/requests.json?\(query)&lang=en", method: .get)
            #expect(json.status == .badRequest)
            #expect(json.array.first?["code"] as? Int == 400)
            #expect(json.array.first?["description"] as? String == "\(field): \(reason)")

            let xml = try await client.execute(uri: "/open311/v2/requests.xml?\(query)&lang=en", method: .get)
            #expect(xml.status == .badRequest)
            #expect(xml.headers[.contentType] == "text/xml; charset=utf-8")
            let parsed = try ParsedXML(xml.text)
            #expect(parsed.root.name == "errors" && parsed.children.map(\.name) == ["error"])
            #expect(ParsedXML.names(parsed.children[0]) == ["code", "description"])
            #expect(ParsedXML.value(parsed.children[0], "code") == "400")
            #expect(ParsedXML.value(parsed.children[0], "description") == "\(field): \(reason)")
        }
    }

    @Test(arguments: [("ru", "неизвестный код услуги"), ("kk", "қызмет коды белгісіз")])
    func filterErrorsSpeakTheRequestLanguage(language: String, reason: String) async throws {
        let week = try await GeoReportWeek.make()
        try await week.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/open311/v2/requests.xml?service_code=weather&status=maybe", method: .get, headers: [.acceptLanguage: language])
            let parsed = try ParsedXML(response.text)
            #expect(parsed.children.count == 2)
            #expect(parsed.children.compactMap { ParsedXML.value($0, "description") }.contains("service_code: \(reason)"))
        }
    }

    @Test func jurisdictionIsCheckedWhenConfigured() async throws {
        let week = try await GeoReportWeek.make()
        var settings = TestServer.settings()
        settings.open311 = Open311Settings(jurisdictionID: "almaty-bostandyq", contact: "open311@akimat.example")
        try await week.application(settings: settings).test(.router) { client in
            for path in ["services.xml", "requests.json", "requests/\(week.tickets["answered"]!).xml", "services/transport.json"] {
                let other = try await client.execute(uri: "/open311/v2/\(path)?jurisdiction_id=almaty-medeu&lang=en", method: .get)
                #expect(other.status == .badRequest, "\(path)")
                #expect(other.text.contains("jurisdiction_id: is not the jurisdiction this server serves"))
                #expect(try await client.execute(uri: "/open311/v2/\(path)?jurisdiction_id=almaty-bostandyq", method: .get).status == .ok)
                #expect(try await client.execute(uri: "/open311/v2/\(path)", method: .get).status == .ok)
            }
            let post = try await client.execute(
                uri: "/open311/v2/requests.json", method: .post, headers: .form(language: "en"),
                body: formBody([("service_code", "pothole"), ("description", "Яма на дороге у остановки Тастак"), ("jurisdiction_id", "elsewhere")]))
            #expect(post.status == .badRequest)
            let discovery = try await client.execute(uri: "/open311/discovery.json", method: .get)
            #expect(discovery.object["contact"] as? String == "open311@akimat.example")
        }
    }

    @Test func discoveryNamesTheEndpointAndBothFormats() async throws {
        let week = try await GeoReportWeek.make()
        var settings = TestServer.settings()
        settings.publicURL = "https://tyndau.example.kz"
        let app = try TestServer.application(week.database, settings: settings, clock: ManualClock(GeoReportWeek.now))
        try await app.test(.router) { client in
            let xml = try ParsedXML(try await client.execute(uri: "/open311/discovery.xml", method: .get).text)
            #expect(xml.root.name == "discovery")
            #expect(ParsedXML.names(xml.root) == ["changeset", "contact", "key_service", "endpoints"])
            let endpoint = try #require(xml.root.elements(forName: "endpoints").first?.elements(forName: "endpoint").first)
            #expect(ParsedXML.names(endpoint) == ["specification", "url", "changeset", "type", "formats"])
            #expect(ParsedXML.value(endpoint, "url") == "https://tyndau.example.kz/open311/v2")
            #expect(endpoint.elements(forName: "formats").first?.elements(forName: "format").compactMap(\.stringValue)
                == ["text/xml", "application/json"])
            let json = try await client.execute(uri: "/open311/discovery.json", method: .get)
            let endpoints = json.object["endpoints"] as? [[String: Any]] ?? []
            #expect(endpoints.first?["formats"] as? [String] == ["text/xml", "application/json"])
            #expect(endpoints.first?["specification"] as? String == "http://wiki.open311.org/GeoReport_v2")
        }
    }

    @Test func xmlEscapingDropsWhatXMLCannotCarry() {
        #expect(GeoReportXML.escape("a<b>&\"c'\u{01}\u{0B}d\te") == "a&lt;b&gt;&amp;&quot;c&apos;d\te")
    }
}
