import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// One generated request: a path, a content type and raw body bytes.
struct MalformedCase {
    var path: String
    var contentType: String
    var body: [UInt8]
    var kind: String
}

enum MalformedTable {
    static let fragments = [
        "Когда починят свет во дворе?", "Аулада жарық жоқ, қашан жөндейсіздер?", "Qashan jol jöndeledі?",
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"'><svg/onload=alert(1)>", "&amp;&lt;",
        "\u{0000}", "\u{0007}", "\u{202E}", "\u{FEFF}", "👍", "e\u{0301}", "   ", "\n\t\r", "ИИН 900101300126",
    ]

    static func cases(count: Int, seed: UInt64) -> [MalformedCase] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in make(&random) }
    }

    static func text(_ random: inout SplitMix64, parts: Int) -> String {
        (0..<parts).map { _ in fragments.randomElement(using: &random)! }.joined(separator: " ")
    }

    static func make(_ random: inout SplitMix64) -> MalformedCase {
        let paths = ["/api/v1/questions", "/questions", "/open311/v2/requests.json"]
        let path = paths.randomElement(using: &random)!
        let json = "application/json"
        let form = "application/x-www-form-urlencoded"
        let textKey = path.hasPrefix("/open311") ? "description" : "text"
        switch Int.random(in: 0..<12, using: &random) {
        case 0:  // truncated or broken JSON
            let valid = #"{"\#(textKey)": "\#(text(&random, parts: 3))", "service_code": "other"}"#
            let bytes = Array(valid.utf8)
            return MalformedCase(path: path, contentType: json, body: Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random))), kind: "truncated-json")
        case 1:  // random bytes
            let length = Int.random(in: 0..<300, using: &random)
            return MalformedCase(path: path, contentType: [json, form].randomElement(using: &random)!, body: (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }, kind: "random-bytes")
        case 2:  // wrong types
            let values = ["123", "true", "null", "[\"a\"]", "{\"x\":1}", "1.5e300", "-0"]
            let body = #"{"\#(textKey)": \#(values.randomElement(using: &random)!), "consent": \#(values.randomElement(using: &random)!), "street": \#(values.randomElement(using: &random)!), "service_code": "other"}"#
            return MalformedCase(path: path, contentType: json, body: Array(body.utf8), kind: "wrong-types")
        case 3:  // huge fields (some beyond the body limit)
            let size = [2001, 5000, 20_000, 40_000].randomElement(using: &random)!
            let body = #"{"\#(textKey)": "\#(String(repeating: "ж", count: size))", "street": "\#(String(repeating: "a", count: 300))", "service_code": "other"}"#
            return MalformedCase(path: path, contentType: json, body: Array(body.utf8), kind: "huge")
        case 4:  // invalid UTF-8 inside a JSON string
            var body = Array(#"{"\#(textKey)": "Вопрос про дорогу "#.utf8)
            body += [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]].randomElement(using: &random)!
            body += Array(#" и свет", "service_code": "other"}"#.utf8)
            return MalformedCase(path: path, contentType: json, body: body, kind: "invalid-utf8-json")
        case 5:  // invalid UTF-8 percent-encoded in a form
            let bytes = ["%FF%FE", "%C0%80", "%ED%A0%80", "%E2%82", "%ZZ", "%", "%4"].randomElement(using: &random)!
            let body = "\(textKey)=\u{41}\u{41}\(bytes)\u{41}ddd+long+enough+text&service_code=other"
            return MalformedCase(path: path, contentType: form, body: Array(body.utf8), kind: "invalid-utf8-form")
        case 6:  // NUL bytes raw and escaped
            var body = Array(#"{"\#(textKey)": "Нужен пандус у поликлиники"#.utf8)
            body += Bool.random(using: &random) ? [0x00] : Array(#"\u0000"#.utf8)
            body += Array(#" номер 5", "service_code": "other"}"#.utf8)
            return MalformedCase(path: path, contentType: json, body: body, kind: "nul")
        case 7, 8:  // HTML / script in otherwise valid JSON (accepted, must come back escaped)
            let object: [String: Any] = [
                textKey: "Вопрос о дворе " + text(&random, parts: 4) + " <script>alert('x')</script>",
                "street": text(&random, parts: 1), "service_code": "other",
            ]
            return MalformedCase(path: path, contentType: json, body: Array(try! JSONSerialization.data(withJSONObject: object)), kind: "html-json")
        case 9:  // HTML / script in a form
            let value = ("Вопрос о дворе " + text(&random, parts: 4) + " <b onmouseover=x>")
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return MalformedCase(path: path, contentType: form, body: Array("\(textKey)=\(value)&service_code=other".utf8), kind: "html-form")
        case 10:  // deep nesting and odd JSON
            let depth = Int.random(in: 1..<600, using: &random)
            let body = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            return MalformedCase(path: path, contentType: json, body: Array(body.utf8), kind: "nesting")
        default:  // odd content types and empty bodies
            let type = ["", "text/plain", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/problem+json"].randomElement(using: &random)!
            return MalformedCase(path: path, contentType: type, body: Array(text(&random, parts: 2).utf8), kind: "content-type")
        }
    }
}

@Suite("Malformed bodies")
struct MalformedBodyTableTests {
    @Test func tenThousandMalformedBodiesNeverGive500AndStoredTextIsShownEscaped() async throws {
        let database = try SQLiteStore.inMemory()
        let app = try TestServer.application(database, settings: TestServer.settings(rateLimit: 0, maxBody: 32 * 1024))
        let table = MalformedTable.cases(count: 10_000, seed: 20_261_129)
        try await app.test(.router) { client in
            var statuses: [Int: Int] = [:]
            var escapedChecks = 0
            for (index, testCase) in table.enumerated() {
                var headers: HTTPFields = [.acceptLanguage: index % 2 == 0 ? "ru" : "kk", .init("X-Forwarded-For")!: "10.1.\(index / 250).\(index % 250)"]
                if !testCase.contentType.isEmpty { headers[.contentType] = testCase.contentType }
                let response = try await client.execute(uri: testCase.path, method: .post, headers: headers, body: ByteBuffer(bytes: testCase.body))
                statuses[response.status.code, default: 0] += 1
                #expect(
                    [200, 201, 400, 413, 415, 422].contains(response.status.code),
                    "case \(index) (\(testCase.kind)) on \(testCase.path) gave \(response.status.code)"
                )
                guard response.status == .created, testCase.kind.hasPrefix("html") else { continue }
                // Accepted with HTML inside: the resident's status page must show it escaped.
                let ticket: String
                let token: String
                if testCase.path == "/questions" {
                    guard let match = response.text.firstMatch(of: /\/questions\/(TRK-\d{4}-\d{6})\?token=([0-9a-f]{32})/) else {
                        Issue.record("receipt without status link, case \(index)")
                        continue
                    }
                    ticket = String(match.output.1)
                    token = String(match.output.2)
                } else if testCase.path.hasPrefix("/open311") {
                    let url = response.array.first?["status_url"] as? String ?? ""
                    ticket = response.array.first?["service_request_id"] as? String ?? ""
                    token = String(url.split(separator: "=").last ?? "")
                } else {
                    ticket = response.object["ticket"] as? String ?? ""
                    token = response.object["token"] as? String ?? ""
                }
                let page = try await client.execute(uri: "/questions/\(ticket)?token=\(token)", method: .get)
                #expect(page.status == .ok)
                let main = page.text.split(separator: "<main>").last.map(String.init) ?? ""
                #expect(!main.contains("<script"), "case \(index)")
                #expect(!main.contains("<b "), "case \(index)")
                #expect(!main.contains("<img"), "case \(index)")
                #expect(!main.contains("<svg"), "case \(index)")
                #expect(main.contains("&lt;"), "case \(index)")
                escapedChecks += 1
            }
            // The table really exercises both sides: rejections of every kind and accepted questions.
            #expect(statuses[400, default: 0] > 500)
            #expect(statuses[422, default: 0] > 500)
            #expect(statuses[413, default: 0] > 50)
            #expect(statuses[201, default: 0] > 500)
            #expect(escapedChecks > 500)
            #expect(statuses[500] == nil)
        }
        // Nothing stored holds a NUL or another control character.
        let stored = try await database.questions(QuestionQuery())
        #expect(stored.allSatisfy { !$0.text.unicodeScalars.contains { $0.properties.generalCategory == .control } })
    }
}
