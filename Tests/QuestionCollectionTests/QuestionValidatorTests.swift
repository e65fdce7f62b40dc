import Foundation
import QuestionCollection
import Testing
import TyndauCore

@Suite struct QuestionValidatorTests {
    let validator = QuestionValidator()

    func fields(_ submission: Submission) -> [String: String] {
        do {
            _ = try validator.validate(submission, now: Date())
            return [:]
        } catch let error as TyndauError {
            return error.fields
        } catch {
            return ["unexpected": "\(error)"]
        }
    }

    @Test func cleansTextBeforeStoring() throws {
        let raw = "  Когда\u{0000} починят\n\n\tфонари   на улице Саина?\u{200B} "
        let stored = try validator.validate(Submission(text: raw, channel: .web), now: Date())
        #expect(stored.question.text == "Когда починят фонари на улице Саина?")
        #expect(stored.contact == nil)
    }

    @Test func normalisesToNFC() throws {
        let decomposed = "Қашан жөндейді? Мектеп ауласында жарық жоқ".decomposedStringWithCanonicalMapping
        let stored = try validator.validate(Submission(text: decomposed, channel: .web), now: Date())
        #expect(stored.question.text.unicodeScalars.elementsEqual("Қашан жөндейді? Мектеп ауласында жарық жоқ".unicodeScalars))
    }

    @Test func rejectsEmptyQuestion() {
        #expect(fields(Submission(text: "   ", channel: .web)) == ["text": "field.required"])
        #expect(fields(Submission(text: nil, channel: .web)) == ["text": "field.required"])
    }

    @Test func rejectsTooShortAndTooLongText() {
        #expect(fields(Submission(text: "Свет?", channel: .web)) == ["text": "field.too-short"])
        #expect(fields(Submission(text: String(repeating: "а", count: 2001), channel: .web)) == ["text": "field.too-long"])
    }

    @Test func reportsEveryBadFieldAtOnce() {
        let submission = Submission(
            text: "Короткий", category: "weather", phone: "12345", email: "not-an-email", channel: .web
        )
        #expect(fields(submission) == [
            "text": "field.too-short", "category": "field.unknown-category", "phone": "field.invalid-phone",
            "email": "field.invalid-email", "consent": "field.consent-required",
        ])
    }

    @Test func personalDataNeedsConsent() {
        let submission = Submission(text: "Когда починят фонари на улице Саина?", name: "Ерлан", channel: .web)
        #expect(fields(submission) == ["consent": "field.consent-required"])
    }

    @Test(arguments: [
        ("+7 701 123 45 67", "+77011234567"),
        ("8 701 123 45 67", "+77011234567"),
        ("87011234567", "+77011234567"),
        ("7011234567", "+77011234567"),
        ("+7 (727) 250-50-50", "+77272505050"),
        ("8(727)2505050", "+77272505050"),
    ])
    func normalisesKazakhPhoneNumbers(raw: String, expected: String) {
        #expect(PhoneNumber.e164(raw) == expected)
    }

    @Test(arguments: ["12345", "+7 701 123", "8-800-CALL-NOW", "+7701123456789"])
    func rejectsBadPhoneNumbers(raw: String) {
        #expect(PhoneNumber.e164(raw) == nil)
    }

    @Test func acceptsContactWithConsent() throws {
        let submission = Submission(
            text: "Когда починят фонари на улице Саина?", name: "Ерлан", phone: "8 701 123 45 67",
            email: "erlan@example.kz", telegram: "@erlan_k", consent: true, channel: .web
        )
        let stored = try validator.validate(submission, now: Date(timeIntervalSince1970: 0))
        #expect(stored.contact?.phone == "+77011234567")
        #expect(stored.contact?.telegramUsername == "erlan_k")
        #expect(stored.contact?.consentAt == Date(timeIntervalSince1970: 0))
    }

    @Test func everyReasonKeyIsTranslated() {
        for key in ["field.required", "field.too-short", "field.too-long", "field.invalid-phone", "field.invalid-email",
                    "field.consent-required", "field.unknown-category", "field.invalid-date", "field.invalid-telegram"] {
            #expect(CoreText.table.contains(key), "missing \(key)")
            #expect(CoreText.table.text(key, .kk) != CoreText.table.text(key, .en))
        }
    }
}

@Suite struct LanguageDetectorTests {
    @Test(arguments: [
        ("Когда починят фонари на улице Саина?", TextLanguage.ru),
        ("Саина көшесінде жарық жоқ, қашан жөндейді?", .kk),
        ("Mektepte jylu joq, balalar tonyp jür. Qashan jöndeidı?", .kkLatn),
        ("198 школа пристройка құрылысы стоит, когда закончат?", .mixed),
        ("12345 !!!", .unknown),
    ])
    func detectsLanguage(text: String, expected: TextLanguage) {
        #expect(LanguageDetector.detect(text) == expected)
    }
}

@Suite struct ImportReaderTests {
    @Test func readsCSVWithQuotesAndReportsRowNumbers() {
        let csv = """
            text,street,category,external_id
            "Когда починят фонари на улице Саина, у дома 5?",Саина,improvement,a1
            "Свет?",Саина,improvement,a2
            "Во дворе ""Айгерим-2"" нет детской площадки",,improvement,a3

            """
        let rows = ImportReader.read(csv, format: .csv)
        #expect(rows.map(\.number) == [2, 3, 4])
        #expect(rows[0].sourceKey == "ext:a1")
        guard case .success(let first) = rows[0].result else {
            Issue.record("row 2 should parse")
            return
        }
        #expect(first.text == "Когда починят фонари на улице Саина, у дома 5?")
        guard case .success(let third) = rows[2].result else {
            Issue.record("row 4 should parse")
            return
        }
        #expect(third.text == "Во дворе \"Айгерим-2\" нет детской площадки")
    }

    @Test func reportsMalformedJSONLines() {
        let jsonl = """
            {"text": "Когда починят фонари на улице Саина?", "external_id": 7}
            {not json
            {"text": 42}
            """
        let rows = ImportReader.read(jsonl, format: .jsonl)
        #expect(rows.count == 3)
        #expect(rows[0].sourceKey == "ext:7")
        if case .failure(let error) = rows[1].result { #expect(error.code == .malformedRow) } else { Issue.record("row 2") }
        if case .failure(let error) = rows[2].result { #expect(error.fields == ["text": "field.wrong-type"]) } else { Issue.record("row 3") }
    }

    @Test func readsJSONLinesWrittenWithWindowsLineEndings() {
        let jsonl = "{\"text\": \"Когда отремонтируют дорогу на Жансугурова?\"}\r\n{\"text\": \"Жарық жоқ\u{2028}қашан?\"}\r\n\r\n"
        let rows = ImportReader.read(jsonl, format: .jsonl)
        #expect(rows.map(\.number) == [1, 2])
        for row in rows {
            if case .failure(let error) = row.result { Issue.record("row \(row.number): \(error)") }
        }
    }
}
