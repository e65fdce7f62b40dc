import Foundation
import Testing
@testable import QuestionCollection
import TyndauCore

@Suite struct NationalIDTests {
    @Test func checksTheIINCheckDigit() {
        #expect(NationalID.isValidIIN("900101300126"))
        #expect(!NationalID.isValidIIN("900101300120"))
        #expect(!NationalID.isValidIIN("90010130012"))
        #expect(!NationalID.isValidIIN("90010130012a"))
    }

    @Test func masksOnlyStandaloneValidIINs() {
        #expect(NationalID.maskingIINs(in: "мой ИИН 900101300126, прошу") == "мой ИИН [ИИН], прошу")
        #expect(NationalID.maskingIINs(in: "номер 900101300120 не ИИН") == "номер 900101300120 не ИИН")
        #expect(NationalID.maskingIINs(in: "9001013001261") == "9001013001261")
        #expect(NationalID.maskingIINs(in: "дом 12") == "дом 12")
    }

    @Test func validatorMasksTheIINInTheStoredText() throws {
        let submission = Submission(text: "Пересчитайте субсидию, ИИН 900101300126", channel: .web)
        let validated = try QuestionValidator().validate(submission, now: Date())
        #expect(validated.question.text == "Пересчитайте субсидию, ИИН [ИИН]")
    }
}
